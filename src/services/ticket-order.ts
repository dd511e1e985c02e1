import type { SelectQueryBuilder } from 'typeorm';
import { badUserInput } from '../common/errors';
import type { Ticket } from '../entities/ticket.entity';
import { OrderDirection, TicketOrderField, type TicketOrder } from '../graphql/inputs/ticket-order.input';
import { CustomFieldType } from '../entities/custom-field.entity';
import { NO_CUSTOM_FIELDS, valueColumn, type CustomFieldDef, type CustomFieldLookup } from '../search/custom-field.filter';
import { decodeCursor, encodeCursor } from './pagination';

interface SortKey {
  property: 'number' | 'createdAt' | 'updatedAt' | 'due' | 'priority' | `cf:${string}`;
  desc: boolean;
  nullable: boolean;
  date: boolean;
  /** A custom field: sorted by its value (a subquery), cursors hold text or numbers. */
  custom?: CustomFieldDef;
}

const KEYS: Record<Exclude<TicketOrderField, TicketOrderField.CUSTOM_FIELD>, Omit<SortKey, 'desc'>> = {
  [TicketOrderField.NUMBER]: { property: 'number', nullable: false, date: false },
  [TicketOrderField.CREATED]: { property: 'createdAt', nullable: false, date: true },
  [TicketOrderField.MODIFIED]: { property: 'updatedAt', nullable: false, date: true },
  [TicketOrderField.DUE]: { property: 'due', nullable: true, date: true },
  [TicketOrderField.PRIORITY]: { property: 'priority', nullable: false, date: false },
};

type CursorValue = string | number | null;

/**
 * Keyset ordering for ticket lists: the requested keys, then number as the unique tiebreak.
 * Cursors hold the sort values of the last row, so pages stay correct while rows are added and
 * when sorting by non-unique fields. Nulls (no due date) sort as if after every date.
 */
export class TicketOrdering {
  private readonly keys: SortKey[];
  private readonly signature: string;

  /** Custom field sort values of the page's tickets (loadCustomValues), for their cursors. */
  private readonly customValues = new Map<string, Map<number, CursorValue>>();

  constructor(order: TicketOrder[] | null | undefined, customFields: CustomFieldLookup = NO_CUSTOM_FIELDS) {
    const requested = order && order.length > 0 ? order : [{ field: TicketOrderField.NUMBER, direction: OrderDirection.DESC }];
    const keys: SortKey[] = [];
    for (const o of requested) {
      const key = o.field === TicketOrderField.CUSTOM_FIELD ? customKey(o.customField, customFields) : KEYS[o.field];
      if (o.field !== TicketOrderField.CUSTOM_FIELD && o.customField != null) throw badUserInput('orderBy: customField goes with field CUSTOM_FIELD');
      if (keys.some((k) => k.property === key.property)) throw badUserInput(`orderBy names ${o.field} twice`);
      keys.push({ ...key, desc: o.direction === OrderDirection.DESC });
    }
    if (!keys.some((k) => k.property === 'number')) keys.push({ ...KEYS[TicketOrderField.NUMBER], desc: keys[0].desc });
    this.keys = keys;
    this.signature = keys.map((k) => `${k.property}:${k.desc ? 'd' : 'a'}`).join(',');
  }

  cursorOf(ticket: Ticket): string {
    return encodeCursor({
      o: this.signature,
      v: this.keys.map((k) => {
        if (k.custom) return this.customValues.get(k.property)?.get(ticket.id) ?? null;
        const value = ticket[k.property as keyof Ticket] as Date | number | null;
        return value instanceof Date ? value.toISOString() : value;
      }),
    });
  }

  /** Reads the custom field sort values of a page's tickets (one statement per custom key), for cursorOf. */
  async loadCustomValues(run: (sql: string, params: unknown[]) => Promise<{ ticket_id: number; v: CursorValue }[]>, ticketIds: number[]): Promise<void> {
    for (const k of this.keys) {
      if (!k.custom || ticketIds.length === 0) continue;
      const rows = await run(`SELECT v.ticket_id AS ticket_id, ${valueExpression(k.custom)} AS v FROM ticket_field_value v${userJoin(k.custom)} WHERE v.field_id = ? AND v.ticket_id IN (${ticketIds.map(() => '?').join(', ')}) GROUP BY v.ticket_id`, [k.custom.id, ...ticketIds]);
      this.customValues.set(k.property, new Map(rows.map((r) => [Number(r.ticket_id), typeof r.v === 'number' || r.v === null ? r.v : k.custom!.type === CustomFieldType.NUMBER ? Number(r.v) : String(r.v)])));
    }
  }

