import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { notFound } from '../common/errors';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { AppConfig, JobsConfig } from '../config/config';
import type { Database } from '../db/database';
import { EventDefinition } from '../entities/event-definition.entity';
import { JobFile, JobFileRole } from '../entities/job-file.entity';
import { FINAL_JOB_STATUSES, JobStatus, RunnerKind } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import { OutboxKind } from '../entities/outbox-message.entity';
import type { TicketEvent } from '../entities/ticket-event.entity';
import type { Ticket } from '../entities/ticket.entity';
import { ChangeType, TicketStatus } from '../entities/ticket.enums';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import type { Page } from '../graphql/types/connection.factory';
import { checkParams } from '../jobs/event-params';
import { BoundedLog } from '../jobs/job-log';
import type { LocalJobRunner } from '../jobs/local-job.runner';
import { requireViewer } from './access';
import type { FileStore, StagedFile } from './file-store';
import type { HistoryWriter } from './history-writer';
import type { IdempotencyService } from './idempotency.service';
import { DESCRIPTION_MAX, type JobStateMachine } from './job-state';
import type { OutboxService } from './outbox.service';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';
import type { TicketEventService } from './ticket-event.service';
import type { TicketFinder } from './ticket-finder';

/** What an external runner (or an admin) reports about a job. */
export interface JobReport {
  status: JobStatus;
  code?: number | null;
  description?: string | null;
  log?: string | null;
  server?: string | null;
  files?: Promise<FileUpload>[] | null;
}

/** What a run takes beyond its ticket event: parameter values and a subset of the ticket's files (row ids). */
export interface RunInput {
  params?: Record<string, unknown> | null;
  inputFileIds?: (number | null)[] | null;
  clientMutationId?: string | null;
}

/**
 * Jobs as the API offers them: launching a ticket event (a QUEUED job, its history entry and its
 * dispatch written in one transaction), cancelling, the reports of external runners, and reads.
 * Where a job goes next is the JobStateMachine's.
 */
export class JobService {
  constructor(
    private readonly db: Database,
    private readonly config: JobsConfig,
    private readonly limits: AppConfig['limits'],
    private readonly finder: TicketFinder,
    private readonly history: HistoryWriter,
    private readonly ticketEvents: TicketEventService,
    private readonly state: JobStateMachine,
    private readonly files: FileStore,
    private readonly localRunner: LocalJobRunner,
    private readonly outbox: OutboxService,
    private readonly idempotency: IdempotencyService,
  ) {}

  // ---- reads ----

  async findVisible(ctx: RequestContext, id: number): Promise<Job | null> {
    if (!ctx.viewer) return null;
    const job = await ctx.loaders.jobById.load(id);
    return job && (await this.finder.byId(ctx, job.ticketId)) ? job : null;
  }

  async require(ctx: RequestContext, id: number | null): Promise<Job> {
    const job = id === null ? null : await this.findVisible(ctx, id);
    if (!job) throw notFound('No such job');
    return job;
  }

  /** A ticket's jobs, newest first: pages and counts through loaders, so a list of tickets costs two statements. */
  async forTicket(ctx: RequestContext, ticketId: number, args: ConnectionArgs): Promise<Page<Job>> {
    const req = pageRequest(args, this.limits);
    const rows = await ctx.loaders.jobPage.load({ ticketId, backward: req.backward, take: req.limit + 1, cursorId: req.cursor ? decodeIdCursor(req.cursor) : null });
    for (const j of rows) ctx.loaders.jobById.prime(j.id, j);
    return buildPage([...rows], req, (j) => idCursor(j.id), () => ctx.loaders.jobCount.load(ticketId));
  }

  // ---- launching ----

  /** ticketEventRun: a job from a ticket event (its overrides and parameter values apply). Idempotent with clientMutationId. */
  async run(ctx: RequestContext, ticketEventId: number | null, input: RunInput): Promise<Result<Job>> {
    const stub = await this.ticketEvents.require(ctx, ticketEventId);
    const ticket = await this.finder.requireById(ctx, stub.ticketId);
    const event = (await this.db.em(ctx).findOneBy(EventDefinition, { id: stub.eventId })) as EventDefinition;
    const { clientMutationId, ...rest } = input;
    return this.idempotency.execute<{ jobId: number }, Job>(ctx, {
      operation: 'ticketEventRun',
      clientMutationId,
      input: { ticketEventId: stub.id, ...rest },
      apply: (record) => this.launch(ctx, { ticket, event, stub, parent: null, params: rest.params ?? {}, inputFileIds: rest.inputFileIds ?? null }, record),
      replay: async ({ jobId }) => ok(await this.require(ctx, jobId)),
    });
  }

