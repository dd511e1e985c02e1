import { notFound } from '../common/errors';
import { catchConflict, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { Database } from '../db/database';
import { EventDefinition } from '../entities/event-definition.entity';
import { TicketEvent } from '../entities/ticket-event.entity';
import type { RequestContext } from '../graphql/context';
import type { TicketRef } from '../graphql/global-id';
import { checkAlgo, checkParams, cleanList } from '../jobs/event-params';
import { requireViewer } from './access';
import type { HistoryWriter } from './history-writer';
import type { TicketFinder } from './ticket-finder';

export interface TicketEventFields {
  /** The event (row id): required when adding, never changes. */
  eventId?: number | null;
  targets?: string[] | null;
  algo?: string | null;
  tags?: string[] | null;
  params?: Record<string, unknown> | null;
  expectedVersion?: number | null;
}

/**
 * Event stubs on tickets: an event with the ticket's overrides (targets, algorithm, tags) and
 * parameter values, checked against the event's declared fields when saved.
 */
export class TicketEventService {
  constructor(
    private readonly db: Database,
    private readonly finder: TicketFinder,
    private readonly history: HistoryWriter,
  ) {}

  forTicket(ctx: RequestContext, ticketId: number): Promise<TicketEvent[]> {
    return ctx.loaders.ticketEvents.load(ticketId);
  }

  /** A ticket event the viewer may see (its ticket is visible), or null. */
  async findVisible(ctx: RequestContext, id: number): Promise<TicketEvent | null> {
    const stub = await this.db.em(ctx).findOneBy(TicketEvent, { id });
    if (!stub || !ctx.viewer) return null;
    return (await this.finder.byId(ctx, stub.ticketId)) ? stub : null;
  }

  async require(ctx: RequestContext, id: number | null): Promise<TicketEvent> {
    const stub = id === null ? null : await this.findVisible(ctx, id);
    if (!stub) throw notFound('No such ticket event');
    return stub;
  }

  async add(ctx: RequestContext, ref: TicketRef | null, input: TicketEventFields): Promise<Result<TicketEvent>> {
    const viewer = requireViewer(ctx);
    const ticket = await this.finder.require(ctx, ref);
    const event = input.eventId == null ? null : await this.db.em(ctx).findOneBy(EventDefinition, { id: input.eventId });
    if (!event) return refused(refusal(['input', 'eventId'], UserErrorCode.NOT_FOUND, 'No such event'));
    const now = new Date();
    const stub = Object.assign(new TicketEvent(), { ticketId: ticket.id, eventId: event.id, targets: null, algo: null, tags: null, params: {}, createdById: viewer.user.id, createdAt: now, updatedAt: now }) as TicketEvent;
    const errors = this.applyStub(stub, event, input);
    if (errors.length) return refused(...errors);
    const saved = await catchConflict(
      this.db.transaction(ctx, async (tx) => {
        await this.history.touchTicket(tx, ticket.id, now, viewer.user.id, { expectedVersion: input.expectedVersion });
        const row = this.db.em(tx).create(TicketEvent, { ...stub }); // a fresh row per attempt
        await this.db.em(tx).insert(TicketEvent, row);
        return row;
      }),
    );
    if (saved.ok) ctx.loaders.ticketEvents.clear(ticket.id);
    return saved;
  }

  async update(ctx: RequestContext, id: number | null, input: TicketEventFields): Promise<Result<TicketEvent>> {
    const viewer = requireViewer(ctx);
    const stub = await this.require(ctx, id);
    const event = (await this.db.em(ctx).findOneBy(EventDefinition, { id: stub.eventId })) as EventDefinition;
    if (input.eventId !== undefined && input.eventId !== event.id) {
      return refused(refusal(['input', 'eventId'], UserErrorCode.INVALID, 'The event of a ticket event cannot change: remove it and add another'));
    }
    const errors = this.applyStub(stub, event, input);
    if (errors.length) return refused(...errors);
    stub.updatedAt = new Date();
    const saved = await catchConflict(
      this.db.transaction(ctx, async (tx) => {
        await this.history.touchTicket(tx, stub.ticketId, stub.updatedAt, viewer.user.id, { expectedVersion: input.expectedVersion });
        await this.db.em(tx).update(TicketEvent, { id: stub.id }, { targets: stub.targets, algo: stub.algo, tags: stub.tags, params: stub.params, updatedAt: stub.updatedAt });
        return stub;
      }),
    );
    if (saved.ok) ctx.loaders.ticketEvents.clear(stub.ticketId);
    return saved;
  }

  async remove(ctx: RequestContext, id: number | null, expectedVersion: number | null = null): Promise<Result<TicketEvent>> {
    const viewer = requireViewer(ctx);
    const stub = await this.require(ctx, id);
    const removed = await catchConflict(
      this.db.transaction(ctx, async (tx) => {
        await this.history.touchTicket(tx, stub.ticketId, new Date(), viewer.user.id, { expectedVersion });
        await this.db.em(tx).delete(TicketEvent, { id: stub.id });
        return stub;
      }),
      ['expectedVersion'],
    );
    if (removed.ok) ctx.loaders.ticketEvents.clear(stub.ticketId);
    return removed;
  }

  private applyStub(stub: TicketEvent, event: EventDefinition, input: TicketEventFields): Refusal[] {
    const errors: Refusal[] = [];
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
