/**
 * What services answer: a value, or the refusals that explain why the input was not accepted
 * (nothing was written). The GraphQL edge turns refusals into payload userErrors in one place
 * (graphql/payload.ts); callers inside the server (the CLI, background work) read them directly.
 *
 * Failures that are not about the input stay exceptions: NOT_FOUND, FORBIDDEN, UNAUTHENTICATED
 * (errors.ts) are thrown (rolling back the transaction) and reach the client as an error on the
 * field with their code, except a mutation's missing or forbidden target, which its payload reports
 * as a userError (graphql/payload-mutation.decorator.ts).
 */

/** Why an input was refused. */
export enum UserErrorCode {
  BLANK = 'BLANK',
  INVALID = 'INVALID',
  TOO_LONG = 'TOO_LONG',
  NOT_FOUND = 'NOT_FOUND',
  TAKEN = 'TAKEN',
  CONFLICT = 'CONFLICT',
  FORBIDDEN = 'FORBIDDEN',
  FILE_TOO_LARGE = 'FILE_TOO_LARGE',
  TOO_MANY_FILES = 'TOO_MANY_FILES',
  EMPTY_FILE = 'EMPTY_FILE',
  FILE_TYPE_NOT_ALLOWED = 'FILE_TYPE_NOT_ALLOWED',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  IN_USE = 'IN_USE',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
}

/** One reason an input was refused, naming the input field at fault (e.g. ["input", "subject"]). */
export interface Refusal {
  field: string[] | null;
  code: UserErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; refusals: Refusal[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function refused<T = never>(...refusals: Refusal[]): Result<T> {
  return { ok: false, refusals };
}

export function refusal(field: string[] | null, code: UserErrorCode, message: string): Refusal {
  return { field, code, message };
}

/**
 * The ticket is not at the version the caller saw (expectedVersion): thrown inside the transaction
 * so everything rolls back, and turned into a CONFLICT refusal by `catchConflict`.
 */
export class ConflictError extends Error {
  constructor(readonly stored: number, readonly expected: number) {
    super(`The ticket was changed by someone else: it is at version ${stored}, not ${expected}`);
  }
}

/** The work's value, or a CONFLICT refusal at `field` when it threw a ConflictError; other errors pass. */
export async function catchConflict<T>(work: Promise<T>, field: string[] = ['input', 'expectedVersion']): Promise<Result<T>> {
  try {
    return ok(await work);
  } catch (err) {
    if (err instanceof ConflictError) return refused(refusal(field, UserErrorCode.CONFLICT, err.message));
    throw err;
  }
}
