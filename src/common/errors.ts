import { GraphQLError } from 'graphql';

/** The public top-level error codes. Clients branch on these; they never change meaning. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  SERVICE_UNAVAILABLE: 503,
};

/** An expected, client-facing error: its message and code are safe to show. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string) {
    const status = HTTP_STATUS[code];
    super(message, { extensions: { code, ...(status ? { http: { status } } : {}) } });
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
