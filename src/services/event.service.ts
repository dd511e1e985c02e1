import crypto from 'node:crypto';
import fs from 'node:fs';
import type { JobsConfig } from '../config/config';
import type { Logger } from '../common/logger';
import { notFound } from '../common/errors';
import type { Database } from '../db/database';
import { EventDefinition, type EventParam } from '../entities/event-definition.entity';
import { ParamType, RunnerKind } from '../entities/job.enums';
import { Job } from '../entities/job.entity';
import { TicketEvent } from '../entities/ticket-event.entity';
import { Privilege } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { rowIdOf } from '../graphql/global-id';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import { checkParamDefinitions, checkParams } from '../jobs/event-params';
import { requirePrivilege, requireViewer } from './access';
import { conflictError, type ChangeService } from './change.service';
import type { TicketService } from './ticket.service';

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
  enabled?: boolean | null;
}

export interface TicketEventFields {
  eventId?: string | null;
  targets?: string[] | null;
  algo?: string | null;
  tags?: string[] | null;
  params?: Record<string, unknown> | null;
  expectedVersion?: number | null;
}

export type EventResult = { event: EventDefinition | null; secret?: string | null; userErrors: UserError[] };
export type TicketEventResult = { ticketEvent: TicketEvent | null; userErrors: UserError[] };

const KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const ALGO = /^[a-z][a-z0-9_]{0,31}$/;
const MAX_LIST = 50;

/**
 * Event definitions (admin-managed, or loaded from EVENTS_FILE at start) and the event stubs on
 * tickets, whose parameters are checked against the event's declared fields when saved.
 */
export class EventService {
  constructor(
    private readonly db: Database,
    private readonly config: JobsConfig,
    private readonly tickets: () => TicketService,
    private readonly changes: ChangeService,
    private readonly log: Logger,
  ) {}

  // ---- definitions ----

  async list(ctx: RequestContext): Promise<EventDefinition[]> {
    requireViewer(ctx);
    return this.db.manager.find(EventDefinition, { order: { key: 'ASC' } });
  }

  async findVisible(ctx: RequestContext, id: number): Promise<EventDefinition | null> {
    if (!ctx.viewer) return null;
    return ctx.loaders.eventById.load(id);
  }

  async create(ctx: RequestContext, input: EventFields): Promise<EventResult> {
    requirePrivilege(ctx, Privilege.ADMIN);
    const now = new Date();
    const draft = this.blank(now);
    const errors = this.apply(draft, input, true);
    let secret: string | null = null;
    if (draft.runner === RunnerKind.HTTP && !draft.secret) draft.secret = secret = crypto.randomBytes(32).toString('base64url');
    else if (input.secret) secret = null; // a secret the admin chose is not echoed back
    if (errors.length === 0 && (await this.db.manager.findOneBy(EventDefinition, { key: draft.key }))) {
      errors.push(userError(['input', 'key'], UserErrorCode.TAKEN, `An event with key ${draft.key} exists`));
    }
    if (errors.length) return { event: null, userErrors: errors };
    await this.db.manager.insert(EventDefinition, draft);
    return { event: draft, secret, userErrors: [] };
  }

  async update(ctx: RequestContext, id: string, input: EventFields): Promise<EventResult> {
    requirePrivilege(ctx, Privilege.ADMIN);
    const event = await this.require(id);
    const storedKey = event.key; // apply() overwrites it
    const errors = this.apply(event, input, false);
    if (input.key != null && input.key !== storedKey && (await this.db.manager.findOneBy(EventDefinition, { key: input.key }))) {
      errors.push(userError(['input', 'key'], UserErrorCode.TAKEN, `An event with key ${input.key} exists`));
    }
    if (errors.length) return { event: null, userErrors: errors };
    event.updatedAt = new Date();
    await this.db.manager.save(EventDefinition, event);
    return { event, userErrors: [] };
  }

