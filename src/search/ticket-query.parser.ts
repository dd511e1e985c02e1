import { badUserInput } from '../common/errors';
import { TicketPriority, TicketStatus, TicketType } from '../entities/ticket.enums';
import { TicketSource } from '../entities/ticket-source.enum';
import type { CustomFieldFilter } from '../graphql/inputs/custom-field-filter.input';
import type {
  KeyFilter,
  KeyListFilter,
  TextFilter,
  TicketFilter,
} from '../graphql/inputs/ticket-filter.input';
import { fullTextWords } from './full-text';

/**
 * The ticket query language (the reference's "simple query" grammar), parsed into a TicketFilter.
 *
 *   query  := term*                         terms are separated by spaces and ANDed
 *   term   := ['-'] [field ':'] ['-'] alternatives
 *   alternatives := value ('|' value)*      any of the values
 *   value  := word | '"' phrase '"' | ('>'|'>='|'<'|'<='|'=') scalar | scalar '..' scalar
 *
 * A bare word searches the default full-text field (subject, body and comments). After a
 * full-text field term, following bare words search that field too, as in the reference
 * (`subject:zip targeting`, `changes:thank you`). `-` excludes; `none` matches an empty field;
 * `@me` is the caller's username; `*` alone means everything. Values are never written into SQL:
 * the result is compiled with bound parameters.
 */

export const QUERY_LIMITS = { maxLength: 4096, maxTerms: 100 };

export interface QueryContext {
  now: Date;
  /** The caller, for @me. */
  username: string | null;
}

type Kind = 'enum' | 'priority' | 'number' | 'date' | 'key' | 'list' | 'text' | 'sla' | 'custom';
interface FieldSpec {
  kind: Kind;
  target: keyof TicketFilter;
  /** enum fields: the allowed stored values. */
  values?: readonly string[];
  /** key/list/date fields: whether "none" (no value) can match. */
  nullable?: boolean;
  /** key/list fields holding usernames accept @me. */
  users?: boolean;
  /** Values compare as typed (server ids); otherwise lower-cased like keys and usernames. */
  caseSensitive?: boolean;
  /** custom: the custom field's key (cf.<key>). */
  key?: string;
}

const FIELDS: Record<string, FieldSpec> = {
  type: { kind: 'enum', target: 'type', values: Object.values(TicketType) },
  status: { kind: 'enum', target: 'status', values: Object.values(TicketStatus) },
  priority: { kind: 'priority', target: 'priority' },
  num: { kind: 'number', target: 'number' },
  tags: { kind: 'list', target: 'tags' },
  category: { kind: 'key', target: 'category', nullable: true },
  server: { kind: 'key', target: 'server', nullable: true, caseSensitive: true },
  assignees: { kind: 'list', target: 'assignees', users: true },
  cc: { kind: 'list', target: 'cc', users: true },
  username: { kind: 'key', target: 'creator', users: true },
  requester: { kind: 'key', target: 'requester', users: true, nullable: true },
  subject: { kind: 'text', target: 'subject' },
  body: { kind: 'text', target: 'body' },
  changes: { kind: 'text', target: 'comments' },
  text: { kind: 'text', target: 'text' },
  created: { kind: 'date', target: 'created' },
  modified: { kind: 'date', target: 'modified' },
  due: { kind: 'date', target: 'due', nullable: true },
  closed: { kind: 'date', target: 'closed', nullable: true },
  sla: { kind: 'sla', target: 'slaBreached' },
  source: { kind: 'enum', target: 'source', values: Object.values(TicketSource) },
  external: { kind: 'key', target: 'externalId', nullable: true, caseSensitive: true },
};
/** Alternative spellings people reach for; the canonical names above are what ticketQueryParse documents. */
const ALIASES: Record<string, string> = { number: 'num', tag: 'tags', assignee: 'assignees', creator: 'username', comments: 'changes', externalid: 'external' };
export const QUERY_FIELDS = Object.keys(FIELDS);

// Maps, not object literals: user text must never reach inherited members such as constructor.
const PRIORITY_NAMES = new Map<string, TicketPriority>([['low', TicketPriority.LOW], ['normal', TicketPriority.NORMAL], ['high', TicketPriority.HIGH], ['urgent', TicketPriority.URGENT]]);

