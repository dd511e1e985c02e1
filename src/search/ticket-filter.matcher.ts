import { badUserInput } from '../common/errors';
import type { Ticket } from '../entities/ticket.entity';
import type { DateTimeFilter, KeyFilter, KeyListFilter, TextFilter, TicketFilter } from '../graphql/inputs/ticket-filter.input';
import { matchCustomField, NO_CUSTOM_FIELDS, typedCondition, type CustomFieldFacts, type CustomFieldLookup } from './custom-field.filter';
import { fullTextWords, type FullTextColumn } from './full-text';

/** What a filter may look at besides the ticket's own columns, loaded once per dispatched batch. */
export interface TicketFacts {
  ticket: Ticket;
  categoryKey: string | null;
  creatorUsername: string | null;
  /** null: no requester. */
  requesterUsername: string | null;
  tags: string[];
  assignees: string[];
  cc: string[];
  /** The ticket's full-text document (ticket_search); null when no filter needs it or the row is missing. */
  document: { subject: string; body: string; comments: string } | null;
  /** The ticket's custom field values by field id; loaded when some filter has customFields. */
  customFields?: CustomFieldFacts;
}

/** Which facts some filter needs (nothing is loaded that no filter reads). */
export interface FilterNeeds {
  category: boolean;
  creator: boolean;
  requester: boolean;
  tags: boolean;
  assignees: boolean;
  cc: boolean;
  text: boolean;
  customFields?: boolean;
}

export const NO_NEEDS: Readonly<FilterNeeds> = { category: false, creator: false, requester: false, tags: false, assignees: false, cc: false, text: false, customFields: false };

/** Adds what `filter` reads to `needs`. */
export function addNeeds(filter: TicketFilter, needs: FilterNeeds): void {
  if (filter.category) needs.category = true;
  if (filter.creator) needs.creator = true;
  if (filter.requester) needs.requester = true;
  if (filter.tags) needs.tags = true;
  if (filter.assignees) needs.assignees = true;
  if (filter.cc) needs.cc = true;
  if (filter.text || filter.subject || filter.body || filter.comments) needs.text = true;
  if (filter.customFields?.length) needs.customFields = true;
  for (const f of [...(filter.and ?? []), ...(filter.or ?? []), ...(filter.not ? [filter.not] : [])]) addNeeds(f, needs);
}

/**
 * SQL's three-valued logic: null is "unknown" (a condition on a column that holds NULL). The
 * compiler's SQL keeps a ticket only when its condition is true, and NOT unknown stays unknown, so
 * `not: { category: { in: [...] } }` leaves out tickets without a category; the matcher must too.
 */
type Tri = boolean | null;

function and(values: Tri[]): Tri {
  if (values.includes(false)) return false;
  return values.includes(null) ? null : true;
}

function or(values: Tri[]): Tri {
  if (values.includes(true)) return true;
  return values.includes(null) ? null : false;
}

type Ordered = { eq?: unknown; lt?: unknown; lte?: unknown; gt?: unknown; gte?: unknown; in?: unknown[] | null; notIn?: unknown[] | null };

/**
 * Decides in memory whether a ticket matches a TicketFilter, with the meaning TicketFilterCompiler
 * gives it in SQL (the compiler stays the reference: filters are compiled, and so checked, when a
 * subscription starts). The stream dispatcher uses it so that an event costs the same statements
 * however many distinct filters are subscribed: the tickets' facts are loaded once per batch and
 * every filter is matched here. Keys and usernames compare like the database's collation (exact on
 * SQLite, case-insensitive on MySQL; external ids exact on both); full text uses the index's word rules (letters, digits and
 * underscores, case and accents folded, a trailing * for a prefix, no stopwords). Documents and query words both come in their indexed form, with short words marked
 * (full-text.ts), so "db" matches the word "db" only, never "dbadmin".
 */
export class TicketFilterMatcher {
  private readonly tokenCache = new WeakMap<object, Map<FullTextColumn, string[]>>();

  constructor(
    private readonly dialect: 'sqlite' | 'mysql',
    private readonly customFields: CustomFieldLookup = NO_CUSTOM_FIELDS,
  ) {}

  matches(filter: TicketFilter, facts: TicketFacts, now: Date): boolean {
    return this.evaluate(filter, facts, now) === true;
  }

