/**
 * P0, PostGraphile's physical limit: what B0 (bench/baseline/server.ts) is for the gateway, on the
 * PostgreSQL copy of the dataset. node:http and a pg Pool (10 connections, as PostGraphile's),
 * B0's statements for W1 and W2 in PostgreSQL spelling (W1: the ticket, then its 20 latest changes
 * with authors; W2: the page of tickets, their assignees, their changes: 2 and 3 statements),
 * `pool.query(text, values)` as a person would write it, and the gateway's JSON, so its answers
 * are checked byte for byte like B0's.
 *
 * Anonymous, like the PostGraphile peer: neither checks the bearer token nor reads the caller
 * (B0 does, with one statement, because the gateway does). It dispatches POST /graphql on the
 * request's operationName and ignores the query text. GET /stats answers the statements and
 * GraphQL requests counted so far.
 *
 * Environment: PG_URL. Prints `{"url": ...}` once listening (bench/lib/child-server.ts protocol).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

type Row = Record<string, any>;

let statements = 0;
let requests = 0;

const gid = (type: string, id: number) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
const upper = (v: string) => v.toUpperCase();

async function main(): Promise<void> {
  // As the PostGraphile peer's pool: idle connections are kept between measured halves.
  const pool = new pg.Pool({ connectionString: process.env.PG_URL, max: 10, idleTimeoutMillis: 0 });
  const all = async (sql: string, params: unknown[]): Promise<Row[]> => {
    statements++;
    return (await pool.query(sql, params)).rows as Row[];
  };

  /** The latest `n` entries per ticket, oldest first, with their authors: one statement for any number of tickets. */
  const latestChanges = async (ticketIds: number[], n: number, withName: boolean) => {
    const rows = await all(
      `SELECT x.id, x.ticket_id, x.type, x.created_at, u.username${withName ? ', u.name' : ''} FROM ` +
        '(SELECT c.id, c.ticket_id, c.type, c.created_at, c.author_id, ROW_NUMBER() OVER (PARTITION BY c.ticket_id ORDER BY c.id DESC) AS rn ' +
        'FROM ticket_change c WHERE c.ticket_id = ANY($1::int[])) x LEFT JOIN app_user u ON u.id = x.author_id WHERE x.rn <= $2 ORDER BY x.id',
      [ticketIds, n],
    );
    const byTicket = new Map<number, Row[]>();
    for (const r of rows) {
      const list = byTicket.get(r.ticket_id) ?? [];
      list.push({
        node: {
          id: gid('Change', r.id),
          type: upper(r.type),
          createdAt: (r.created_at as Date).toISOString(),
          author: r.username === null ? null : withName ? { username: r.username, name: r.name } : { username: r.username },
        },
      });
      byTicket.set(r.ticket_id, list);
    }
    return byTicket;
  };

  const handlers: Record<string, (vars: Row) => Promise<unknown>> = {
    W1: async (vars) => {
      const [t] = await all('SELECT id, number, subject, status FROM ticket WHERE number = $1 AND deleted_at IS NULL', [vars.number]);
      if (!t) return { ticket: null };
      const changes = await latestChanges([t.id], 20, true);
      return { ticket: { id: gid('Ticket', t.id), number: t.number, subject: t.subject, status: upper(t.status), changes: { edges: changes.get(t.id) ?? [] } } };
    },
    W2: async (vars) => {
      const tickets = await all('SELECT id, number, subject, status FROM ticket WHERE deleted_at IS NULL AND number <= $1 ORDER BY number DESC LIMIT 50', [vars.max]);
      const ids = tickets.map((t) => t.id as number);
      if (ids.length === 0) return { tickets: { edges: [] } };
      const assignees = await all(
        "SELECT tu.ticket_id, u.username FROM ticket_user tu JOIN app_user u ON u.id = tu.user_id WHERE tu.role = 'assignee' AND tu.ticket_id = ANY($1::int[]) ORDER BY tu.ticket_id, tu.position",
        [ids],
      );
      const byTicket = new Map<number, Row[]>();
      for (const a of assignees) byTicket.set(a.ticket_id, [...(byTicket.get(a.ticket_id) ?? []), { username: a.username }]);
      const changes = await latestChanges(ids, 20, false);
      return {
        tickets: {
          edges: tickets.map((t) => ({
            node: {
              id: gid('Ticket', t.id),
              number: t.number,
              subject: t.subject,
              status: upper(t.status),
              assignees: byTicket.get(t.id) ?? [],
              changes: { edges: changes.get(t.id) ?? [] },
            },
          })),
        },
      };
    },
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = `${JSON.stringify(body)}\n`; // as Apollo Server and B0 send it
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') return send(res, 200, { statements, requests });
    if (req.method !== 'POST' || req.url !== '/graphql') return send(res, 404, { error: 'not found' });
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      void (async () => {
        try {
          const { operationName, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { operationName: string; variables: Row };
          const handler = handlers[operationName];
          if (!handler) return send(res, 400, { errors: [{ message: `unknown operation ${operationName}` }] });
          send(res, 200, { data: await handler(variables ?? {}) });
        } catch (err) {
          send(res, 500, { errors: [{ message: err instanceof Error ? err.message : String(err) }] });
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid })}\n`);
  const stop = () => {
    setTimeout(() => process.exit(0), 2_000).unref();
    server.close(() => void pool.end().finally(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`P0 failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
