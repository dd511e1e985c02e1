import { In } from 'typeorm';
import type { Background } from '../common/background';
import type { Logger } from '../common/logger';
import { retryTransient } from '../common/retry';
import { isDatabaseUnavailable, type Database } from '../db/database';
import { TicketChange } from '../entities/ticket-change.entity';
import { TicketStatus } from '../entities/ticket.enums';
import { Ticket } from '../entities/ticket.entity';
import type { TicketStreamEvent } from '../graphql/types/ticket-stream-event.type';
import type { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import type { Viewer } from '../graphql/context';
import { createLoaders, type Loaders } from '../loaders/loaders';
import type { SearchIndex } from '../search/search-index';
import type { CustomFieldFacts, CustomFieldLookup } from '../search/custom-field.filter';
import type { TicketFieldValue } from '../entities/ticket-field-value.entity';
import { addNeeds, NO_NEEDS, TicketFilterMatcher, type FilterNeeds, type TicketFacts } from '../search/ticket-filter.matcher';
import { TicketUserRole } from '../entities/ticket-user.entity';
import { canSeeChange, canSeeTicket, seesInternalNotes, ticketParticipantIds } from './access';
import type { TicketStreamBus, TicketStreamMessage } from './ticket-stream.bus';
import { streamEvent, type FilteredSubscriber, type TicketStreamService } from './ticket-stream.service';

/** Change ids already dispatched, remembered so overlapping announcements never deliver an entry twice. */
const DISPATCHED_MEMORY = 10_000;

/** Subscribers with the same filter key, and the filter in force for this batch (undefined: it failed to parse). */
interface FilterGroup<T> {
  subs: FilteredSubscriber<T>[];
  filter: TicketFilter | null | undefined;
}

interface LoadedEvent {
  ticket: Ticket;
  changes: TicketChange[];
  opened: boolean;
}

/**
 * Delivers what the bus announces (this process's writes and, with Redis, the other replicas')
 * to this process's subscribers: loads each event's ticket and entries once (one statement each per
 * batch, whatever the subscriber count), loads what the subscribed filters read of those tickets
 * (category keys, creators, requesters, tags, people, full-text documents: one statement each, only those some
 * filter needs) and matches every distinct filter in memory (TicketFilterMatcher), so a batch costs
 * the same statements with 3 or 3,000 distinct filters; then applies each subscriber's visibility
 * (categories, deleted tickets, own tickets) and queues the events. All subscribers of a batch share one set of DataLoaders, so the fields they select
 * are loaded once too. Background work: never part of the writer's request.
 */
export class TicketStreamDispatcher {
  private readonly dispatched = new Set<number>();
  private incoming: TicketStreamMessage[] = [];
  private scheduled = false;
  private tail: Promise<void> = Promise.resolve();
  private readonly matcher: TicketFilterMatcher;

  constructor(
    private readonly db: Database,
    bus: TicketStreamBus,
    private readonly stream: TicketStreamService,
    private readonly searchIndex: SearchIndex,
    private readonly background: Background,
    private readonly log: Logger,
    customFields: CustomFieldLookup,
  ) {
    this.matcher = new TicketFilterMatcher(db.dialect, customFields);
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
      // hiccup is waited out briefly (subscribers that still miss events catch up with ticketChangeStream).
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
    const changed = [...events.values()].filter((e) => e.changes.length > 0).map((e) => e.ticket);
    const now = new Date();
    const createdGroups = opened.length > 0 && created.size > 0 ? this.groups(created, now) : [];
    const viewGroups = changed.length > 0 && views.size > 0 ? this.groups(views, now) : [];
    const needs: FilterNeeds = { ...NO_NEEDS };
    for (const g of [...createdGroups, ...viewGroups]) if (g.filter) addNeeds(g.filter, needs);
    const facts = await this.facts([...new Set([...opened, ...changed])], needs, loaders);
    const participants = await this.participants(tickets, [...created, ...views, ...[...byTicket.values()].flatMap((subs) => [...subs])], loaders);
    // Text filters of callers who do not read internal notes match the public document only.
    const publicDocs = needs.text && [...createdGroups, ...viewGroups].some((g) => !seesInternalNotes(g.subs[0].viewer)) ? await this.searchIndex.documents([...facts.keys()], { publicOnly: true }) : null;
    const createdMatches = createdGroups.length > 0 ? this.match(createdGroups, opened, facts, participants, now, publicDocs) : null;
    const viewMatches = viewGroups.length > 0 ? this.match(viewGroups, changed, facts, participants, now, publicDocs) : new Map<FilteredSubscriber<TicketStreamEvent>, Set<number>>();

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
        if (canSeeTicket(sub.viewer, ticket, { participantIds: participants.get(ticket.id) }) && canSeeChange(sub.viewer, change)) sub.queue.push({ value: event, loaders });
      }
      for (const [sub, ids] of viewMatches) if (ids.has(ticket.id) && canSeeChange(sub.viewer, change)) sub.queue.push({ value: event, loaders });
    }
  }

  /** Subscribers by filter key, each group's filter parsed once for this batch ("today" and @me stay current). */
  private groups<T>(subs: Set<FilteredSubscriber<T>>, now: Date): FilterGroup<T>[] {
    const byKey = new Map<string, FilterGroup<T>>();
    for (const sub of subs) {
      const group = byKey.get(sub.key);
      if (group) {
        group.subs.push(sub);
        continue;
      }
      let filter: TicketFilter | null | undefined;
      try {
        filter = sub.filter(now);
      } catch (err) {
        this.log.error({ err }, 'could not parse a subscription filter');
      }
      byKey.set(sub.key, { subs: [sub], filter });
    }
    return [...byKey.values()];
  }

  /**
   * What the filters read of the tickets, one statement per kind of fact some filter needs
   * (through the batch's loaders, which the subscribers' selections then reuse), whatever the
   * number of filters. A failure here fails the batch, which is retried before anything is queued.
   */
  private async facts(tickets: Ticket[], needs: FilterNeeds, loaders: Loaders): Promise<Map<number, TicketFacts>> {
    const out = new Map<number, TicketFacts>();
    if (tickets.length === 0) return out;
    const ids = tickets.map((t) => t.id);
    const loaded = <V>(values: (V | Error)[]): V[] => values.map((v) => {
      if (v instanceof Error) throw v;
      return v;
    });
    const [categories, creators, requesters, tags, assignees, cc, documents, fieldValues] = await Promise.all([
      needs.category ? loaders.categoryById.loadMany(tickets.map((t) => t.categoryId ?? 0)).then(loaded) : null,
      needs.creator ? loaders.userById.loadMany(tickets.map((t) => t.creatorId)).then(loaded) : null,
      needs.requester ? loaders.userById.loadMany(tickets.map((t) => t.requesterId ?? 0)).then(loaded) : null,
      needs.tags ? loaders.ticketTags.loadMany(ids).then(loaded) : null,
      needs.assignees ? loaders.ticketUsers.loadMany(ids.map((ticketId) => ({ ticketId, role: TicketUserRole.ASSIGNEE }))).then(loaded) : null,
      needs.cc ? loaders.ticketUsers.loadMany(ids.map((ticketId) => ({ ticketId, role: TicketUserRole.CC }))).then(loaded) : null,
      needs.text ? this.searchIndex.documents(ids) : null,
      needs.customFields ? loaders.ticketFieldValues.loadMany(ids).then(loaded) : null,
    ]);
    tickets.forEach((ticket, i) => {
      out.set(ticket.id, {
        ticket,
        categoryKey: ticket.categoryId === null ? null : (categories?.[i]?.key ?? null),
        creatorUsername: creators?.[i]?.username ?? null,
        requesterUsername: ticket.requesterId === null ? null : (requesters?.[i]?.username ?? null),
        tags: tags?.[i].map((t) => t.key) ?? [],
        assignees: assignees?.[i].map((u) => u.username) ?? [],
        cc: cc?.[i].map((u) => u.username) ?? [],
        document: documents?.get(ticket.id) ?? null,
        customFields: fieldValues ? customFieldFacts(fieldValues[i]) : undefined,
      });
    });
    return out;
  }

  /**
   * The assignee and cc ids of the batch's tickets, for own-tickets-only subscribers (one statement,
   * and none when no such subscriber listens).
   */
  private async participants(tickets: Ticket[], subs: { viewer: Viewer }[], loaders: Loaders): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    if (tickets.length === 0 || !subs.some((s) => s.viewer.ownTicketsOnly)) return out;
    const ids = await Promise.all(tickets.map((t) => ticketParticipantIds(loaders, t.id)));
    tickets.forEach((t, i) => out.set(t.id, ids[i]));
    return out;
  }

  /** Which of the tickets each subscriber's filter (and visibility) admits, matched in memory. */
  private match<T>(
    groups: FilterGroup<T>[],
    tickets: Ticket[],
    allFacts: Map<number, TicketFacts>,
    participants: Map<number, number[]>,
    now: Date,
    publicDocs: Map<number, TicketFacts['document'] & object> | null,
  ): Map<FilteredSubscriber<T>, Set<number>> {
    const result = new Map<FilteredSubscriber<T>, Set<number>>();
    for (const { subs, filter } of groups) {
      const { viewer } = subs[0];
      const facts = publicDocs && !seesInternalNotes(viewer) ? withDocuments(allFacts, publicDocs) : allFacts;
      const ids = new Set<number>();
      if (filter !== undefined) {
        try {
          for (const t of tickets) {
            if (!canSeeTicket(viewer, t, { participantIds: participants.get(t.id) })) continue;
            const f = facts.get(t.id);
            if (filter === null || (f && this.matcher.matches(filter, f, now))) ids.add(t.id);
          }
        } catch (err) {
          ids.clear();
          this.log.error({ err }, 'could not match tickets against a subscription filter');
        }
      }
      for (const sub of subs) result.set(sub, ids);
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

/** A ticket's value rows as the matcher compares them: numbers, days, choice keys or text, usernames. */
function customFieldFacts(rows: TicketFieldValue[]): CustomFieldFacts {
  const out: CustomFieldFacts = new Map();
  for (const r of rows) {
    const v = r.valueNumber ?? r.valueDate ?? r.valueUser?.username ?? r.valueText;
    if (v === null) continue;
    const list = out.get(r.fieldId) ?? [];
    list.push(v);
    out.set(r.fieldId, list);
  }
  return out;
}

/** The facts with other full-text documents (the public ones, for callers who do not read internal notes). */
function withDocuments(facts: Map<number, TicketFacts>, docs: Map<number, TicketFacts['document'] & object>): Map<number, TicketFacts> {
  return new Map([...facts].map(([id, f]) => [id, { ...f, document: docs.get(id) ?? null }]));
}
