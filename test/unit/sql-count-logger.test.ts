import type { LoggerOptions } from 'typeorm';
import { createLogger } from '../../src/common/logger';
import { SqlCountLogger } from '../../src/db/sql-count.logger';

// TypeORM's CLI (migration:show, migration:run on ormconfig.ts) asks for its output through the data
// source's `logging` option; the app sets none and keeps its JSON log.
function logger(logging: LoggerOptions | undefined) {
  const printed: string[] = [];
  const lines: string[] = [];
  const appLog = createLogger('info', { write: (line: string) => lines.push(line) });
  return { printed, lines, log: new SqlCountLogger(appLog, () => logging, (line) => printed.push(line)) };
}

test("with logging ['schema'] (migration:show) schema messages such as the [X] list are printed; queries are not", () => {
  const { printed, log } = logger(['schema']);
  log.logSchemaBuild('[X] 1 Initial1795412143069');
  log.logSchemaBuild('[ ] Search1795423177008');
  log.logQuery('SELECT 1', [42]);
  expect(printed).toEqual(['[X] 1 Initial1795412143069', '[ ] Search1795423177008']);
});

test("with logging ['query', 'error', 'schema'] (migration:run) statements are printed without their parameters, and migration messages", () => {
  const { printed, log } = logger(['query', 'error', 'schema']);
  log.logQuery('INSERT INTO "schema_migrations" ("timestamp", "name") VALUES (?, ?)', [1795412143069, 'secret-ish']);
  log.logMigration('Migration Initial1795412143069 has been executed successfully.');
  log.logQueryError(new Error('no such table: x'), 'SELECT * FROM x');
  expect(printed).toEqual([
    'query: INSERT INTO "schema_migrations" ("timestamp", "name") VALUES (?, ?)',
    'Migration Initial1795412143069 has been executed successfully.',
    'query failed: SELECT * FROM x\nerror: no such table: x',
  ]);
});

test('without logging (the app) nothing is printed: schema messages go to the debug log, migrations to the info log', () => {
  const { printed, lines, log } = logger(undefined);
  log.logSchemaBuild('No migrations are pending');
  log.logMigration('Migration Initial1795412143069 has been executed successfully.');
  log.logQuery('SELECT 1');
  expect(printed).toEqual([]);
  expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['Migration Initial1795412143069 has been executed successfully.']);
});
