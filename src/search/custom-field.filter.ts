import { badUserInput } from '../common/errors';
import { CustomFieldType } from '../entities/custom-field.entity';
import type { CustomFieldFilter } from '../graphql/inputs/custom-field-filter.input';
import { dateValue } from './ticket-query.parser';

/** A custom field as searches, validation and ordering need it (CustomFieldCatalog keeps them in memory). */
export interface CustomFieldDef {
  id: number;
  key: string;
  title: string;
  type: CustomFieldType;
  choices: { key: string; title: string }[];
  active: boolean;
  position: number;
  /** Category ids in which a ticket must have a value. */
  requiredIn: number[];
  createdAt: Date;
}

/** Custom fields by key, as last loaded. */
export interface CustomFieldLookup {
  byKey(key: string): CustomFieldDef | undefined;
}

export const NO_CUSTOM_FIELDS: CustomFieldLookup = { byKey: () => undefined };

/** Which value column a type stores in. */
export function valueColumn(type: CustomFieldType): 'valueText' | 'valueNumber' | 'valueDate' | 'valueUserId' {
  switch (type) {
    case CustomFieldType.NUMBER:
      return 'valueNumber';
    case CustomFieldType.DATE:
      return 'valueDate';
    case CustomFieldType.USER:
      return 'valueUserId';
    default:
      return 'valueText';
  }
}

export type CfValue = string | number;

/** A CustomFieldFilter with its field found and its values read by the field's type. */
export interface TypedCondition {
  field: CustomFieldDef;
  /** Positive conditions, all on one value row: eq/in (as `in`) and the range. */
  in: CfValue[] | null;
  range: { op: '<' | '<=' | '>' | '>='; value: CfValue }[];
  notIn: CfValue[] | null;
  isNull: boolean | null;
}

const RANGE_OPS = [['lt', '<'], ['lte', '<='], ['gt', '>'], ['gte', '>=']] as const;

/** Reads a filter by its field's type; BAD_USER_INPUT naming cf.<key> for anything the type cannot read. */
export function typedCondition(f: CustomFieldFilter, lookup: CustomFieldLookup, now: Date): TypedCondition {
  const key = String(f.key ?? '').trim().toLowerCase();
  const field = lookup.byKey(key);
  if (!field) throw badUserInput(`cf.${key}: no custom field has this key`);
  const read = (v: string) => readValue(field, v, now);
  const inList = [...(f.eq != null ? [f.eq] : []), ...(f.in ?? [])];
  const range: TypedCondition['range'] = [];
  for (const [name, op] of RANGE_OPS) {
    const v = f[name];
    if (v == null) continue;
    if (field.type !== CustomFieldType.NUMBER && field.type !== CustomFieldType.DATE) {
      throw badUserInput(`cf.${key}: ranges (<, >, ..) only work on NUMBER and DATE fields; ${key} is ${enumLabel(field.type)}`);
    }
    range.push({ op, value: read(v) });
  }
  let values: CfValue[] | null = f.eq != null || f.in != null ? inList.map(read) : null;
  // eq and in together: the value must be eq and among in.
  if (f.eq != null && f.in != null) values = values!.slice(0, 1).filter((v) => f.in!.map(read).includes(v));
  return { field, in: values, range, notIn: f.notIn != null ? f.notIn.map(read) : null, isNull: f.isNull ?? null };
}

function enumLabel(type: CustomFieldType): string {
  return type.toUpperCase();
}

/** One filter value as stored: a number, a YYYY-MM-DD day, a lower-case choice key or username, or text as given. */
export function readValue(field: CustomFieldDef, text: string, now: Date): CfValue {
  const v = String(text);
  switch (field.type) {
    case CustomFieldType.NUMBER: {
      const n = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isFinite(n)) throw badUserInput(`cf.${field.key}: "${clip(v)}" is not a number`);
      return n;
    }
    case CustomFieldType.DATE:
      return dayOf(field, v, now);
    case CustomFieldType.SINGLE_CHOICE:
    case CustomFieldType.MULTI_CHOICE: {
      const choice = v.trim().toLowerCase();
      if (!field.choices.some((c) => c.key === choice)) throw badUserInput(`cf.${field.key}: "${clip(v)}" is not a choice; choices are ${field.choices.map((c) => c.key).join(', ')}`);
      return choice;
    }
    case CustomFieldType.USER:
      return v.trim().toLowerCase();
    default:
      return v;
  }
}

