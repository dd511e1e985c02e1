import crypto from 'node:crypto';
import { Client } from 'pg';
import { readCpuSeconds } from './cpu-time';
import type { Dataset } from './dataset';

/**
 * The PostgreSQL side of the gateway benchmark's PostGraphile peer (issue 21): a scratch database
 * on BENCH_PG_URL, the tables W1 and W2 read, in the gateway's columns and indexes (the tickets'
 * and changes' full rows, so the heap the queries walk is the same size), and the generated
 * dataset bulk-loaded into them.
 *
 * One smart tag, in a column comment, lets PostGraphile order assignees by position: PostGraphile 5
 * offers ordering only by indexed columns by default, and no index of the gateway's ticket_user
 * has `position` (the gateway sorts a ticket's few links after reading them by ticket id).
 */

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PgScratch {
  /** Connection string of the scratch database. */
  url: string;
  name: string;
  server: string;
  /** BENCH_PG_URL: the server's maintenance database, for PgBackendCpu. */
  serverUrl: string;
  drop(): Promise<void>;
}

/**
 * A new database on BENCH_PG_URL's server, or null when no PostgreSQL answers there (within 3 s).
 * Any other failure (no right to create a database) is an error.
 */
export async function createPgScratch(): Promise<PgScratch | null> {
  const serverUrl = process.env.BENCH_PG_URL ?? DEFAULT_PG_URL;
  const admin = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch {
    await admin.end().catch(() => undefined);
    return null;
  }
  const name = `tg_bench_pg_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  let version: string;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    version = String((await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    server: `PostgreSQL ${version.split(' ')[0]}`,
    serverUrl,
    drop: async () => {
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The gateway's tables for W1 and W2 (migrations/sqlite/*-Initial.ts), in PostgreSQL types. */
const SCHEMA = `
CREATE TABLE app_user (
  id integer PRIMARY KEY,
  username varchar(64) NOT NULL UNIQUE,
  name varchar(200) NOT NULL,
  active boolean NOT NULL DEFAULT true
);
CREATE TABLE ticket (
  id integer PRIMARY KEY, number integer NOT NULL UNIQUE, subject varchar(300) NOT NULL, body text NOT NULL,
  type varchar(16) NOT NULL, status varchar(16) NOT NULL, priority smallint NOT NULL, category_id integer,
  server varchar(200), notify text NOT NULL, due timestamptz(3), creator_id integer NOT NULL REFERENCES app_user (id),
  created_at timestamptz(3) NOT NULL, updated_at timestamptz(3) NOT NULL, closed_at timestamptz(3), deleted_at timestamptz(3),
  version integer NOT NULL
);
CREATE INDEX ticket_creator_id ON ticket (creator_id);
CREATE INDEX ticket_deleted_at_number ON ticket (deleted_at, number);
CREATE INDEX ticket_status_number ON ticket (status, number);
CREATE TABLE ticket_change (
  id integer PRIMARY KEY, ticket_id integer NOT NULL REFERENCES ticket (id), type varchar(24) NOT NULL, field varchar(24),
  old_value text, new_value text, body text, author_id integer REFERENCES app_user (id), created_at timestamptz(3) NOT NULL
);
CREATE INDEX ticket_change_author_id ON ticket_change (author_id);
CREATE INDEX ticket_change_ticket_id_id ON ticket_change (ticket_id, id);
CREATE TABLE ticket_user (
  ticket_id integer NOT NULL REFERENCES ticket (id), role varchar(16) NOT NULL, user_id integer NOT NULL REFERENCES app_user (id),
  position smallint NOT NULL, PRIMARY KEY (ticket_id, role, user_id)
);
CREATE INDEX ticket_user_user_id_role ON ticket_user (user_id, role);
COMMENT ON COLUMN ticket_user.position IS E'@behavior +orderBy';
`;

type Column = [name: string, pgType: string, values: unknown[]];

/** Rows per INSERT ... SELECT FROM unnest(...): one array parameter per column. */
const ROWS_PER_STATEMENT = 20_000;

async function insert(client: Client, table: string, columns: Column[]): Promise<void> {
  const n = columns[0][2].length;
  const sql =
    `INSERT INTO ${table} (${columns.map((c) => c[0]).join(', ')}) ` +
    `SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c[1]}[]`).join(', ')})`;
  for (let i = 0; i < n; i += ROWS_PER_STATEMENT) await client.query(sql, columns.map((c) => c[2].slice(i, i + ROWS_PER_STATEMENT)));
}

