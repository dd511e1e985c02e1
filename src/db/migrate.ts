import type { DataSource } from 'typeorm';

const LOCK_NAME = 'ticket_gateway_migrations';

/**
 * Runs pending migrations. On MySQL/MariaDB replicas may start together, so a named lock makes
 * one of them migrate while the others wait; SQLite is single-process.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type === 'better-sqlite3') {
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    const [row] = (await runner.query('SELECT GET_LOCK(?, 120) AS got', [LOCK_NAME])) as { got: number }[];
    if (Number(row?.got) !== 1) throw new Error('Timed out waiting for another replica to finish migrations');
    try {
      // MySQL commits DDL implicitly, so per-migration transactions buy nothing there.
      return (await dataSource.runMigrations({ transaction: 'none' })).map((m) => m.name);
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await runner.release();
  }
}
