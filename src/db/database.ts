import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { AppError, ErrorCode } from '../common/errors';
import { requestExpired, requestScope } from '../common/request-scope';
import { ConnectionGate } from './connection-gate';
import { EntityRows } from './entity-rows';

/**
 * Errors after which the whole transaction may run again. ER_AUTOINC_READ_FAILED is how InnoDB
 * reports a deadlock on a table's AUTO-INC lock (a bulk insert holding it while it waits for a row
 * lock the victim holds): a deadlock by another name.
 */
const MYSQL_RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_AUTOINC_READ_FAILED']);

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

/** What carries an open transaction: a RequestContext (graphql/context.ts) inside Database.transaction. */
export interface InTransaction {
  readonly tx?: EntityManager;
}

/**
 * Owns the data source and how transactions run on each dialect.
 *
 * SQLite: better-sqlite3 has one connection, shared by every request. A ConnectionGate gives it to
 * one holder at a time: a transaction for its whole length, any other statement for its own, so no
 * statement of one request ever runs inside another's transaction (the embedded default is
 * single-process). MySQL/MariaDB: every transaction has a pool connection of its own; deadlocks and
 * lock-wait timeouts are retried a bounded number of times.
 */
export class Database {
  readonly dialect: 'sqlite' | 'mysql';
  private readonly gate: ConnectionGate | null;
  /** The transaction the caller runs in, while it is open (to refuse a nested one). */
  private readonly openTransaction = new AsyncLocalStorage<{ open: boolean }>();
  /** Callbacks waiting for the commit of the transaction an entity manager belongs to. */
  private readonly commitHooks = new WeakMap<EntityManager, (() => void)[]>();

  constructor(readonly dataSource: DataSource) {
    this.dialect = dataSource.options.type === 'better-sqlite3' ? 'sqlite' : 'mysql';
    this.gate = this.dialect === 'sqlite' ? gateQueryRunners(dataSource, new ConnectionGate()) : null;
  }

  /** Row mappers for hand-written hot reads (entity-rows.ts), built once per entity and alias. */
  private readonly rowMappers = new Map<unknown, Map<string, EntityRows<ObjectLiteral>>>();

  /** The column list and row mapping of `entity` under `alias`, derived from its metadata (entity-rows.ts). */
  rows<T extends ObjectLiteral>(entity: EntityTarget<T>, alias: string): EntityRows<T> {
    let byAlias = this.rowMappers.get(entity);
    if (!byAlias) this.rowMappers.set(entity, (byAlias = new Map()));
    let rows = byAlias.get(alias);
    if (!rows) byAlias.set(alias, (rows = new EntityRows<ObjectLiteral>(this.dataSource, entity as EntityTarget<ObjectLiteral>, alias)));
    return rows as unknown as EntityRows<T>;
  }

  /** The default manager, for work outside any request context (start-up, migrations, the CLI). */
  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * The manager every repository access of `ctx` goes through: its open transaction when the work
   * runs inside Database.transaction, the default one otherwise. Whether a call joins the caller's
   * transaction never depends on its signature: it takes the context.
   */
  em(ctx: InTransaction): EntityManager {
    return ctx.tx ?? this.dataSource.manager;
  }

  /** Callers waiting for SQLite's connection (always 0 on MySQL, where the pool has its own figures). */
  get waitingForConnection(): number {
    return this.gate?.waiting ?? 0;
  }

  /**
   * Runs fn in one transaction, handing it `ctx` with the transaction (`tx`); everything it writes
   * commits together or not at all. A transaction of a request that has outlived REQUEST_TIMEOUT
   * rolls back instead of committing, so a request answered "timed out" has changed nothing. On
   * MySQL a deadlock runs fn again: fn must have no effect outside the database (return what the
   * caller should do afterwards instead).
   */
  transaction<C extends InTransaction, T>(ctx: C, fn: (tx: C & { tx: EntityManager }) => Promise<T>): Promise<T> {
    if (ctx.tx || this.openTransaction.getStore()?.open) {
      return Promise.reject(new Error('A transaction was started inside another transaction; use the context of the open one'));
    }
    const guarded = this.deadlineGuarded((em) => fn({ ...ctx, tx: em }));
    if (this.gate) return this.gate.exclusive(() => this.attempt(guarded));
    return this.withRetry(() => this.attempt(guarded));
  }

  /**
   * Runs fn once the transaction `ctx` runs in has committed, and never if it rolls back (or a
   * retried attempt is abandoned), so nothing is announced that did not happen. Outside a
   * transaction it runs at once. fn must not throw; errors are its own.
   */
  afterCommit(ctx: InTransaction, fn: () => void): void {
    const hooks = ctx.tx ? this.commitHooks.get(ctx.tx) : undefined;
    if (hooks) hooks.push(fn);
    else fn();
  }

  /** One attempt: the transaction, then its after-commit hooks. */
  private async attempt<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    const hooks: (() => void)[] = [];
    const marker = { open: true };
    const result = await this.committing(this.openTransaction.run(marker, () => this.dataSource.transaction(async (em) => {
      this.commitHooks.set(em, hooks);
      try {
        return await fn(em);
      } finally {
        this.commitHooks.delete(em);
      }
    }))).finally(() => (marker.open = false));
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

  /** Row lock for read-modify-write on MySQL; SQLite transactions already hold the only connection. */
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

/**
 * Sends every statement of the data source's query runners through the gate. better-sqlite3 hands
 * out one runner, but it is replaced when the data source reconnects, so runners are wrapped as
 * they are handed out.
 */
function gateQueryRunners(dataSource: DataSource, gate: ConnectionGate): ConnectionGate {
  const driver = dataSource.driver as { createQueryRunner(mode: 'master' | 'slave'): QueryRunner };
  const create = driver.createQueryRunner.bind(driver);
  const gated = new WeakSet<QueryRunner>();
  driver.createQueryRunner = (mode) => {
    const runner = create(mode);
    if (!gated.has(runner)) {
      gated.add(runner);
      const query = runner.query.bind(runner);
      runner.query = ((...args: Parameters<QueryRunner['query']>) => gate.statement(() => query(...args))) as QueryRunner['query'];
    }
    return runner;
  };
  return gate;
}
