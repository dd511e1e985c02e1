import crypto from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { QueryLimitsConfig } from '../config/config';
import type { Logger } from '../common/logger';
import type { AppMetrics } from '../common/metrics';
import { requestScope, type RequestScope } from '../common/request-scope';
import type { Tracing } from '../common/tracing';

/** What the request log, metrics and tests (SQL counts) learn about every HTTP request. */
export interface RequestInfo {
  requestId: string;
  operationName: string | null;
  status: number;
  sqlCount: number;
  durationMs: number;
}

/** Who made a request, for the request log; set by authentication. */
export interface Caller {
  userId: number;
  username: string;
  apiKeyId: number | null;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The first middleware: gives every request its scope (request id, SQL count, deadline, trace
 * span), answers 503 REQUEST_TIMEOUT at the deadline, and logs and measures the request when it
 * finishes.
 */
export function requestScopeMiddleware(deps: {
  limits: QueryLimitsConfig;
  tracing: Tracing;
  metrics: AppMetrics;
  log: Logger;
  onRequestComplete?: (info: RequestInfo) => void;
}): RequestHandler {
  const { limits, tracing, metrics, log } = deps;
  return (req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-request-id');
    const scope: RequestScope = {
      requestId: given && REQUEST_ID.test(given) ? given : crypto.randomUUID(),
      sqlCount: 0,
      operationName: null,
      clientIp: req.ip ?? req.socket.remoteAddress,
      deadline: Date.now() + limits.requestTimeoutMs,
    };
    const started = process.hrtime.bigint();
    const path = req.originalUrl.split('?')[0];
    res.setHeader('X-Request-Id', scope.requestId);
    // REQUEST_TIMEOUT: answer 503 at the deadline unless a transaction is committing (then its own
    // answer is moments away). Transactions still open after the deadline roll back (Database.transaction).
    let timer: NodeJS.Timeout;
    const expire = () => {
      if (res.headersSent || res.writableEnded) return;
      if ((scope.committing ?? 0) > 0 || scope.committed) {
        timer = setTimeout(expire, 50); // never claim "nothing saved" for a request that saved
        return;
      }
      scope.timedOut = true;
      res.locals.timedOut = true;
      // The request may still be arriving (a slowly sent body): with Connection: close, Node ends
      // and then destroys the socket once this answer is flushed, instead of reading on to reuse it.
      // The socket is destroyed outright if the client does not let go, so a slow sender holds nothing.
      res.setHeader('Connection', 'close');
      res.on('finish', () => {
        const socket = req.socket;
        setTimeout(() => socket.destroy(), 1000).unref();
      });
      res.status(503).json({
        errors: [{ message: `The request took longer than ${limits.requestTimeoutMs} ms and was cancelled; none of its changes were saved`, extensions: { code: 'REQUEST_TIMEOUT', requestId: scope.requestId } }],
      });
    };
    timer = setTimeout(expire, limits.requestTimeoutMs);
    res.on('close', () => clearTimeout(timer));
    tracing.request(`${req.method} ${routeLabel(path)}`, { 'http.request.method': req.method, 'url.path': path, 'request.id': scope.requestId }, (span, endSpan) => {
      scope.span = span;
      res.on('finish', () => {
        const info: RequestInfo = {
          requestId: scope.requestId,
          operationName: scope.operationName,
          status: res.statusCode,
          sqlCount: scope.sqlCount,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        };
        const caller = res.locals.caller as Caller | undefined;
        // Who called, never with what: the Authorization header, keys and variables stay out of logs.
        log.info({ ...info, path, userId: caller?.userId, username: caller?.username, apiKeyId: caller?.apiKeyId }, 'request');
        metrics.recordRequest({
          operation: path === '/graphql' ? metrics.operationLabel(scope.operationName) : routeLabel(path),
          status: res.statusCode,
          durationMs: info.durationMs,
          sqlCount: info.sqlCount,
        });
        endSpan({ 'http.response.status_code': res.statusCode, 'db.statement_count': info.sqlCount }, res.statusCode >= 500);
        deps.onRequestComplete?.(info);
      });
      requestScope.run(scope, next);
    });
  };
}

/** A bounded route label for non-GraphQL requests (metrics, span names): never the raw path. */
function routeLabel(path: string): string {
  if (path === '/graphql' || path === '/healthz' || path === '/metrics') return path;
  if (path.startsWith('/files/')) return '/files/:id/:filename';
  return 'other';
}
