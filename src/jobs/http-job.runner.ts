import { PermanentDeliveryError } from '../common/errors';
import { signBody } from '../common/hmac';
import { postOutbound } from '../common/outbound-post';
import { OutboundBlockedError, type OutboundPolicy } from '../common/outbound-url';
import type { TicketFile } from '../entities/ticket-file.entity';
import { toGlobalId } from '../graphql/global-id';
import type { JobEvents, JobLaunch, JobRunner } from './job-runner';

const TIMEOUT_MS = 15_000;

/**
 * Hands a job to an external ops system (an xyOps-style run_event endpoint or any webhook): a
 * signed POST of the job as JSON. The system reports progress and the outcome through the
 * jobReport mutation or the signed callback URL in the payload. 2xx: handed over; 4xx: refused
 * for good (the job fails); anything else is retried by the outbox with backoff. A URL the outbound
 * policy refuses (OUTBOUND_ALLOW) fails the job at once, without details of the target.
 */
export class HttpJobRunner implements JobRunner {
  constructor(
    private readonly publicUrl: string,
    private readonly fileUrl: (file: TicketFile) => Promise<string>,
    private readonly events: JobEvents,
    private readonly outbound: OutboundPolicy,
  ) {}

  async dispatch({ job, event, ticket, inputs }: JobLaunch): Promise<void> {
    if (!event.url || !event.secret) throw new PermanentDeliveryError(`Event ${event.key} has no URL or secret to dispatch to`);
    const jobId = toGlobalId('Job', job.id);
    const body = JSON.stringify({
      job: {
        id: jobId,
        number: job.id,
        event: { key: event.key, title: event.title },
        targets: job.targets,
        algo: job.algo,
        tags: job.tags,
        params: job.params,
        ticket: { id: toGlobalId('Ticket', ticket.id), number: ticket.number, subject: ticket.subject },
        inputFiles: await Promise.all(inputs.map(async (f) => ({ id: toGlobalId('TicketFile', f.id), filename: f.filename, size: f.size, sha256: f.sha256, url: await this.fileUrl(f) }))),
        callbackUrl: `${this.publicUrl}/jobs/${jobId}/report`,
      },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number;
    try {
      status = await postOutbound(
        this.outbound,
        event.url,
        {
          'content-type': 'application/json',
          'user-agent': 'ticket-gateway-jobs',
          'x-job-id': jobId,
          'x-job-timestamp': String(timestamp),
          'x-job-signature': signBody(event.secret, timestamp, body),
        },
        body,
        TIMEOUT_MS,
      );
    } catch (err) {
      if (err instanceof OutboundBlockedError) throw err; // permanent, and no details of the target
      throw new Error(`Could not reach ${new URL(event.url).host}: ${(err as Error).message}`);
    }
    if (status >= 200 && status < 300) {
      await this.events.started(job.id, { server: null, runnerInstance: null });
      return;
    }
    throw status >= 400 && status < 500 && status !== 408 && status !== 429
      ? new PermanentDeliveryError(`The runner refused the job with HTTP ${status}`)
      : new Error(`The runner answered HTTP ${status}`);
  }
}
