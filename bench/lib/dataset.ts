import { TicketUserRole } from '../../src/entities/ticket-user.entity';
import { ChangeType, enumName, TicketPriority, TicketStatus, TicketType, TrackedField } from '../../src/entities/ticket.enums';
import { drawIndex, Random, ZipfSampler } from './random';
import { VOCABULARY } from './words';

/**
 * A deterministic synthetic dataset shaped like a real ticket database: rows for ticket,
 * ticket_change, ticket_tag, ticket_user and ticket_search exactly as the application writes them
 * (stored enum values, JSON-encoded change values, comments concatenated into the search document).
 */

export interface Label {
  id: number;
  /** Username, tag key or category key. */
  key: string;
}

/** Users, tags and categories created through GraphQL before the bulk load, most used first. */
export interface Labels {
  users: Label[];
  tags: Label[];
  categories: Label[];
}

export interface DatasetSpec {
  tickets: number;
  /** Total ticket_change rows, including each ticket's CREATED entry. */
  changes: number;
  seed: number;
  /** Sentences per ticket body (default 1-4; 8-20 gives bodies of about 1 KB). */
  bodySentences?: [number, number];
  /**
   * A share of the tickets with long histories: each gets min..max entries, the rest share what is
   * left as before. Default: none (every history drawn from the same exponential weights).
   */
  heavy?: { share: number; min: number; max: number };
}

/** Columns and values as stored (dates as UTC 'YYYY-MM-DD HH:MM:SS.mmm', which both drivers accept). */
export interface TicketRow {
  id: number;
  number: number;
  subject: string;
  body: string;
  type: TicketType;
  status: TicketStatus;
  priority: TicketPriority;
  categoryId: number | null;
  server: string | null;
  notify: string;
  due: string | null;
  creatorId: number;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  deletedAt: string | null;
  version: number;
}

export interface ChangeRow {
  id: number;
  ticketId: number;
  type: ChangeType;
  field: TrackedField | null;
  oldValue: string | null;
  newValue: string | null;
  body: string | null;
  authorId: number;
  createdAt: string;
}

export interface TicketTagRow {
  ticketId: number;
  tagId: number;
  position: number;
}

export interface TicketUserRow {
  ticketId: number;
  role: TicketUserRole;
  userId: number;
  position: number;
}

export interface SearchRow {
  ticketId: number;
  subject: string;
  body: string;
  /** Live comments in id order, joined by newlines, as SearchIndex.refresh writes them. */
  comments: string;
}

export interface Dataset {
  spec: DatasetSpec;
  tickets: TicketRow[];
  /** Ordered by ticket id, then id. */
  changes: ChangeRow[];
  ticketTags: TicketTagRow[];
  ticketUsers: TicketUserRow[];
  search: SearchRow[];
  tagKeyById: Map<number, string>;
}

export interface DatasetSummary {
  tickets: number;
  visibleTickets: number;
  softDeletedTickets: number;
  ticketsByStatus: Record<string, number>;
  changes: number;
  changesByType: Record<string, number>;
  ticketTags: number;
  ticketUsers: number;
  searchRows: number;
  searchTextMegabytes: number;
}

const STATUS_WEIGHTS = [
  [TicketStatus.DRAFT, 2],
  [TicketStatus.OPEN, 30],
  [TicketStatus.IN_PROGRESS, 12],
  [TicketStatus.ON_HOLD, 6],
  [TicketStatus.RESOLVED, 15],
  [TicketStatus.CLOSED, 35],
] as const;
const TYPE_WEIGHTS = [
  [TicketType.ISSUE, 45],
  [TicketType.CHANGE, 15],
  [TicketType.MAINTENANCE, 10],
  [TicketType.FEATURE, 8],
  [TicketType.QUESTION, 12],
  [TicketType.RELEASE, 5],
  [TicketType.OTHER, 5],
] as const;
const PRIORITY_WEIGHTS = [
  [TicketPriority.LOW, 20],
  [TicketPriority.NORMAL, 55],
  [TicketPriority.HIGH, 18],
  [TicketPriority.URGENT, 7],
] as const;
/** Field edits recorded as CHANGE entries, by how often people make them. */
const FIELD_WEIGHTS = [
  [TrackedField.STATUS, 30],
  [TrackedField.ASSIGNEES, 18],
  [TrackedField.PRIORITY, 12],
  [TrackedField.TAGS, 10],
  [TrackedField.DUE, 8],
  [TrackedField.CATEGORY, 6],
  [TrackedField.SUBJECT, 6],
  [TrackedField.BODY, 6],
  [TrackedField.CC, 4],
] as const;
const TAG_COUNT_WEIGHTS = [[0, 25], [1, 40], [2, 25], [3, 10]] as const;
const ROLE_COUNT_WEIGHTS = [
  [TicketUserRole.ASSIGNEE, [[0, 30], [1, 55], [2, 15]]],
  [TicketUserRole.CC, [[0, 60], [1, 30], [2, 10]]],
] as const;
const COMMENT_SHARE = 0.45;
const SOFT_DELETED_SHARE = 0.01;
/** Tickets are created over the three years before this instant. */
const END = Date.UTC(2025, 5, 1);
const SPAN = 3 * 365 * 24 * 3600 * 1000;
const HOUR = 3600 * 1000;

