import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * What browser clients send: ours, Apollo Client's client awareness headers, and W3C trace context
 * and baggage from OpenTelemetry's fetch instrumentation. A preflight naming any header outside the
 * list fails, and with it every request of that client, so the list errs on the side of the common
 * clients. CORS_ALLOWED_HEADERS adds to it.
 */
export const DEFAULT_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Apollo-Require-Preflight',
  'X-Apollo-Operation-Name',
  'X-Request-Id',
  'Apollographql-Client-Name',
  'Apollographql-Client-Version',
  'Traceparent',
  'Tracestate',
  'Baggage',
];

/**
 * CORS (the `cors` package) for the allow-list in CORS_ORIGINS. Credentials are never allowed:
 * callers authenticate with a Bearer header, not cookies, so no browser request carries an identity
 * the page did not add. An origin not on the list gets no CORS headers (the browser then blocks the
 * response); with an empty list the API is same-origin only. Allowed preflights are answered here
 * (204) and never reach Apollo.
 */
export function corsMiddleware(allowed: readonly string[], extraHeaders: readonly string[] = []): RequestHandler {
  const any = allowed.includes('*');
  const list = new Set(allowed);
  const handler = cors({
    origin: any ? '*' : (origin, done) => done(null, origin !== undefined && list.has(origin.toLowerCase()) ? origin : false),
    methods: ['GET', 'POST', 'OPTIONS'],
    // Added to, never replacing, the defaults: a mistyped setting cannot take Authorization away from browsers.
    allowedHeaders: [...new Set([...DEFAULT_ALLOWED_HEADERS, ...extraHeaders])],
    exposedHeaders: ['X-Request-Id'],
    credentials: false,
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    // Every answer depends on the Origin header, also the ones that carry no CORS headers: caches must key on it.
    res.vary('Origin');
    handler(req, res, next);
  };
}
