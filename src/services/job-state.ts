import os from 'node:os';
import { In } from 'typeorm';
import type { JobsConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { affectedRows, type Database } from '../db/database';
import { EventDefinition } from '../entities/event-definition.entity';
import { JobFile, JobFileRole } from '../entities/job-file.entity';
import { FINAL_JOB_STATUSES, JobStatus, JobTicketTrigger, RunnerKind } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import { OutboxKind } from '../entities/outbox-message.entity';
import { Ticket } from '../entities/ticket.entity';
import { ChangeType } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import type { RequestContexts } from '../graphql/request-context';
import type { JobEvents, LocalRunResult } from '../jobs/job-runner';
import { ticketWanted } from '../jobs/ticket-actions';
import type { FileStore, StagedFile, StoredFile } from './file-store';
import type { HistoryWriter } from './history-writer';
import type { OutboxService } from './outbox.service';

export const DESCRIPTION_MAX = 2000;
const INTERRUPTED = 'The server running this job stopped before the job finished (crash or restart)';
/** The job transitions that can open a ticket (an event's ticket actions). */
const TRIGGERS = new Map<JobStatus, JobTicketTrigger>([[JobStatus.RUNNING, JobTicketTrigger.START], [JobStatus.SUCCEEDED, JobTicketTrigger.SUCCESS], [JobStatus.FAILED, JobTicketTrigger.FAILURE]]);

/** What a job's end (or a report) writes besides its status. */
export type JobOutcome = { status: JobStatus } & Partial<Pick<Job, 'code' | 'description' | 'log' | 'server' | 'startedAt'>>;

/**
 * Where jobs go: every status transition as a conditional UPDATE on the current status (so repeated
 * or late reports change nothing) with a JOB entry in the ticket's history, outputs attached to
 * the ticket with the final status, and a ticket about the job queued when the event asks for one.
 * What runners report (JobEvents) arrives here.
 */
export class JobStateMachine implements JobEvents {
  constructor(
    private readonly db: Database,
    private readonly config: JobsConfig,
    private readonly files: FileStore,
    private readonly history: HistoryWriter,
    private readonly outbox: OutboxService,
    private readonly contexts: RequestContexts,
    private readonly log: Logger,
  ) {}

  async started(jobId: number, info: { server: string | null; runnerInstance: string | null; processGroup?: number | null }): Promise<void> {
    const ctx = this.contexts.system('job start');
    const job = await this.db.em(ctx).findOneBy(Job, { id: jobId });
    if (!job) return;
    const server = info.server ?? (job.runner === RunnerKind.LOCAL ? os.hostname() : null);
    await this.db.transaction(ctx, (tx) => this.transition(tx, job, JobStatus.RUNNING, { startedAt: new Date(), server, runnerInstance: info.runnerInstance, processGroup: info.processGroup ?? null }, null));
  }

  /**
   * A local run ended: its outputs become ticket files and the job gets its final status. The
   * working directory goes only once that is recorded, so a failure (the database unreachable)
   * leaves everything in place for the runner to try again.
   */
  async finished(jobId: number, result: LocalRunResult): Promise<void> {
    const ctx = this.contexts.system('job completion');
    const job = await this.db.em(ctx).findOneBy(Job, { id: jobId });
    if (!job) return result.cleanup();
    const timeout = (await this.db.em(ctx).findOneBy(EventDefinition, { id: job.eventId }))?.timeoutSeconds ?? this.config.defaultTimeoutSeconds;
    const [status, description] =
      result.startError ? [JobStatus.FAILED, result.startError]
      : result.stopped === 'cancelled' ? [JobStatus.CANCELLED, 'Cancelled']
      : result.stopped === 'shutdown' ? [JobStatus.FAILED, 'Stopped: the server shut down while the job was running']
      : result.timedOut ? [JobStatus.FAILED, `Timed out after ${timeout}s`]
      : result.code === 0 ? [JobStatus.SUCCEEDED, null]
      : result.code !== null ? [JobStatus.FAILED, `Exited with code ${result.code}`]
      : [JobStatus.FAILED, `Killed by signal ${result.signal ?? 'unknown'}`];

    // Outputs are stored before the transaction (storage writes are slow); refused ones are noted.
    const staged: StagedFile[] = [];
    const notes: string[] = [];
    for (const [i, out] of result.outputs.entries()) {
      const one = await this.files.stageLocalFile(out.path, out.filename, ['outputs', String(i)]);
      if (one.ok) staged.push(one.value);
      else notes.push(`Output ${one.refusals[0].message}`);
    }
    const fullDescription = [description, ...notes].filter(Boolean).join('; ').slice(0, DESCRIPTION_MAX) || null;
    await this.finish(ctx, job, staged, null, job.launchedById, { status, code: result.code, description: fullDescription, log: result.log || null });
    await result.cleanup();
  }

  /**
   * Records a job's outcome: its outputs stored and attached to its ticket, then the transition,
   * in one transaction. A job final meanwhile (cancelled) keeps its status, and what it produced
   * is not kept. Outputs are stored before the transaction, which holds no lock on storage I/O.
   */
  async finish(ctx: RequestContext, job: Job, staged: StagedFile[], actorId: number | null, uploaderId: number | null, outcome: JobOutcome): Promise<void> {
    const now = new Date();
    const stored = await this.files.store(staged, now);
    let attached = false;
    try {
      attached = await this.db.transaction(ctx, async (tx) => {
        const current = await this.lockUnfinished(tx, job.id);
        if (!current) return false;
        await this.attachOutputs(tx, current, stored, uploaderId, now);
        const { status, ...patch } = outcome;
        await this.transition(tx, current, status, { ...patch, ...(FINAL_JOB_STATUSES.includes(status) ? { completedAt: now } : {}) }, actorId);
        return true;
      });
    } finally {
      if (!attached) await this.files.abandon(stored);
    }
  }

  /** The outbox gave up dispatching: the job fails, saying why. */
  async dispatchFailed(jobId: number, reason: string): Promise<void> {
    const ctx = this.contexts.system('job dispatch');
    const job = await this.db.em(ctx).findOneBy(Job, { id: jobId });
    if (!job) return;
    await this.db.transaction(ctx, (tx) => this.transition(tx, job, JobStatus.FAILED, { description: `Could not dispatch the job: ${reason}`.slice(0, DESCRIPTION_MAX), completedAt: new Date() }, null));
  }

  /** Local jobs of this runner instance marked cancelled (by a request served by another replica). */
  async cancelledAmong(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.manager.find(Job, { where: { id: In(ids), status: JobStatus.CANCELLED }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** At start: local jobs this instance left RUNNING (it crashed or was killed) cannot finish any more; they fail, saying so. */
  async failInterrupted(): Promise<Job[]> {
    const ctx = this.contexts.system('job recovery');
    const stale = await this.db.em(ctx).findBy(Job, { runner: RunnerKind.LOCAL, status: JobStatus.RUNNING, runnerInstance: this.config.instanceId });
    for (const job of stale) {
      await this.db.transaction(ctx, (tx) => this.transition(tx, job, JobStatus.FAILED, { description: INTERRUPTED, completedAt: new Date() }, null));
    }
    if (stale.length) this.log.warn({ jobs: stale.map((j) => j.id) }, 'jobs interrupted by a restart marked failed');
    return stale;
  }

  /** Which of these jobs are not final yet (their working directories stay at start). */
  async unfinished(ids: number[]): Promise<number[]> {
    const live = await this.db.manager.find(Job, { where: { id: In(ids) }, select: { id: true, status: true } });
    return live.filter((j) => !FINAL_JOB_STATUSES.includes(j.status)).map((j) => j.id);
  }

  /**
   * Moves a job to `to` if it is still where it was read (or anywhere not final), and records the
   * transition in the ticket's history. False, changing nothing, when the job is already final or
   * already in `to`: reports and dispatches may repeat. `job` is read, never changed: a retried
   * transaction starts again from the same object.
   */
  async transition(ctx: RequestContext, job: Job, to: JobStatus, patch: Partial<Job>, actorId: number | null): Promise<boolean> {
    const em = this.db.em(ctx);
    let from = job.status;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (FINAL_JOB_STATUSES.includes(from) || from === to) return false;
      const result = await em.createQueryBuilder().update(Job).set({ ...patch, status: to } as Partial<Omit<Job, 'ticket' | 'ticketEvent' | 'event'>>).where('id = :id AND status = :from', { id: job.id, from }).execute();
      if (affectedRows(result) === 1) {
        const at = new Date();
        await this.history.touchTicket(ctx, job.ticketId, at, actorId, { includeDeleted: true });
        await this.history.recordEntry(ctx, job.ticketId, ChangeType.JOB, actorId, at, { jobId: job.id, oldValue: JSON.stringify(from), newValue: JSON.stringify(to), body: patch.description ?? null });
        await this.queueJobTicket(ctx, job, to, at);
        return true;
      }
      const current = await em.findOne(Job, { where: { id: job.id }, select: { id: true, status: true } });
      if (!current) return false;
      from = current.status;
    }
    return false;
  }

  /**
   * Inside a transaction: the job as stored now if it is still unfinished, holding its row (MySQL)
   * until commit; null once it is final. Outputs are attached before the final status is written,
   * so no reader sees a finished job without its outputs.
   */
  private async lockUnfinished(ctx: RequestContext, jobId: number): Promise<Job | null> {
    const current = await this.db.em(ctx).findOne(Job, { where: { id: jobId }, lock: this.db.lockMode ? { mode: this.db.lockMode } : undefined });
    return current && !FINAL_JOB_STATUSES.includes(current.status) ? current : null;
  }

  /** A job's output files become files of its ticket (and inputs of later runs). */
  private async attachOutputs(ctx: RequestContext, job: Job, stored: StoredFile[], uploaderId: number | null, at: Date): Promise<void> {
    if (stored.length === 0) return;
    const ticket = (await this.db.em(ctx).findOneBy(Ticket, { id: job.ticketId })) as Ticket;
    const rows = await this.files.attach(ctx, ticket, stored, uploaderId, at);
    await this.db.em(ctx).insert(JobFile, rows.map((f) => ({ jobId: job.id, fileId: f.id, role: JobFileRole.OUTPUT })));
  }

  /**
   * An event that opens a ticket when its job starts, succeeds or fails (ticket actions, or
   * ticketOnFailure): queued with the transition, created by the worker. The dedupe key makes it
   * one row, so one ticket, per job and moment (the failure key is the one used before actions).
   */
  private async queueJobTicket(ctx: RequestContext, job: Job, to: JobStatus, at: Date): Promise<void> {
    const trigger = TRIGGERS.get(to);
    if (!trigger) return;
    const event = await this.db.em(ctx).findOneBy(EventDefinition, { id: job.eventId });
    if (!event || !ticketWanted(event, job, trigger)) return;
    const [kind, dedupeKey] =
      trigger === JobTicketTrigger.FAILURE ? [OutboxKind.JOB_TICKET, `job-ticket:${job.id}`]
      : trigger === JobTicketTrigger.START ? [OutboxKind.JOB_TICKET_START, `job-ticket:${job.id}:start`]
      : [OutboxKind.JOB_TICKET_SUCCESS, `job-ticket:${job.id}:success`];
    await this.outbox.enqueue(ctx, { kind, ticketId: job.ticketId, refId: job.id, dedupeKey, at });
  }
}
