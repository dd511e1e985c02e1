import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request bookkeeping that code deep in the stack (the SQL logger) adds to without threading it through. */
export interface RequestScope {
  requestId: string;
  sqlCount: number;
  operationName: string | null;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
