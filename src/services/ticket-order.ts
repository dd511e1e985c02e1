import type { SelectQueryBuilder } from 'typeorm';
import { badUserInput } from '../common/errors';
import type { Ticket } from '../entities/ticket.entity';
import { OrderDirection, TicketOrderField, type TicketOrder } from '../graphql/inputs/ticket-order.input';
import { decodeCursor, encodeCursor } from './pagination';

interface SortKey {
  property: 'number' | 'createdAt' | 'updatedAt' | 'due' | 'priority';
  desc: boolean;
  nullable: boolean;
  date: boolean;
}

const KEYS: Record<TicketOrderField, Omit<SortKey, 'desc'>> = {
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

  constructor(order: TicketOrder[] | null | undefined) {
    const requested = order && order.length > 0 ? order : [{ field: TicketOrderField.NUMBER, direction: OrderDirection.DESC }];
    const keys: SortKey[] = [];
    for (const o of requested) {
      const key = KEYS[o.field];
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
        const value = ticket[k.property] as Date | number | null;
        return value instanceof Date ? value.toISOString() : value;
      }),
    });
  }

  /** Adds ORDER BY and, for a cursor, the "strictly after" condition. backward reverses the order. */
  apply(qb: SelectQueryBuilder<Ticket>, alias: string, cursor: string | null, backward: boolean): void {
    for (const k of this.keys) {
      const desc = k.desc !== backward;
      const col = `${alias}.${k.property}`;
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
      const c = col(k.property);
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
      if (k.date && typeof v === 'string' && !Number.isNaN(Date.parse(v))) return v;
      if (!k.date && typeof v === 'number' && Number.isFinite(v)) return v;
      throw badUserInput('The cursor is not valid; use a cursor returned by this connection');
    });
  }

  /** SQL for "row sorts strictly after the cursor" over keys[i..], lexicographically. */
  private after(alias: string, values: CursorValue[], i: number, backward: boolean, params: Record<string, unknown>): string {
    const k = this.keys[i];
    const col = `${alias}.${k.property}`;
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
