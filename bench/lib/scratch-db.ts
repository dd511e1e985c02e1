import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';

export type Dialect = 'sqlite' | 'mysql';

export interface ScratchDatabase {
  dialect: Dialect;
  /** DATABASE_URL for the app. */
  url: string;
  /** A temporary DATA_DIR for the app. */
  dataDir: string;
  /** Database name (MySQL) or file (SQLite), for the report. */
  location: string;
  drop(): Promise<void>;
}

/** Server for scratch MySQL/MariaDB databases unless BENCH_MYSQL_URL (or a mysql DATABASE_URL) names another. */
const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306/';

/**
 * A fresh, empty database: a temporary SQLite file, or a new database on the MySQL/MariaDB server
 * (dropped by drop()). Same approach as test/helpers/test-db.ts, under a bench_ name.
 */
export async function createScratchDatabase(dialect: Dialect): Promise<ScratchDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-bench-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  if (dialect === 'sqlite') {
    const file = path.join(dir, 'bench.sqlite');
    return { dialect, url: `sqlite:${file}`, dataDir: path.join(dir, 'data'), location: file, drop: async () => removeDir() };
  }

  const fromEnv = [process.env.BENCH_MYSQL_URL, process.env.DATABASE_URL].find((u) => u && /^(mysql|mariadb):/.test(u));
  const url = new URL((fromEnv ?? DEFAULT_MYSQL_URL).replace(/^mariadb:/, 'mysql:'));
  const name = `tg_bench_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  url.pathname = '/';
  const serverUrl = url.toString();
  const admin = await mysql.createConnection(serverUrl);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    dataDir: path.join(dir, 'data'),
    location: name,
    drop: async () => {
      const conn = await mysql.createConnection(serverUrl);
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
        removeDir();
      }
    },
  };
}
