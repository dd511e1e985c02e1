import type { DataSource, Logger as TypeOrmLogger, QueryRunner } from 'typeorm';
import { requestScope } from '../../src/common/request-scope';
import type { Database } from '../../src/db/database';

export interface CapturedStatement {
  sql: string;
  parameters: unknown[];
}

/**
 * Records the SQL the server runs for chosen requests (matched by their X-Request-Id through the
 * app's request scope), passing every call on to the app's own logger. TypeORM reads
 * dataSource.logger for each statement, so installing it on the running app is enough.
 */
export class SqlCapture implements TypeOrmLogger {
  private readonly watched = new Map<string, CapturedStatement[]>();

  private constructor(private readonly inner: TypeOrmLogger) {}

  static install(dataSource: DataSource): SqlCapture {
    const capture = new SqlCapture(dataSource.logger);
    dataSource.logger = capture;
    return capture;
  }

  watch(requestId: string): void {
    this.watched.set(requestId, []);
  }

  /** The statements of a watched request, in execution order; stops watching it. */
  take(requestId: string): CapturedStatement[] {
    const statements = this.watched.get(requestId) ?? [];
    this.watched.delete(requestId);
    return statements;
  }

  logQuery(query: string, parameters?: unknown[] | object, queryRunner?: QueryRunner): void {
    const requestId = requestScope.getStore()?.requestId;
    const statements = requestId === undefined ? undefined : this.watched.get(requestId);
    statements?.push({ sql: query, parameters: Array.isArray(parameters) ? [...parameters] : [] });
    this.inner.logQuery(query, parameters, queryRunner);
  }

  logQueryError(error: string | Error, query: string, parameters?: unknown[] | object, queryRunner?: QueryRunner): void {
    this.inner.logQueryError(error, query, parameters, queryRunner);
  }

  logQuerySlow(time: number, query: string, parameters?: unknown[] | object, queryRunner?: QueryRunner): void {
    this.inner.logQuerySlow(time, query, parameters, queryRunner);
  }

  logSchemaBuild(message: string, queryRunner?: QueryRunner): void {
    this.inner.logSchemaBuild(message, queryRunner);
  }

  logMigration(message: string, queryRunner?: QueryRunner): void {
    this.inner.logMigration(message, queryRunner);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown, queryRunner?: QueryRunner): void {
    this.inner.log(level, message, queryRunner);
  }
}

/** The two statements behind `tickets(first: 20 ...) { totalCount ... }`. */
export interface TicketListStatements {
  page: CapturedStatement;
  count: CapturedStatement;
}

