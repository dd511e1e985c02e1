import type { DataSource, EntityManager } from 'typeorm';

const MYSQL_RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
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

  /** Runs fn in one transaction; everything it writes commits together or not at all. */
  transaction<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    if (this.dialect === 'sqlite') {
      const run = this.sqliteTail.then(() => this.attempt(fn));
      this.sqliteTail = run.catch(() => undefined);
      return run;
    }
    return this.withRetry(() => this.attempt(fn));
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
    const result = await this.dataSource.transaction(async (em) => {
      this.commitHooks.set(em, hooks);
      try {
        return await fn(em);
      } finally {
        this.commitHooks.delete(em);
      }
    });
    for (const hook of hooks) {
      try {
        hook();
      } catch {
        // A hook's failure is not the write's: the data is committed and the caller gets its result.
      }
    }
    return result;
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
        if (n >= MAX_ATTEMPTS || !code || !MYSQL_RETRYABLE.has(code)) throw err;
        await new Promise((r) => setTimeout(r, 5 * 2 ** n + Math.random() * 10));
      }
    }
  }
}

/** Rows changed by an UPDATE/DELETE, across drivers (mysql2 reports affectedRows, better-sqlite3 changes). */
export function affectedRows(result: { affected?: number | null }): number {
  return result.affected ?? 0;
}