interface Token {
  raw: string;
  /** 1-based position of the token in the query, for error messages. */
  at: number;
}

/** Parses a query; null means "no condition". Throws BAD_USER_INPUT naming the offending term. */
export function parseTicketQuery(query: string, ctx: QueryContext): TicketFilter | null {
  if (query.length > QUERY_LIMITS.maxLength) throw badUserInput(`The query is longer than ${QUERY_LIMITS.maxLength} characters`);
  const tokens = tokenize(query);
  if (tokens.length > QUERY_LIMITS.maxTerms) throw badUserInput(`The query has more than ${QUERY_LIMITS.maxTerms} terms`);

  const fragments: TicketFilter[] = [];
  let textField: FieldSpec = FIELDS.text;
  for (const token of tokens) {
    if (token.raw === '*') continue;
    try {
      const term = splitTerm(token.raw);
      const spec = term.field === null ? textField : lookupField(term.field);
      if (term.field !== null) textField = spec.kind === 'text' ? spec : FIELDS.text;
      const fragment = term.field === null && /^#?\d{1,9}$/.test(term.value) ? ticketNumberTerm(term.value, spec, ctx) : parseValue(spec, term.value, ctx);
      fragments.push(term.negated ? { not: fragment } : fragment);
    } catch (e) {
      if (e instanceof TermError) throw badUserInput(`${e.message} (in "${clip(token.raw)}" at position ${token.at})`);
      throw e;
    }
  }
  return merge(fragments);
}

class TermError extends Error {}

/**
 * A bare ticket number, as xyOps finds tickets: "#18" is ticket 18; a bare 18 is ticket 18, or the
 * number as a word of the text (an error code such as 404; short words are searchable too).
 */
function ticketNumberTerm(value: string, textField: FieldSpec, ctx: QueryContext): TicketFilter {
  const byNumber = parseValue(FIELDS.num, value, ctx);
  if (value.startsWith('#')) return byNumber;
  try {
    return { or: [byNumber, parseValue(textField, value, ctx)] };
  } catch (e) {
    if (e instanceof TermError) return byNumber;
    throw e;
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Splits on whitespace outside double quotes; inside quotes a backslash escapes the next character. */
function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/.test(query[i])) i++;
    if (i >= query.length) break;
    const start = i;
    let quoteAt = -1;
    while (i < query.length && (quoteAt >= 0 || !/\s/.test(query[i]))) {
      const c = query[i];
      if (quoteAt >= 0 && c === '\\') i++;
      else if (c === '"') quoteAt = quoteAt >= 0 ? -1 : i;
      i++;
    }
    if (quoteAt >= 0) throw badUserInput(`Unbalanced quote at position ${quoteAt + 1}: add the closing " (in "${clip(query.slice(start, i))}")`);
    tokens.push({ raw: query.slice(start, i), at: start + 1 });
  }
  return tokens;
}

function splitTerm(raw: string): { negated: boolean; field: string | null; value: string } {
  let rest = raw;
  let negated = false;
  if (rest.length > 1 && (rest[0] === '-' || rest[0] === '+')) {
    negated = rest[0] === '-';
    rest = rest.slice(1);
  }
  const m = /^([A-Za-z_]+|[cC][fF]\.[A-Za-z0-9_]+):(.*)$/s.exec(rest);
  if (!m) {
    if (rest === '-' || rest === '+') throw new TermError(`"${rest}" must be followed by a word`);
    return { negated, field: null, value: rest };
  }
  let value = m[2];
  if (value.length > 1 && (value[0] === '-' || value[0] === '+')) {
    if (value[0] === '-') {
      if (negated) throw new TermError('Exclude with one "-", before the field or before the value');
      negated = true;
    }
    value = value.slice(1);
  }
  if (value === '') throw new TermError(`"${m[1]}:" needs a value`);
  return { negated, field: m[1].toLowerCase(), value };
}

