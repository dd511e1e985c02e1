import type { DataSource } from 'typeorm';

/** What TypeORM's MysqlQueryRunner calls on `connection.promise()`: query(sql or { sql, timeout }, params) -> [rows, fields]. */
export interface QueryPromise {
  query(query: unknown, parameters?: unknown[]): Promise<[unknown, unknown]>;
}

interface CallbackConnection {
  query(query: unknown, parameters: unknown[] | undefined, callback: (err: Error | null, rows?: unknown, fields?: unknown) => void): unknown;
  promise(): QueryPromise;
}

/**
 * TypeORM runs every MariaDB statement as `connection.promise().query(...)`. mysql2's promise()
 * builds a new wrapper per call, and the wrapper's query captures a stack trace per statement
 * (`Error.captureStackTrace`, to rewrite the stack of an error that may never come): W1 of the
 * benchmark spent 8% less CPU per request without them (bench/RESULTS.md, issue 21). TypeORM then wraps any failure in its
 * own QueryFailedError, with the driver error (code, errno, sqlMessage) kept as it is.
 *
 * This gives each pooled connection, when TypeORM takes it from the pool, one promise wrapper of
 * its own around the same callback query: same arguments, same `[rows, fields]` result, the same
 * error object, no stack capture. Nothing else of the connection changes.
 */
export function useLeanQueryPromises(dataSource: DataSource): void {
  const driver = dataSource.driver as unknown as { prepareDbConnection(connection: CallbackConnection): CallbackConnection };
  const prepare = driver.prepareDbConnection.bind(driver);
  const lean = new WeakMap<CallbackConnection, QueryPromise>();
  driver.prepareDbConnection = (connection) => {
    if (!lean.has(connection)) {
      const wrapper: QueryPromise = {
        query: (query, parameters) =>
          new Promise((resolve, reject) => {
            connection.query(query, parameters, (err, rows, fields) => (err ? reject(err) : resolve([rows, fields])));
          }),
      };
      lean.set(connection, wrapper);
      connection.promise = () => wrapper;
    }
    return prepare(connection);
  };
}