  /**
   * jobLaunch: a job started by a running job (a deploy running its smoke test). It belongs to
   * the parent's ticket, like every job, and takes the ticket's files as inputs.
   */
  async launchChild(ctx: RequestContext, parentId: number | null, input: { eventId: number | null; params?: Record<string, unknown> | null; inputFileIds?: (number | null)[] | null }): Promise<Result<Job>> {
    const parent = await this.require(ctx, parentId);
    if (parent.status !== JobStatus.RUNNING) return refused(refusal(['parentJobId'], UserErrorCode.INVALID, `Job #${parent.id} is not running (${parent.status}): only a running job launches others`));
    const event = input.eventId === null ? null : await this.db.em(ctx).findOneBy(EventDefinition, { id: input.eventId });
    if (!event) return refused(refusal(['input', 'eventId'], UserErrorCode.NOT_FOUND, 'No such event'));
    const ticket = await this.finder.requireById(ctx, parent.ticketId, { includeDeleted: true });
    return this.launch(ctx, { ticket, event, stub: null, parent, params: input.params ?? {}, inputFileIds: input.inputFileIds ?? null });
  }

  private async launch(
    ctx: RequestContext,
    run: { ticket: Ticket; event: EventDefinition; stub: TicketEvent | null; parent: Job | null; params: Record<string, unknown>; inputFileIds: (number | null)[] | null },
    record: (tx: RequestContext, result: { jobId: number }) => Promise<void> = async () => undefined,
  ): Promise<Result<Job>> {
    const viewer = requireViewer(ctx);
    const { ticket, event, stub } = run;
    const fail = (field: string[], code: UserErrorCode, message: string) => refused<Job>(refusal(field, code, message));
    if (ticket.status === TicketStatus.DRAFT) return fail(['id'], UserErrorCode.INVALID, 'Publish the draft before running its events');
    if (!event.enabled) return fail(['id'], UserErrorCode.INVALID, `Event ${event.key} is disabled`);
    if (event.runner === RunnerKind.LOCAL && !this.config.localRunner) return fail(['id'], UserErrorCode.FORBIDDEN, 'The local runner is disabled on this server (LOCAL_RUNNER=false)');

    // Run input over the ticket event's values over the event's defaults.
    const given = Object.fromEntries(Object.entries(run.params).filter(([, v]) => v !== null && v !== undefined));
    const checked = checkParams(event.fields, { ...(stub?.params ?? {}), ...given }, ['input', 'params'], true);
    if (checked.errors.length) return refused(...checked.errors);

    const ticketFiles = await ctx.loaders.ticketFiles.load(ticket.id);
    let inputs = ticketFiles;
    if (run.inputFileIds) {
      const errors: Refusal[] = [];
      inputs = [];
      run.inputFileIds.forEach((id, i) => {
        const file = ticketFiles.find((f) => f.id === id);
        if (!file) errors.push(refusal(['input', 'inputFileIds', String(i)], UserErrorCode.NOT_FOUND, `File ${i + 1} of inputFileIds is not a file of ticket #${ticket.number}`));
        else if (!inputs.includes(file)) inputs.push(file);
      });
      if (errors.length) return refused(...errors);
    }

    const now = new Date();
    const values: Partial<Job> = {
      ticketId: ticket.id, ticketEventId: stub?.id ?? null, parentJobId: run.parent?.id ?? null, eventId: event.id, runner: event.runner, status: JobStatus.QUEUED,
      targets: stub?.targets ?? event.targets, algo: stub?.algo ?? event.algo, tags: stub?.tags ?? event.tags, params: checked.values,
      code: null, description: null, server: null, log: null, runnerInstance: null, processGroup: null, launchedById: viewer.user.id,
      createdAt: now, startedAt: null, completedAt: null,
    };
    const job = await this.db.transaction(ctx, async (tx) => {
      const em = this.db.em(tx);
      const job = em.create(Job, values); // a fresh row per attempt: a retried closure starts from scratch
      await em.insert(Job, job);
      if (inputs.length) await em.insert(JobFile, inputs.map((f) => ({ jobId: job.id, fileId: f.id, role: JobFileRole.INPUT })));
      await this.history.touchTicket(tx, ticket.id, now, viewer.user.id, { includeDeleted: run.parent !== null });
      await this.history.recordEntry(tx, ticket.id, ChangeType.JOB, viewer.user.id, now, { jobId: job.id, newValue: JSON.stringify(JobStatus.QUEUED) });
      await this.outbox.enqueue(tx, { kind: OutboxKind.JOB_DISPATCH, ticketId: ticket.id, refId: job.id, at: now });
      await record(tx, { jobId: job.id });
      return job;
    });
    ctx.loaders.ticketById.clear(ticket.id);
    return ok(job);
  }

