import type { ColumnOptions } from 'typeorm';

/** Millisecond date-times; both drivers store UTC (mysql2 is configured with timezone Z). */
export const DATETIME: ColumnOptions = { type: 'datetime', precision: 3 };

/** A Date as a raw SQL parameter for DATETIME(3) columns, in the UTC form both drivers store. */
export function sqlDateTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
