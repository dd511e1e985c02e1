import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request bookkeeping that code deep in the stack (the SQL logger) adds to without threading it through. */
export interface RequestScope {
  requestId: string;
  sqlCount: number;
  operationName: string | null;
  /** The client's address: who pays the rate limit of anonymous requests. */
  clientIp?: string;
  /** When the request times out (REQUEST_TIMEOUT): transactions still open then roll back instead of committing. */
  deadline?: number;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
