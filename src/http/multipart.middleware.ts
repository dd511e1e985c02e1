import type { NextFunction, Request, RequestHandler, Response } from 'express';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import type { AppConfig } from '../config/config';

/**
 * GraphQL multipart requests (file uploads). graphql-upload writes file parts to temporary files
 * as they arrive, before Apollo's CSRF check runs, so requests without a preflight-forcing header
 * are refused here first, without parsing or storing the body. An oversized body is refused from
 * its Content-Length alone for the same reason.
 */
export function multipartMiddleware(config: AppConfig): RequestHandler[] {
  const { maxFileBytes, maxFilesPerRequest } = config.files;
  const maxBody = maxFileBytes * maxFilesPerRequest + config.limits.requestBodyMaxBytes;
  const guard = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    if (Number(req.headers['content-length'] ?? 0) > maxBody) {
      return refuse(req, res, 0, 413, 'PAYLOAD_TOO_LARGE', `The upload is larger than ${maxFilesPerRequest} files of ${maxFileBytes} bytes`);
    }
    if (!req.headers['apollo-require-preflight'] && !req.headers['x-apollo-operation-name']) {
      return refuse(req, res, maxBody, 400, 'BAD_REQUEST', 'Multipart requests must send the header Apollo-Require-Preflight: true (CSRF protection)');
    }
    // Busboy throws on a missing boundary before reading anything, and graphql-upload then holds the
    // error response until the unread body ends, which it never does: the request hung (found by fuzzing).
    if (!/;\s*boundary=/i.test(req.headers['content-type'] ?? '')) {
      return refuse(req, res, maxBody, 400, 'BAD_REQUEST', 'A multipart request needs a boundary in its Content-Type');
    }
    next();
  };
  return [guard, graphqlUploadExpress({ maxFileSize: maxFileBytes, maxFiles: maxFilesPerRequest, maxFieldSize: config.limits.requestBodyMaxBytes })];
}

/**
 * Answers a refused multipart request. Answering while the client is still sending and then
 * closing the connection made Node's fetch (and other clients that write the whole body before
 * reading) fail with EPIPE instead of showing the error. So the body is read and discarded first,
 * up to `drainBytes` (the most a legitimate upload may send); a body that goes beyond that is
 * answered at once and the connection closed, as nothing it sends is worth reading.
 */
function refuse(req: Request, res: Response, drainBytes: number, status: number, code: string, message: string): void {
  const body = { errors: [{ message, extensions: { code } }] };
  let answered = false;
  const answer = (close: boolean) => {
    if (answered) return;
    answered = true;
    req.off('data', onData);
    // The request timeout may have answered while the body was being drained.
    if (res.headersSent) return;
    if (close) {
      req.pause();
      res.setHeader('Connection', 'close');
    }
    res.status(status).json(body);
  };
  let seen = 0;
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > drainBytes) answer(true);
  };
  if (drainBytes <= 0 || req.readableEnded) return answer(drainBytes <= 0);
  req.on('data', onData);
  req.once('end', () => answer(false));
  // A client that goes away mid-body gets no answer; the request is over.
  req.once('error', () => {
    answered = true;
  });
}
