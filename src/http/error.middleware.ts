import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../common/logger';
import { requestScope } from '../common/request-scope';

/** The last route: anything not served above is a JSON 404 pointing at the API. */
export function notFound(_req: Request, res: Response): void {
  res.status(404).json({ errors: [{ message: 'Not found: the API is at /graphql', extensions: { code: 'NOT_FOUND' } }] });
}

/** Body-parser, upload and other middleware errors answer in JSON, never an HTML page. */
export function errorHandler(requestBodyMaxBytes: number, log: Logger) {
  return (err: Error & { status?: number; type?: string; expose?: boolean }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    const multipart = req.is('multipart/form-data') && err.expose;
    const message =
      multipart ? err.message // graphql-upload's messages name the limit or the malformed part
      : status === 413 ? `Request body is larger than ${requestBodyMaxBytes} bytes`
      : status === 400 ? 'The request body is not valid JSON'
      : status < 500 ? 'Bad request'
      : 'Internal server error';
    const code =
      multipart && status === 413 && /max file uploads exceeded/i.test(err.message) ? 'TOO_MANY_FILES'
      : status === 413 ? 'PAYLOAD_TOO_LARGE'
      : status < 500 ? 'BAD_REQUEST'
      : 'INTERNAL_SERVER_ERROR';
    // graphql-upload delays error responses until the request body has ended: let an unread upload drain.
    if (req.is('multipart/form-data') && !req.complete) req.resume();
    // The timeout answered already; this is the abandoned request failing to write its own answer.
    if (res.headersSent && res.locals.timedOut) return;
    if (status >= 500) log.error({ err, requestId: requestScope.getStore()?.requestId }, 'unhandled HTTP error');
    if (res.headersSent) return res.destroy();
    res.status(status).json({ errors: [{ message, extensions: { code, requestId: requestScope.getStore()?.requestId } }] });
  };
}
