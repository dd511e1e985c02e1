import type { NextFunction, Request, Response } from 'express';

const ALLOWED_HEADERS = 'Authorization, Content-Type, Apollo-Require-Preflight, X-Apollo-Operation-Name, X-Request-Id';

/**
 * CORS for the allow-list in CORS_ORIGINS. Credentials are never allowed: callers authenticate with
 * a Bearer header, not cookies, so no browser request carries an identity the page did not add.
 * An origin not on the list gets no CORS headers (the browser then blocks the response); with an
 * empty list the API is same-origin only. Preflights are answered here and never reach Apollo.
 */
export function corsMiddleware(allowed: readonly string[]) {
  const any = allowed.includes('*');
  const list = new Set(allowed);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.header('origin');
    const permitted = origin !== undefined && (any || list.has(origin.toLowerCase()));
    res.vary('Origin');
    if (permitted) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
    }
    if (req.method === 'OPTIONS' && req.header('access-control-request-method') !== undefined) {
      if (permitted) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}
