import crypto from 'node:crypto';
import fs from 'node:fs';
import type { JobsConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { notFound } from '../common/errors';
import type { OutboundPolicy } from '../common/outbound-url';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { Database } from '../db/database';
import { EventDefinition, type EventParam } from '../entities/event-definition.entity';
import { ParamType, RunnerKind, type JobTicketTrigger } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import type { RequestContext } from '../graphql/context';
import { checkAlgo, checkParamDefinitions, cleanList } from '../jobs/event-params';
import { checkTicketActions } from '../jobs/ticket-actions';

export interface EventFields {
  key?: string | null;
  title?: string | null;
  runner?: RunnerKind | null;
  command?: string[] | null;
  url?: string | null;
  secret?: string | null;
  timeoutSeconds?: number | null;
  targets?: string[] | null;
  algo?: string | null;
  tags?: string[] | null;
  fields?: (Omit<EventParam, 'required'> & { required?: boolean | null })[] | null;
  categoryKey?: string | null;
  ticketOnFailure?: boolean | null;
  ticketActions?: { on: JobTicketTrigger; tags?: string[] | null }[] | null;
  enabled?: boolean | null;
}

/** A new event, and the signing secret generated for it (shown once; null when the admin chose it). */
export interface CreatedEvent {
  event: EventDefinition;
  secret: string | null;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Event definitions: admin-managed, or loaded from EVENTS_FILE at start. */
export class EventService {
  constructor(
    private readonly db: Database,
    private readonly config: JobsConfig,
    private readonly log: Logger,
    private readonly outbound: OutboundPolicy,
  ) {}

  list(ctx: RequestContext): Promise<EventDefinition[]> {
    return this.db.em(ctx).find(EventDefinition, { order: { key: 'ASC' } });
  }

  async findVisible(ctx: RequestContext, id: number): Promise<EventDefinition | null> {
    if (!ctx.viewer) return null;
    return ctx.loaders.eventById.load(id);
  }

  async create(ctx: RequestContext, input: EventFields): Promise<Result<CreatedEvent>> {
    const now = new Date();
    const draft = this.blank(now);
    const errors = this.apply(draft, input, true);
    let secret: string | null = null;
    if (draft.runner === RunnerKind.HTTP && !draft.secret) draft.secret = secret = crypto.randomBytes(32).toString('base64url');
    if (errors.length === 0 && (await this.db.em(ctx).findOneBy(EventDefinition, { key: draft.key }))) {
      errors.push(refusal(['input', 'key'], UserErrorCode.TAKEN, `An event with key ${draft.key} exists`));
    }
    if (errors.length) return refused(...errors);
    await this.db.em(ctx).insert(EventDefinition, draft);
    return ok({ event: draft, secret });
  }

  async update(ctx: RequestContext, id: number | null, input: EventFields): Promise<Result<EventDefinition>> {
    const event = await this.require(ctx, id);
    const storedKey = event.key; // apply() overwrites it
    const errors = this.apply(event, input, false);
    if (input.key != null && input.key !== storedKey && (await this.db.em(ctx).findOneBy(EventDefinition, { key: input.key }))) {
      errors.push(refusal(['input', 'key'], UserErrorCode.TAKEN, `An event with key ${input.key} exists`));
    }
    if (errors.length) return refused(...errors);
    event.updatedAt = new Date();
    await this.db.em(ctx).save(EventDefinition, event);
    return ok(event);
  }

  async delete(ctx: RequestContext, id: number | null): Promise<Result<EventDefinition>> {
    const event = await this.require(ctx, id);
    // Jobs are history: an event that ran stays (disable it instead); its ticket events go with it.
    if (await this.db.em(ctx).existsBy(Job, { eventId: event.id })) {
      return refused(refusal(['id'], UserErrorCode.IN_USE, `Event ${event.key} has jobs: disable it (enabled: false) instead of deleting it`));
    }
    await this.db.em(ctx).delete(EventDefinition, { id: event.id });
    return ok(event);
  }

  /** Creates or updates the events of EVENTS_FILE (by key) at start; a bad file stops the start. */
  async loadFile(): Promise<number> {
    const file = this.config.eventsFile;
    if (!file) return 0;
    let list: unknown;
    try {
      list = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`EVENTS_FILE ${file} could not be read as JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(list)) throw new Error(`EVENTS_FILE ${file} must hold a JSON array of events`);
    const now = new Date();
    for (const [i, raw] of list.entries()) {
      const input = normalizeFileEvent(raw as Record<string, unknown>);
      const existing = input.key ? await this.db.manager.findOneBy(EventDefinition, { key: input.key }) : null;
      const event = existing ?? this.blank(now);
      const errors = this.apply(event, input, !existing);
      if (event.runner === RunnerKind.HTTP && !event.secret) errors.push(refusal(['secret'], UserErrorCode.BLANK, 'An http event from a file needs its secret'));
      if (errors.length) throw new Error(`EVENTS_FILE ${file}, event ${i} (${input.key ?? 'no key'}): ${errors.map((e) => `${e.field?.join('.') ?? ''}: ${e.message}`).join('; ')}`);
      event.updatedAt = now;
      await this.db.manager.save(EventDefinition, event);
    }
    this.log.info({ file, events: list.length }, 'events loaded');
    return list.length;
  }

  /** A new event with the defaults that apply() then overwrites. */
  private blank(now: Date): EventDefinition {
    return Object.assign(new EventDefinition(), {
      key: '', title: '', runner: RunnerKind.LOCAL, command: null, url: null, secret: null, timeoutSeconds: this.config.defaultTimeoutSeconds,
      targets: [], algo: 'random', tags: [], fields: [], categoryKey: null, ticketOnFailure: false, ticketActions: null, enabled: true, createdAt: now, updatedAt: now,
    }) as EventDefinition;
  }

  private async require(ctx: RequestContext, id: number | null): Promise<EventDefinition> {
    const event = id === null ? null : await this.db.em(ctx).findOneBy(EventDefinition, { id });
    if (!event) throw notFound('No such event');
    return event;
  }

  /** Copies the given fields onto the event, checking each; returns the problems. */
  private apply(e: EventDefinition, input: EventFields, creating: boolean): Refusal[] {
    const errors: Refusal[] = [];
    const at = (f: string) => ['input', f];
    const need = <K extends keyof EventFields>(k: K) => creating && (input[k] === undefined || input[k] === null);
    if (input.key != null) {
      if (!KEY.test(input.key)) errors.push(refusal(at('key'), UserErrorCode.INVALID, 'key must be 1-64 letters, digits, "-" or "_", starting with a letter or digit'));
      else e.key = input.key;
    } else if (need('key')) errors.push(refusal(at('key'), UserErrorCode.BLANK, 'key is required'));
    if (input.title != null) {
      const title = input.title.trim();
      if (!title || title.length > 200) errors.push(refusal(at('title'), UserErrorCode.INVALID, 'title must be 1-200 characters'));
      else e.title = title;
    } else if (need('title')) errors.push(refusal(at('title'), UserErrorCode.BLANK, 'title is required'));
    if (input.runner != null) {
      if (!Object.values(RunnerKind).includes(input.runner)) errors.push(refusal(at('runner'), UserErrorCode.INVALID, `runner must be one of ${Object.values(RunnerKind).join(', ')}`));
      else e.runner = input.runner;
    }
    if (e.runner === RunnerKind.LOCAL && !this.config.localRunner && (creating || input.runner != null)) {
      errors.push(refusal(at('runner'), UserErrorCode.FORBIDDEN, 'The local runner is disabled on this server (LOCAL_RUNNER=false)'));
    }
    if (input.command !== undefined) e.command = input.command && input.command.length ? input.command : null;
    if (input.url !== undefined) e.url = input.url?.trim() || null;
    if (input.secret != null) {
      if (input.secret.length < 16 || input.secret.length > 128) errors.push(refusal(at('secret'), UserErrorCode.INVALID, 'secret must be 16-128 characters'));
      else e.secret = input.secret;
    }
    if (e.runner === RunnerKind.LOCAL) {
      if (!e.command) errors.push(refusal(at('command'), UserErrorCode.BLANK, 'A local event needs a command: the program and its arguments, e.g. ["/usr/local/bin/deploy", "--verbose"]'));
      else if (e.command.length > 100 || e.command.some((a) => typeof a !== 'string' || a.length > 4096 || a.includes('\0')) || !e.command[0].trim()) {
        errors.push(refusal(at('command'), UserErrorCode.INVALID, 'command must be 1-100 non-empty strings without NUL characters'));
      }
    }
    if (e.runner === RunnerKind.HTTP) {
      if (!e.url) errors.push(refusal(at('url'), UserErrorCode.BLANK, 'An http event needs the URL to dispatch jobs to'));
      else {
        const problem = e.url.length > 2000 ? 'url must be at most 2000 characters' : this.outbound.check(e.url);
        if (problem) errors.push(refusal(at('url'), UserErrorCode.INVALID, problem));
      }
    }
    if (input.timeoutSeconds != null) {
      if (!Number.isInteger(input.timeoutSeconds) || input.timeoutSeconds < 1 || input.timeoutSeconds > 7 * 86_400) errors.push(refusal(at('timeoutSeconds'), UserErrorCode.INVALID, 'timeoutSeconds must be from 1 to 604800'));
      else e.timeoutSeconds = input.timeoutSeconds;
    }
    for (const list of ['targets', 'tags'] as const) {
      if (input[list] == null) continue;
      const cleaned = cleanList(input[list], list, errors);
      if (cleaned) e[list] = cleaned;
    }
    if (input.algo != null && checkAlgo(input.algo, errors)) e.algo = input.algo;
    if (input.fields != null) {
      const fields = input.fields.map((f) => ({ name: f.name, type: f.type, title: f.title ?? null, required: f.required ?? false, pattern: f.pattern ?? null, min: f.min ?? null, max: f.max ?? null, default: f.default ?? null }));
      const problems = checkParamDefinitions(fields, at('fields'));
      if (problems.length) errors.push(...problems);
      else e.fields = fields;
    }
    if (input.categoryKey !== undefined) e.categoryKey = input.categoryKey?.trim() || null;
    if (input.ticketOnFailure != null) e.ticketOnFailure = input.ticketOnFailure;
    if (input.ticketActions != null) {
      const actions = checkTicketActions(input.ticketActions, at('ticketActions'), errors);
      if (actions) e.ticketActions = actions.length ? actions : null;
    }
    if (input.enabled != null) e.enabled = input.enabled;
    return errors;
  }
}

/** An event from EVENTS_FILE, in the API's input shape (enum names accepted in either case). */
function normalizeFileEvent(raw: Record<string, unknown>): EventFields {
  const runner = typeof raw.runner === 'string' ? (raw.runner.toLowerCase() as RunnerKind) : undefined;
  const fields = Array.isArray(raw.fields)
    ? (raw.fields as Record<string, unknown>[]).map((f) => ({ ...f, type: String(f.type ?? 'string').toLowerCase() as ParamType }) as EventParam)
    : undefined;
  const ticketActions = Array.isArray(raw.ticketActions)
    ? (raw.ticketActions as Record<string, unknown>[]).map((a) => ({ ...a, on: String(a?.on ?? '').toLowerCase() as JobTicketTrigger }))
    : undefined;
  return { ...(raw as EventFields), runner, fields, ...(ticketActions ? { ticketActions } : {}) };
}

