import { create as contentDisposition } from 'content-disposition';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { AppError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { TicketFile } from '../entities/ticket-file.entity';
import type { RequestContext } from '../graphql/context';
import { rowIdOf } from '../graphql/global-id';
import type { Services } from '../services/services';

/** Content types a browser would render or run; they are always sent as opaque bytes. */
const ACTIVE_TYPES = /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml|text\/javascript|application\/(x-)?javascript)$/;

/**
 * GET /files/<file id>/<filename>: authenticated like the API (Authorization header) or by the
 * signed token in the link that TicketFile.url gives. Always an attachment, never sniffed.
 */
export function fileDownloadRouter(services: Pick<Services, 'files' | 'fileLinks' | 'fileStore'>, contextFor: (req: Request) => Promise<RequestContext>, log: Logger): Router {
  const router = Router();
  router.get('/files/:id/:filename', async (req: Request, res: Response) => {
    const id = rowIdOf('TicketFile', String(req.params.id));
    const token = typeof req.query.token === 'string' ? req.query.token : null;
    let file: TicketFile | null = null;
    if (token !== null) {
      file = id === null ? null : await services.fileLinks.forToken(id, token);
      if (!file) return fail(res, 403, 'FORBIDDEN', 'The link is invalid or has expired; ask the API for a fresh TicketFile.url');
    } else {
      let ctx: RequestContext;
      try {
        ctx = await contextFor(req);
      } catch (err) {
        // A bad, revoked or expired credential is the caller's problem (401), not a server fault.
        if (err instanceof AppError && err.extensions.code === 'UNAUTHENTICATED') return fail(res, 401, 'UNAUTHENTICATED', err.message);
        throw err;
      }
      if (!ctx.viewer) return fail(res, 401, 'UNAUTHENTICATED', 'Send Authorization: Bearer <api key>, or use the signed link from TicketFile.url');
      file = id === null ? null : await services.files.findVisible(ctx, id);
    }
    if (!file || file.filename !== req.params.filename) return fail(res, 404, 'NOT_FOUND', 'No such file');
    const body = await services.fileStore.storage.open(file.storageKey);
    if (!body) {
      log.error({ fileId: file.id, key: file.storageKey }, 'file object missing from storage');
      return fail(res, 404, 'NOT_FOUND', 'No such file');
    }
    res.status(200);
    res.setHeader('Content-Type', ACTIVE_TYPES.test(file.contentType) ? 'application/octet-stream' : file.contentType);
    res.setHeader('Content-Length', String(file.size));
    // Always an attachment; the `content-disposition` package encodes any name (RFC 6266, with an ASCII fallback).
    res.setHeader('Content-Disposition', contentDisposition(file.filename));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('ETag', `"${file.sha256}"`);
    try {
      await pipeline(body, res);
    } catch (err) {
      // The client went away, or storage failed mid-stream; the response cannot change now.
      log.warn({ err, fileId: file.id }, 'download interrupted');
    }
  });
  return router;
}

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

