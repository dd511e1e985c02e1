/**
 * B0, the physical limit: a hand-written node:http server answering the gateway benchmark's
 * workloads W1-W4 with the fewest statements a person would write by hand (mysql2 query() or
 * better-sqlite3), building the same JSON the gateway returns with JSON.stringify. No GraphQL,
 * no ORM, no validation beyond what the answer needs: what is left is the database, the driver
 * and Node's HTTP stack, which is the floor the gateway is measured against.
 *
 * It dispatches POST /graphql on the request's operationName (W1, W2, W3a, W3b, W4) and ignores
 * the query text, so the load generator sends both servers byte-identical requests. The caller is
 * authenticated as the gateway does it for the admin key: SHA-256 of the bearer token compared
 * with ADMIN_API_KEY's, then the admin user row read (one statement). POST /upload (W5) streams
 * the body to a file, as bench/lib/baseline-server.ts does for the upload benchmark.
 * GET /stats answers the statements and requests counted so far.
 *
 * Environment: DATABASE_URL (sqlite:<file> or mysql://...), ADMIN_API_KEY, UPLOAD_DIR.
 * Prints `{"url": ...}` once listening (bench/lib/child-server.ts protocol).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

type Row = Record<string, any>;

interface Db {
  dialect: 'sqlite' | 'mysql';
  all(sql: string, params?: unknown[]): Promise<Row[]>;
  run(sql: string, params?: unknown[]): Promise<{ insertId: number; affected: number }>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

let statements = 0;
let requests = 0;

function openDb(url: string): Db {
  if (url.startsWith('sqlite:')) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Sqlite = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Sqlite(url.slice('sqlite:'.length));
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    // As the gateway's connection (TypeORM turns them on): W4's inserts check their foreign keys.
    db.pragma('foreign_keys = ON');
    const cache = new Map<string, import('better-sqlite3').Statement>();
    const prepare = (sql: string) => {
      let s = cache.get(sql);
      if (!s) cache.set(sql, (s = db.prepare(sql)));
      return s;
    };
    return {
      dialect: 'sqlite',
      all: async (sql, params = []) => {
        statements++;
        return prepare(sql).all(...params) as Row[];
      },
      run: async (sql, params = []) => {
        statements++;
        const r = prepare(sql).run(...params);
        return { insertId: Number(r.lastInsertRowid), affected: r.changes };
      },
      transaction: async (fn) => {
        statements++;
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn();
          statements++;
          db.exec('COMMIT');
          return result;
        } catch (err) {
          statements++;
          db.exec('ROLLBACK');
          throw err;
        }
      },
    };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const pool = mysql.createPool({ uri: url, connectionLimit: 10, dateStrings: true, timezone: 'Z', supportBigNumbers: true });
  const txConn = new (require('node:async_hooks').AsyncLocalStorage)() as import('node:async_hooks').AsyncLocalStorage<import('mysql2/promise').PoolConnection>;
  const target = () => txConn.getStore() ?? pool;
  return {
    dialect: 'mysql',
    all: async (sql, params = []) => {
      statements++;
      const [rows] = await target().query(sql, params);
      return rows as Row[];
    },
    run: async (sql, params = []) => {
      statements++;
      const [r] = await target().query(sql, params);
      const h = r as { insertId: number; affectedRows: number };
      return { insertId: h.insertId, affected: h.affectedRows };
    },
    transaction: async (fn) => {
      const conn = await pool.getConnection();
      try {
        statements++;
        await conn.query('START TRANSACTION');
        const result = await txConn.run(conn, fn);
        statements++;
        await conn.query('COMMIT');
        return result;
      } catch (err) {
        statements++;
        await conn.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        conn.release();
      }
    },
  };
}

const gid = (type: string, id: number) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
/** Stored 'YYYY-MM-DD HH:MM:SS[.mmm]' (UTC) to the ISO form the gateway's DateTime scalar sends. */
const iso = (v: string | Date) => (v instanceof Date ? v.toISOString() : new Date(`${v.replace(' ', 'T')}Z`).toISOString());
const upper = (v: string) => v.toUpperCase();

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? '';
  const adminHash = crypto.createHash('sha256').update(process.env.ADMIN_API_KEY ?? '', 'utf8').digest();
  const uploadDir = process.env.UPLOAD_DIR ?? fs.mkdtempSync('/tmp/tg-b0-');
  fs.mkdirSync(uploadDir, { recursive: true });
  const db = openDb(url);
  const q = (name: string) => (db.dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const in_ = (n: number) => Array(n).fill('?').join(', ');
  const fullText =
    db.dialect === 'sqlite'
      ? { sql: 'SELECT rowid FROM ticket_search WHERE ticket_search MATCH ?', param: (w: string) => `"${w}"` }
      : { sql: 'SELECT ticket_id FROM ticket_search WHERE MATCH(subject, body, comments) AGAINST (? IN BOOLEAN MODE)', param: (w: string) => `+${w}` };

  const authenticate = async (header: string | undefined): Promise<Row | null> => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return null;
    const hash = crypto.createHash('sha256').update(m[1], 'utf8').digest();
    if (!crypto.timingSafeEqual(hash, adminHash)) return null;
    const [user] = await db.all(`SELECT id, username, name FROM app_user WHERE username = 'admin' AND active = ?`, [1]);
    return user ?? null;
  };

  /** The latest `n` entries per ticket, oldest first, with their authors: one statement for any number of tickets. */
  const latestChanges = async (ticketIds: number[], n: number, withName: boolean) => {
    const rows = await db.all(
      `SELECT x.id, x.ticket_id, x.type, x.created_at, u.username${withName ? ', u.name' : ''} FROM ` +
        `(SELECT c.id, c.ticket_id, c.type, c.created_at, c.author_id, ROW_NUMBER() OVER (PARTITION BY c.ticket_id ORDER BY c.id DESC) AS rn ` +
        `FROM ticket_change c WHERE c.ticket_id IN (${in_(ticketIds.length)})) x LEFT JOIN app_user u ON u.id = x.author_id WHERE x.rn <= ? ORDER BY x.id`,
      [...ticketIds, n],
    );
    const byTicket = new Map<number, Row[]>();
    for (const r of rows) {
      const list = byTicket.get(Number(r.ticket_id)) ?? [];
      list.push({
        node: {
          id: gid('Change', Number(r.id)),
          type: upper(r.type),
          createdAt: iso(r.created_at),
          author: r.username === null ? null : withName ? { username: r.username, name: r.name } : { username: r.username },
        },
      });
      byTicket.set(Number(r.ticket_id), list);
    }
    return byTicket;
  };

  const handlers: Record<string, (vars: Row, viewer: Row) => Promise<unknown>> = {
    // ticket(number) { id number subject status changes(last: 20) { edges { node { id type createdAt author { username name } } } } }
    W1: async (vars) => {
      const [t] = await db.all('SELECT id, number, subject, status FROM ticket WHERE number = ? AND deleted_at IS NULL', [vars.number]);
      if (!t) return { ticket: null };
      const changes = await latestChanges([Number(t.id)], 20, true);
      return { ticket: { id: gid('Ticket', Number(t.id)), number: Number(t.number), subject: t.subject, status: upper(t.status), changes: { edges: changes.get(Number(t.id)) ?? [] } } };
    },
    // tickets(first: 50, filter: { number: { lte } }) { edges { node { id number subject status assignees { username } changes(last: 20) {...} } } }
    W2: async (vars) => {
      const tickets = await db.all('SELECT id, number, subject, status FROM ticket WHERE deleted_at IS NULL AND number <= ? ORDER BY number DESC LIMIT 50', [vars.max]);
      const ids = tickets.map((t) => Number(t.id));
      if (ids.length === 0) return { tickets: { edges: [] } };
      const assignees = await db.all(
        `SELECT tu.ticket_id, u.username FROM ticket_user tu JOIN app_user u ON u.id = tu.user_id WHERE tu.role = 'assignee' AND tu.ticket_id IN (${in_(ids.length)}) ORDER BY tu.ticket_id, tu.position`,
        ids,
      );
      const byTicket = new Map<number, Row[]>();
      for (const a of assignees) byTicket.set(Number(a.ticket_id), [...(byTicket.get(Number(a.ticket_id)) ?? []), { username: a.username }]);
      const changes = await latestChanges(ids, 20, false);
      return {
        tickets: {
          edges: tickets.map((t) => ({
            node: {
              id: gid('Ticket', Number(t.id)),
              number: Number(t.number),
              subject: t.subject,
              status: upper(t.status),
              assignees: byTicket.get(Number(t.id)) ?? [],
              changes: { edges: changes.get(Number(t.id)) ?? [] },
            },
          })),
        },
      };
    },
    // tickets(first: 20, query: "status:open tags:<tag>") { totalCount edges { node { number subject } } }
    W3a: async (vars) => {
      const tag = /tags:(\S+)/.exec(String(vars.q))?.[1] ?? '';
      const where = `deleted_at IS NULL AND status = 'open' AND id IN (SELECT tt.ticket_id FROM ticket_tag tt JOIN tag k ON k.id = tt.tag_id WHERE k.${q('key')} = ?)`;
      const page = await db.all(`SELECT number, subject FROM ticket WHERE ${where} ORDER BY number DESC LIMIT 20`, [tag]);
      const [count] = await db.all(`SELECT COUNT(*) AS n FROM ticket WHERE ${where}`, [tag]);
      return { tickets: { totalCount: Number(count.n), edges: page.map((t) => ({ node: { number: Number(t.number), subject: t.subject } })) } };
    },
    // tickets(first: 20, query: "<word>") { totalCount edges { node { number subject } } }
    W3b: async (vars) => {
      const word = fullText.param(String(vars.q).toLowerCase());
      const where = `deleted_at IS NULL AND id IN (${fullText.sql})`;
      const page = await db.all(`SELECT number, subject FROM ticket WHERE ${where} ORDER BY number DESC LIMIT 20`, [word]);
      const [count] = await db.all(`SELECT COUNT(*) AS n FROM ticket WHERE ${where}`, [word]);
      return { tickets: { totalCount: Number(count.n), edges: page.map((t) => ({ node: { number: Number(t.number), subject: t.subject } })) } };
    },
    // commentAdd(input: { ticketId, body }) { change { id type body createdAt author { username } } userErrors { field message code } }
    // The same writes as the gateway: ticket touch (version, updated_at, last actor, first response),
    // the entry, the full-text copy, the debounced "ticket updated" outbox row, in one transaction.
    W4: async (vars, viewer) => {
      const input = vars.input as { ticketId: string; body: string };
      const m = /^Ticket:(\d+)$/.exec(Buffer.from(input.ticketId, 'base64url').toString('utf8'));
      if (!m) throw new Error('bad ticket id');
      const ticketId = Number(m[1]);
      const now = new Date();
      const at = now.toISOString().replace('T', ' ').replace('Z', '');
      const due = new Date(now.getTime() + 30_000).toISOString().replace('T', ' ').replace('Z', '');
      const id = await db.transaction(async () => {
        const touched = await db.run(
          'UPDATE ticket SET version = version + 1, updated_at = ?, last_actor_id = ?, first_response_at = CASE WHEN first_response_at IS NULL AND (requester_id IS NULL OR requester_id <> ?) THEN ? ELSE first_response_at END WHERE id = ? AND deleted_at IS NULL',
          [at, viewer.id, viewer.id, at, ticketId],
        );
        if (touched.affected !== 1) throw new Error('no such ticket');
        // An internal note, as the gateway's commentAdd by staff without visibility (so only the full document gets it).
        const inserted = await db.run('INSERT INTO ticket_change (ticket_id, type, body, author_id, created_at, visibility) VALUES (?, ?, ?, ?, ?, ?)', [ticketId, 'comment', input.body, viewer.id, at, 'internal']);
        await db.run(
          db.dialect === 'sqlite'
            ? 'UPDATE ticket_search SET comments = comments || char(10) || ? WHERE rowid = ?'
            : "UPDATE ticket_search SET comments = CONCAT(comments, '\\n', ?) WHERE ticket_id = ?",
          [input.body, ticketId],
        );
        await db.run(
          `INSERT INTO outbox (kind, ticket_id, dedupe_key, from_change_id, status, attempts, available_at, created_at) SELECT ?, ?, ?, ?, ?, 0, ?, ? FROM ticket WHERE id = ? AND status <> ? ` +
            (db.dialect === 'sqlite' ? 'ON CONFLICT(dedupe_key) DO UPDATE SET available_at = excluded.available_at' : 'ON DUPLICATE KEY UPDATE available_at = VALUES(available_at)'),
          ['mail.ticket_updated', ticketId, `updated:${ticketId}`, inserted.insertId, 'pending', due, at, ticketId, 'draft'],
        );
        return inserted.insertId;
      });
      return { commentAdd: { change: { id: gid('Change', id), type: 'COMMENT', body: input.body, createdAt: now.toISOString(), author: { username: viewer.username } }, userErrors: [] } };
    },
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = `${JSON.stringify(body)}\n`; // as Apollo Server sends it
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    requests++;
    if (req.method === 'GET' && req.url === '/stats') return send(res, 200, { statements, requests: requests - 1 });
    if (req.method === 'POST' && req.url === '/upload') {
      const file = path.join(uploadDir, `${process.pid}-${crypto.randomUUID()}`);
      const out = fs.createWriteStream(file);
      let bytes = 0;
      req.on('data', (d: Buffer) => (bytes += d.length));
      pipeline(req, out).then(
        () => fs.promises.unlink(file).then(() => send(res, 200, { bytes })),
        (err: Error) => send(res, 500, { error: err.message }),
      );
      return;
    }
    if (req.method !== 'POST' || req.url !== '/graphql') return send(res, 404, { error: 'not found' });
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      void (async () => {
        try {
          const { operationName, variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { operationName: string; variables: Row };
          const handler = handlers[operationName];
          if (!handler) return send(res, 400, { errors: [{ message: `unknown operation ${operationName}` }] });
          const viewer = await authenticate(req.headers.authorization);
          if (!viewer) return send(res, 401, { errors: [{ message: 'unauthenticated', extensions: { code: 'UNAUTHENTICATED' } }] });
          send(res, 200, { data: await handler(variables ?? {}, viewer) });
        } catch (err) {
          send(res, 500, { errors: [{ message: err instanceof Error ? err.message : String(err) }] });
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pid: process.pid })}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
