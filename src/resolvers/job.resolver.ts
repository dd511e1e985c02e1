import { Arg, Args, Authorized, Ctx, FieldResolver, Float, ID, Query, Resolver, Root } from 'type-graphql';
import { EventDefinition } from '../entities/event-definition.entity';
import { JobFileRole } from '../entities/job-file.entity';
import { TicketOriginKind } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { TicketEvent } from '../entities/ticket-event.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { Ticket } from '../entities/ticket.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { decodeId, IdArg } from '../graphql/id-args';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { JobLaunchInput, JobReportInput, TicketCreateFromAlertInput, TicketCreateFromJobInput, TicketEventRunInput } from '../graphql/inputs/job.input';
import { Alert } from '../graphql/types/alert.type';
import { TicketOrigin, ticketOrigin } from '../graphql/types/ticket-origin.type';
import { JobConnection, TicketConnection } from '../graphql/types/connections';
import { JobPayload, TicketPayload } from '../graphql/types/payloads';
import { logExcerpt } from '../jobs/job-log';
import { JobService } from '../services/job.service';
import { TicketOriginService } from '../services/ticket-origin.service';
import { TicketQueryService } from '../services/ticket-query.service';
import { GLOBAL_ID } from '../graphql/descriptions';

const jobPayload = (job: Job | null) => ({ job });
const ticketPayload = (ticket: Ticket | null) => ({ ticket });
/** File ids given to a run, decoded (null where one names no file). */
const fileIds = (ids: string[] | null | undefined) => ids?.map((id) => decodeId('TicketFile', id) ?? null) ?? null;

@Resolver(() => Job)
export class JobResolver {
  constructor(
    private readonly jobs: JobService,
    private readonly queries: TicketQueryService,
  ) {}

