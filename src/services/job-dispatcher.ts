import { In } from 'typeorm';
import { PermanentDeliveryError } from '../common/errors';
import type { Database } from '../db/database';
import { EventDefinition } from '../entities/event-definition.entity';
import { JobFile, JobFileRole } from '../entities/job-file.entity';
import { JobStatus, RunnerKind } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import { OutboxKind, type DeliveryOutcome, type OutboxMessage } from '../entities/outbox-message.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { Ticket } from '../entities/ticket.entity';
import type { JobRunner } from '../jobs/job-runner';
import type { JobStateMachine } from './job-state';
import type { OutboxHandler } from './outbox-handler';

/**
 * Hands queued jobs to their runner (outbox rows of kind job.dispatch, written with the job, so a
 * recorded run is dispatched at least once, across restarts). A job no longer queued (cancelled,
 * already started) is left alone; one the outbox gives up on fails, saying why.
 */
export class JobDispatcher implements OutboxHandler {
  readonly kinds = [OutboxKind.JOB_DISPATCH] as const;

  constructor(
    private readonly db: Database,
    private readonly runners: Record<RunnerKind, JobRunner>,
    private readonly state: JobStateMachine,
  ) {}

  async deliver(row: OutboxMessage): Promise<DeliveryOutcome> {
    const em = this.db.manager;
    const job = await em.findOneBy(Job, { id: row.refId ?? 0 });
    if (!job) return { skipped: 'the job was deleted' };
    if (job.status !== JobStatus.QUEUED) return { skipped: `the job is ${job.status} already` };
    const [event, ticket, links] = await Promise.all([
      em.findOneBy(EventDefinition, { id: job.eventId }),
      em.findOneBy(Ticket, { id: job.ticketId }),
      em.findBy(JobFile, { jobId: job.id, role: JobFileRole.INPUT }),
    ]);
    if (!event || !ticket) throw new PermanentDeliveryError('The event or ticket of the job no longer exists');
    const inputs = links.length ? await em.find(TicketFile, { where: { id: In(links.map((l) => l.fileId)) }, order: { id: 'ASC' } }) : [];
    if (inputs.length < links.length) throw new PermanentDeliveryError('An input file of the job has been removed or has expired');
    await this.runners[job.runner].dispatch({ job, event, ticket, inputs });
  }

  async gaveUp(row: OutboxMessage, reason: string): Promise<void> {
    if (row.refId !== null) await this.state.dispatchFailed(row.refId, reason);
  }
}