function lookupField(name: string): FieldSpec {
  if (name.startsWith('cf.')) return { kind: 'custom', target: 'customFields', key: name.slice(3) };
  const canonical = Object.hasOwn(ALIASES, name) ? ALIASES[name] : name;
  const spec = Object.hasOwn(FIELDS, canonical) ? FIELDS[canonical] : undefined;
  if (!spec) throw new TermError(`Unknown field "${name}"; fields are ${QUERY_FIELDS.join(', ')} and cf.<custom field key>`);
  return spec;
}

/** Splits alternatives on | outside quotes and unquotes each. */
function alternatives(value: string): { text: string; quoted: boolean }[] {
  const parts: string[] = [];
  let current = '';
  let inQuote = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (inQuote && c === '\\' && i + 1 < value.length) {
      current += c + value[++i];
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    if (c === '|' && !inQuote) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => {
    if (p === '') throw new TermError('Empty alternative: remove the extra "|"');
    if (p.startsWith('-') && p.length > 1) throw new TermError('Put "-" before the first value to exclude all of them');
    const quoted = p.length >= 2 && p.startsWith('"') && p.endsWith('"');
    if (!quoted && p.includes('"')) throw new TermError('Quotes must surround a whole value');
    return { text: quoted ? p.slice(1, -1).replace(/\\(.)/gs, '$1') : p, quoted };
  });
}

function parseValue(spec: FieldSpec, value: string, ctx: QueryContext): TicketFilter {
  const alts = alternatives(value);
  const one = (f: unknown): TicketFilter => ({ [spec.target]: f }) as TicketFilter;
  const anyOf = (fs: unknown[]): TicketFilter => (fs.length === 1 ? one(fs[0]) : { or: fs.map(one) });
  switch (spec.kind) {
    case 'text':
      return anyOf(alts.map((a) => textFilter(a.text, a.quoted)));
    case 'enum': {
      const values = alts.map((a) => enumValue(spec, a.text));
      return one(values.length === 1 ? { eq: values[0] } : { in: values });
    }
    case 'key':
    case 'list':
      return one(keyFilter(spec, alts.map((a) => a.text), ctx));
    case 'sla':
      if (alts.length !== 1 || alts[0].text.toLowerCase() !== 'breached') throw new TermError('sla takes one value: breached (exclude with -sla:breached)');
      return { slaBreached: true };
    case 'number':
    case 'priority':
    case 'date':
      return anyOf(alts.map((a) => rangeFilter(spec, a.text, ctx)));
    case 'custom':
      return customFieldTerm(spec.key!, alts.map((a) => a.text), ctx);
  }
}

function textFilter(text: string, quoted: boolean): TextFilter {
  try {
    fullTextWords(text, quoted);
  } catch (e) {
    throw new TermError((e as Error).message);
  }
  return quoted ? { phrase: text } : { contains: text };
}

function enumValue(spec: FieldSpec, text: string): string {
  const v = text.toLowerCase();
  if (!spec.values!.includes(v)) throw new TermError(`"${clip(text)}" is not a ${spec.target}; use one of ${spec.values!.join(', ')}`);
  return v;
}

function keyFilter(spec: FieldSpec, texts: string[], ctx: QueryContext): KeyFilter & KeyListFilter {
  let none = false;
  const values: string[] = [];
  for (const t of texts) {
    if (t.toLowerCase() === 'none') {
      if (!spec.nullable && spec.kind === 'key') throw new TermError(`${spec.target} always has a value; "none" cannot match`);
      none = true;
    } else if (t.toLowerCase() === '@me') {
      if (!spec.users) throw new TermError('@me only works on assignees, cc, username and requester');
      if (!ctx.username) throw new TermError('@me needs an authenticated user');
      values.push(ctx.username);
    } else values.push(spec.caseSensitive ? t : t.toLowerCase());
  }
  const f: KeyFilter & KeyListFilter = {};
  if (values.length === 1 && !none) f.eq = values[0];
  else if (values.length > 0) f.in = values;
  if (none && values.length === 0) f.isNull = true;
  if (none && values.length > 0) throw new TermError('Combine "none" with other values using a separate term');
  return f;
}

/**
 * cf.<key>:value. The parser does not know the field's type: values stay text (none, @me, ranges
 * and comparators are read here) and the compiler reads them by type, naming cf.<key> in errors.
 */
