import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';

export interface TestDatabase {
  url: string;
  dialect: 'sqlite' | 'mysql';
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: a temporary SQLite file, or, when DATABASE_URL points
 * at MySQL/MariaDB, a new database on that server (dropped afterwards). Files run in parallel safely.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = process.env.DATABASE_URL;
  if (base && /^(mysql|mariadb):/.test(base)) {
    const url = new URL(base.replace(/^mariadb:/, 'mysql:'));
    const name = `tg_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    url.pathname = '/';
    const admin = await mysql.createConnection(url.toString());
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.end();
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      dialect: 'mysql',
      drop: async () => {
        url.pathname = '/';
        const conn = await mysql.createConnection(url.toString());
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await conn.end();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-test-'));
  return { url: `sqlite:${path.join(dir, 'test.sqlite')}`, dialect: 'sqlite', drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}