export function generateDataset(spec: DatasetSpec, labels: Labels): Dataset {
  const random = new Random(spec.seed);
  const text = new TextGenerator(random);
  const tagSampler = new ZipfSampler(labels.tags, 1, 2);
  const categorySampler = new ZipfSampler(labels.categories, 0.8, 1);
  const userSampler = new ZipfSampler(labels.users, 0.7, 1);

  const tickets: TicketRow[] = [];
  const ticketTags: TicketTagRow[] = [];
  const ticketUsers: TicketUserRow[] = [];
  for (let id = 1; id <= spec.tickets; id++) {
    const status = random.weighted(STATUS_WEIGHTS);
    const createdMs = END - SPAN + Math.floor((SPAN * (id - 1)) / spec.tickets) + random.int(0, HOUR);
    tickets.push({
      id,
      number: id,
      subject: text.subject(),
      body: text.paragraph(...(spec.bodySentences ?? [1, 4])),
      type: random.weighted(TYPE_WEIGHTS),
      status,
      priority: random.weighted(PRIORITY_WEIGHTS),
      categoryId: random.chance(0.9) ? categorySampler.draw(random).id : null,
      server: random.chance(0.6) ? `srv-${String(random.int(1, 400)).padStart(3, '0')}` : null,
      notify: '[]',
      due: random.chance(0.2) ? sqlDate(createdMs + random.int(1, 60) * 24 * HOUR) : null,
      creatorId: userSampler.draw(random).id,
      createdAt: sqlDate(createdMs),
      updatedAt: sqlDate(createdMs),
      closedAt: null,
      deletedAt: null,
      version: 1,
    });
    tagSampler.drawDistinct(random, random.weighted(TAG_COUNT_WEIGHTS)).forEach((tag, position) => {
      ticketTags.push({ ticketId: id, tagId: tag.id, position });
    });
    for (const [role, counts] of ROLE_COUNT_WEIGHTS) {
      userSampler.drawDistinct(random, random.weighted(counts)).forEach((user, position) => {
        ticketUsers.push({ ticketId: id, role, userId: user.id, position });
      });
    }
  }

  // Drafts record no history beyond their creation; the other tickets share the remaining entries
  // unevenly (exponential weights: most histories are short, some are long).
  const softDeleted = new Set(tickets.filter((t) => t.status !== TicketStatus.DRAFT && random.chance(SOFT_DELETED_SHARE)).map((t) => t.id));
  const historyOwners = tickets.filter((t) => t.status !== TicketStatus.DRAFT);
  const extra = new Array<number>(spec.tickets + 1).fill(0);
  const remaining = spec.changes - spec.tickets - softDeleted.size;
  if (remaining < 0) throw new Error(`${spec.changes} changes cannot cover ${spec.tickets} tickets`);
  let left = remaining;
  let owners = historyOwners;
  if (spec.heavy) {
    // Every 1/share-th history owner (spread over time) gets a long history.
    const every = Math.max(1, Math.round(1 / spec.heavy.share));
    const heavyIds = new Set(historyOwners.filter((_, i) => i % every === every - 1).map((t) => t.id));
    for (const id of heavyIds) {
      const n = Math.min(left, random.int(spec.heavy.min, spec.heavy.max) - 1);
      extra[id] = n;
      left -= n;
    }
    owners = historyOwners.filter((t) => !heavyIds.has(t.id));
  }
  const ownerSampler = new WeightedSampler(owners.map(() => -Math.log(1 - random.next())));
  for (let i = 0; i < left; i++) extra[owners[ownerSampler.draw(random)].id] += 1;

  const changes: ChangeRow[] = [];
  const search: SearchRow[] = [];
  for (const ticket of tickets) {
    let at = Date.parse(`${ticket.createdAt}Z`);
    const entry = (type: ChangeType, fields: Partial<ChangeRow> = {}): ChangeRow => {
      const row: ChangeRow = {
        id: changes.length + 1,
        ticketId: ticket.id,
        type,
        field: null,
        oldValue: null,
        newValue: null,
        body: null,
        authorId: userSampler.draw(random).id,
        createdAt: sqlDate(at),
        ...fields,
      };
      changes.push(row);
      return row;
    };
    entry(ChangeType.CREATED, { authorId: ticket.creatorId });
    const comments: string[] = [];
    let status = TicketStatus.OPEN;
    for (let i = 0; i < extra[ticket.id]; i++) {
      at += random.int(1, 72 * HOUR);
      const last = i === extra[ticket.id] - 1;
      if (!last && random.chance(COMMENT_SHARE)) {
        comments.push(entry(ChangeType.COMMENT, { body: text.paragraph(1, 4) }).body ?? '');
        continue;
      }
      // The last entry brings the ticket to its final status when it moved on, and keeps it otherwise.
      const field =
        last && ticket.status !== status ? TrackedField.STATUS : random.weighted(last ? FIELD_WEIGHTS.filter(([f]) => f !== TrackedField.STATUS) : FIELD_WEIGHTS);
      const change = fieldChange(random, text, labels, field, status, last ? ticket.status : null);
      if (field === TrackedField.STATUS) status = change.next as TicketStatus;
      entry(ChangeType.CHANGE, { field, oldValue: change.oldValue, newValue: change.newValue });
      ticket.version += 1;
    }
    if (softDeleted.has(ticket.id)) {
      at += random.int(1, 24 * HOUR);
      entry(ChangeType.DELETED);
      ticket.version += 1;
      ticket.deletedAt = sqlDate(at);
    }
    ticket.updatedAt = sqlDate(at);
    if (ticket.status === TicketStatus.CLOSED) ticket.closedAt = ticket.updatedAt;
    search.push({ ticketId: ticket.id, subject: ticket.subject, body: ticket.body, comments: comments.join('\n') });
  }
  return { spec, tickets, changes, ticketTags, ticketUsers, search, tagKeyById: new Map(labels.tags.map((t) => [t.id, t.key])) };
}

