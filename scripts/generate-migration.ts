/**
 * Writes a migration for one dialect with the SQL TypeORM computes between the migrated schema and
 * the entities: `npm run migration:generate -- <sqlite|mysql> <Name>`. MySQL needs a server
 * (MIGRATION_MYSQL_URL, default mysql://root@127.0.0.1:3306); a scratch database is used and dropped.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createDataSource } from '../src/db/data-source';
import { createLogger } from '../src/common/logger';
import type { DatabaseConfig } from '../src/config/config';

async function main(): Promise<void> {
  const [dialect, name] = process.argv.slice(2);
  if ((dialect !== 'sqlite' && dialect !== 'mysql') || !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) {
    throw new Error('usage: generate-migration <sqlite|mysql> <PascalCaseName>');
  }
  const scratch = `tg_migration_gen_${process.pid}`;
  const serverUrl = process.env.MIGRATION_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
  let db: DatabaseConfig;
  if (dialect === 'sqlite') {
    db = { kind: 'sqlite', path: path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tg-gen-')), 'gen.sqlite') };
  } else {
    const conn = await mysql.createConnection(serverUrl);
    await conn.query(`CREATE DATABASE \`${scratch}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.end();
    db = { kind: 'mysql', url: `${serverUrl}/${scratch}`, host: '', port: 0, database: scratch };
  }
  const ds = createDataSource(db, createLogger('warn'));
  await ds.initialize();
  try {
    await ds.runMigrations();
    const sql = await ds.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      console.log('No schema changes.');
      return;
    }
    const stamp = Date.now();
    const q = (s: string) => '`' + s.replace(/[`\\$]/g, (c) => '\\' + c) + '`';
    const up = sql.upQueries.map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
    const down = [...sql.downQueries].reverse().map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
    const file = path.join('migrations', dialect, `${stamp}-${name}.ts`);
    fs.writeFileSync(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${name}${stamp} implements MigrationInterface {\n  name = '${name}${stamp}';\n\n  async up(queryRunner: QueryRunner): Promise<void> {\n${up}\n  }\n\n  async down(queryRunner: QueryRunner): Promise<void> {\n${down}\n  }\n}\n`,
    );
    console.log(`Wrote ${file}; add it to migrations/${dialect}/index.ts.`);
  } finally {
    await ds.destroy();
    if (dialect === 'mysql') {
      const conn = await mysql.createConnection(serverUrl);
      await conn.query(`DROP DATABASE IF EXISTS \`${scratch}\``);
      await conn.end();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
