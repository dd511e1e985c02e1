import { GraphQLError } from 'graphql';

/** The public error codes (extensions.code). Clients branch on these; they never change meaning. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // Query and transport limits (src/graphql/query-limits.ts), all refused before execution.
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  TOO_MANY_SELECTIONS: 'TOO_MANY_SELECTIONS',
  /** WebSocket: an operation over the per-connection or per-user cap of operations running at once. */
  TOO_MANY_SUBSCRIPTIONS: 'TOO_MANY_SUBSCRIPTIONS',
  QUERY_TOO_COSTLY: 'QUERY_TOO_COSTLY',
  RATE_LIMITED: 'RATE_LIMITED',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  // Only for application/graphql-response+json without data; application/json gets 200 (src/http/auth-status.plugin.ts).
  UNAUTHENTICATED: 401,
  SERVICE_UNAVAILABLE: 503,
  QUERY_TOO_DEEP: 400,
  TOO_MANY_ALIASES: 400,
  TOO_MANY_DIRECTIVES: 400,
  TOO_MANY_TOKENS: 400,
  TOO_MANY_SELECTIONS: 400,
  QUERY_TOO_COSTLY: 400,
  RATE_LIMITED: 429,
  REQUEST_TIMEOUT: 503,
};

/** An expected, client-facing error: its message and code are safe to show. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, options: { status?: number; headers?: Map<string, string>; extensions?: Record<string, unknown> } = {}) {
    const status = options.status ?? HTTP_STATUS[code];
    const http = status || options.headers ? { http: { ...(status ? { status } : {}), ...(options.headers ? { headers: options.headers } : {}) } } : {};
    super(message, { extensions: { code, ...options.extensions, ...http } });
    this.name = 'AppError';
  }
}

export const unauthenticated = (message = 'Authentication required: send Authorization: Bearer <api key>') =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message: string) => new AppError(ErrorCode.FORBIDDEN, message);
export const notFound = (message: string) => new AppError(ErrorCode.NOT_FOUND, message);
export const badUserInput = (message: string) => new AppError(ErrorCode.BAD_USER_INPUT, message);

/** Thrown by an outbox delivery that must not be retried: the receiver refused it for good. */
export class PermanentDeliveryError extends Error {}
