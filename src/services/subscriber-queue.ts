import type { RequestContext } from '../graphql/context';
import type { Loaders } from '../loaders/loaders';

/** Events a subscriber may have waiting before it is cut off (it then resumes with ticketChangeStream). */
export const SUBSCRIBER_BUFFER = 1_000;

/** One value for one subscriber, with the loaders to resolve its fields (shared by every subscriber of the event). */
export interface Delivery<T> {
  value: T;
  loaders: Loaders;
}

/**
 * A subscription's source: an async iterator fed by the dispatcher. graphql-ws pulls the next value
 * only after the previous one was sent, so the operation's context can take the event's loaders
 * as each value is handed out (a long-lived subscription must not serve stale cached rows).
 */
export class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: Delivery<T>[] = [];
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (err: Error) => void } | null = null;
  private failure: Error | null = null;
  private ended = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly onEnd: () => void,
  ) {}

  push(delivery: Delivery<T>): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      this.ctx.loaders = delivery.loaders;
      resolve({ value: delivery.value, done: false });
    } else if (this.buffer.length >= SUBSCRIBER_BUFFER) {
      this.fail(new Error(`This subscription fell more than ${SUBSCRIBER_BUFFER} events behind and was ended; subscribe again and fetch what was missed with ticketChangeStream(after:)`));
    } else {
      this.buffer.push(delivery);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const delivery = this.buffer.shift();
    if (delivery) {
      this.ctx.loaders = delivery.loaders;
      return Promise.resolve({ value: delivery.value, done: false });
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    this.buffer.length = 0;
    if (this.waiting) {
      this.waiting.resolve({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private fail(err: Error): void {
    this.end();
    this.buffer.length = 0;
    if (this.waiting) {
      this.waiting.reject(err);
      this.waiting = null;
    } else {
      this.failure = err;
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }
}
