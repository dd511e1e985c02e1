import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { AppError, ErrorCode } from '../common/errors';
import type { Logger } from '../common/logger';
import { requestScope } from '../common/request-scope';
import { isDatabaseUnavailable } from '../db/database';

/** Codes Apollo and graphql-js produce for bad requests; their messages describe the client's query, not our internals. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'INTROSPECTION_DISABLED',
]);


/**
 * Error masking at the edge: expected errors keep their message and code; anything else becomes a
 * generic INTERNAL_SERVER_ERROR (or SERVICE_UNAVAILABLE when the database is unreachable), logged
 * in full with the request id that the client also receives.
 */
export function createFormatError(log: Logger, databaseOpen: () => boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const requestId = requestScope.getStore()?.requestId;
    const original = rootCause(unwrapResolverError(error));
    const code = formatted.extensions?.code as string | undefined;
    // The parser's token limit (parseOptions.maxTokens) surfaces as a syntax error; give it its own code.
    // (graphql 16.15 words it "more that N tokens"; match either spelling.)
    const tokens = code === 'GRAPHQL_PARSE_FAILED' ? /contains more tha[nt] (\d+) tokens/.exec(formatted.message) : null;
    if (tokens) {
      return { message: `The document has more than ${tokens[1]} tokens, the limit`, extensions: { code: ErrorCode.TOO_MANY_TOKENS, limit: Number(tokens[1]), requestId } };
    }
    if (original instanceof AppError || (original instanceof GraphQLError && code !== undefined && REQUEST_ERROR_CODES.has(code))) {
      const { http: _http, stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { ...extensions, requestId } };
    }
    const unavailable = isDatabaseUnavailable(original) || !databaseOpen();
    log.error({ err: original, requestId, path: formatted.path }, unavailable ? 'database unavailable' : 'unexpected error');
    return {
      message: unavailable ? 'The database is unavailable; retry shortly' : `Internal server error (request ${requestId ?? 'unknown'})`,
      path: formatted.path,
      extensions: { code: unavailable ? ErrorCode.SERVICE_UNAVAILABLE : ErrorCode.INTERNAL_SERVER_ERROR, requestId },
    };
  };
}

/** Apollo wraps failures of the context function; find the error that actually happened. */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof GraphQLError && !(current instanceof AppError) && current.originalError) current = current.originalError;
  return current;
}