export function summarize(data: Dataset): DatasetSummary {
  const count = <T>(rows: T[], key: (row: T) => string): Record<string, number> => {
    const counts: Record<string, number> = {};
    for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
    return counts;
  };
  const textBytes = data.search.reduce((sum, s) => sum + Buffer.byteLength(s.subject) + Buffer.byteLength(s.body) + Buffer.byteLength(s.comments), 0);
  const softDeleted = data.tickets.filter((t) => t.deletedAt !== null).length;
  return {
    tickets: data.tickets.length,
    visibleTickets: data.tickets.length - softDeleted,
    softDeletedTickets: softDeleted,
    ticketsByStatus: count(data.tickets, (t) => t.status),
    changes: data.changes.length,
    changesByType: count(data.changes, (c) => c.type),
    ticketTags: data.ticketTags.length,
    ticketUsers: data.ticketUsers.length,
    searchRows: data.search.length,
    searchTextMegabytes: Math.round((textBytes / 1024 / 1024) * 10) / 10,
  };
}

/** Lower-case words as the full-text engines index them (the generated text is ASCII). */
export function tokens(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^a-z0-9_]+/).filter((w) => w.length >= 3));
}

export function sqlDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

interface FieldChange {
  oldValue: string | null;
  newValue: string | null;
  next: string | null;
}

/**
 * Old and new values JSON-encoded in their GraphQL spelling, as ChangeService records them. A
 * status change goes from `status` to `target` when given, else somewhere else at random.
 */
