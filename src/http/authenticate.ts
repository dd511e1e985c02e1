import type { Request, Response } from 'express';
import { AppError, ErrorCode } from '../common/errors';
import type { Logger } from '../common/logger';
import { requestScope } from '../common/request-scope';
import { isDatabaseUnavailable } from '../db/database';
import type { RequestContext } from '../graphql/context';
import type { RequestContexts } from '../graphql/request-context';
import type { AuthService } from '../services/auth.service';
import type { Caller } from './request-scope.middleware';

/** Makes an HTTP request's context: its viewer from the Authorization header (anonymous without one). */
export type ContextFor = (req: Request, res?: Response) => Promise<RequestContext>;

export function authenticator(auth: AuthService, contexts: RequestContexts, databaseOpen: () => boolean, log: Logger): ContextFor {
  return async (req, res) => {
    const viewer = await auth.authenticate(req.headers.authorization).catch((err: unknown) => {
      // Apollo answers a failed context with 500; an unreachable database is a 503 the client may retry.
      if (isDatabaseUnavailable(err) || !databaseOpen()) {
        log.error({ err, requestId: requestScope.getStore()?.requestId }, 'database unavailable');
        throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable; retry shortly');
      }
      throw err;
    });
    if (res && viewer) res.locals.caller = { userId: viewer.user.id, username: viewer.user.username, apiKeyId: viewer.apiKeyId } satisfies Caller;
    return contexts.create(viewer);
  };
}