/** Stored 'YYYY-MM-DD HH:MM:SS.mmm' (UTC) as a timestamptz literal. */
const utc = (v: string | null) => (v === null ? null : `${v}Z`);

/** Creates the tables and loads the users (the gateway's, with their names) and the dataset's rows. */
export async function loadIntoPostgres(url: string, users: { id: number; username: string; name: string }[], data: Dataset): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(SCHEMA);
    await client.query('BEGIN');
    await insert(client, 'app_user', [
      ['id', 'int', users.map((u) => u.id)],
      ['username', 'text', users.map((u) => u.username)],
      ['name', 'text', users.map((u) => u.name)],
    ]);
    const t = data.tickets;
    await insert(client, 'ticket', [
      ['id', 'int', t.map((r) => r.id)],
      ['number', 'int', t.map((r) => r.number)],
      ['subject', 'text', t.map((r) => r.subject)],
      ['body', 'text', t.map((r) => r.body)],
      ['type', 'text', t.map((r) => r.type)],
      ['status', 'text', t.map((r) => r.status)],
      ['priority', 'smallint', t.map((r) => r.priority)],
      ['category_id', 'int', t.map((r) => r.categoryId)],
      ['server', 'text', t.map((r) => r.server)],
      ['notify', 'text', t.map((r) => r.notify)],
      ['due', 'timestamptz', t.map((r) => utc(r.due))],
      ['creator_id', 'int', t.map((r) => r.creatorId)],
      ['created_at', 'timestamptz', t.map((r) => utc(r.createdAt))],
      ['updated_at', 'timestamptz', t.map((r) => utc(r.updatedAt))],
      ['closed_at', 'timestamptz', t.map((r) => utc(r.closedAt))],
      ['deleted_at', 'timestamptz', t.map((r) => utc(r.deletedAt))],
      ['version', 'int', t.map((r) => r.version)],
    ]);
    const c = data.changes;
    await insert(client, 'ticket_change', [
      ['id', 'int', c.map((r) => r.id)],
      ['ticket_id', 'int', c.map((r) => r.ticketId)],
      ['type', 'text', c.map((r) => r.type)],
      ['field', 'text', c.map((r) => r.field)],
      ['old_value', 'text', c.map((r) => r.oldValue)],
      ['new_value', 'text', c.map((r) => r.newValue)],
      ['body', 'text', c.map((r) => r.body)],
      ['author_id', 'int', c.map((r) => r.authorId)],
      ['created_at', 'timestamptz', c.map((r) => utc(r.createdAt))],
    ]);
    const l = data.ticketUsers;
    await insert(client, 'ticket_user', [
      ['ticket_id', 'int', l.map((r) => r.ticketId)],
      ['role', 'text', l.map((r) => r.role)],
      ['user_id', 'int', l.map((r) => r.userId)],
      ['position', 'smallint', l.map((r) => r.position)],
    ]);
    await client.query('COMMIT');
    // Fresh statistics and visibility map, as autovacuum would leave them on a settled database.
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}

/**
 * CPU time of the PostgreSQL backends serving one database (the peers' pools keep their
 * connections, so the set is stable while a cell is measured): the database side of a request,
 * which the server process's CPU time leaves out. Only for a server on this machine, where the
 * backends' pids are processes in /proc; read from a connection to the maintenance database, so
 * the reader's own backend is not counted.
 */
export class PgBackendCpu {
  private constructor(
    private readonly client: Client,
    private readonly database: string,
  ) {}

  /** Null when the server is not on this machine (by its host name). */
  static async open(scratch: PgScratch): Promise<PgBackendCpu | null> {
    const host = new URL(scratch.serverUrl).hostname;
    if (!['127.0.0.1', 'localhost', '[::1]', ''].includes(host)) return null;
    const client = new Client({ connectionString: scratch.serverUrl });
    await client.connect();
    return new PgBackendCpu(client, scratch.name);
  }

  /** CPU seconds per backend pid of the database; null if a backend's /proc entry cannot be read. */
  async read(): Promise<Map<number, number> | null> {
    const { rows } = await this.client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [this.database]);
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      const seconds = readCpuSeconds(pid);
      if (seconds === null) return null;
      cpu.set(pid, seconds);
    }
    return cpu;
  }

  /** CPU seconds the backends used between two reads (a backend new since `before` counts whole). */
  static between(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
    if (!before || !after) return null;
    let total = 0;
    for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
    return total;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