function customFieldTerm(key: string, texts: string[], ctx: QueryContext): TicketFilter {
  const one = (c: Omit<CustomFieldFilter, 'key'>): TicketFilter => ({ customFields: [{ key, ...c }] });
  const conds = texts.map((t): Omit<CustomFieldFilter, 'key'> => {
    if (t.toLowerCase() === 'none') {
      if (texts.length > 1) throw new TermError('Combine "none" with other values using a separate term');
      return { isNull: true };
    }
    const range = /^(.+?)\.\.(.+)$/.exec(t);
    if (range) return { gte: range[1], lte: range[2] };
    const cmp = /^(>=|<=|>|<|=)?(.*)$/s.exec(t)!;
    if (cmp[2] === '') throw new TermError(`"${clip(t)}" needs a value after ${cmp[1]}`);
    let value = cmp[2];
    if (value.toLowerCase() === '@me') {
      if (!ctx.username) throw new TermError('@me needs an authenticated user');
      value = ctx.username;
    }
    const op = cmp[1] ? OPS[cmp[1] as keyof typeof OPS] : undefined;
    return op ? { [op]: value } : { eq: value };
  });
  if (conds.every((c) => c.eq !== undefined) && conds.length > 1) return one({ in: conds.map((c) => c.eq!) });
  return conds.length === 1 ? one(conds[0]) : { or: conds.map(one) };
}

type Range = { eq?: unknown; lt?: unknown; lte?: unknown; gt?: unknown; gte?: unknown; isNull?: boolean };

/** number, priority and date values: exact, compared (>, >=, <, <=, =) or an inclusive range (a..b). */
function rangeFilter(spec: FieldSpec, text: string, ctx: QueryContext): Range {
  if (spec.kind === 'date' && text.toLowerCase() === 'none') {
    if (!spec.nullable) throw new TermError(`${spec.target} always has a value; "none" cannot match`);
    return { isNull: true };
  }
  const range = /^(.+?)\.\.(.+)$/.exec(text);
  if (range) {
    const low = scalar(spec, range[1], ctx);
    const high = scalar(spec, range[2], ctx);
    const r = { ...bound(low, '>='), ...bound(high, '<=') };
    if (low.start > high.start) throw new TermError(`The range ${clip(text)} is empty: its low end is after its high end`);
    return r;
  }
  const cmp = /^(>=|<=|>|<|=)?(.*)$/s.exec(text)!;
  const op = (cmp[1] ?? '=') as Op;
  if (cmp[2] === '') throw new TermError(`"${clip(text)}" needs a value after ${op}`);
  return bound(scalar(spec, cmp[2], ctx), op);
}

type Op = '=' | '>' | '>=' | '<' | '<=';

/** A value as an interval: a day is [start, end), a number or an instant is the single point start. */
interface Scalar<T = number | Date> {
  start: T;
  end: T | null;
}

/** The condition "value op scalar", exact for days: created:>2021-02-01 starts the day after. */
function bound(s: Scalar, op: Op): Range {
  if (s.end === null) return { [op === '=' ? 'eq' : OPS[op]]: s.start };
  switch (op) {
    case '=':
      return { gte: s.start, lt: s.end };
    case '>':
      return { gte: s.end };
    case '>=':
      return { gte: s.start };
    case '<':
      return { lt: s.start };
    case '<=':
      return { lt: s.end };
  }
}
const OPS = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' } as const;

function scalar(spec: FieldSpec, text: string, ctx: QueryContext): Scalar {
  if (spec.kind === 'date') return dateValue(text, ctx.now);
  if (spec.kind === 'priority') {
    const named = PRIORITY_NAMES.get(text.toLowerCase());
    const rank = named ?? (/^[1-4]$/.test(text) ? Number(text) : NaN);
    if (Number.isNaN(rank)) throw new TermError(`"${clip(text)}" is not a priority; use low, normal, high, urgent or 1-4`);
    return { start: rank, end: null };
  }
  const digits = text.startsWith('#') ? text.slice(1) : text;
  if (!/^\d{1,9}$/.test(digits)) throw new TermError(`"${clip(text)}" is not a ticket number`);
  return { start: Number(digits), end: null };
}

