import type { Logger } from '../common/logger';
import type { Database } from '../db/database';
import { JobTicketTrigger, TicketOriginKind } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import { OutboxKind, type DeliveryOutcome, type OutboxMessage } from '../entities/outbox-message.entity';
import { Ticket } from '../entities/ticket.entity';
import { User } from '../entities/user.entity';
import type { RequestContexts } from '../graphql/request-context';
import { jobBody, jobSubject } from '../jobs/ticket-templates';
import type { OutboxHandler } from './outbox-handler';
import type { TicketOriginService } from './ticket-origin.service';
import type { TicketService } from './ticket.service';

const TRIGGER_OF_KIND = new Map<OutboxKind, JobTicketTrigger>([
  [OutboxKind.JOB_TICKET, JobTicketTrigger.FAILURE],
  [OutboxKind.JOB_TICKET_START, JobTicketTrigger.START],
  [OutboxKind.JOB_TICKET_SUCCESS, JobTicketTrigger.SUCCESS],
]);

/**
 * Outbox job.ticket*: the ticket about a job whose event asks for one when the job starts,
 * succeeds or fails (ticket actions, or ticketOnFailure), filed by the server on behalf of whoever
 * launched the job. Once per job and moment, however often the row is retried: the ticket records
 * its trigger in its origin (details.trigger), in the transaction that creates it, and a retried
 * row that finds it does nothing.
 */
export class JobTicketHandler implements OutboxHandler {
  readonly kinds = [OutboxKind.JOB_TICKET, OutboxKind.JOB_TICKET_START, OutboxKind.JOB_TICKET_SUCCESS] as const;

  constructor(
    private readonly db: Database,
    private readonly tickets: TicketService,
    private readonly origins: TicketOriginService,
    private readonly contexts: RequestContexts,
    private readonly log: Logger,
  ) {}

  async deliver(row: OutboxMessage): Promise<DeliveryOutcome> {
    const trigger = TRIGGER_OF_KIND.get(row.kind) as JobTicketTrigger;
    const job = await this.db.manager.findOneBy(Job, { id: row.refId ?? 0 });
    if (!job) return { skipped: 'the job was deleted' };
    if (await this.exists(job, trigger)) return { skipped: `the ticket about this job's ${trigger} exists` };
    const launcher = job.launchedById === null ? null : await this.db.manager.findOneBy(User, { id: job.launchedById, active: true });
    if (!launcher) {
      this.log.warn({ jobId: job.id, trigger }, 'no active launcher to file the job ticket as; skipped');
      return { skipped: 'no active user launched the job to file the ticket as' };
    }
    // The event's configuration (by an admin) authorizes this ticket, not the launcher's privileges:
    // the server files it, on the launcher's behalf.
    const ctx = this.contexts.system(`${trigger} job ticket`, launcher);
    const { facts, origin } = await this.origins.ownJob(ctx, job);
    if (trigger === JobTicketTrigger.START) {
      // About the start: the job may have finished by the time the worker gets here, but this
      // ticket says what was known when it started, not the result (a SUCCESS or FAILURE action reports that).
      Object.assign(facts, { phase: 'started', code: null, completedAt: null, description: null, log: null });
    }
    const result = await this.tickets.create(
      ctx,
      { subject: jobSubject(facts), body: jobBody(facts), category: facts.category, tags: await this.origins.knownTags(ctx, job.tags), server: facts.server },
      { ...origin, data: { ...origin.data, trigger } },
    );
    if (!result.ok) throw new Error(`Could not open the ${trigger} ticket for job #${job.id}: ${result.refusals.map((e) => e.message).join('; ')}`);
  }

  /**
   * Whether the ticket for this job and trigger was opened. A failure ticket from before triggers
   * were recorded, or one opened by hand (ticketCreateFromJob), has none: it counts as the failure
   * ticket, as it did before start and success tickets existed.
   */
  private async exists(job: Job, trigger: JobTicketTrigger): Promise<boolean> {
    const about = await this.db.manager.find(Ticket, { where: { originKind: TicketOriginKind.JOB, originId: String(job.id) }, select: { id: true, originData: true } });
    return about.some((t) => {
      const recorded = t.originData?.trigger ?? null;
      return recorded === trigger || (recorded === null && trigger === JobTicketTrigger.FAILURE);
    });
  }
}
