import type { SelectQueryBuilder } from 'typeorm';
import { badUserInput } from '../common/errors';
import type { AppConfig } from '../config/config';
import type { Database } from '../db/database';
import { TicketChange } from '../entities/ticket-change.entity';
import { Ticket } from '../entities/ticket.entity';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext, Viewer } from '../graphql/context';
import type { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import type { Page } from '../graphql/types/connection.factory';
import { TicketStreamEvent } from '../graphql/types/ticket-stream-event.type';
import type { CustomFieldLookup } from '../search/custom-field.filter';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import { parseTicketQuery } from '../search/ticket-query.parser';
import { requireViewer, scopeVisibleChanges, scopeVisibleTickets, seesInternalNotes } from './access';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';
import { SubscriberQueue } from './subscriber-queue';

export interface TicketSubscriber {
  viewer: Viewer;
  queue: SubscriberQueue<TicketStreamEvent>;
}

/** A subscriber whose tickets are chosen by a filter; subscribers with the same key share one check per event. */
export interface FilteredSubscriber<T> {
  viewer: Viewer;
  key: string;
  /** The filter in force now (a query is parsed again per event: "today" and @me stay current). */
  filter: (now: Date) => TicketFilter | null;
  queue: SubscriberQueue<T>;
}

/**
 * The change stream: the subscriptions open in this process (fed by TicketStreamDispatcher) and,
 * as a query, the visible history entries of all tickets (what a reconnecting subscriber missed).
 */
export class TicketStreamService {
  readonly byTicket = new Map<number, Set<TicketSubscriber>>();
  readonly created = new Set<FilteredSubscriber<Ticket>>();
  readonly views = new Set<FilteredSubscriber<TicketStreamEvent>>();

  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
    private readonly customFields: CustomFieldLookup,
  ) {}

  // ---- subscribing (validation errors are thrown here, before anything is registered) ----

  subscribeTicket(ctx: RequestContext, ticket: Ticket): AsyncIterableIterator<TicketStreamEvent> {
    const viewer = requireViewer(ctx);
    let subs = this.byTicket.get(ticket.id);
    if (!subs) this.byTicket.set(ticket.id, (subs = new Set()));
    const set = subs;
    const sub: TicketSubscriber = {
      viewer,
      queue: new SubscriberQueue<TicketStreamEvent>(ctx, () => {
        set.delete(sub);
        if (set.size === 0 && this.byTicket.get(ticket.id) === set) this.byTicket.delete(ticket.id);
      }),
    };
    set.add(sub);
    return sub.queue;
  }

  subscribeCreated(ctx: RequestContext, filter: TicketFilter | null): AsyncIterableIterator<Ticket> {
    const viewer = requireViewer(ctx);
    this.validateFilter(viewer, filter);
    const sub: FilteredSubscriber<Ticket> = {
      viewer,
      key: JSON.stringify([filter ?? null, viewer.categoryIds, viewer.ownTicketsOnly ? viewer.user.id : null, seesInternalNotes(viewer)]),
      filter: () => filter,
      queue: new SubscriberQueue<Ticket>(ctx, () => this.created.delete(sub)),
    };
    this.created.add(sub);
    return sub.queue;
  }

  subscribeView(ctx: RequestContext, query: string | null): AsyncIterableIterator<TicketStreamEvent> {
    const viewer = requireViewer(ctx);
    const text = query?.trim() ?? '';
    const parse = (now: Date) => (text === '' ? null : parseTicketQuery(text, { now, username: viewer.user.username }));
    this.validateFilter(viewer, parse(new Date()));
    const sub: FilteredSubscriber<TicketStreamEvent> = {
      viewer,
      key: JSON.stringify([text, viewer.user.username, viewer.categoryIds, viewer.ownTicketsOnly, seesInternalNotes(viewer)]),
      filter: parse,
      queue: new SubscriberQueue<TicketStreamEvent>(ctx, () => this.views.delete(sub)),
    };
    this.views.add(sub);
    return sub.queue;
  }

  /** Subscriptions open in this process (metrics, tests of cleanup). */
  get subscriberCount(): number {
    let n = this.created.size + this.views.size;
    for (const set of this.byTicket.values()) n += set.size;
    return n;
  }

  // ---- the change stream as a query ----

  /** Visible history entries of all tickets (or of `ticket`), in id order. */
  async page(ctx: RequestContext, args: ConnectionArgs, ticket: Ticket | null): Promise<Page<TicketStreamEvent>> {
    const viewer = requireViewer(ctx);
    const req = pageRequest(args, this.limits);
    const base = this.db.em(ctx).createQueryBuilder(TicketChange, 'c').innerJoin(Ticket, 't', 't.id = c.ticketId');
    scopeVisibleTickets(base as unknown as SelectQueryBuilder<Ticket>, viewer, 't');
    scopeVisibleChanges(base, viewer, 'c');
    if (ticket) base.andWhere('c.ticketId = :eventsTicketId', { eventsTicketId: ticket.id });
    const countQb = base.clone();
    if (req.cursor) base.andWhere(req.backward ? 'c.id < :eventsCursor' : 'c.id > :eventsCursor', { eventsCursor: decodeIdCursor(req.cursor) });
    const rows = await base.orderBy('c.id', req.backward ? 'DESC' : 'ASC').limit(req.limit + 1).getMany();
    const tickets = await ctx.loaders.ticketById.loadMany([...new Set(rows.map((c) => c.ticketId))]);
    const byId = new Map(tickets.filter((t): t is Ticket => t instanceof Ticket).map((t) => [t.id, t]));
    const events = rows.filter((c) => byId.has(c.ticketId)).map((change) => streamEvent(byId.get(change.ticketId) as Ticket, change));
    return buildPage(events, req, (e) => e.cursor, () => countQb.getCount());
  }

  /** Compiles the filter once (without running it) so a malformed one fails the subscription now, naming the problem. */
  private validateFilter(viewer: Viewer, filter: TicketFilter | null): void {
    if (!filter) return;
    const qb = scopeVisibleTickets(this.db.manager.createQueryBuilder(Ticket, 't'), viewer, 't');
    try {
      new TicketFilterCompiler(qb, this.db.dialect, 't', this.customFields, !seesInternalNotes(viewer)).apply(filter);
    } catch (err) {
      if (err instanceof Error && (err as { extensions?: unknown }).extensions) throw err;
      throw badUserInput(`The filter is not valid: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export function streamEvent(ticket: Ticket, change: TicketChange): TicketStreamEvent {
  return Object.assign(new TicketStreamEvent(), { cursor: idCursor(change.id), ticket, change });
}
