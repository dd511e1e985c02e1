import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { In } from 'typeorm';
import type { Background } from '../common/background';
import { badUserInput } from '../common/errors';
import { retryTransient } from '../common/retry';
import type { Logger } from '../common/logger';
import type { AppConfig } from '../config/config';
import { isDatabaseUnavailable, type Database } from '../db/database';
import { TicketChange } from '../entities/ticket-change.entity';
import { TicketStatus } from '../entities/ticket.enums';
import { Ticket } from '../entities/ticket.entity';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext, Viewer } from '../graphql/context';
import type { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import type { Page } from '../graphql/types/connection.factory';
import { TicketStreamEvent } from '../graphql/types/ticket-stream-event.type';
import { createLoaders, type Loaders } from '../loaders/loaders';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import { parseTicketQuery } from '../search/ticket-query.parser';
import { canSeeTicket, requireViewer, scopeVisibleTickets } from './access';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';
import type { TicketStreamBus, TicketStreamMessage } from './ticket-stream.bus';

/** Events a subscriber may have waiting before it is cut off (it then resumes with ticketEvents). */
export const SUBSCRIBER_BUFFER = 1_000;
/** Change ids already dispatched, remembered so overlapping announcements never deliver an entry twice. */
const DISPATCHED_MEMORY = 10_000;

/** One value for one subscriber, with the loaders to resolve its fields (shared by every subscriber of the event). */
interface Delivery<T> {
  value: T;
  loaders: Loaders;
}

/**
 * A subscription's source: an async iterator fed by the dispatcher. graphql-ws pulls the next value
 * only after the previous one was sent, so the operation's context can take the event's loaders
 * as each value is handed out (a long-lived subscription must not serve stale cached rows).
 */
class SubscriberQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: Delivery<T>[] = [];
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (err: Error) => void } | null = null;
  private failure: Error | null = null;
  private ended = false;

  constructor(
    private readonly ctx: RequestContext,
    private readonly onEnd: () => void,
  ) {}

  push(delivery: Delivery<T>): void {
    if (this.ended) return;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      this.ctx.loaders = delivery.loaders;
      resolve({ value: delivery.value, done: false });
    } else if (this.buffer.length >= SUBSCRIBER_BUFFER) {
      this.fail(new Error(`This subscription fell more than ${SUBSCRIBER_BUFFER} events behind and was ended; subscribe again and fetch what was missed with ticketEvents(after:)`));
    } else {
      this.buffer.push(delivery);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const delivery = this.buffer.shift();
    if (delivery) {
      this.ctx.loaders = delivery.loaders;
      return Promise.resolve({ value: delivery.value, done: false });
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    this.buffer.length = 0;
    if (this.waiting) {
      this.waiting.resolve({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private fail(err: Error): void {
    this.end();
    this.buffer.length = 0;
    if (this.waiting) {
      this.waiting.reject(err);
      this.waiting = null;
    } else {
      this.failure = err;
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }
}

interface TicketSubscriber {
  viewer: Viewer;
  queue: SubscriberQueue<TicketStreamEvent>;
}

/** A subscriber whose tickets are chosen by a filter; subscribers with the same key share one SQL check per event. */
interface FilteredSubscriber<T> {
  viewer: Viewer;
  key: string;
  /** The filter in force now (a query is parsed again per event: "today" and @me stay current). */
  filter: (now: Date) => TicketFilter | null;
  queue: SubscriberQueue<T>;
}

interface LoadedEvent {
  ticket: Ticket;
  changes: TicketChange[];
  opened: boolean;
}

/**
 * Ticket subscriptions and the change stream.
 *
 * Writes: the hooks below run inside the writer's transaction and only collect what it wrote;
 * one message per ticket is published after commit (Database.afterCommit), never on rollback.
 *
 * Delivery: the bus hands every process the messages; the dispatcher loads each event's ticket
 * and entries once per process (one statement each per batch, whatever the subscriber count),
 * checks filtered subscriptions with one SQL statement per distinct filter, applies each
 * subscriber's visibility (categories, deleted tickets) and queues the events. All subscribers
 * of a batch share one set of DataLoaders, so the fields they select are loaded once too.
 */
export class TicketStreamService {
  private readonly pendingByTx = new WeakMap<EntityManager, Map<number, TicketStreamMessage>>();
  private readonly byTicket = new Map<number, Set<TicketSubscriber>>();
  private readonly created = new Set<FilteredSubscriber<Ticket>>();
  private readonly views = new Set<FilteredSubscriber<TicketStreamEvent>>();
  private readonly dispatched = new Set<number>();
  private incoming: TicketStreamMessage[] = [];
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly bus: TicketStreamBus,
    private readonly limits: AppConfig['limits'],
    private readonly background: Background,
    private readonly log: Logger,
  ) {
    bus.listen((messages) => this.receive(messages));
  }

  // ---- hooks (in the writer's transaction) ----

  /** History entries firstChangeId..lastChangeId of one ticket were written. */
  changesRecorded(em: EntityManager, ticketId: number, firstChangeId: number, lastChangeId: number): void {
    this.collect(em, ticketId, (m) => m.ranges.push([firstChangeId, lastChangeId]));
  }

  /** A ticket was created open, or a draft was published. */
  ticketOpened(em: EntityManager, ticketId: number): void {
    this.collect(em, ticketId, (m) => (m.opened = true));
  }

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
      key: JSON.stringify([filter ?? null, viewer.categoryIds]),
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
      key: JSON.stringify([text, viewer.user.username, viewer.categoryIds]),
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

  /** Visible history entries of all tickets (or one), in id order: what a reconnecting subscriber missed. */
  async page(ctx: RequestContext, args: ConnectionArgs & { ticketId?: string | null }): Promise<Page<TicketStreamEvent>> {
    const viewer = requireViewer(ctx);
    const req = pageRequest(args, this.limits);
    const ticketId = args.ticketId != null ? (await ctx.services.tickets.requireTicket(ctx, args.ticketId)).id : null;
    const base = this.db.manager.createQueryBuilder(TicketChange, 'c').innerJoin(Ticket, 't', 't.id = c.ticketId');
    scopeVisibleTickets(base as unknown as SelectQueryBuilder<Ticket>, viewer, 't');
    if (ticketId !== null) base.andWhere('c.ticketId = :eventsTicketId', { eventsTicketId: ticketId });
    const countQb = base.clone();
    if (req.cursor) base.andWhere(req.backward ? 'c.id < :eventsCursor' : 'c.id > :eventsCursor', { eventsCursor: decodeIdCursor(req.cursor) });
    const rows = await base.orderBy('c.id', req.backward ? 'DESC' : 'ASC').limit(req.limit + 1).getMany();
    const tickets = await ctx.loaders.ticketById.loadMany([...new Set(rows.map((c) => c.ticketId))]);
    const byId = new Map(tickets.filter((t): t is Ticket => t instanceof Ticket).map((t) => [t.id, t]));
    const events = rows.filter((c) => byId.has(c.ticketId)).map((change) => toEvent(byId.get(change.ticketId) as Ticket, change));
    return { ...buildPage(events, req, (e) => e.cursor), count: () => countQb.getCount() };
  }

  // ---- dispatch ----

  /** Adds to what this transaction announces at commit; the first addition registers the announcement. */
  private collect(em: EntityManager, ticketId: number, add: (message: TicketStreamMessage) => void): void {
    let pending = this.pendingByTx.get(em);
    const fresh = !pending;
    if (!pending) this.pendingByTx.set(em, (pending = new Map()));
    let message = pending.get(ticketId);
    if (!message) pending.set(ticketId, (message = { ticketId, ranges: [], opened: false }));
    add(message);
    if (!fresh) return;
    const collected = pending;
    this.db.afterCommit(em, () => {
      this.pendingByTx.delete(em);
      try {
        this.bus.publish([...collected.values()]);
      } catch (err) {
        this.log.error({ err }, 'could not publish ticket events');
      }
    });
  }

  /**
   * Messages arrive from the committing request (in-process bus) or from Redis; dispatch is
   * background work either way, never part of the writer's request. Messages of one tick go out
   * as one batch.
   */
  private receive(messages: TicketStreamMessage[]): void {
    this.incoming.push(...messages);
    if (this.scheduled) return;
    this.scheduled = true;
    this.background.after('ticket stream dispatch', 0, () => {
      this.scheduled = false;
      const batch = this.incoming;
      this.incoming = [];
      // One batch at a time, in arrival order, so each subscriber sees entries in order; a database
      // hiccup is waited out briefly (subscribers that still miss events catch up with ticketEvents).
      const dispatch = () => retryTransient(() => this.dispatch(batch), { transient: isDatabaseUnavailable, forMs: 30_000 });
      this.tail = this.tail.then(dispatch).catch((err: unknown) => this.log.error({ err }, 'could not dispatch ticket events'));
      return this.tail;
    });
  }

  private async dispatch(batch: TicketStreamMessage[]): Promise<void> {
    const merged = new Map<number, TicketStreamMessage>();
    for (const m of batch) {
      const into = merged.get(m.ticketId);
      if (into) {
        into.ranges.push(...m.ranges);
        into.opened ||= m.opened;
      } else merged.set(m.ticketId, { ticketId: m.ticketId, ranges: [...m.ranges], opened: m.opened });
    }
    const wanted = [...merged.values()].filter((m) => this.byTicket.has(m.ticketId) || (this.views.size > 0 && m.ranges.length > 0) || (m.opened && this.created.size > 0));
    if (wanted.length === 0) return;

    const em = this.db.manager;
    const tickets = await em.findBy(Ticket, { id: In(wanted.map((m) => m.ticketId)) });
    const withChanges = wanted.filter((m) => m.ranges.length > 0);
    let changes: TicketChange[] = [];
    if (withChanges.length > 0) {
      const qb = em.createQueryBuilder(TicketChange, 'c');
      const parts: string[] = [];
      const params: Record<string, number> = {};
      withChanges.forEach((m, i) =>
        m.ranges.forEach(([from, to], j) => {
          parts.push(`(c.ticketId = :t${i} AND c.id BETWEEN :a${i}_${j} AND :b${i}_${j})`);
          Object.assign(params, { [`t${i}`]: m.ticketId, [`a${i}_${j}`]: Math.min(from, to), [`b${i}_${j}`]: Math.max(from, to) });
        }),
      );
      changes = (await qb.where(parts.join(' OR '), params).orderBy('c.id', 'ASC').getMany()).filter((c) => !this.dispatched.has(c.id));
    }

    const events = new Map<number, LoadedEvent>();
    for (const ticket of tickets) events.set(ticket.id, { ticket, changes: [], opened: merged.get(ticket.id)?.opened ?? false });
    for (const c of changes) events.get(c.ticketId)?.changes.push(c);
    const loaders = createLoaders(this.db);
    for (const ticket of tickets) loaders.ticketById.prime(ticket.id, ticket);

    const opened = [...events.values()].filter((e) => e.opened && e.ticket.status !== TicketStatus.DRAFT && e.ticket.deletedAt === null).map((e) => e.ticket);
    const createdMatches = opened.length > 0 && this.created.size > 0 ? await this.match(this.created, opened) : null;
    const changed = [...events.values()].filter((e) => e.changes.length > 0).map((e) => e.ticket);
    const viewMatches = changed.length > 0 && this.views.size > 0 ? await this.match(this.views, changed) : new Map<FilteredSubscriber<TicketStreamEvent>, Set<number>>();

    // Everything is loaded; nothing below can fail, so a dispatch retried after a database error
    // never delivers twice. New tickets first (their CREATED entry follows in the change stream).
    if (createdMatches) {
      for (const ticket of opened) {
        for (const sub of this.created) if (createdMatches.get(sub)?.has(ticket.id)) sub.queue.push({ value: ticket, loaders });
      }
    }
    for (const change of changes) {
      if (!this.firstDispatch(change.id)) continue;
      const ticket = events.get(change.ticketId)?.ticket;
      if (!ticket) continue; // purged since
      const event = toEvent(ticket, change);
      for (const sub of this.byTicket.get(ticket.id) ?? []) {
        if (canSeeTicket(sub.viewer, ticket)) sub.queue.push({ value: event, loaders });
      }
      for (const [sub, ids] of viewMatches) if (ids.has(ticket.id)) sub.queue.push({ value: event, loaders });
    }
  }

  /** Which of the tickets each subscriber's filter (and visibility) admits: one statement per distinct filter key. */
  private async match<T>(subs: Set<FilteredSubscriber<T>>, tickets: Ticket[]): Promise<Map<FilteredSubscriber<T>, Set<number>>> {
    const groups = new Map<string, FilteredSubscriber<T>[]>();
    for (const sub of subs) {
      const group = groups.get(sub.key);
      if (group) group.push(sub);
      else groups.set(sub.key, [sub]);
    }
    const result = new Map<FilteredSubscriber<T>, Set<number>>();
    const now = new Date();
    for (const group of groups.values()) {
      const { viewer } = group[0];
      const visible = tickets.filter((t) => canSeeTicket(viewer, t));
      let ids = new Set<number>();
      if (visible.length > 0) {
        try {
          const filter = group[0].filter(now);
          if (filter === null) ids = new Set(visible.map((t) => t.id));
          else {
            const qb = this.db.manager.createQueryBuilder(Ticket, 't').select('t.id', 'id').where('t.id IN (:...candidateIds)', { candidateIds: visible.map((t) => t.id) });
            scopeVisibleTickets(qb, viewer, 't');
            new TicketFilterCompiler(qb, this.db.dialect).apply(filter);
            ids = new Set((await qb.getRawMany<{ id: number | string }>()).map((r) => Number(r.id)));
          }
        } catch (err) {
          this.log.error({ err }, 'could not match tickets against a subscription filter');
        }
      }
      for (const sub of group) result.set(sub, ids);
    }
    return result;
  }

  private firstDispatch(changeId: number): boolean {
    if (this.dispatched.has(changeId)) return false;
    this.dispatched.add(changeId);
    if (this.dispatched.size > DISPATCHED_MEMORY) {
      // Sets iterate in insertion order: forget the oldest.
      const oldest = this.dispatched.values().next().value as number;
      this.dispatched.delete(oldest);
    }
    return true;
  }

  /** Compiles the filter once (without running it) so a malformed one fails the subscription now, naming the problem. */
  private validateFilter(viewer: Viewer, filter: TicketFilter | null): void {
    if (!filter) return;
    const qb = scopeVisibleTickets(this.db.manager.createQueryBuilder(Ticket, 't'), viewer, 't');
    try {
      new TicketFilterCompiler(qb, this.db.dialect).apply(filter);
    } catch (err) {
      if (err instanceof Error && (err as { extensions?: unknown }).extensions) throw err;
      throw badUserInput(`The filter is not valid: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function toEvent(ticket: Ticket, change: TicketChange): TicketStreamEvent {
  return Object.assign(new TicketStreamEvent(), { cursor: idCursor(change.id), ticket, change });
}
