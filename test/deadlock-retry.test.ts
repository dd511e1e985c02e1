import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/common/logger';
import { createDataSource } from '../src/db/data-source';
import { Database } from '../src/db/database';
import { createTestDatabase, type TestDatabase } from './helpers/test-db';

// Database.transaction retries MySQL deadlocks a bounded number of times. A real deadlock on the
// real server: two transactions lock rows 1 and 2 in opposite orders. (SQLite serializes writers
// in-process and cannot deadlock; MariaDB only.)
const onMysql = process.env.DATABASE_URL?.match(/^(mysql|mariadb):/) ? test : test.skip;

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(() => tdb?.drop());

onMysql('a transaction chosen as the deadlock victim is retried and then commits; both writes land', async () => {
  const config = loadConfig({ DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' });
  const ds = createDataSource(config.database, createLogger('silent'));
  await ds.initialize();
  try {
    const db = new Database(ds);
    await ds.query('CREATE TABLE deadlock_probe (id int PRIMARY KEY, v int NOT NULL) ENGINE=InnoDB');
    await ds.query('INSERT INTO deadlock_probe VALUES (1, 0), (2, 0)');

    let firstLocks = 0;
    let release!: () => void;
    const bothHoldFirstLock = new Promise<void>((r) => (release = r));
    const attempts: string[] = [];
    const run = (name: string, first: number, second: number) =>
      db.transaction({}, async ({ tx: em }) => {
        attempts.push(name);
        await em.query('SELECT v FROM deadlock_probe WHERE id = ? FOR UPDATE', [first]);
        if (++firstLocks === 2) release();
        await bothHoldFirstLock;
        await em.query('UPDATE deadlock_probe SET v = v + 1 WHERE id = ?', [second]);
        return name;
      });

    const results = await Promise.all([run('a', 1, 2), run('b', 2, 1)]);
    expect(results).toEqual(['a', 'b']);
    // Three attempts: both once, and the deadlock victim once more.
    expect(attempts).toHaveLength(3);
    const rows = (await ds.query('SELECT id, v FROM deadlock_probe ORDER BY id')) as { id: number; v: number }[];
    expect(rows.map((r) => Number(r.v))).toEqual([1, 1]);
  } finally {
    await ds.destroy();
  }
});

onMysql('a deadlock on the AUTO-INC lock (reported as "Failed to read auto-increment value") is retried too', async () => {
  // The soak saw it: a bulk insert holds the table's AUTO-INC lock while it waits for a row lock
  // that a transaction holds which then inserts into the same table. InnoDB picks the second as
  // the victim and reports ER_AUTOINC_READ_FAILED (1467) rather than ER_LOCK_DEADLOCK.
  const config = loadConfig({ DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' });
  const ds = createDataSource(config.database, createLogger('silent'));
  await ds.initialize();
  const bulk = ds.createQueryRunner();
  try {
    const db = new Database(ds);
    await ds.query('CREATE TABLE autoinc_probe (id int PRIMARY KEY, v int NOT NULL) ENGINE=InnoDB');
    await ds.query('INSERT INTO autoinc_probe VALUES (1, 10), (2, 20)');
    await ds.query('CREATE TABLE autoinc_target (id int AUTO_INCREMENT PRIMARY KEY, v int NOT NULL) ENGINE=InnoDB');
    await bulk.connect();

    const errors: string[] = [];
    let bulkDone: Promise<unknown> | null = null;
    const result = await db.transaction({}, async ({ tx }) => {
      await tx.query('SELECT v FROM autoinc_probe WHERE id = 2 FOR UPDATE');
      if (!bulkDone) {
        // First attempt: the bulk insert takes the AUTO-INC lock with its first row, then waits for row 2.
        await bulk.startTransaction();
        bulkDone = bulk.query('INSERT INTO autoinc_target (v) SELECT v FROM autoinc_probe WHERE id IN (1, 2) ORDER BY id FOR UPDATE').then(() => bulk.commitTransaction());
        for (let i = 0; i < 500; i++) {
          const [{ n }] = await ds.query("SELECT COUNT(*) AS n FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'");
          if (Number(n) > 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      try {
        await tx.query('INSERT INTO autoinc_target (v) VALUES (99)');
      } catch (err) {
        errors.push((err as { driverError?: { code?: string } }).driverError?.code ?? String(err));
        throw err;
      }
      return 'inserted';
    });
    expect(errors).toEqual(['ER_AUTOINC_READ_FAILED']);
    expect(result).toBe('inserted');
    await bulkDone;
    const rows = (await ds.query('SELECT v FROM autoinc_target ORDER BY v')) as { v: number }[];
    expect(rows.map((r) => Number(r.v))).toEqual([10, 20, 99]);
  } finally {
    await bulk.release();
    await ds.destroy();
  }
});