  async delete(ctx: RequestContext, id: string): Promise<{ deletedId: string | null; userErrors: UserError[] }> {
    requirePrivilege(ctx, Privilege.ADMIN);
    const event = await this.require(id);
    // Jobs are history: an event that ran stays (disable it instead); its ticket events go with it.
    if (await this.db.manager.existsBy(Job, { eventId: event.id })) {
      return { deletedId: null, userErrors: [userError(['id'], UserErrorCode.IN_USE, `Event ${event.key} has jobs: disable it (enabled: false) instead of deleting it`)] };
    }
    await this.db.manager.delete(EventDefinition, { id: event.id });
    return { deletedId: id, userErrors: [] };
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
      if (event.runner === RunnerKind.HTTP && !event.secret) errors.push(userError(['secret'], UserErrorCode.BLANK, 'An http event from a file needs its secret'));
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
      targets: [], algo: 'random', tags: [], fields: [], categoryKey: null, ticketOnFailure: false, enabled: true, createdAt: now, updatedAt: now,
    }) as EventDefinition;
  }

  private async require(id: string): Promise<EventDefinition> {
    const rowId = rowIdOf('Event', id);
    const event = rowId === null ? null : await this.db.manager.findOneBy(EventDefinition, { id: rowId });
    if (!event) throw notFound(`No event with id ${id}`);
    return event;
  }

  /** Copies the given fields onto the event, checking each; returns the problems. */
  private apply(e: EventDefinition, input: EventFields, creating: boolean): UserError[] {
    const errors: UserError[] = [];
    const at = (f: string) => ['input', f];
    const need = <K extends keyof EventFields>(k: K) => creating && (input[k] === undefined || input[k] === null);
    if (input.key != null) {
      if (!KEY.test(input.key)) errors.push(userError(at('key'), UserErrorCode.INVALID, 'key must be 1-64 letters, digits, "-" or "_", starting with a letter or digit'));
      else e.key = input.key;
    } else if (need('key')) errors.push(userError(at('key'), UserErrorCode.BLANK, 'key is required'));
    if (input.title != null) {
      const title = input.title.trim();
      if (!title || title.length > 200) errors.push(userError(at('title'), UserErrorCode.INVALID, 'title must be 1-200 characters'));
      else e.title = title;
    } else if (need('title')) errors.push(userError(at('title'), UserErrorCode.BLANK, 'title is required'));
    if (input.runner != null) {
      if (!Object.values(RunnerKind).includes(input.runner)) errors.push(userError(at('runner'), UserErrorCode.INVALID, `runner must be one of ${Object.values(RunnerKind).join(', ')}`));
      else e.runner = input.runner;
    }
    if (e.runner === RunnerKind.LOCAL && !this.config.localRunner && (creating || input.runner != null)) {
      errors.push(userError(at('runner'), UserErrorCode.FORBIDDEN, 'The local runner is disabled on this server (LOCAL_RUNNER=false)'));
    }
    if (input.command !== undefined) e.command = input.command && input.command.length ? input.command : null;
    if (input.url !== undefined) e.url = input.url?.trim() || null;
    if (input.secret != null) {
      if (input.secret.length < 16 || input.secret.length > 128) errors.push(userError(at('secret'), UserErrorCode.INVALID, 'secret must be 16-128 characters'));
      else e.secret = input.secret;
    }
    if (e.runner === RunnerKind.LOCAL) {
      if (!e.command) errors.push(userError(at('command'), UserErrorCode.BLANK, 'A local event needs a command: the program and its arguments, e.g. ["/usr/local/bin/deploy", "--verbose"]'));
      else if (e.command.length > 100 || e.command.some((a) => typeof a !== 'string' || a.length > 4096 || a.includes('\0')) || !e.command[0].trim()) {
        errors.push(userError(at('command'), UserErrorCode.INVALID, 'command must be 1-100 non-empty strings without NUL characters'));
      }
    }
    if (e.runner === RunnerKind.HTTP) {
      if (!e.url) errors.push(userError(at('url'), UserErrorCode.BLANK, 'An http event needs the URL to dispatch jobs to'));
      else if (!/^https?:\/\/[^/\s]+/.test(e.url) || e.url.length > 2000) errors.push(userError(at('url'), UserErrorCode.INVALID, 'url must be an http(s) URL'));
    }
    if (input.timeoutSeconds != null) {
      if (!Number.isInteger(input.timeoutSeconds) || input.timeoutSeconds < 1 || input.timeoutSeconds > 7 * 86_400) errors.push(userError(at('timeoutSeconds'), UserErrorCode.INVALID, 'timeoutSeconds must be from 1 to 604800'));
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
    if (input.enabled != null) e.enabled = input.enabled;
    return errors;
  }

  // ---- ticket events ----

  async forTicket(ctx: RequestContext, ticketId: number): Promise<TicketEvent[]> {
    return ctx.loaders.ticketEvents.load(ticketId);
  }

  /** A ticket event the viewer may see (its ticket is visible), or null. */
  async findTicketEvent(ctx: RequestContext, id: number): Promise<TicketEvent | null> {
    const stub = await this.db.manager.findOneBy(TicketEvent, { id });
    if (!stub || !ctx.viewer) return null;
    return (await this.tickets().findVisibleById(ctx, stub.ticketId)) ? stub : null;
  }

  async addToTicket(ctx: RequestContext, ticketRef: string, input: TicketEventFields): Promise<TicketEventResult> {
    requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const ticket = await this.tickets().requireTicket(ctx, ticketRef);
    const eventId = input.eventId ? rowIdOf('Event', input.eventId) : null;
    const event = eventId === null ? null : await this.db.manager.findOneBy(EventDefinition, { id: eventId });
    if (!event) return { ticketEvent: null, userErrors: [userError(['input', 'eventId'], UserErrorCode.NOT_FOUND, `No event with id ${input.eventId ?? ''}`)] };
    const now = new Date();
    const stub = Object.assign(new TicketEvent(), { ticketId: ticket.id, eventId: event.id, targets: null, algo: null, tags: null, params: {}, createdById: ctx.viewer?.user.id ?? null, createdAt: now, updatedAt: now }) as TicketEvent;
    const errors = this.applyStub(stub, event, input);
    if (errors.length) return { ticketEvent: null, userErrors: errors };
    const saved = await this.db.transaction(async (em) => {
      await this.changes.touchTicket(em, ticket.id, now, ctx.viewer?.user.id ?? null, { expectedVersion: input.expectedVersion });
      const row = em.create(TicketEvent, { ...stub }); // a fresh row per attempt
      await em.insert(TicketEvent, row);
      return row;
    }).catch((err: unknown) => conflictError(err));
    if (!(saved instanceof TicketEvent)) return { ticketEvent: null, userErrors: [saved] };
    ctx.loaders.ticketEvents.clear(ticket.id);
    return { ticketEvent: saved, userErrors: [] };
  }

  async updateOnTicket(ctx: RequestContext, id: string, input: TicketEventFields): Promise<TicketEventResult> {
    requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const stub = await this.requireTicketEvent(ctx, id);
    const event = (await this.db.manager.findOneBy(EventDefinition, { id: stub.eventId })) as EventDefinition;
    if (input.eventId != null && rowIdOf('Event', input.eventId) !== event.id) {
      return { ticketEvent: null, userErrors: [userError(['input', 'eventId'], UserErrorCode.INVALID, 'The event of a ticket event cannot change: remove it and add another')] };
    }
    const errors = this.applyStub(stub, event, input);
    if (errors.length) return { ticketEvent: null, userErrors: errors };
    stub.updatedAt = new Date();
    const conflict = await this.db.transaction(async (em) => {
      await this.changes.touchTicket(em, stub.ticketId, stub.updatedAt, ctx.viewer?.user.id ?? null, { expectedVersion: input.expectedVersion });
      await em.update(TicketEvent, { id: stub.id }, { targets: stub.targets, algo: stub.algo, tags: stub.tags, params: stub.params, updatedAt: stub.updatedAt });
    }).then(() => null, (err: unknown) => conflictError(err));
    if (conflict) return { ticketEvent: null, userErrors: [conflict] };
    ctx.loaders.ticketEvents.clear(stub.ticketId);
    return { ticketEvent: stub, userErrors: [] };
  }

  async removeFromTicket(ctx: RequestContext, id: string, expectedVersion: number | null = null): Promise<{ deletedId: string | null; userErrors: UserError[] }> {
    requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const stub = await this.requireTicketEvent(ctx, id);
    const conflict = await this.db.transaction(async (em) => {
      await this.changes.touchTicket(em, stub.ticketId, new Date(), ctx.viewer?.user.id ?? null, { expectedVersion });
      await em.delete(TicketEvent, { id: stub.id });
    }).then(() => null, (err: unknown) => conflictError(err, ['expectedVersion']));
    if (conflict) return { deletedId: null, userErrors: [conflict] };
    ctx.loaders.ticketEvents.clear(stub.ticketId);
    return { deletedId: id, userErrors: [] };
  }

  async requireTicketEvent(ctx: RequestContext, id: string): Promise<TicketEvent> {
    const rowId = rowIdOf('TicketEvent', id);
    const stub = rowId === null ? null : await this.findTicketEvent(ctx, rowId);
    if (!stub) throw notFound(`No ticket event with id ${id}`);
    return stub;
  }

  private applyStub(stub: TicketEvent, event: EventDefinition, input: TicketEventFields): UserError[] {
    const errors: UserError[] = [];
    // Overrides: null (or an empty list) falls back to the event's own values.
    for (const list of ['targets', 'tags'] as const) {
      if (input[list] === undefined) continue;
      const cleaned = input[list] === null ? [] : cleanList(input[list], list, errors);
      if (cleaned) stub[list] = cleaned.length ? cleaned : null;
    }
    if (input.algo !== undefined && (input.algo === null || checkAlgo(input.algo, errors))) stub.algo = input.algo;
    const params = input.params === undefined ? stub.params : (input.params ?? {});
    const checked = checkParams(event.fields, params, ['input', 'params'], true);
    if (checked.errors.length) errors.push(...checked.errors);
    // Stored as given (defaults stay the event's, so a later default change applies).
    else stub.params = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== '')) as TicketEvent['params'];
    return errors;
  }
}

