import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who may use SQLite's single connection. TypeORM's better-sqlite3 driver has one query runner for
 * the whole process, so a statement issued while another request's transaction was open (awaiting
 * between two of its statements) ran inside that transaction: it saw uncommitted rows and was rolled
 * back with it. The gate has one holder at a time: a transaction for its whole length, any other
 * statement for its own. A statement issued from inside the holding transaction's own async context
 * (the transaction's work) goes straight through. Waiters are served in arrival order.
 */
export class ConnectionGate {
  private holder: object | null = null;
  private readonly queue: { token: object; resolve: () => void }[] = [];
  private readonly owner = new AsyncLocalStorage<object>();

  /** Callers waiting for the connection now. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Whether the caller is the transaction holding the gate. */
  get insideTransaction(): boolean {
    return this.holder !== null && this.owner.getStore() === this.holder;
  }

  /** Runs fn (a whole transaction) holding the connection; everything fn runs is its own. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const token = {};
    await this.acquire(token);
    try {
      return await this.owner.run(token, fn);
    } finally {
      this.release();
    }
  }

  /** Runs one statement: at once inside the holding transaction, else when the connection is free. */
  async statement<T>(fn: () => Promise<T>): Promise<T> {
    if (this.insideTransaction) return fn();
    await this.acquire({});
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(token: object): Promise<void> {
    if (this.holder === null && this.queue.length === 0) {
      this.holder = token;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ token, resolve }));
  }

  /** Hands the connection to the next waiter before anyone else can take it. */
  private release(): void {
    const next = this.queue.shift();
    this.holder = next?.token ?? null;
    next?.resolve();
  }
}