  @Authorized()
  @Query(() => Job, { nullable: true, description: 'A job by id or number; null when absent or its ticket is not visible.' })
  async job(@Ctx() ctx: RequestContext, @IdArg('id', 'Job') id: number | null): Promise<Job | null> {
    return id === null ? null : this.jobs.findVisible(ctx, id);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => JobPayload, {
    description: 'Requires edit_tickets. Launches a job from a ticket event: effective targets/algo/tags (overrides over the event), parameters (this input over the ticket event over the defaults) and input files.',
  })
  async ticketEventRun(@Ctx() ctx: RequestContext, @IdArg('id', 'TicketEvent', { description: 'The ticket event.' }) id: number | null, @Arg('input', { nullable: true, description: 'The attached event to run and its parameters.' }) input?: TicketEventRunInput): Promise<JobPayload> {
    const run = await this.jobs.run(ctx, id, { params: input?.params, inputFileIds: fileIds(input?.inputFileIds), clientMutationId: input?.clientMutationId });
    return { ...payload(run, jobPayload), clientMutationId: input?.clientMutationId ?? null };
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => JobPayload, {
    description: "Requires edit_tickets. A running job launches another (a deploy its smoke test): the new job belongs to the parent's ticket and takes the ticket's files.",
  })
  async jobLaunch(@Ctx() ctx: RequestContext, @IdArg('parentJobId', 'Job', { description: 'The job to launch from (global id or number); the new job runs on its ticket.' }) parentJobId: number | null, @Arg('input', { description: 'What to run and with which parameters.' }) input: JobLaunchInput): Promise<JobPayload> {
    const launched = await this.jobs.launchChild(ctx, parentJobId, { eventId: decodeId('Event', input.eventId) ?? null, params: input.params, inputFileIds: fileIds(input.inputFileIds) });
    return payload(launched, jobPayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => JobPayload, { description: 'Requires edit_tickets. A queued job is not started; a running one is stopped.' })
  async jobCancel(@Ctx() ctx: RequestContext, @IdArg('id', 'Job') id: number | null): Promise<JobPayload> {
    return payload(await this.jobs.cancel(ctx, id), jobPayload);
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => JobPayload, { description: 'Requires edit_tickets: an external runner reports progress or the outcome. Repeated or late reports change nothing.' })
  async jobReport(@Ctx() ctx: RequestContext, @IdArg('id', 'Job') id: number | null, @Arg('input', { description: 'The status the runner reports.' }) input: JobReportInput): Promise<JobPayload> {
    const job = await this.jobs.require(ctx, id);
    return payload(await this.jobs.report(ctx, job, input), jobPayload);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() job: Job): string {
    return toGlobalId('Job', job.id);
  }

  @FieldResolver(() => Ticket, { description: 'The ticket it was launched from.' })
  async ticket(@Root() job: Job, @Ctx() ctx: RequestContext): Promise<Ticket> {
    return (await ctx.loaders.ticketById.load(job.ticketId)) as Ticket;
  }

  @FieldResolver(() => EventDefinition, { description: 'The event definition it runs.' })
  async event(@Root() job: Job, @Ctx() ctx: RequestContext): Promise<EventDefinition> {
    return (await ctx.loaders.eventById.load(job.eventId)) as EventDefinition;
  }

  @FieldResolver(() => TicketEvent, { nullable: true, description: 'The ticket event it was launched from; null once removed.' })
  async ticketEvent(@Root() job: Job, @Ctx() ctx: RequestContext): Promise<TicketEvent | null> {
    if (job.ticketEventId === null) return null;
    return (await ctx.loaders.ticketEvents.load(job.ticketId)).find((s) => s.id === job.ticketEventId) ?? null;
  }

  @FieldResolver(() => Job, { nullable: true, description: 'The job that launched this one.' })
  parentJob(@Root() job: Job, @Ctx() ctx: RequestContext): Promise<Job | null> | null {
    return job.parentJobId == null ? null : ctx.loaders.jobById.load(job.parentJobId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who launched it; null for automatic runs.' })
  launchedBy(@Root() job: Job, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return job.launchedById == null ? null : ctx.loaders.userById.load(job.launchedById);
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Seconds from start to completion (or to now, while running).' })
  elapsed(@Root() job: Job): number | null {
    if (!job.startedAt) return null;
    return ((job.completedAt ?? new Date()).getTime() - job.startedAt.getTime()) / 1000;
  }

  @FieldResolver(() => String, { nullable: true, description: 'The log with ANSI codes stripped; over 20 lines, the first 10, a snip marker and the last 10.' })
  logExcerpt(@Root() job: Job): string | null {
    return logExcerpt(job.log);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The captured output (within JOB_LOG_MAX_BYTES: the start and the end of a longer one).' })
  log(@Root() job: Job): string | null {
    return job.log;
  }

  @FieldResolver(() => [TicketFile], { description: 'The files the job was given.' })
  inputFiles(@Root() job: Job, @Ctx() ctx: RequestContext): Promise<TicketFile[]> {
    return ctx.loaders.jobFiles.load({ jobId: job.id, role: JobFileRole.INPUT });
  }

  @FieldResolver(() => [TicketFile], { description: "The files the job produced; they are files of the ticket, inputs of later runs." })
  outputFiles(@Root() job: Job, @Ctx() ctx: RequestContext): Promise<TicketFile[]> {
    return ctx.loaders.jobFiles.load({ jobId: job.id, role: JobFileRole.OUTPUT });
  }

  @FieldResolver(() => TicketConnection, { description: 'Tickets opened about this job (ticketCreateFromJob, or automatically on failure).' })
  async tickets(@Root() job: Job, @Ctx() ctx: RequestContext, @Args() args: ConnectionArgs): Promise<TicketConnection> {
    return TicketConnection.from(await this.queries.list(ctx, { ...args, origin: { kind: TicketOriginKind.JOB, id: String(job.id) } }));
  }
}

@Resolver(() => TicketOrigin)
export class TicketOriginResolver {
  constructor(private readonly jobs: JobService) {}

  @FieldResolver(() => ID, { description: "Global id, one per ticket (derived from the ticket's row); the job or alert id is sourceId." })
  id(@Root() origin: TicketOrigin): string {
    return toGlobalId('TicketOrigin', origin.ticketId);
  }

  @FieldResolver(() => Job, { nullable: true, description: 'Our job, for JOB origins (null if not visible).' })
  job(@Root() origin: TicketOrigin, @Ctx() ctx: RequestContext): Promise<Job | null> | null {
    return origin.kind === TicketOriginKind.JOB ? this.jobs.findVisible(ctx, Number(origin.sourceId)) : null;
  }

  @FieldResolver(() => Alert, { nullable: true, description: 'The alert invocation, for ALERT origins (resolved by the ops graph).' })
  alert(@Root() origin: TicketOrigin): Alert | null {
    return origin.kind === TicketOriginKind.ALERT ? Object.assign(new Alert(), { id: origin.sourceId }) : null;
  }
}

@Resolver(() => Ticket)
export class TicketJobsResolver {
  constructor(
    private readonly jobService: JobService,
    private readonly origins: TicketOriginService,
  ) {}

  @FieldResolver(() => JobConnection, { description: 'Jobs launched from this ticket, newest first.' })
  async jobs(@Root() ticket: Ticket, @Ctx() ctx: RequestContext, @Args() args: ConnectionArgs): Promise<JobConnection> {
    return JobConnection.from(await this.jobService.forTicket(ctx, ticket.id, args));
  }

  @FieldResolver(() => TicketOrigin, { nullable: true, description: 'The job or alert that opened this ticket; null when a person or script did.' })
  origin(@Root() ticket: Ticket): TicketOrigin | null {
    return ticketOrigin(ticket);
  }

  @Authorized(Privilege.CREATE_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'Requires create_tickets. Opens a ticket about a job: subject, body (with a log excerpt), category, tags and server from the job.' })
  async ticketCreateFromJob(@Ctx() ctx: RequestContext, @Arg('input', { description: 'The job and the fields of the new ticket.' }) input: TicketCreateFromJobInput): Promise<TicketPayload> {
    return payload(await this.origins.fromJob(ctx, { ...input, jobId: decodeId('Job', input.jobId) }), ticketPayload);
  }

  @Authorized(Privilege.CREATE_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'Requires create_tickets. Opens a ticket about an alert invocation; Alert.tickets lists it.' })
  async ticketCreateFromAlert(@Ctx() ctx: RequestContext, @Arg('input', { description: 'The alert and the fields of the new ticket.' }) input: TicketCreateFromAlertInput): Promise<TicketPayload> {
    return payload(await this.origins.fromAlert(ctx, input), ticketPayload);
  }
}

@Resolver(() => Alert)
export class AlertTicketsResolver {
  constructor(private readonly queries: TicketQueryService) {}

  @FieldResolver(() => TicketConnection, { description: 'Visible tickets opened for this alert invocation, newest first.' })
  async tickets(@Ctx() ctx: RequestContext, @Root() alert: Alert, @Args() args: ConnectionArgs): Promise<TicketConnection> {
    return TicketConnection.from(await this.queries.list(ctx, { ...args, origin: { kind: TicketOriginKind.ALERT, id: alert.id } }));
  }
}

@Resolver(() => TicketChange)
export class ChangeJobResolver {
  @FieldResolver(() => Job, { nullable: true, description: 'For JOB entries: the job whose status changed.' })
  job(@Root() change: TicketChange, @Ctx() ctx: RequestContext): Promise<Job | null> | null {
    return change.jobId == null ? null : ctx.loaders.jobById.load(change.jobId);
  }
}
