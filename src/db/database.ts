import type { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorCode } from '../common/errors';
import { requestExpired, requestScope } from '../common/request-scope';

const MYSQL_RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/** Driver error codes meaning "the database cannot be reached right now" (answered 503, not 500). */
export const DATABASE_UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_CON_COUNT_ERROR', 'ER_CONNECTION_KILLED', 'ER_SERVER_SHUTDOWN', 'SQLITE_BUSY', 'POOL_CLOSED',
]);

/** Whether err (or the driver error inside a TypeORM error) says the database is unreachable. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; driverError?: { code?: unknown; errno?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  // 1927 is MariaDB's "connection was killed", reported by some driver versions without a name.
  return (typeof code === 'string' && DATABASE_UNAVAILABLE_CODES.has(code)) || e?.driverError?.errno === 1927 || e?.errno === 1927;
}
const MAX_ATTEMPTS = 4;

/**
 * Owns the data source and how transactions run on each dialect.
 *
 * SQLite: better-sqlite3 has one connection, and TypeORM would interleave two transactions on it,
 * so write transactions queue behind an in-process lock (the embedded default is single-process).
 * MySQL/MariaDB: deadlocks and lock-wait timeouts are retried a bounded number of times.
 */
export class Database {
  readonly dialect: 'sqlite' | 'mysql';
  private sqliteTail: Promise<unknown> = Promise.resolve();
  /** Callbacks waiting for the commit of the transaction an entity manager belongs to. */
  private readonly commitHooks = new WeakMap<EntityManager, (() => void)[]>();

  constructor(readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'mysql' ? 'mysql' : 'sqlite';
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Runs fn in one transaction; everything it writes commits together or not at all. A transaction
   * of a request that has outlived REQUEST_TIMEOUT rolls back instead of committing, so a request
   * answered "timed out" has changed nothing.
   */
  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const guarded = this.deadlineGuarded(fn);
    if (this.dialect === 'sqlite') {
      const run = this.sqliteTail.then(() => this.attempt(guarded));
      this.sqliteTail = run.catch(() => undefined);
      return run;
    }
    return this.withRetry(() => this.attempt(guarded));
  }

  /**
   * Runs fn once the transaction that em belongs to has committed, and never if it rolls back (or a
   * retried attempt is abandoned), so nothing is announced that did not happen. Outside a
   * transaction (em is the plain manager) it runs at once. fn must not throw; errors are its own.
   */
  afterCommit(em: EntityManager, fn: () => void): void {
    const hooks = this.commitHooks.get(em);
    if (hooks) hooks.push(fn);
    else fn();
  }

  /** One attempt: the transaction, then its after-commit hooks. */
  private async attempt<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const hooks: (() => void)[] = [];
    const result = await this.committing(this.dataSource.transaction(async (em) => {
      this.commitHooks.set(em, hooks);
      try {
        return await fn(em);
      } finally {
        this.commitHooks.delete(em);
      }
    }));
    for (const hook of hooks) {
      try {
        hook();
      } catch {
        // A hook's failure is not the write's: the data is committed and the caller gets its result.
      }
    }
    return result;
  }

  private deadlineGuarded<T>(fn: (em: EntityManager) => Promise<T>): (em: EntityManager) => Promise<T> {
    return async (em) => {
      if (requestExpired()) throw requestTimedOut();
      const result = await fn(em);
      // The last check before COMMIT; from here until the commit ends the timeout stands aside
      // (the request's own answer follows at once), so the client is never told "nothing saved" wrongly.
      if (requestExpired()) throw requestTimedOut();
      const scope = requestScope.getStore();
      if (scope) scope.committing = (scope.committing ?? 0) + 1;
      return result;
    };
  }

  private async committing<T>(run: Promise<T>): Promise<T> {
    const scope = requestScope.getStore();
    const before = scope?.committing ?? 0;
    try {
      const result = await run;
      if (scope) scope.committed = true;
      return result;
    } finally {
      if (scope && (scope.committing ?? 0) > before) scope.committing = before;
    }
  }

  /** "INSERT ... that skips rows whose unique key exists", in this dialect. */
  get insertIgnore(): string {
    return this.dialect === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE';
  }

  /** Row lock for read-modify-write on MySQL; SQLite writers are already serialized. */
  get lockMode(): 'pessimistic_write' | undefined {
    return this.dialect === 'mysql' ? 'pessimistic_write' : undefined;
  }

  async ping(): Promise<boolean> {
    try {
      if (!this.dataSource.isInitialized) return false;
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
        if (n >= MAX_ATTEMPTS || !code || !MYSQL_RETRYABLE.has(code) || requestExpired()) throw err;
        await new Promise((r) => setTimeout(r, 5 * 2 ** n + Math.random() * 10));
      }
    }
  }
}

function requestTimedOut(): AppError {
  return new AppError(ErrorCode.REQUEST_TIMEOUT, 'The request took too long and was cancelled; none of its changes were saved');
}

/** Rows changed by an UPDATE/DELETE, across drivers (mysql2 reports affectedRows, better-sqlite3 changes). */
export function affectedRows(result: { affected?: number | null }): number {
  return result.affected ?? 0;
}