const DAY_BASES: Record<string, number> = { today: 0, yesterday: -1, tomorrow: 1 };
const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * Dates: YYYY-MM-DD or YYYY/MM/DD (a whole day in the server's time zone, like due dates), an ISO
 * date-time (an instant; UTC unless it names a zone), today, yesterday, tomorrow (days), now (an
 * instant), each optionally shifted: today-7d, now-24h, today+1w.
 */
export function dateValue(text: string, now: Date): Scalar<Date> {
  const t = text.toLowerCase();
  const rel = /^(today|yesterday|tomorrow|now)(?:([+-])(\d{1,4})([hdw]))?$/.exec(t);
  if (rel) {
    const sign = rel[2] === '-' ? -1 : 1;
    const n = rel[3] ? sign * Number(rel[3]) : 0;
    if (rel[1] === 'now') return { start: new Date(now.getTime() + n * UNIT_MS[rel[4] ?? 'h']), end: null };
    if (rel[4] === 'h') throw new TermError(`Shift ${rel[1]} by days or weeks (d, w), or use now-${rel[3]}h`);
    const days = DAY_BASES[rel[1]] + n * (rel[4] === 'w' ? 7 : 1);
    return day(now.getFullYear(), now.getMonth(), now.getDate() + days);
  }
  const ymd = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(t);
  if (ymd) {
    const [y, m, d] = [Number(ymd[1]), Number(ymd[2]) - 1, Number(ymd[3])];
    const r = day(y, m, d);
    if (r.start.getFullYear() !== y || r.start.getMonth() !== m || r.start.getDate() !== d) throw new TermError(`"${clip(text)}" is not a calendar date`);
    return r;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})t\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(z|[+-]\d{2}:\d{2})?$/.exec(t);
  if (iso) {
    // Date() would roll 2021-02-30T10:00 over into March; the day must exist.
    const [y, m, d] = [Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])];
    const probe = new Date(Date.UTC(y, m, d));
    if (probe.getUTCMonth() !== m || probe.getUTCDate() !== d) throw new TermError(`"${clip(text)}" is not a calendar date`);
    const instant = new Date(iso[6] ? text : `${text}Z`);
    if (!Number.isNaN(instant.getTime())) return { start: instant, end: null };
  }
  throw new TermError(`"${clip(text)}" is not a date; use YYYY-MM-DD, an ISO date-time, today, yesterday or now (optionally shifted, e.g. today-7d)`);
}

function day(y: number, m: number, d: number): Scalar<Date> {
  return { start: new Date(y, m, d), end: new Date(y, m, d + 1) };
}

/**
 * ANDs fragments into one filter. Conditions on one field fold into one object while their
 * comparators differ (num:>=5000 num:<6000 gives {gte, lt}; status and due sit side by side), and
 * consecutive words for one text field join into one `contains`; anything else goes under `and`.
 */
function merge(fragments: TicketFilter[]): TicketFilter | null {
  const out: Record<string, Record<string, unknown>> = {};
  const rest: TicketFilter[] = [];
  for (const f of fragments) {
    const [key, ...more] = Object.keys(f) as (keyof TicketFilter)[];
    const incoming = f[key] as Record<string, unknown>;
    const combined = more.length === 0 && key !== 'and' ? combine(key, out[key], incoming) : null;
    if (combined) out[key] = combined;
    else rest.push(f);
  }
  const result: TicketFilter = { ...out, ...(rest.length > 0 ? { and: rest } : {}) };
  return Object.keys(result).length > 0 ? result : null;
}

const TEXT_TARGETS = new Set<string>(['text', 'subject', 'body', 'comments']);

function combine(key: string, a: Record<string, unknown> | undefined, b: Record<string, unknown>): Record<string, unknown> | null {
  if (a === undefined) return b;
  if (key === 'or' || key === 'not') return null;
  // Every cf.<key> term is one more condition in the list.
  if (key === 'customFields') return [...(a as unknown as unknown[]), ...(b as unknown as unknown[])] as unknown as Record<string, unknown>;
  const merged = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (!(k in merged)) merged[k] = v;
    else if (k === 'contains' && TEXT_TARGETS.has(key)) merged[k] = `${merged[k] as string} ${v as string}`;
    else return null;
  }
  return merged;
}