  private evaluate(filter: TicketFilter, facts: TicketFacts, now: Date): Tri {
    const t = facts.ticket;
    const checks: (() => Tri)[] = [];
    const add = (check: () => Tri) => checks.push(check);
    if (filter.number) add(() => ordered(t.number, filter.number as Ordered));
    if (filter.type) add(() => ordered(t.type, filter.type as Ordered));
    if (filter.status) add(() => ordered(t.status, filter.status as Ordered));
    if (filter.priority) add(() => ordered(t.priority, filter.priority as Ordered));
    if (filter.category) add(() => this.single(facts.categoryKey, filter.category as KeyFilter, 'category'));
    if (filter.creator) add(() => this.single(facts.creatorUsername, filter.creator as KeyFilter, 'creator'));
    if (filter.requester) add(() => this.single(facts.requesterUsername, filter.requester as KeyFilter, 'requester'));
    if (filter.server) add(() => this.single(t.server, filter.server as KeyFilter, 'server'));
    if (filter.tags) add(() => this.list(facts.tags, filter.tags as KeyListFilter));
    if (filter.assignees) add(() => this.list(facts.assignees, filter.assignees as KeyListFilter));
    if (filter.cc) add(() => this.list(facts.cc, filter.cc as KeyListFilter));
    for (const column of ['text', 'subject', 'body', 'comments'] as const) {
      const text = filter[column];
      if (text) add(() => this.text(facts, column, text));
    }
    if (filter.created) add(() => date(t.createdAt, filter.created as DateTimeFilter));
    if (filter.modified) add(() => date(t.updatedAt, filter.modified as DateTimeFilter));
    if (filter.due) add(() => date(t.due, filter.due as DateTimeFilter));
    if (filter.closed) add(() => date(t.closedAt, filter.closed as DateTimeFilter));
    if (filter.slaBreached != null) add(() => slaBreached(t, now) === filter.slaBreached);
    if (filter.source) add(() => ordered(t.source, filter.source as Ordered));
    if (filter.externalId) add(() => this.single(t.externalId, filter.externalId as KeyFilter, 'externalId'));
    for (const cf of filter.customFields ?? []) add(() => matchCustomField(typedCondition(cf, this.customFields, now), facts.customFields ?? new Map(), (s) => this.key(s)));
    if (filter.and) add(() => and((filter.and ?? []).map((f) => this.evaluate(f, facts, now))));
    if (filter.or) add(() => or((filter.or ?? []).map((f) => this.evaluate(f, facts, now))));
    if (filter.not) {
      add(() => {
        const inner = this.evaluate(filter.not as TicketFilter, facts, now);
        return inner === null ? null : !inner;
      });
    }
    return and(checks.map((check) => check()));
  }

  /** A key as the column's collation compares it: case folded on MySQL, except external ids (exact on both, column-types.ts MariaDbExact). */
  private key(value: string, what?: string): string {
    return this.dialect === 'mysql' && what !== 'externalId' ? value.toLowerCase() : value;
  }

  /**
   * A single-valued key (category key, creator or requester username, server). As in SQL, `col IN (...)` and
   * LIKE on a NULL column are unknown; notIn matches "no value" (the compiler adds IS NULL OR).
   */
  private single(value: string | null, f: KeyFilter, what: string): Tri {
    const v = value === null ? null : this.key(value, what);
    const has = (list: string[]): Tri => (v === null ? null : list.some((x) => this.key(x, what) === v));
    const parts: Tri[] = [];
    if (f.eq != null) parts.push(has([f.eq]));
    if (f.in != null) parts.push(f.in.length === 0 ? false : has(f.in));
    if (f.notIn != null && f.notIn.length > 0) parts.push(v === null ? true : has(f.notIn) === false);
    if (f.isNull != null) parts.push((value === null) === f.isNull);
    if (f.contains != null) {
      if (what !== 'server') throw badUserInput(`${what}: contains is only supported on server`);
      // LIKE ignores case on both databases (ASCII on SQLite, the collation on MySQL).
      parts.push(value === null ? null : value.toLowerCase().includes(f.contains.toLowerCase()));
    }
    return and(parts);
  }

