import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestSpan } from './tracing';

/** Per-request bookkeeping that code deep in the stack (the SQL logger) adds to without threading it through. */
export interface RequestScope {
  requestId: string;
  sqlCount: number;
  operationName: string | null;
  /** The request's trace span, when tracing is on. */
  span?: RequestSpan;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