  // ---- reports and cancellation ----

  /**
   * jobReport (edit_tickets) and the signed callback: only for jobs whose runner reports from
   * outside (http). A local job's outcome is what its process did, never what someone says.
   */
  async report(ctx: RequestContext, job: Job, input: JobReport): Promise<Result<Job>> {
    if (job.runner === RunnerKind.LOCAL) {
      return refused(refusal(['id'], UserErrorCode.INVALID, `Job #${job.id} runs on the local runner, which reports its own outcome; only jobs of http events take reports (cancel it with jobCancel)`));
    }
    const errors: Refusal[] = [];
    if (input.code != null && !Number.isSafeInteger(input.code)) errors.push(refusal(['input', 'code'], UserErrorCode.INVALID, 'code must be an integer'));
    if (input.status === JobStatus.QUEUED) errors.push(refusal(['input', 'status'], UserErrorCode.INVALID, 'A job cannot be reported back to QUEUED'));
    if (input.server != null && input.server.length > 255) errors.push(refusal(['input', 'server'], UserErrorCode.TOO_LONG, 'server must be at most 255 characters'));
    if (errors.length) return refused(...errors);
    const staged = input.files?.length ? await this.files.stage(input.files, ['input', 'files']) : ok([] as StagedFile[]);
    if (!staged.ok) return staged;

    const actorId = ctx.viewer?.user.id ?? null;
    let log: string | null | undefined;
    if (input.log != null) {
      const bounded = new BoundedLog(this.config.logMaxBytes);
      bounded.write(input.log);
      log = bounded.toString();
    }
    await this.state.finish(ctx, job, staged.value, actorId, actorId ?? job.launchedById, {
      status: input.status,
      ...(input.code !== undefined ? { code: input.code } : {}),
      ...(input.description !== undefined ? { description: input.description?.slice(0, DESCRIPTION_MAX) ?? null } : {}),
      ...(log !== undefined ? { log } : {}),
      ...(input.server !== undefined ? { server: input.server } : {}),
      ...(job.startedAt === null ? { startedAt: new Date() } : {}),
    });
    ctx.loaders.jobById.clear(job.id);
    return ok(await this.db.em(ctx).findOneByOrFail(Job, { id: job.id }));
  }

  /** The signed callback: the job (an http one) and the secret of its event, or null. */
  async forCallback(ctx: RequestContext, id: number | null): Promise<{ job: Job; secret: string } | null> {
    const job = id === null ? null : await this.db.em(ctx).findOneBy(Job, { id });
    if (!job || job.runner !== RunnerKind.HTTP) return null;
    const event = await this.db.em(ctx).findOneBy(EventDefinition, { id: job.eventId });
    return event?.secret ? { job, secret: event.secret } : null;
  }

  async cancel(ctx: RequestContext, id: number | null): Promise<Result<Job>> {
    const viewer = requireViewer(ctx);
    const job = await this.require(ctx, id);
    if (FINAL_JOB_STATUSES.includes(job.status)) return refused(refusal(['id'], UserErrorCode.INVALID, `Job #${job.id} has already finished (${job.status})`));
    await this.db.transaction(ctx, (tx) => this.state.transition(tx, job, JobStatus.CANCELLED, { description: `Cancelled by ${viewer.user.username}`, completedAt: new Date() }, viewer.user.id));
    // A local process here is stopped now; one in another replica is stopped by its runner's check.
    if (job.runner === RunnerKind.LOCAL) this.localRunner.stop(job.id, 'cancelled');
    ctx.loaders.jobById.clear(job.id);
    return ok(await this.db.em(ctx).findOneByOrFail(Job, { id: job.id }));
  }

  /**
   * At start: local jobs this instance left running are failed, whatever of them still runs is
   * stopped and their working directories, and those of jobs that ended, are removed.
   */
  async recoverInterrupted(): Promise<number> {
    const stale = await this.state.failInterrupted();
    for (const job of stale) await this.localRunner.reclaim(job);
    await this.localRunner.removeFolders((ids) => this.state.unfinished(ids));
    return stale.length;
  }
}