function fieldChange(random: Random, text: TextGenerator, labels: Labels, field: TrackedField, status: TicketStatus, target: TicketStatus | null): FieldChange {
  const json = (v: unknown) => JSON.stringify(v);
  const pair = <T>(values: readonly T[], current?: T): [T, T] => {
    const from = current ?? random.pick(values);
    let to = random.pick(values);
    while (to === from) to = random.pick(values);
    return [from, to];
  };
  switch (field) {
    case TrackedField.STATUS: {
      const open = Object.values(TicketStatus).filter((s) => s !== TicketStatus.DRAFT);
      const [from, picked] = pair(open, status);
      const to = target ?? picked;
      return { oldValue: json(enumName(TicketStatus, from)), newValue: json(enumName(TicketStatus, to)), next: to };
    }
    case TrackedField.PRIORITY: {
      const [from, to] = pair([TicketPriority.LOW, TicketPriority.NORMAL, TicketPriority.HIGH, TicketPriority.URGENT]);
      return { oldValue: json(enumName(TicketPriority, from)), newValue: json(enumName(TicketPriority, to)), next: null };
    }
    case TrackedField.ASSIGNEES:
    case TrackedField.CC:
      return { oldValue: json([random.pick(labels.users).key]), newValue: json([random.pick(labels.users).key]), next: null };
    case TrackedField.TAGS: {
      const [from, to] = pair(labels.tags.map((t) => t.key));
      return { oldValue: json([from]), newValue: json([from, to]), next: null };
    }
    case TrackedField.CATEGORY:
      return { oldValue: json(null), newValue: json(random.pick(labels.categories).key), next: null };
    case TrackedField.DUE:
      return { oldValue: json(null), newValue: json(new Date(END + random.int(1, 90) * 24 * HOUR).toISOString()), next: null };
    case TrackedField.SUBJECT:
      return { oldValue: json(text.subject()), newValue: json(text.subject()), next: null };
    default:
      // Body edits keep no values (see ChangeService.recordFieldChanges).
      return { oldValue: null, newValue: null, next: null };
  }
}

/** Sentences of Zipf-distributed vocabulary, with the occasional host name or error code. */
class TextGenerator {
  private readonly words: ZipfSampler<string>;
  private readonly topical: ZipfSampler<string>;

  constructor(private readonly random: Random) {
    this.words = new ZipfSampler(VOCABULARY, 1, 2.7);
    // Subjects skip the function words at the top of the list.
    this.topical = new ZipfSampler(VOCABULARY.slice(VOCABULARY.indexOf('server')), 1, 2.7);
  }

  subject(): string {
    const words = Array.from({ length: this.random.int(4, 10) }, () => this.topical.draw(this.random));
    if (this.random.chance(0.3)) words.push(this.identifier());
    return capitalize(words.join(' '));
  }

  paragraph(minSentences: number, maxSentences: number): string {
    return Array.from({ length: this.random.int(minSentences, maxSentences) }, () => this.sentence()).join(' ');
  }

  private sentence(): string {
    const words = Array.from({ length: this.random.int(5, 18) }, () => this.words.draw(this.random));
    if (this.random.chance(0.08)) words.splice(this.random.int(0, words.length), 0, this.identifier());
    if (words.length > 8 && this.random.chance(0.3)) words[this.random.int(3, words.length - 3)] += ',';
    return `${capitalize(words.join(' '))}${this.random.pick(['.', '.', '.', '?', '!'])}`;
  }

  private identifier(): string {
    return this.random.weighted([
      [`srv-${String(this.random.int(1, 400)).padStart(3, '0')}`, 4],
      [`err${this.random.int(1000, 9999)}`, 2],
      [`INC${this.random.int(10000, 99999)}`, 1],
      [`10.${this.random.int(0, 255)}.${this.random.int(0, 255)}.${this.random.int(1, 254)}`, 1],
    ]);
  }
}

/** Index drawn with probability proportional to its weight. */
class WeightedSampler {
  private readonly cumulative: Float64Array;

  constructor(weights: number[]) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => (this.cumulative[i] = sum += w));
  }

  draw(random: Random): number {
    return drawIndex(this.cumulative, random);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