  /** Adds ORDER BY and, for a cursor, the "strictly after" condition. backward reverses the order. */
  apply(qb: SelectQueryBuilder<Ticket>, alias: string, cursor: string | null, backward: boolean): void {
    for (const k of this.keys) {
      const desc = k.desc !== backward;
      const col = column(alias, k);
      if (k.nullable) qb.addOrderBy(`CASE WHEN ${col} IS NULL THEN 1 ELSE 0 END`, desc ? 'DESC' : 'ASC');
      qb.addOrderBy(col, desc ? 'DESC' : 'ASC');
    }
    if (cursor === null) return;
    const values = this.decode(cursor);
    const params: Record<string, unknown> = {};
    qb.andWhere(`(${this.after(alias, values, 0, backward, params)})`, params);
  }

  /** The same order as apply (without a cursor) as SQL text, for a hand-written statement; `col` escapes a property's column. */
  orderSql(col: (property: string) => string, backward: boolean): string {
    const parts: string[] = [];
    for (const k of this.keys) {
      const dir = k.desc !== backward ? 'DESC' : 'ASC';
      const c = k.custom ? customColumn(col('id'), k.custom) : col(k.property);
      if (k.nullable) parts.push(`CASE WHEN ${c} IS NULL THEN 1 ELSE 0 END ${dir}`);
      parts.push(`${c} ${dir}`);
    }
    return parts.join(', ');
  }

  private decode(cursor: string): CursorValue[] {
    const c = decodeCursor(cursor) as { o?: unknown; v?: unknown };
    if (c?.o !== this.signature || !Array.isArray(c.v) || c.v.length !== this.keys.length) {
      throw badUserInput('The cursor belongs to a different ordering; restart pagination without after/before');
    }
    return c.v.map((v, i) => {
      const k = this.keys[i];
      if (v === null && k.nullable) return null;
      if (k.custom && (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) return v;
      if (k.date && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return v;
      if (!k.date && typeof v === 'number' && Number.isFinite(v)) return v;
      throw badUserInput('The cursor is not valid; use a cursor returned by this connection');
    });
  }

  /** SQL for "row sorts strictly after the cursor" over keys[i..], lexicographically. */
  private after(alias: string, values: CursorValue[], i: number, backward: boolean, params: Record<string, unknown>): string {
    const k = this.keys[i];
    const col = column(alias, k);
    const name = `k${i}`;
    const raw = values[i];
    if (raw !== null) params[name] = k.date ? new Date(raw as string) : raw;
    const desc = k.desc !== backward;
    // Null counts as greater than every value.
    const greater = raw === null ? '1 = 0' : k.nullable ? `(${col} > :${name} OR ${col} IS NULL)` : `${col} > :${name}`;
    const less = raw === null ? `${col} IS NOT NULL` : `${col} < :${name}`;
    const strictly = desc ? less : greater;
    if (i === this.keys.length - 1) return strictly;
    const equal = raw === null ? `${col} IS NULL` : `${col} = :${name}`;
    return `${strictly} OR (${equal} AND (${this.after(alias, values, i + 1, backward, params)}))`;
  }
}

function customKey(key: string | null | undefined, lookup: CustomFieldLookup): Omit<SortKey, 'desc'> {
  if (!key) throw badUserInput('orderBy: field CUSTOM_FIELD needs customField, the custom field key');
  const field = lookup.byKey(key.trim().toLowerCase());
  if (!field) throw badUserInput(`orderBy: no custom field ${key}`);
  return { property: `cf:${field.key}`, nullable: true, date: false, custom: field };
}

/** MIN over the value rows: a multi-choice field sorts by its first chosen key; USER fields by username. */
function valueExpression(field: CustomFieldDef): string {
  return field.type === CustomFieldType.USER ? 'MIN(u.username)' : `MIN(v.${valueColumn(field.type).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)})`;
}

function userJoin(field: CustomFieldDef): string {
  return field.type === CustomFieldType.USER ? ' INNER JOIN app_user u ON u.id = v.value_user_id' : '';
}

/** The SQL a key sorts by: a column, or a custom field's value as a correlated subquery (its id a literal: it comes from the catalog, never from input). */
function column(alias: string, k: SortKey): string {
  return k.custom ? customColumn(`${alias}.id`, k.custom) : `${alias}.${k.property}`;
}

/** A custom field's sort value for the ticket whose id is `ticketId` (an SQL expression). */
function customColumn(ticketId: string, custom: NonNullable<SortKey['custom']>): string {
  return `(SELECT ${valueExpression(custom)} FROM ticket_field_value v${userJoin(custom)} WHERE v.ticket_id = ${ticketId} AND v.field_id = ${Number(custom.id)})`;
}
