import express, { Router, type Request, type Response } from 'express';
import type { Logger } from '../common/logger';
import { verifyBody } from '../common/hmac';
import { JobStatus } from '../entities/job.enums';
import type { RequestContexts } from '../graphql/request-context';
import { rowIdOf, toGlobalId } from '../graphql/global-id';
import type { JobService } from '../services/job.service';

const STATUSES = new Map(Object.entries(JobStatus).flatMap(([name, value]) => [[name, value], [value, value]]));

/**
 * POST /jobs/:id/report: how an external runner reports a job without an API key. The body is
 * signed like the dispatch it answers (x-job-timestamp, x-job-signature: HMAC-SHA256 with the
 * event's secret over "<timestamp>.<body>"); it carries { status, code, description, log, server }.
 * Reports are idempotent: a repeated or late one changes nothing and still answers 200.
 */
export function jobCallbackRouter(jobs: JobService, contexts: RequestContexts, maxBytes: number, log: Logger): Router {
  const router = Router();
  router.post('/jobs/:id/report', express.text({ type: () => true, limit: maxBytes }), async (req: Request, res: Response) => {
    const deny = () => res.status(401).json({ errors: [{ message: 'Unknown job or bad signature', extensions: { code: 'UNAUTHENTICATED' } }] });
    // The runner is no caller: the report is the server's to record, authorized by the signature.
    const ctx = contexts.system('job callback');
    const found = await jobs.forCallback(ctx, rowIdOf('Job', String(req.params.id)));
    const body = typeof req.body === 'string' ? req.body : '';
    // The same answer for an unknown job and a bad signature: the route reveals nothing unsigned.
    if (!found || !verifyBody(found.secret, req.header('x-job-timestamp'), req.header('x-job-signature'), body)) return deny();
    let report: Record<string, unknown>;
    try {
      report = JSON.parse(body) as Record<string, unknown>;
      if (typeof report !== 'object' || report === null || Array.isArray(report)) throw new Error('not an object');
    } catch {
      return res.status(400).json({ errors: [{ message: 'The body must be a JSON object', extensions: { code: 'BAD_REQUEST' } }] });
    }
    const status = STATUSES.get(String(report.status ?? ''));
    const problems = [
      !status ? `status must be one of ${Object.keys(JobStatus).join(', ')}` : null,
      ...(['description', 'log', 'server'] as const).map((k) => (report[k] != null && typeof report[k] !== 'string' ? `${k} must be a string` : null)),
    ].filter((p): p is string => p !== null);
    if (problems.length) return res.status(400).json({ errors: [{ message: problems.join('; '), extensions: { code: 'BAD_USER_INPUT' } }] });
    const result = await jobs.report(ctx, found.job, {
      status: status as JobStatus,
      code: report.code as number | null | undefined,
      description: report.description as string | null | undefined,
      log: report.log as string | null | undefined,
      server: report.server as string | null | undefined,
    });
    if (!result.ok) return res.status(400).json({ errors: result.refusals.map((e) => ({ message: e.message, extensions: { code: 'BAD_USER_INPUT', field: e.field } })) });
    log.info({ jobId: found.job.id, status }, 'job report received');
    res.json({ job: { id: toGlobalId('Job', found.job.id), status: Object.entries(JobStatus).find(([, v]) => v === result.value.status)?.[0] } });
  });
  return router;
}
