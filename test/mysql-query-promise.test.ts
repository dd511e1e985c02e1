import { QueryFailedError } from 'typeorm';
import { startTestServer, type TestServer } from './helpers/test-server';

// MariaDB statements run through one promise wrapper per pooled connection (src/db/mysql-query-promise.ts)
// instead of mysql2's wrapper per statement: results, errors and transactions must be as before.
let s: TestServer;
const onMariaDb = (process.env.DATABASE_URL ?? '').startsWith('mysql');
const maria = onMariaDb ? describe : describe.skip;

beforeAll(async () => {
  if (onMariaDb) s = await startTestServer();
});
afterAll(() => s?.close());

maria('MariaDB statements through the per-connection promise wrapper', () => {
  test('each connection keeps one wrapper: no wrapper or stack capture per statement', async () => {
    const runner = s.app.db.dataSource.createQueryRunner();
    try {
      const connection = (await runner.connect()) as { promise(): unknown };
      expect(connection.promise()).toBe(connection.promise());
      expect(await runner.query('SELECT 1 + ? AS n', [41])).toEqual([{ n: 42 }]);
    } finally {
      await runner.release();
    }
  });

  test('results, driver errors and transactions are what TypeORM saw before', async () => {
    const runner = s.app.db.dataSource.createQueryRunner();
    try {
      await runner.query('CREATE TEMPORARY TABLE lean_probe (id INT PRIMARY KEY, v VARCHAR(10))');
      const inserted = await runner.query('INSERT INTO lean_probe (id, v) VALUES (?, ?), (?, ?)', [1, 'a', 2, 'b']);
      expect(inserted.affectedRows).toBe(2);
      expect(await runner.query('SELECT id, v FROM lean_probe ORDER BY id')).toEqual([{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
      const failure = await runner.query('INSERT INTO lean_probe (id, v) VALUES (?, ?)', [1, 'dup']).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(QueryFailedError);
      expect((failure as QueryFailedError & { driverError: { code: string; errno: number } }).driverError).toMatchObject({ code: 'ER_DUP_ENTRY', errno: 1062 });
      await runner.startTransaction();
      await runner.query('UPDATE lean_probe SET v = ? WHERE id = ?', ['c', 1]);
      await runner.rollbackTransaction();
      expect(await runner.query('SELECT v FROM lean_probe WHERE id = 1')).toEqual([{ v: 'a' }]);
    } finally {
      await runner.release();
    }
  });
});
