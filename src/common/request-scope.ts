import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestSpan } from './tracing';

/**
 * Per-request bookkeeping that code deep in the stack (the SQL logger) adds to without threading it
 * through. Background tasks (common/background.ts) get a scope of their own, named by `task`, with
 * no deadline.
 */
export interface RequestScope {
  requestId: string;
  /** Set for background work: the task's name. */
  task?: string;
  sqlCount: number;
  operationName: string | null;
  /** The request's trace span, when tracing is on. */
  span?: RequestSpan;
  /** The client's address: who pays the rate limit of anonymous requests. */
  clientIp?: string;
  /** When the request times out (REQUEST_TIMEOUT): transactions still open then roll back instead of committing. */
  deadline?: number;
  /** Set when the timeout answered the request: nothing it still runs may commit. */
  timedOut?: boolean;
  /** Transactions of this request between their last statement and the end of COMMIT. */
  committing?: number;
  /** Whether a transaction of this request has committed (a timeout can then no longer say "nothing saved"). */
  committed?: boolean;
}

/** Whether the current request has run out of time; its transactions must not commit. */
export function requestExpired(): boolean {
  const scope = requestScope.getStore();
  return scope !== undefined && (scope.timedOut === true || (scope.deadline !== undefined && Date.now() >= scope.deadline));
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
