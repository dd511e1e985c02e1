import type { ColumnOptions } from 'typeorm';

/** Millisecond date-times; both drivers store UTC (mysql2 is configured with timezone Z). */
export const DATETIME: ColumnOptions = { type: 'datetime', precision: 3 };