  /** A list of keys (tags, assignees, cc): empty when the ticket has none. */
  private list(values: string[], f: KeyListFilter): boolean {
    const set = new Set(values.map((v) => this.key(v)));
    const any = (list: string[]) => list.some((x) => set.has(this.key(x)));
    if (f.eq != null && !any([f.eq])) return false;
    if (f.in != null && !any(f.in)) return false;
    if (f.notIn != null && f.notIn.length > 0 && any(f.notIn)) return false;
    if (f.isNull != null && (set.size === 0) !== f.isNull) return false;
    return true;
  }

  private text(facts: TicketFacts, column: FullTextColumn, f: TextFilter): boolean {
    for (const phrase of [false, true]) {
      const value = phrase ? f.phrase : f.contains;
      if (value == null) continue;
      // No stopwords on either database: the MySQL indexes were built with innodb_ft_enable_stopword
      // off (see the Search migration), and InnoDB then finds "the" or "for" alone and in phrases.
      const words = fullTextWords(value, phrase).map((w) => fold(w));
      if (words.length === 0 || !facts.document) return false;
      const columns: FullTextColumn[] = column === 'text' ? ['subject', 'body', 'comments'] : [column];
      const tokenLists = columns.map((c) => this.tokens(facts, c));
      if (phrase) {
        if (!tokenLists.some((tokens) => containsSequence(tokens, words))) return false;
      } else {
        const all = tokenLists.flat();
        const set = new Set(all);
        for (const w of words) {
          const found = w.endsWith('*') ? all.some((t) => t.startsWith(w.slice(0, -1))) : set.has(w);
          if (!found) return false;
        }
      }
    }
    return true;
  }

  /** A column's words, split once per ticket document however many filters look at it. */
  private tokens(facts: TicketFacts, column: FullTextColumn): string[] {
    const doc = facts.document as NonNullable<TicketFacts['document']>;
    let byColumn = this.tokenCache.get(doc);
    if (!byColumn) this.tokenCache.set(doc, (byColumn = new Map()));
    let tokens = byColumn.get(column);
    if (!tokens) byColumn.set(column, (tokens = fold(doc[column as 'subject' | 'body' | 'comments'] ?? '').match(/[\p{L}\p{N}_]+/gu) ?? []));
    return tokens;
  }
}

/** Lower case without accents, as the full-text indexes compare words. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

function containsSequence(tokens: string[], words: string[]): boolean {
  outer: for (let i = 0; i + words.length <= tokens.length; i++) {
    for (let j = 0; j < words.length; j++) if (tokens[i + j] !== words[j]) continue outer;
    return true;
  }
  return false;
}

function comparable(v: unknown): number | string {
  if (v instanceof Date) return v.getTime();
  return typeof v === 'number' ? v : String(v);
}

/** eq/in/notIn/lt/lte/gt/gte on a non-null column. */
function ordered(value: unknown, f: Ordered): boolean {
  const v = comparable(value);
  const c = (x: unknown) => comparable(x);
  if (f.eq != null && v !== c(f.eq)) return false;
  if (f.lt != null && !(v < c(f.lt))) return false;
  if (f.lte != null && !(v <= c(f.lte))) return false;
  if (f.gt != null && !(v > c(f.gt))) return false;
  if (f.gte != null && !(v >= c(f.gte))) return false;
  if (f.in != null && !f.in.some((x) => c(x) === v)) return false;
  if (f.notIn != null && f.notIn.some((x) => c(x) === v)) return false;
  return true;
}

function date(value: Date | null, f: DateTimeFilter): boolean {
  const hasOrdered = f.eq != null || f.lt != null || f.lte != null || f.gt != null || f.gte != null;
  if (hasOrdered && (value === null || !ordered(new Date(value), f as Ordered))) return false;
  if (f.isNull != null && (value === null) !== f.isNull) return false;
  return true;
}

/** Same rule as SlaService.of and the compiler: a target passed before the response or resolution came (or now). */
function slaBreached(t: Ticket, now: Date): boolean {
  const before = (due: Date | null, done: Date | null) => due !== null && new Date(due).getTime() < (done ? new Date(done).getTime() : now.getTime());
  return before(t.resolutionDueAt, t.resolvedAt) || before(t.responseDueAt, t.firstResponseAt);
}
