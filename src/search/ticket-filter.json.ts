import { badUserInput } from '../common/errors';
import { enumName, TicketPriority, TicketStatus, TicketType } from '../entities/ticket.enums';
import { TicketSource } from '../entities/ticket-source.enum';
import type { TicketFilter } from '../graphql/inputs/ticket-filter.input';

/*
 * A TicketFilter as JSON in its GraphQL spelling (enum names such as OPEN, ISO date-times): what
 * ticketQueryParse returns and saved searches store, so a client can pass it straight back as
 * the `filter` argument. Internally enums hold their stored values (open, 3) and dates are Dates.
 */

const ENUMS: Record<string, Record<string, string | number>> = { type: TicketType, status: TicketStatus, priority: TicketPriority, source: TicketSource };
const DATES = new Set(['created', 'modified', 'due', 'closed']);
const COMBINATORS = new Set(['and', 'or', 'not']);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- open JSON shape, stored as simple-json
export type FilterJson = Record<string, any>;

export function filterToJson(filter: TicketFilter): FilterJson {
  return convert(filter as FilterJson, (field, v) => {
    if (ENUMS[field]) return enumName(ENUMS[field], v as never);
    if (DATES.has(field) && v instanceof Date) return v.toISOString();
    return v;
  });
}

/** The inverse, for stored filters; rejects values that are no longer valid. */
export function filterFromJson(json: FilterJson): TicketFilter {
  return convert(json, (field, v) => {
    const e = ENUMS[field];
    if (e) {
      if (typeof v !== 'string' || !(v in e)) throw badUserInput(`Stored filter: "${String(v)}" is not a ${field}`);
      return e[v];
    }
    if (DATES.has(field) && typeof v === 'string') return new Date(v);
    return v;
  }) as TicketFilter;
}

function convert(f: FilterJson, value: (field: string, v: unknown) => unknown): FilterJson {
  const out: FilterJson = {};
  for (const [field, cond] of Object.entries(f)) {
    if (cond == null) continue;
    if (field === 'not') out.not = convert(cond as FilterJson, value);
    else if (typeof cond === 'boolean') out[field] = cond;
    // Custom field conditions are plain strings already (read by the field's type when compiled).
    else if (field === 'customFields') out[field] = (cond as FilterJson[]).map((c) => ({ ...c }));
    else if (COMBINATORS.has(field)) out[field] = (cond as FilterJson[]).map((x) => convert(x, value));
    else {
      const c: FilterJson = {};
      for (const [op, v] of Object.entries(cond as FilterJson)) {
        if (v == null) continue;
        c[op] = Array.isArray(v) ? v.map((x) => value(field, x)) : op === 'isNull' ? v : value(field, v);
      }
      out[field] = c;
    }
  }
  return out;
}
