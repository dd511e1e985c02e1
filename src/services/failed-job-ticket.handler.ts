import type { Logger } from '../common/logger';
import type { Database } from '../db/database';
import { TicketOriginKind } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import { OutboxKind, type DeliveryOutcome, type OutboxMessage } from '../entities/outbox-message.entity';
import { Ticket } from '../entities/ticket.entity';
import { User } from '../entities/user.entity';
import type { RequestContexts } from '../graphql/request-context';
import { jobBody, jobSubject } from '../jobs/ticket-templates';
import type { OutboxHandler } from './outbox-handler';
import type { TicketOriginService } from './ticket-origin.service';
import type { TicketService } from './ticket.service';

/**
 * Outbox job.ticket: the ticket about a failed job whose event asks for one (ticketOnFailure),
 * filed by the server on behalf of whoever launched the job. Once per job, however often the row
 * is retried.
 */
export class FailedJobTicketHandler implements OutboxHandler {
  readonly kinds = [OutboxKind.JOB_TICKET] as const;

  constructor(
    private readonly db: Database,
    private readonly tickets: TicketService,
    private readonly origins: TicketOriginService,
    private readonly contexts: RequestContexts,
    private readonly log: Logger,
  ) {}

  async deliver(row: OutboxMessage): Promise<DeliveryOutcome> {
    const job = await this.db.manager.findOneBy(Job, { id: row.refId ?? 0 });
    if (!job) return { skipped: 'the job was deleted' };
    if (await this.db.manager.existsBy(Ticket, { originKind: TicketOriginKind.JOB, originId: String(job.id) })) return { skipped: 'the ticket about this job exists' };
    const launcher = job.launchedById === null ? null : await this.db.manager.findOneBy(User, { id: job.launchedById, active: true });
    if (!launcher) {
      this.log.warn({ jobId: job.id }, 'no active launcher to file the failed-job ticket as; skipped');
      return { skipped: 'no active user launched the job to file the ticket as' };
    }
    // The event's configuration (by an admin) authorizes this ticket, not the launcher's privileges:
    // the server files it, on the launcher's behalf.
    const ctx = this.contexts.system('failed-job ticket', launcher);
    const { facts, origin } = await this.origins.ownJob(ctx, job);
    const result = await this.tickets.create(
      ctx,
      { subject: jobSubject(facts), body: jobBody(facts), category: facts.category, tags: await this.origins.knownTags(ctx, job.tags), server: facts.server },
      origin,
    );
    if (!result.ok) throw new Error(`Could not open the ticket for job #${job.id}: ${result.refusals.map((e) => e.message).join('; ')}`);
  }
}
