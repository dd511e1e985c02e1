import { In } from 'typeorm';
import { refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { Database } from '../db/database';
import { EventDefinition } from '../entities/event-definition.entity';
import { FINAL_JOB_STATUSES, TicketOriginKind } from '../entities/job.enums';
import type { Job } from '../entities/job.entity';
import { Tag } from '../entities/tag.entity';
import { Ticket } from '../entities/ticket.entity';
import type { TicketPriority, TicketType } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { alertBody, alertSubject, jobBody, jobSubject, type AlertFacts, type JobFacts, type TemplateLink } from '../jobs/ticket-templates';
import type { JobService } from './job.service';
import type { TicketOrigin, TicketService } from './ticket.service';

/** Choices the caller makes about the new ticket, beside what the job or alert fills in. */
export interface TicketFromOriginOptions {
  type?: TicketType | null;
  priority?: TicketPriority | null;
  /** Overrides the category the job or event gives. */
  category?: string | null;
  /** Added to the job's tags (those that exist as tags). */
  tags?: string[] | null;
  assignees?: string[] | null;
  cc?: string[] | null;
  notify?: string[] | null;
  links?: TemplateLink[] | null;
}

export interface ExternalJob {
  id: string;
  code?: number | null;
  eventTitle: string;
  category?: string | null;
  server?: string | null;
  tags?: string[] | null;
  startedAt?: Date | null;
  completedAt?: Date | null;
  description?: string | null;
  log?: string | null;
}

export interface AlertInvocation {
  id: string;
  title: string;
  message?: string | null;
  server: string;
  expression?: string | null;
  firedAt: Date;
  activeJobs?: { id: string; title: string; server?: string | null; startedAt?: Date | null }[] | null;
}

const MAX_LOG_CHARS = 1_000_000;

/**
 * Tickets opened by jobs and alerts: subject and body from the templates, category, tags and
 * server from the origin, and the origin recorded on the ticket (so the job or alert lists it).
 */
export class TicketOriginService {
  constructor(
    private readonly db: Database,
    private readonly tickets: TicketService,
    private readonly jobs: JobService,
  ) {}

  /** A ticket about one of our jobs (jobId, a row id; undefined when not given) or about a job run elsewhere. */
  async fromJob(ctx: RequestContext, input: { jobId?: number | null; job?: ExternalJob | null } & TicketFromOriginOptions): Promise<Result<Ticket>> {
    const fail = (field: string[], code: UserErrorCode, message: string) => refused<Ticket>(refusal(field, code, message));
    if ((input.jobId === undefined) === (input.job == null)) return fail(['input'], UserErrorCode.INVALID, 'Give either jobId (one of our jobs) or job (a job run elsewhere), not both or neither');
    let facts: JobFacts;
    let origin: TicketOrigin;
    let jobTags: string[];
    if (input.jobId !== undefined) {
      const job = await this.jobs.require(ctx, input.jobId);
      if (!FINAL_JOB_STATUSES.includes(job.status)) return fail(['input', 'jobId'], UserErrorCode.INVALID, `Job #${job.id} has not finished yet (${job.status})`);
      ({ facts, origin } = await this.ownJob(ctx, job));
      jobTags = job.tags;
    } else {
      const ext = input.job as ExternalJob;
      const problems = checkExternal(ext);
      if (problems.length) return refused(...problems);
      facts = {
        id: ext.id.trim(),
        code: ext.code ?? null,
        eventTitle: ext.eventTitle.trim(),
        category: ext.category ?? null,
        server: ext.server ?? null,
        startedAt: ext.startedAt ?? null,
        completedAt: ext.completedAt ?? null,
        description: ext.description ?? null,
        log: ext.log ?? null,
        links: [],
      };
      origin = { kind: TicketOriginKind.EXTERNAL_JOB, id: facts.id, data: { eventTitle: facts.eventTitle, code: facts.code, server: facts.server } };
      jobTags = ext.tags ?? [];
    }
    facts.links = input.links ?? [];
    const linkProblems = checkLinks(facts.links);
    if (linkProblems.length) return refused(...linkProblems);
    return this.tickets.create(
      ctx,
      {
        subject: jobSubject(facts),
        body: jobBody(facts),
        type: input.type ?? null,
        priority: input.priority ?? null,
        category: input.category !== undefined ? input.category : facts.category,
        tags: await this.knownTags(ctx, [...jobTags, ...(input.tags ?? [])]),
        server: facts.server,
        assignees: input.assignees ?? null,
        cc: input.cc ?? null,
        notify: input.notify ?? null,
      },
      origin,
    );
  }

  async fromAlert(ctx: RequestContext, input: { alert: AlertInvocation } & TicketFromOriginOptions): Promise<Result<Ticket>> {
    const a = input.alert;
    const errors: Refusal[] = [];
    const at = (f: string) => ['input', 'alert', f];
    if (!a.id.trim() || a.id.length > 100) errors.push(refusal(at('id'), UserErrorCode.INVALID, 'id (the alert invocation) must be 1-100 characters'));
    if (!a.title.trim() || a.title.length > 200) errors.push(refusal(at('title'), UserErrorCode.INVALID, 'title must be 1-200 characters'));
    if (!a.server.trim() || a.server.length > 255) errors.push(refusal(at('server'), UserErrorCode.INVALID, 'server must be 1-255 characters'));
    if ((a.activeJobs?.length ?? 0) > 100) errors.push(refusal(at('activeJobs'), UserErrorCode.INVALID, 'At most 100 active jobs'));
    errors.push(...checkLinks(input.links ?? []));
    if (errors.length) return refused(...errors);
    const facts: AlertFacts = {
      id: a.id.trim(),
      title: a.title.trim(),
      message: a.message ?? null,
      server: a.server.trim(),
      expression: a.expression ?? null,
      firedAt: a.firedAt,
      links: input.links ?? [],
      activeJobs: (a.activeJobs ?? []).map((j) => ({ id: j.id, title: j.title, server: j.server ?? null, startedAt: j.startedAt ?? null })),
    };
    return this.tickets.create(
      ctx,
      {
        subject: alertSubject(facts),
        body: alertBody(facts),
        type: input.type ?? null,
        priority: input.priority ?? null,
        category: input.category ?? null,
        tags: await this.knownTags(ctx, input.tags ?? []),
        server: facts.server,
        assignees: input.assignees ?? null,
        cc: input.cc ?? null,
        notify: input.notify ?? null,
      },
      { kind: TicketOriginKind.ALERT, id: facts.id, data: { title: facts.title, server: facts.server, firedAt: facts.firedAt.toISOString() } },
    );
  }

  /** What a ticket about one of our jobs says (the job template) and where it came from. */
  async ownJob(ctx: RequestContext, job: Job): Promise<{ facts: JobFacts; origin: TicketOrigin }> {
    const event = await this.db.em(ctx).findOneBy(EventDefinition, { id: job.eventId });
    const launchedFrom = await this.db.em(ctx).findOne(Ticket, { where: { id: job.ticketId }, select: { id: true, number: true } });
    const facts: JobFacts = {
      id: String(job.id),
      code: job.code,
      eventTitle: event?.title ?? 'removed event',
      category: event?.categoryKey ?? null,
      server: job.server,
      startedAt: job.startedAt,
      completedAt: job.completedAt,
      description: job.description,
      log: job.log,
      links: [],
    };
    return { facts, origin: { kind: TicketOriginKind.JOB, id: String(job.id), data: { event: event?.key ?? null, ticket: launchedFrom?.number ?? null } } };
  }

  /** Job tags are free text; a ticket takes the ones that exist as tags. */
  async knownTags(ctx: RequestContext, keys: string[]): Promise<string[]> {
    const unique = [...new Set(keys.map((k) => k.trim()).filter(Boolean))];
    if (unique.length === 0) return [];
    const found = new Set((await this.db.em(ctx).findBy(Tag, { key: In(unique) })).map((t) => t.key));
    return unique.filter((k) => found.has(k));
  }
}

function checkExternal(j: ExternalJob): Refusal[] {
  const errors: Refusal[] = [];
  const at = (f: string) => ['input', 'job', f];
  if (!j.id.trim() || j.id.length > 100) errors.push(refusal(at('id'), UserErrorCode.INVALID, 'id must be 1-100 characters'));
  if (!j.eventTitle.trim() || j.eventTitle.length > 200) errors.push(refusal(at('eventTitle'), UserErrorCode.INVALID, 'eventTitle must be 1-200 characters'));
  if (j.server != null && j.server.length > 255) errors.push(refusal(at('server'), UserErrorCode.TOO_LONG, 'server must be at most 255 characters'));
  if (j.log != null && j.log.length > MAX_LOG_CHARS) errors.push(refusal(at('log'), UserErrorCode.TOO_LONG, `log must be at most ${MAX_LOG_CHARS} characters (send the tail)`));
  if (j.startedAt && j.completedAt && j.completedAt < j.startedAt) errors.push(refusal(at('completedAt'), UserErrorCode.INVALID, 'completedAt is before startedAt'));
  return errors;
}

function checkLinks(links: TemplateLink[]): Refusal[] {
  return links.flatMap((l, i) =>
    !/^https?:\/\/[^/\s]+/.test(l.url) || l.url.length > 2000 || !l.title.trim() || l.title.length > 200
      ? [refusal(['input', 'links', String(i)], UserErrorCode.INVALID, 'Each link needs a title (1-200 characters) and an http(s) URL')]
      : [],
  );
}
