/**
 * Writes a migration for one dialect with the SQL TypeORM computes between the migrated schema and
 * the entities: `npm run migration:generate -- <sqlite|mysql> <Name>`. MySQL/MariaDB needs a server
 * (MIGRATION_MYSQL_URL, default mysql://root@127.0.0.1:3306); a scratch database is used and dropped.
 *
 * `npm run migration:generate -- <sqlite|mysql> --check` writes nothing: it migrates a scratch
 * database, prints the statements by which its schema differs from the entities and exits 1 when
 * there are any (CI runs it for both dialects; test/migrations-drift.test.ts checks the same), 0
 * when there are none, 2 when it cannot tell (bad arguments, no server).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { createDataSource } from '../src/db/data-source';
import { createLogger } from '../src/common/logger';
import type { DatabaseConfig } from '../src/config/config';

const USAGE = 'usage: generate-migration <sqlite|mysql> <PascalCaseName>\n       generate-migration <sqlite|mysql> --check';

async function main(): Promise<number> {
  const [dialectArg, nameArg] = process.argv.slice(2);
  // mariadb names the same dialect as mysql (its migrations are in migrations/mysql).
  const dialect = dialectArg === 'mariadb' ? 'mysql' : dialectArg;
  const check = nameArg === '--check';
  if ((dialect !== 'sqlite' && dialect !== 'mysql') || (!check && !/^[A-Z][A-Za-z0-9]+$/.test(nameArg ?? ''))) {
    throw new Error(USAGE);
  }
  const scratch = `tg_migration_gen_${process.pid}`;
  const serverUrl = (process.env.MIGRATION_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/^mariadb:/, 'mysql:').replace(/\/+$/, '');
  let db: DatabaseConfig;
  let tmpDir: string | undefined;
  if (dialect === 'sqlite') {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-gen-'));
    db = { kind: 'sqlite', path: path.join(tmpDir, 'gen.sqlite') };
  } else {
    const conn = await mysql.createConnection(serverUrl);
    await conn.query(`CREATE DATABASE \`${scratch}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.end();
    db = { kind: 'mysql', url: `${serverUrl}/${scratch}`, host: '', port: 0, database: scratch };
  }
  const ds = createDataSource(db, createLogger('warn'));
  try {
    await ds.initialize();
    await ds.runMigrations();
    const sql = await ds.driver.createSchemaBuilder().log();
    if (check) {
      if (sql.upQueries.length === 0) {
        console.log(`${dialect}: the migrated schema matches the entities.`);
        return 0;
      }
      console.error(`${dialect}: the migrated schema differs from the entities by ${sql.upQueries.length} statement(s):\n`);
      for (const q of sql.upQueries) console.error(`  ${q.query};`);
      console.error(
        '\nDeclare in the entities what the migrations create (index, unique and foreign key names, column types),' +
          ` or add a migration: npm run migration:generate -- ${dialect} <Name>`,
      );
      return 1;
    }
    if (sql.upQueries.length === 0) {
      console.log('No schema changes.');
      return 0;
    }
    const name = nameArg;
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
    return 0;
  } finally {
    if (ds.isInitialized) await ds.destroy();
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
    if (dialect === 'mysql') {
      const conn = await mysql.createConnection(serverUrl);
      await conn.query(`DROP DATABASE IF EXISTS \`${scratch}\``);
      await conn.end();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