/** A day as YYYY-MM-DD: a calendar date, or today/yesterday/tomorrow with a shift (the query language's days). */
function dayOf(field: CustomFieldDef, text: string, now: Date): string {
  let start: Date;
  let end: Date | null;
  try {
    ({ start, end } = dateValue(text.trim(), now));
  } catch (e) {
    throw badUserInput(`cf.${field.key}: ${(e as Error).message}`);
  }
  if (end === null) throw badUserInput(`cf.${field.key}: "${clip(text)}" is an instant; ${field.key} holds days (YYYY-MM-DD, today, today-7d)`);
  return localDay(start);
}

/** A Date's calendar day in the server's time zone (as the query language reads days). */
export function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A ticket's values of each custom field (field id → values: numbers, days, choice keys, usernames, text). */
export type CustomFieldFacts = Map<number, CfValue[]>;

/**
 * The in-memory twin of the SQL TicketFilterCompiler writes for a custom field condition (see
 * customFieldSql): positive conditions hold for one value row; notIn excludes tickets with any of
 * the values (and keeps those without a value); isNull asks whether any row exists. Text compares
 * like the column's collation: exact on SQLite, case-insensitive on MySQL (`fold`).
 */
export function matchCustomField(c: TypedCondition, facts: CustomFieldFacts, fold: (s: string) => string): boolean {
  const values = facts.get(c.field.id) ?? [];
  const norm = (v: CfValue) => (typeof v === 'string' ? fold(v) : v);
  const same = (a: CfValue, b: CfValue) => norm(a) === norm(b);
  if (c.in !== null || c.range.length > 0) {
    const hit = values.some((v) => (c.in === null || c.in.some((x) => same(v, x))) && c.range.every((r) => compare(v, r.op, r.value)));
    if (!hit) return false;
  }
  if (c.notIn !== null && c.notIn.length > 0 && values.some((v) => c.notIn!.some((x) => same(v, x)))) return false;
  if (c.isNull !== null && (values.length === 0) !== c.isNull) return false;
  return true;
}

function compare(v: CfValue, op: TypedCondition['range'][number]['op'], x: CfValue): boolean {
  switch (op) {
    case '<':
      return v < x;
    case '<=':
      return v <= x;
    case '>':
      return v > x;
    case '>=':
      return v >= x;
  }
}

/**
 * SQL for a custom field condition on the ticket alias: IN / NOT IN subqueries on
 * ticket_field_value that start from the (field_id, value column) index. `param` binds a value
 * and returns its placeholder.
 */
export function customFieldSql(c: TypedCondition, ticketId: string, param: (v: unknown) => string): string | null {
  const col = `v.${snake(valueColumn(c.field.type))}`;
  const rows = (cond: string) => `(SELECT v.ticket_id FROM ticket_field_value v WHERE v.field_id = ${param(c.field.id)}${cond})`;
  const users = c.field.type === CustomFieldType.USER;
  const list = (values: CfValue[]) => (users ? `(SELECT u.id FROM app_user u WHERE u.username IN ${param(values)})` : param(values));
  const parts: string[] = [];
  if (c.in !== null || c.range.length > 0) {
    if (c.in !== null && c.in.length === 0) return '1 = 0';
    let cond = c.in !== null ? ` AND ${col} IN ${list(c.in)}` : '';
    for (const r of c.range) cond += ` AND ${col} ${r.op} ${param(r.value)}`;
    parts.push(`${ticketId} IN ${rows(cond)}`);
  }
  if (c.notIn !== null && c.notIn.length > 0) parts.push(`${ticketId} NOT IN ${rows(` AND ${col} IN ${list(c.notIn)}`)}`);
  if (c.isNull !== null) parts.push(`${ticketId} ${c.isNull ? 'NOT IN' : 'IN'} ${rows('')}`);
  return parts.length ? parts.map((p) => `(${p})`).join(' AND ') : null;
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
