import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/common/logger';
import { createDataSource } from '../src/db/data-source';
import { runMigrations } from '../src/db/migrate';
import { createTestDatabase, type TestDatabase } from './helpers/test-db';

// The migrations (migrations/<dialect>) and the entities (src/entities) describe the same schema:
// on a freshly migrated database TypeORM finds nothing to change. Were it otherwise, `npm run
// migration:generate` would write statements nobody meant (dropping and adding keys under other
// names, or job.log with every log in it). On the suite's database: SQLite, or MariaDB when
// DATABASE_URL points at one. CI checks the same with `migration:generate -- <dialect> --check`.
const onSqlite = process.env.DATABASE_URL?.match(/^(mysql|mariadb):/) ? test.skip : test;

let tdb: TestDatabase;
let ds: DataSource;
beforeAll(async () => {
  tdb = await createTestDatabase();
  ds = createDataSource(loadConfig({ DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' }).database, createLogger('silent'));
  await ds.initialize();
});
afterAll(async () => {
  if (ds?.isInitialized) await ds.destroy();
  await tdb?.drop();
});

/** The statements TypeORM would run to make the schema match the entities. */
async function drift(): Promise<string[]> {
  return (await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
}

function describeDrift(statements: string[]): string {
  return (
    `The migrated ${tdb.dialect} schema differs from the entities by ${statements.length} statement(s):\n` +
    statements.map((s) => `  ${s};`).join('\n') +
    '\nDeclare in the entities what the migrations create (names of indexes, unique constraints and foreign keys; ' +
    'dialect column types, see src/db/column-types.ts), or add a migration for a change you mean.'
  );
}

test('a freshly migrated database has the schema the entities describe: TypeORM finds nothing to change', async () => {
  const ran = await runMigrations(ds);
  expect(ran).toEqual(ds.migrations.map((m) => m.name));
  const statements = await drift();
  if (statements.length > 0) throw new Error(describeDrift(statements));
  expect(statements).toEqual([]);
});

const onMariaDb = process.env.DATABASE_URL?.match(/^(mysql|mariadb):/) ? test : test.skip;

onMariaDb('columns declared with a MariaDB collation (src/db/column-types.ts) have it: TypeORM does not compare collations', async () => {
  await runMigrations(ds);
  const declared = ds.entityMetadatas.flatMap((m) => m.columns.filter((c) => c.collation).map((c) => ({ table: m.tableName, column: c.databaseName, collation: c.collation })));
  expect(declared).toContainEqual({ table: 'ticket', column: 'external_id', collation: 'utf8mb4_bin' });
  for (const { table, column } of declared) {
    const [row] = await ds.query('SELECT COLLATION_NAME AS collation FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?', [table, column]);
    expect({ table, column, collation: row?.collation }).toEqual(declared.find((d) => d.table === table && d.column === column));
  }
});

onSqlite('naming the foreign keys SQLite had unnamed keeps the rows, references and id counters of tickets and categories', async () => {
  await runMigrations(ds);
  // Back to the schema before NamedForeignKeys and the migrations after it (a revert needs foreign keys off: transaction none).
  const names = ds.migrations.map((m) => m.name);
  const fromNamed = names.slice(names.indexOf('NamedForeignKeys1795700000000'));
  for (let i = 0; i < fromNamed.length; i++) await ds.undoLastMigration({ transaction: 'none' });
  const fkNames = async (table: string) => ((await ds.query(`SELECT sql FROM sqlite_master WHERE name = ?`, [table])) as { sql: string }[])[0].sql.match(/FK_\w+/g);
  expect(await fkNames('category')).toBeNull();
  const at = '2024-01-01 00:00:00.000';
  await ds.query(`INSERT INTO app_user (username, name, privileges, created_at) VALUES ('ann', 'Ann', '[]', ?)`, [at]);
  await ds.query(`INSERT INTO user_group (key, title, created_at) VALUES ('ops', 'Ops', ?)`, [at]);
  for (const key of ['a', 'b', 'c']) await ds.query(`INSERT INTO category (key, title, created_at, group_id) VALUES (?, 'C', ?, 1)`, [key, at]);
  for (let n = 1; n <= 4; n++) {
    await ds.query(
      `INSERT INTO ticket (number, subject, body, type, status, priority, category_id, notify, creator_id, requester_id, created_at, updated_at, version) VALUES (?, 's', 'b', 'issue', 'open', 2, 2, '[]', 1, 1, ?, ?, 1)`,
      [n, at, at],
    );
  }
  await ds.query(`INSERT INTO ticket_change (ticket_id, type, created_at) VALUES (2, 'created', ?)`, [at]);
  await ds.query(`DELETE FROM ticket WHERE id = 4`);
  await ds.query(`DELETE FROM category WHERE id = 3`);
  const snapshot = async () => ({
    tickets: await ds.query(`SELECT * FROM ticket ORDER BY id`),
    categories: await ds.query(`SELECT * FROM category ORDER BY id`),
    changes: await ds.query(`SELECT * FROM ticket_change ORDER BY id`),
    counters: await ds.query(`SELECT name, seq FROM sqlite_sequence WHERE name IN ('ticket', 'category') ORDER BY name`),
  });
  const before = await snapshot();

  expect(await runMigrations(ds)).toEqual(fromNamed);
  // Later migrations may add columns: every row keeps the values it had.
  const after = await snapshot();
  const asBefore = (rows: Record<string, unknown>[], was: Record<string, unknown>[]) => rows.map((r, i) => Object.fromEntries(Object.keys(was[i] ?? r).map((k) => [k, r[k]])));
  // RequesterSide makes the existing history entries public, as everyone read them before.
  expect(after.changes.map((c: Record<string, unknown>) => c.visibility)).toEqual(before.changes.map(() => 'public'));
  expect({ ...after, tickets: asBefore(after.tickets, before.tickets), categories: asBefore(after.categories, before.categories), changes: asBefore(after.changes, before.changes) }).toEqual(before);
  expect(before.counters).toEqual([{ name: 'category', seq: 3 }, { name: 'ticket', seq: 4 }]);
  expect(await fkNames('category')).toEqual(['FK_dc80af15ad8913831d0c359018d']);
  expect(await fkNames('ticket')).toContain('FK_2a3cae8fd60482104d7f09a5894');
  expect(await ds.query('PRAGMA foreign_key_check')).toEqual([]);
  // The keys act as before: SET NULL when the group goes, RESTRICT for a category in use.
  await ds.query(`DELETE FROM user_group WHERE id = 1`);
  expect(await ds.query(`SELECT count(*) AS n FROM category WHERE group_id IS NOT NULL`)).toEqual([{ n: 0 }]);
  await expect(ds.query(`DELETE FROM category WHERE id = 2`)).rejects.toThrow(/FOREIGN KEY/);
  const statements = await drift();
  if (statements.length > 0) throw new Error(describeDrift(statements));
});

test('TicketSource backfills existing tickets: JOB or ALERT from their origin, MANUAL otherwise, and no external id', async () => {
  await runMigrations(ds);
  const names = ds.migrations.map((m) => m.name);
  const fromSource = names.slice(names.indexOf('TicketSource1796000000000'));
  for (let i = 0; i < fromSource.length; i++) await ds.undoLastMigration({ transaction: 'none' });
  const at = '2024-01-01 00:00:00.000';
  await ds.query(`INSERT INTO app_user (username, name, privileges, created_at) VALUES ('bo', 'Bo', '[]', ?)`, [at]);
  const [{ id: userId }] = (await ds.query(`SELECT id FROM app_user WHERE username = 'bo'`)) as { id: number }[];
  const origins: [number, string | null][] = [[901, 'job'], [902, 'external_job'], [903, 'alert'], [904, null]];
  for (const [n, kind] of origins) {
    await ds.query(
      `INSERT INTO ticket (number, subject, body, type, status, priority, notify, creator_id, created_at, updated_at, version, origin_kind, origin_id) VALUES (?, 's', 'b', 'issue', 'open', 2, '[]', ?, ?, ?, 1, ?, ?)`,
      [n, userId, at, at, kind, kind && `o-${n}`],
    );
  }
  expect(await runMigrations(ds)).toEqual(fromSource);
  const rows = (await ds.query(`SELECT number, source, external_id AS externalId FROM ticket WHERE number >= 901 ORDER BY number`)) as { number: number; source: string; externalId: string | null }[];
  expect(rows).toEqual([
    { number: 901, source: 'job', externalId: null },
    { number: 902, source: 'job', externalId: null },
    { number: 903, source: 'alert', externalId: null },
    { number: 904, source: 'manual', externalId: null },
  ]);
  expect(await ds.query(`SELECT requester_only AS r FROM app_user WHERE username = 'bo'`)).toEqual([{ r: 0 }]);
});
