import { In } from 'typeorm';
import type { Background } from '../common/background';
import type { Logger } from '../common/logger';
import { retryTransient } from '../common/retry';
import { isDatabaseUnavailable, type Database } from '../db/database';
import { TicketChange } from '../entities/ticket-change.entity';
import { TicketStatus } from '../entities/ticket.enums';
import { Ticket } from '../entities/ticket.entity';
import type { TicketStreamEvent } from '../graphql/types/ticket-stream-event.type';
import { createLoaders } from '../loaders/loaders';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import { canSeeTicket, scopeVisibleTickets } from './access';
import type { TicketStreamBus, TicketStreamMessage } from './ticket-stream.bus';
import { streamEvent, type FilteredSubscriber, type TicketStreamService } from './ticket-stream.service';

/** Change ids already dispatched, remembered so overlapping announcements never deliver an entry twice. */
const DISPATCHED_MEMORY = 10_000;

interface LoadedEvent {
  ticket: Ticket;
  changes: TicketChange[];
  opened: boolean;
}

/**
 * Delivers what the bus announces (this process's writes and, with Redis, the other replicas')
 * to this process's subscribers: loads each event's ticket and entries once (one statement each per
 * batch, whatever the subscriber count), checks filtered subscriptions with one statement per
 * distinct filter, applies each subscriber's visibility (categories, deleted tickets) and queues
 * the events. All subscribers of a batch share one set of DataLoaders, so the fields they select
 * are loaded once too. Background work: never part of the writer's request.
 */
export class TicketStreamDispatcher {
  private readonly dispatched = new Set<number>();
  private incoming: TicketStreamMessage[] = [];
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    bus: TicketStreamBus,
    private readonly stream: TicketStreamService,
    private readonly background: Background,
    private readonly log: Logger,
  ) {
    bus.listen((messages) => this.receive(messages));
  }

  /** Messages of one tick go out as one batch. */
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
    const { byTicket, created, views } = this.stream;
    const merged = new Map<number, TicketStreamMessage>();
    for (const m of batch) {
      const into = merged.get(m.ticketId);
      if (into) {
        into.ranges.push(...m.ranges);
        into.opened ||= m.opened;
      } else merged.set(m.ticketId, { ticketId: m.ticketId, ranges: [...m.ranges], opened: m.opened });
    }
    const wanted = [...merged.values()].filter((m) => byTicket.has(m.ticketId) || (views.size > 0 && m.ranges.length > 0) || (m.opened && created.size > 0));
    if (wanted.length === 0) return;

    const em = this.db.manager;
    const tickets = await em.findBy(Ticket, { id: In(wanted.map((m) => m.ticketId)) });
    const withChanges = wanted.filter((m) => m.ranges.length > 0);
    let changes: TicketChange[] = [];
    if (withChanges.length > 0) {
      const parts: string[] = [];
      const params: Record<string, number> = {};
      withChanges.forEach((m, i) =>
        m.ranges.forEach(([from, to], j) => {
          parts.push(`(c.ticketId = :t${i} AND c.id BETWEEN :a${i}_${j} AND :b${i}_${j})`);
          Object.assign(params, { [`t${i}`]: m.ticketId, [`a${i}_${j}`]: Math.min(from, to), [`b${i}_${j}`]: Math.max(from, to) });
        }),
      );
      changes = (await em.createQueryBuilder(TicketChange, 'c').where(parts.join(' OR '), params).orderBy('c.id', 'ASC').getMany()).filter((c) => !this.dispatched.has(c.id));
    }

    const events = new Map<number, LoadedEvent>();
    for (const ticket of tickets) events.set(ticket.id, { ticket, changes: [], opened: merged.get(ticket.id)?.opened ?? false });
    for (const c of changes) events.get(c.ticketId)?.changes.push(c);
    const loaders = createLoaders(this.db);
    for (const ticket of tickets) loaders.ticketById.prime(ticket.id, ticket);

    const opened = [...events.values()].filter((e) => e.opened && e.ticket.status !== TicketStatus.DRAFT && e.ticket.deletedAt === null).map((e) => e.ticket);
    const createdMatches = opened.length > 0 && created.size > 0 ? await this.match(created, opened) : null;
    const changed = [...events.values()].filter((e) => e.changes.length > 0).map((e) => e.ticket);
    const viewMatches = changed.length > 0 && views.size > 0 ? await this.match(views, changed) : new Map<FilteredSubscriber<TicketStreamEvent>, Set<number>>();

    // Everything is loaded; nothing below can fail, so a dispatch retried after a database error
    // never delivers twice. New tickets first (their CREATED entry follows in the change stream).
    if (createdMatches) {
      for (const ticket of opened) {
        for (const sub of created) if (createdMatches.get(sub)?.has(ticket.id)) sub.queue.push({ value: ticket, loaders });
      }
    }
    for (const change of changes) {
      if (!this.firstDispatch(change.id)) continue;
      const ticket = events.get(change.ticketId)?.ticket;
      if (!ticket) continue; // purged since
      const event = streamEvent(ticket, change);
      for (const sub of byTicket.get(ticket.id) ?? []) {
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
}