/**
 * Targets or tags: trimmed, without blanks or repeats; null (with the problems in errors) when one
 * holds a control character, or there are too many or too long. They reach jobs as environment
 * variables and the process launcher refuses NUL.
 */
function cleanList(values: string[], field: 'targets' | 'tags', errors: UserError[]): string[] | null {
  const controls = values.flatMap((x, i) => (/\p{Cc}/u.test(x) ? [userError(['input', field, String(i)], UserErrorCode.INVALID, `${field}: ${JSON.stringify(x)} contains a control character (NUL, line breaks and the like are not allowed)`)] : []));
  if (controls.length) {
    errors.push(...controls);
    return null;
  }
  const cleaned = [...new Set(values.map((x) => x.trim()).filter(Boolean))];
  if (cleaned.length <= MAX_LIST && cleaned.every((x) => x.length <= 100)) return cleaned;
  errors.push(userError(['input', field], UserErrorCode.INVALID, `${field}: at most ${MAX_LIST} values of up to 100 characters`));
  return null;
}

function checkAlgo(algo: string, errors: UserError[]): boolean {
  if (ALGO.test(algo)) return true;
  errors.push(userError(['input', 'algo'], UserErrorCode.INVALID, 'algo must be a lower-case name such as random, round_robin or first'));
  return false;
}

/** An event from EVENTS_FILE, in the API's input shape (enum names accepted in either case). */
function normalizeFileEvent(raw: Record<string, unknown>): EventFields {
  const runner = typeof raw.runner === 'string' ? (raw.runner.toLowerCase() as RunnerKind) : undefined;
  const fields = Array.isArray(raw.fields)
    ? (raw.fields as Record<string, unknown>[]).map((f) => ({ ...f, type: String(f.type ?? 'string').toLowerCase() as ParamType }) as EventParam)
    : undefined;
  return { ...(raw as EventFields), runner, fields };
}

