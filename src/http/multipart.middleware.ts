import type { NextFunction, Request, RequestHandler, Response } from 'express';
import graphqlUploadExpress from 'graphql-upload/graphqlUploadExpress.mjs';
import type { AppConfig } from '../config/config';

/**
 * GraphQL multipart requests (file uploads). graphql-upload writes file parts to temporary files
 * as they arrive, before Apollo's CSRF check runs, so requests without a preflight-forcing header
 * are refused here first, without reading the body. An oversized body is refused from its
 * Content-Length alone for the same reason.
 */
export function multipartMiddleware(config: AppConfig): RequestHandler[] {
  const { maxFileBytes, maxFilesPerRequest } = config.files;
  const maxBody = maxFileBytes * maxFilesPerRequest + config.limits.requestBodyMaxBytes;
  const guard = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('multipart/form-data')) return next();
    if (!req.headers['apollo-require-preflight'] && !req.headers['x-apollo-operation-name']) {
      return refuse(res, 400, 'BAD_REQUEST', 'Multipart requests must send the header Apollo-Require-Preflight: true (CSRF protection)');
    }
    // Busboy throws on a missing boundary before reading anything, and graphql-upload then holds the
    // error response until the unread body ends, which it never does: the request hung (found by fuzzing).
    if (!/;\s*boundary=/i.test(req.headers['content-type'] ?? '')) {
      return refuse(res, 400, 'BAD_REQUEST', 'A multipart request needs a boundary in its Content-Type');
    }
    if (Number(req.headers['content-length'] ?? 0) > maxBody) {
      return refuse(res, 413, 'PAYLOAD_TOO_LARGE', `The upload is larger than ${maxFilesPerRequest} files of ${maxFileBytes} bytes`);
    }
    next();
  };
  return [guard, graphqlUploadExpress({ maxFileSize: maxFileBytes, maxFiles: maxFilesPerRequest, maxFieldSize: config.limits.requestBodyMaxBytes })];
}

function refuse(res: Response, status: number, code: string, message: string): void {
  // Close instead of draining a body we will not read.
  res.setHeader('Connection', 'close');
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}
