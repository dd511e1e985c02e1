import os from 'node:os';
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import type { AppConfig, JobsConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { notFound, PermanentDeliveryError } from '../common/errors';
import type { Database } from '../db/database';
import { affectedRows } from '../db/database';
import { EventDefinition } from '../entities/event-definition.entity';
import { JobFile, JobFileRole } from '../entities/job-file.entity';
import { FINAL_JOB_STATUSES, JobStatus, RunnerKind } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import { OutboxKind, OutboxMessage, OutboxStatus, type DeliveryOutcome } from '../entities/outbox-message.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { Ticket } from '../entities/ticket.entity';
import type { TicketEvent } from '../entities/ticket-event.entity';
import { ChangeType, Privilege, TicketStatus } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { Page } from '../graphql/types/connection.factory';
import { rowIdOf, toGlobalId } from '../graphql/global-id';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import { checkParams } from '../jobs/event-params';
import type { JobEvents, JobRunner, LocalRunResult } from '../jobs/job-runner';
import { BoundedLog } from '../jobs/job-log';
import type { LocalJobRunner } from '../jobs/local-job.runner';
import { requirePrivilege, requireViewer } from './access';
import type { ChangeService } from './change.service';
import type { EventService } from './event.service';
import type { FileService, StagedFile, StoredFile } from './file.service';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';
import type { TicketService } from './ticket.service';

export type JobResult = { job: Job | null; userErrors: UserError[] };

/** What an external runner (or an admin) reports about a job. */
export interface JobReport {
  status: JobStatus;
  code?: number | null;
  description?: string | null;
  log?: string | null;
  server?: string | null;
  files?: Promise<FileUpload>[] | null;
}

const DESCRIPTION_MAX = 2000;

/**
 * Jobs: launching a ticket event (a QUEUED job and its dispatch written in one transaction, so a
 * recorded run is dispatched at least once, even across restarts), the runners' reports, and
 * every status transition as an entry in the ticket's history. Transitions are conditional
 * UPDATEs on the current status, so repeated or late reports change nothing.
 */
export class JobService implements JobEvents {
  private runners!: Record<RunnerKind, JobRunner>;
  private localRunner!: LocalJobRunner;
  /** Asks the outbox worker for a round now rather than at its next poll. */
  private nudge: () => void = () => undefined;

  constructor(
    private readonly db: Database,
    private readonly config: JobsConfig,
    private readonly limits: AppConfig['limits'],
    private readonly changes: ChangeService,
    private readonly files: FileService,
    private readonly events: EventService,
    private readonly tickets: () => TicketService,
    private readonly log: Logger,
  ) {}

  useRunners(local: LocalJobRunner, http: JobRunner): void {
    this.localRunner = local;
    this.runners = { [RunnerKind.LOCAL]: local, [RunnerKind.HTTP]: http };
  }

  onQueued(nudge: () => void): void {
    this.nudge = nudge;
  }

  // ---- reads ----

  async findVisible(ctx: RequestContext, id: number): Promise<Job | null> {
    if (!ctx.viewer) return null;
    const job = await ctx.loaders.jobById.load(id);
    return job && (await this.tickets().findVisibleById(ctx, job.ticketId)) ? job : null;
  }

  /** A job by global id or number ("12", "#12"); null when absent or its ticket is not visible. Anonymous: UNAUTHENTICATED. */
  async find(ctx: RequestContext, id: string): Promise<Job | null> {
    requireViewer(ctx);
    const rowId = rowIdOf('Job', id) ?? (/^#?[1-9]\d{0,9}$/.test(id) ? Number(id.replace('#', '')) : null);
    return rowId === null ? null : this.findVisible(ctx, rowId);
  }

  async require(ctx: RequestContext, id: string): Promise<Job> {
    const job = await this.find(ctx, id);
    if (!job) throw notFound(`No job with id ${id}`);
    return job;
  }

  /** A ticket's jobs, newest first: pages and counts through loaders, so a list of tickets costs two statements. */
  async forTicket(ctx: RequestContext, ticketId: number, args: ConnectionArgs): Promise<Page<Job>> {
    const req = pageRequest(args, this.limits);
    const rows = await ctx.loaders.jobPage.load({ ticketId, backward: req.backward, take: req.limit + 1, cursorId: req.cursor ? decodeIdCursor(req.cursor) : null });
    for (const j of rows) ctx.loaders.jobById.prime(j.id, j);
    return { ...buildPage([...rows], req, (j) => idCursor(j.id)), count: () => ctx.loaders.jobCount.load(ticketId) };
  }

  // ---- launching ----

  /** ticketEventRun: a job from a ticket event (its overrides and parameter values apply). Idempotent with clientMutationId. */
  async run(ctx: RequestContext, ticketEventId: string, input: { params?: Record<string, unknown> | null; inputFileIds?: string[] | null; clientMutationId?: string | null }): Promise<JobResult> {
    requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const stub = await this.events.requireTicketEvent(ctx, ticketEventId);
    const ticket = (await this.tickets().findVisibleById(ctx, stub.ticketId)) as Ticket;
    const event = (await this.db.manager.findOneBy(EventDefinition, { id: stub.eventId })) as EventDefinition;
    const { clientMutationId, ...rest } = input;
    return ctx.services.idempotency.execute<{ jobId: number }, JobResult>(ctx, {
      operation: 'ticketEventRun',
      clientMutationId,
      input: { ticketEventId: stub.id, ...rest },
      apply: (record) => this.launch(ctx, { ticket, event, stub, parent: null, params: rest.params ?? {}, inputFileIds: rest.inputFileIds ?? null }, record),
      replay: async ({ jobId }) => ({ job: await this.findVisible(ctx, jobId), userErrors: [] }),
      refuse: (error) => ({ job: null, userErrors: [error] }),
    });
  }

  /**
   * jobLaunch: a job started by a running job (a deploy running its smoke test). It belongs to
   * the parent's ticket, like every job, and takes the ticket's files as inputs.
   */
  async launchChild(ctx: RequestContext, parentId: string, input: { eventId: string; params?: Record<string, unknown> | null; inputFileIds?: string[] | null }): Promise<JobResult> {
    requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const parent = await this.require(ctx, parentId);
    if (parent.status !== JobStatus.RUNNING) return { job: null, userErrors: [userError(['parentJobId'], UserErrorCode.INVALID, `Job #${parent.id} is not running (${parent.status}): only a running job launches others`)] };
    const eventRowId = rowIdOf('Event', input.eventId);
    const event = eventRowId === null ? null : await this.db.manager.findOneBy(EventDefinition, { id: eventRowId });
    if (!event) return { job: null, userErrors: [userError(['input', 'eventId'], UserErrorCode.NOT_FOUND, `No event with id ${input.eventId}`)] };
    const ticket = (await this.tickets().findVisibleById(ctx, parent.ticketId, { includeDeleted: true })) as Ticket;
    return this.launch(ctx, { ticket, event, stub: null, parent, params: input.params ?? {}, inputFileIds: input.inputFileIds ?? null });
  }

  private async launch(
    ctx: RequestContext,
    run: { ticket: Ticket; event: EventDefinition; stub: TicketEvent | null; parent: Job | null; params: Record<string, unknown>; inputFileIds: string[] | null },
    record: (em: EntityManager, result: { jobId: number }) => Promise<void> = async () => undefined,
  ): Promise<JobResult> {
    const viewer = requireViewer(ctx);
    const { ticket, event, stub } = run;
    const fail = (field: string[], code: UserErrorCode, message: string): JobResult => ({ job: null, userErrors: [userError(field, code, message)] });
    if (ticket.status === TicketStatus.DRAFT) return fail(['id'], UserErrorCode.INVALID, 'Publish the draft before running its events');
    if (!event.enabled) return fail(['id'], UserErrorCode.INVALID, `Event ${event.key} is disabled`);
    if (event.runner === RunnerKind.LOCAL && !this.config.localRunner) return fail(['id'], UserErrorCode.FORBIDDEN, 'The local runner is disabled on this server (LOCAL_RUNNER=false)');

    // Run input over the ticket event's values over the event's defaults.
    const given = Object.fromEntries(Object.entries(run.params).filter(([, v]) => v !== null && v !== undefined));
    const checked = checkParams(event.fields, { ...(stub?.params ?? {}), ...given }, ['input', 'params'], true);
    if (checked.errors.length) return { job: null, userErrors: checked.errors };

    const ticketFiles = await ctx.loaders.ticketFiles.load(ticket.id);
    let inputs = ticketFiles;
    if (run.inputFileIds) {
      const errors: UserError[] = [];
      inputs = [];
      run.inputFileIds.forEach((gid, i) => {
        const file = ticketFiles.find((f) => toGlobalId('TicketFile', f.id) === gid);
        if (!file) errors.push(userError(['input', 'inputFileIds', String(i)], UserErrorCode.NOT_FOUND, `File ${gid} is not a file of ticket #${ticket.number}`));
        else if (!inputs.includes(file)) inputs.push(file);
      });
      if (errors.length) return { job: null, userErrors: errors };
    }

    const now = new Date();
    const values: Partial<Job> = {
      ticketId: ticket.id,
      ticketEventId: stub?.id ?? null,
      parentJobId: run.parent?.id ?? null,
      eventId: event.id,
      runner: event.runner,
      status: JobStatus.QUEUED,
      targets: stub?.targets ?? event.targets,
      algo: stub?.algo ?? event.algo,
      tags: stub?.tags ?? event.tags,
      params: checked.values,
      code: null,
      description: null,
      server: null,
      log: null,
      runnerInstance: null,
      launchedById: viewer.user.id,
      createdAt: now,
      startedAt: null,
      completedAt: null,
    };
    const job = await this.db.transaction(async (em) => {
      const job = em.create(Job, values); // a fresh row per attempt: a retried closure starts from scratch
      await em.insert(Job, job);
      if (inputs.length) await em.insert(JobFile, inputs.map((f) => ({ jobId: job.id, fileId: f.id, role: JobFileRole.INPUT })));
      await this.changes.touchTicket(em, ticket.id, now, viewer.user.id, { includeDeleted: run.parent !== null });
      await this.changes.recordEntry(em, ticket.id, ChangeType.JOB, viewer.user.id, now, { jobId: job.id, newValue: JSON.stringify(JobStatus.QUEUED) });
      await em.insert(OutboxMessage, { kind: OutboxKind.JOB_DISPATCH, ticketId: ticket.id, refId: job.id, dedupeKey: null, status: OutboxStatus.PENDING, attempts: 0, availableAt: now, createdAt: now });
      await record(em, { jobId: job.id });
      return job;
    });
    ctx.loaders.ticketById.clear(ticket.id);
    this.nudge();
    return { job, userErrors: [] };
  }

  // ---- dispatch (outbox worker) ----

  /** Hands a queued job to its runner; a job no longer queued (cancelled, already started) is left alone. */
  async dispatch(row: OutboxMessage): Promise<DeliveryOutcome> {
    const job = await this.db.manager.findOneBy(Job, { id: row.refId ?? 0 });
    if (!job) return { skipped: 'the job was deleted' };
    if (job.status !== JobStatus.QUEUED) return { skipped: `the job is ${job.status} already` };
    const [event, ticket, links] = await Promise.all([
      this.db.manager.findOneBy(EventDefinition, { id: job.eventId }),
      this.db.manager.findOneBy(Ticket, { id: job.ticketId }),
      this.db.manager.findBy(JobFile, { jobId: job.id, role: JobFileRole.INPUT }),
    ]);
    if (!event || !ticket) throw new PermanentDeliveryError('The event or ticket of the job no longer exists');
    const inputs = links.length ? await this.db.manager.find(TicketFile, { where: { id: In(links.map((l) => l.fileId)) }, order: { id: 'ASC' } }) : [];
    if (inputs.length < links.length) throw new PermanentDeliveryError('An input file of the job has been removed or has expired');
    await this.runners[job.runner].dispatch({ job, event, ticket, inputs });
  }

  /** The outbox gave up dispatching: the job fails, saying why. */
  async dispatchFailed(row: OutboxMessage, reason: string): Promise<void> {
    const job = await this.db.manager.findOneBy(Job, { id: row.refId ?? 0 });
    if (!job) return;
    await this.db.transaction((em) => this.transition(em, job, JobStatus.FAILED, { description: `Could not dispatch the job: ${reason}`.slice(0, DESCRIPTION_MAX), completedAt: new Date() }, null));
  }

  // ---- reports from runners ----

  async started(jobId: number, info: { server: string | null; runnerInstance: string | null; processGroup?: number | null }): Promise<void> {
    const job = await this.db.manager.findOneBy(Job, { id: jobId });
    if (!job) return;
    const server = info.server ?? (job.runner === RunnerKind.LOCAL ? os.hostname() : null);
    await this.db.transaction((em) => this.transition(em, job, JobStatus.RUNNING, { startedAt: new Date(), server, runnerInstance: info.runnerInstance, processGroup: info.processGroup ?? null }, null));
  }

  /**
   * A local run ended: its outputs become ticket files and the job gets its final status. The
   * working directory goes only once that is recorded, so a failure (the database unreachable)
   * leaves everything in place for the runner to try again.
   */
  async finished(jobId: number, result: LocalRunResult): Promise<void> {
    const job = await this.db.manager.findOneBy(Job, { id: jobId });
    if (!job) return result.cleanup();
    const timeout = (await this.db.manager.findOneBy(EventDefinition, { id: job.eventId }))?.timeoutSeconds ?? this.config.defaultTimeoutSeconds;
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
      if ('staged' in one) staged.push(one);
      else notes.push(`Output ${one.message}`);
    }
    const fullDescription = [description, ...notes].filter(Boolean).join('; ').slice(0, DESCRIPTION_MAX) || null;
    await this.finish(job, staged, null, job.launchedById, { status, code: result.code, description: fullDescription, log: result.log || null });
    await result.cleanup();
  }

  /**
   * Records a job's outcome: its outputs stored and attached to its ticket, then the transition,
   * in one transaction. A job final meanwhile (cancelled) keeps its status, and what it produced
   * is not kept. Outputs are stored before the transaction, which holds no lock on storage I/O.
   */
  private async finish(job: Job, staged: StagedFile[], actorId: number | null, uploaderId: number | null, outcome: { status: JobStatus } & Partial<Job>): Promise<void> {
    const now = new Date();
    const stored = await this.files.store(staged, now);
    let attached = false;
    try {
      attached = await this.db.transaction(async (em) => {
        const current = await this.lockUnfinished(em, job.id);
        if (!current) return false;
        await this.attachOutputs(em, current, stored, uploaderId, now);
        const { status, ...patch } = outcome;
        await this.transition(em, current, status, { ...patch, ...(FINAL_JOB_STATUSES.includes(status) ? { completedAt: now } : {}) }, actorId);
        return true;
      });
    } finally {
      if (!attached) await this.files.abandon(stored);
    }
  }

  /** A report from an external runner (jobReport or the signed callback); null ctx: the callback. */
  async report(ctx: RequestContext | null, job: Job, input: JobReport): Promise<JobResult> {
    const errors: UserError[] = [];
    if (input.code != null && !Number.isSafeInteger(input.code)) errors.push(userError(['input', 'code'], UserErrorCode.INVALID, 'code must be an integer'));
    if (input.status === JobStatus.QUEUED) errors.push(userError(['input', 'status'], UserErrorCode.INVALID, 'A job cannot be reported back to QUEUED'));
    if (input.server != null && input.server.length > 255) errors.push(userError(['input', 'server'], UserErrorCode.TOO_LONG, 'server must be at most 255 characters'));
    if (errors.length) return { job: null, userErrors: errors };
    const staged = input.files?.length ? await this.files.stage(input.files, ['input', 'files']) : { ok: true as const, files: [] as StagedFile[] };
    if (!staged.ok) return { job: null, userErrors: staged.errors };

    const actorId = ctx?.viewer?.user.id ?? null;
    let log: string | null | undefined;
    if (input.log != null) {
      const bounded = new BoundedLog(this.config.logMaxBytes);
      bounded.write(input.log);
      log = bounded.toString();
    }
    await this.finish(job, staged.files, actorId, actorId ?? job.launchedById, {
      status: input.status,
      ...(input.code !== undefined ? { code: input.code } : {}),
      ...(input.description !== undefined ? { description: input.description?.slice(0, DESCRIPTION_MAX) ?? null } : {}),
      ...(log !== undefined ? { log } : {}),
      ...(input.server !== undefined ? { server: input.server } : {}),
      ...(job.startedAt === null ? { startedAt: new Date() } : {}),
    });
    ctx?.loaders.jobById.clear(job.id);
    return { job: await this.db.manager.findOneByOrFail(Job, { id: job.id }), userErrors: [] };
  }

  /**
   * Inside a transaction: the job as stored now if it is still unfinished, holding its row (MySQL)
   * until commit; null once it is final. Outputs are attached before the final status is written,
   * so no reader sees a finished job without its outputs.
   */
  private async lockUnfinished(em: EntityManager, jobId: number): Promise<Job | null> {
    const current = await em.findOne(Job, { where: { id: jobId }, lock: this.db.lockMode ? { mode: this.db.lockMode } : undefined });
    return current && !FINAL_JOB_STATUSES.includes(current.status) ? current : null;
  }

  /** A job's output files become files of its ticket (and inputs of later runs). */
  private async attachOutputs(em: EntityManager, job: Job, stored: StoredFile[], uploaderId: number | null, at: Date): Promise<void> {
    if (stored.length === 0) return;
    const ticket = (await em.findOneBy(Ticket, { id: job.ticketId })) as Ticket;
    const rows = await this.files.attach(em, ticket, stored, uploaderId, at);
    await em.insert(JobFile, rows.map((f) => ({ jobId: job.id, fileId: f.id, role: JobFileRole.OUTPUT })));
  }

  /**
   * jobReport: admins, or whoever may edit the job's ticket; only for jobs whose runner reports
   * from outside (http). A local job's outcome is what its process did, never what someone says.
   */
  async reportAs(ctx: RequestContext, id: string, input: JobReport): Promise<JobResult> {
    requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const job = await this.require(ctx, id);
    if (job.runner === RunnerKind.LOCAL) {
      return { job: null, userErrors: [userError(['id'], UserErrorCode.INVALID, `Job #${job.id} runs on the local runner, which reports its own outcome; only jobs of http events take reports (cancel it with jobCancel)`)] };
    }
    return this.report(ctx, job, input);
  }

  /** The signed callback: the job by row id and the secret of its event, or null. */
  async forCallback(globalId: string): Promise<{ job: Job; secret: string } | null> {
    const id = rowIdOf('Job', globalId);
    const job = id === null ? null : await this.db.manager.findOneBy(Job, { id });
    if (!job || job.runner !== RunnerKind.HTTP) return null;
    const event = await this.db.manager.findOneBy(EventDefinition, { id: job.eventId });
    return event?.secret ? { job, secret: event.secret } : null;
  }

  async cancel(ctx: RequestContext, id: string): Promise<JobResult> {
    const viewer = requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const job = await this.require(ctx, id);
    if (FINAL_JOB_STATUSES.includes(job.status)) {
      return { job: null, userErrors: [userError(['id'], UserErrorCode.INVALID, `Job #${job.id} has already finished (${job.status})`)] };
    }
    await this.db.transaction((em) => this.transition(em, job, JobStatus.CANCELLED, { description: `Cancelled by ${viewer.user.username}`, completedAt: new Date() }, viewer.user.id));
    // A local process here is stopped now; one in another replica is stopped by its runner's check.
    if (job.runner === RunnerKind.LOCAL) this.localRunner.stop(job.id, 'cancelled');
    ctx.loaders.jobById.clear(job.id);
    return { job: await this.db.manager.findOneByOrFail(Job, { id: job.id }), userErrors: [] };
  }

  /** Local jobs of this runner instance marked cancelled (by a request served by another replica). */
  async cancelledAmong(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.manager.find(Job, { where: { id: In(ids), status: JobStatus.CANCELLED }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /**
   * At start: local jobs this instance left RUNNING (it crashed or was killed) cannot finish any
   * more; they fail, saying so, and whatever of them still runs is stopped.
   */
  async recoverInterrupted(): Promise<number> {
    const stale = await this.db.manager.findBy(Job, { runner: RunnerKind.LOCAL, status: JobStatus.RUNNING, runnerInstance: this.config.instanceId });
    // Folders of jobs that ended (a crash between recording the end and removing them) go too.
    await this.localRunner.removeFolders(async (ids) => {
      const live = await this.db.manager.find(Job, { where: { id: In(ids) }, select: { id: true, status: true } });
      return live.filter((j) => !FINAL_JOB_STATUSES.includes(j.status)).map((j) => j.id);
    });
    for (const job of stale) {
      await this.db.transaction((em) =>
        this.transition(em, job, JobStatus.FAILED, { description: 'The server running this job stopped before the job finished (crash or restart)', completedAt: new Date() }, null),
      );
      // Its processes may have outlived the crash: recorded as failed first, they stop now and
      // their working directory goes.
      await this.localRunner.reclaim(job);
    }
    if (stale.length) this.log.warn({ jobs: stale.map((j) => j.id) }, 'jobs interrupted by a restart marked failed');
    return stale.length;
  }

  /**
   * Moves a job to `to` if it is still where it was read (or anywhere not final), and records the
   * transition in the ticket's history. False, changing nothing, when the job is already final or
   * already in `to`: reports and dispatches may repeat.
   */
  private async transition(em: EntityManager, job: Job, to: JobStatus, patch: Partial<Job>, actorId: number | null): Promise<boolean> {
    // `job` is read, never changed: a retried transaction starts again from the same object.
    let from = job.status;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (FINAL_JOB_STATUSES.includes(from) || from === to) return false;
      const result = await em.createQueryBuilder().update(Job).set({ ...patch, status: to } as Partial<Omit<Job, 'ticket' | 'ticketEvent' | 'event'>>).where('id = :id AND status = :from', { id: job.id, from }).execute();
      if (affectedRows(result) === 1) {
        const at = new Date();
        await this.changes.touchTicket(em, job.ticketId, at, actorId, { includeDeleted: true });
        await this.changes.recordEntry(em, job.ticketId, ChangeType.JOB, actorId, at, {
          jobId: job.id,
          oldValue: JSON.stringify(from),
          newValue: JSON.stringify(to),
          body: patch.description ?? null,
        });
        if (to === JobStatus.FAILED) await this.queueFailureTicket(em, job, at);
        return true;
      }
      const current = await em.findOne(Job, { where: { id: job.id }, select: { id: true, status: true } });
      if (!current) return false;
      from = current.status;
    }
    return false;
  }

  /** An event that opens a ticket when its job fails: queued with the failure, created by the worker. */
  private async queueFailureTicket(em: EntityManager, job: Job, at: Date): Promise<void> {
    const event = await em.findOneBy(EventDefinition, { id: job.eventId });
    if (!event?.ticketOnFailure) return;
    await em.insert(OutboxMessage, { kind: OutboxKind.JOB_TICKET, ticketId: job.ticketId, refId: job.id, dedupeKey: `job-ticket:${job.id}`, status: OutboxStatus.PENDING, attempts: 0, availableAt: at, createdAt: at });
  }
}