const FROM_TICKET = /\bFROM\s+[`"]ticket[`"]\s+[`"]t[`"]/i;

/** Picks the page query (ORDER BY ... LIMIT) and the totalCount query out of a request's statements. */
export function ticketListStatements(statements: CapturedStatement[]): TicketListStatements {
  const onTicket = statements.filter((s) => FROM_TICKET.test(s.sql));
  const count = onTicket.filter((s) => /\bCOUNT\s*\(/i.test(s.sql));
  const page = onTicket.filter((s) => !/\bCOUNT\s*\(/i.test(s.sql) && /\bLIMIT\b/i.test(s.sql));
  if (count.length !== 1 || page.length !== 1) {
    throw new Error(`Expected one page and one count query on ticket t, got:\n${statements.map((s) => s.sql).join('\n')}`);
  }
  return { page: page[0], count: count[0] };
}

export interface ExplainedStatement extends CapturedStatement {
  /** The plan as text: SQLite's EXPLAIN QUERY PLAN tree, or MySQL's EXPLAIN table. */
  plan: string[];
  /** EXPLAIN's rows as returned by the database. */
  rows: Record<string, unknown>[];
  /** Plan lines reading every row of the ticket table (alias t): the check fails on any. */
  ticketTableScans: string[];
  /** Plan lines reading a whole index of ticket (ordered scans a LIMIT can cut short); informational. */
  ticketIndexScans: string[];
  /** Plan lines reading every row of another table (informational: the requirement is about ticket). */
  otherTableScans: string[];
  /** Whether the plan looks the words up in the full-text index of ticket_search. */
  usesFullTextIndex: boolean;
}

/** Runs EXPLAIN (SQLite: EXPLAIN QUERY PLAN) on a captured statement with its parameters and classifies the plan. */
export async function explain(db: Database, statement: CapturedStatement): Promise<ExplainedStatement> {
  if (db.dialect === 'sqlite') {
    const rows = (await db.manager.query(`EXPLAIN QUERY PLAN ${statement.sql}`, statement.parameters)) as SqlitePlanRow[];
    const details = rows.map((r) => r.detail);
    const ticketScans = details.filter((d) => /^SCAN (t|TABLE ticket AS t)\b/.test(d));
    const usesIndex = (d: string) => /\bUSING (COVERING )?INDEX\b/.test(d);
    const fullScan = (d: string) => /^SCAN /.test(d) && !usesIndex(d) && !/VIRTUAL TABLE/.test(d);
    return {
      ...statement,
      plan: sqlitePlanTree(rows),
      rows: rows.map((r) => ({ ...r })),
      ticketTableScans: ticketScans.filter((d) => !usesIndex(d)),
      ticketIndexScans: ticketScans.filter(usesIndex),
      otherTableScans: details.filter((d) => fullScan(d) && !ticketScans.includes(d)),
      // FTS5 reports a MATCH constraint it serves as "M" in the virtual table's index string.
      usesFullTextIndex: details.some((d) => /\bticket_search VIRTUAL TABLE INDEX \d+:\S*M/.test(d)),
    };
  }
  const [{ name }] = (await db.manager.query('SELECT DATABASE() AS name')) as { name: string }[];
  // ref names columns as db.table.column; the scratch database's random name is noise in a report.
  const rows = ((await db.manager.query(`EXPLAIN ${statement.sql}`, statement.parameters)) as MysqlPlanRow[]).map((r) => ({
    ...r,
    ref: r.ref?.split(`${name}.`).join('') ?? null,
  }));
  const onTicket = rows.filter((r) => r.table === 't');
  return {
    ...statement,
    plan: mysqlPlanTable(rows),
    rows: rows.map((r) => ({ ...r })),
    ticketTableScans: onTicket.filter((r) => r.type === 'ALL').map(mysqlPlanLine),
    ticketIndexScans: onTicket.filter((r) => r.type === 'index').map(mysqlPlanLine),
    // Tables named <...> are the optimizer's own temporary tables (materialized subqueries).
    otherTableScans: rows.filter((r) => r.type === 'ALL' && r.table !== 't' && !r.table?.startsWith('<')).map(mysqlPlanLine),
    usesFullTextIndex: rows.some((r) => r.table === 'ticket_search' && r.type === 'fulltext'),
  };
}

interface SqlitePlanRow {
  id: number;
  parent: number;
  notused: number;
  detail: string;
}

interface MysqlPlanRow {
  id: number | null;
  select_type: string;
  table: string | null;
  type: string | null;
  possible_keys: string | null;
  key: string | null;
  key_len: string | null;
  ref: string | null;
  rows: number | string | null;
  Extra: string | null;
}

/** Indents each plan row under its parent, like the sqlite3 shell. */
function sqlitePlanTree(rows: SqlitePlanRow[]): string[] {
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((r) => {
    const d = (depth.get(r.parent) ?? -1) + 1;
    depth.set(r.id, d);
    return `${'   '.repeat(d)}${d === 0 ? '' : '`--'}${r.detail}`;
  });
}

const MYSQL_COLUMNS = ['id', 'select_type', 'table', 'type', 'possible_keys', 'key', 'key_len', 'ref', 'rows', 'Extra'] as const;

function mysqlPlanTable(rows: MysqlPlanRow[]): string[] {
  const cells = [MYSQL_COLUMNS.map(String), ...rows.map((r) => MYSQL_COLUMNS.map((c) => String(r[c] ?? 'NULL')))];
  const widths = MYSQL_COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join(' | ').trimEnd());
}

function mysqlPlanLine(r: MysqlPlanRow): string {
  return `table=${r.table} type=${r.type} key=${r.key ?? 'NULL'} rows=${r.rows ?? 'NULL'} Extra=${r.Extra ?? ''}`;
}
