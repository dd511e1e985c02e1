/**
 * Gateway benchmark (`npm run bench`, `npm run bench -- --small`): the gateway against its
 * baselines, in one run, on the same data, interleaved, reported as ratios.
 *
 *   B0  the physical limit: bench/baseline/server.ts, node:http + mysql2 / better-sqlite3, minimal SQL
 *   B1  this gateway with DataLoader batching off (DATALOADERS=off: the naive N+1 resolvers)
 *   B2  this gateway
 *   PostGraphile, P0  (W1, W2 only) PostGraphile 5 and its hand-written node:http + pg baseline, on a
 *       PostgreSQL copy of the same dataset (bench/postgraphile/), when a PostgreSQL answers at BENCH_PG_URL
 *
 * Workloads (random ids on every request, every response checked against the generated data):
 *   W1  one ticket by number with its 20 latest changes and their authors
 *   W2  50 tickets with their assignees and 20 latest changes each, with authors
 *   W3a search `status:open tags:<tag>`, first 20 with totalCount
 *   W3b full-text search `<word>`, first 20 with totalCount
 *   W4  commentAdd (transaction: ticket touch, change entry, full-text copy, outbox row)
 *   W5  1 MB file upload (B2 against B0's stream-to-disk; B1 is B2 for uploads)
 *   (W6, subscription fan-out, is bench/subscriptions.bench.ts.)
 *
 * Options: --small (1,000 tickets, short cells), --db sqlite|mysql|both (default both),
 * --profile (also run B2 under --cpu-prof per workload and record its top self-time frames),
 * --no-postgraphile (without the PostGraphile and P0 peers).
 * Writes bench/results/gateway[-small].json and appends a section to bench/RESULTS.md.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/config';
import { Category } from '../src/entities/category.entity';
import { Tag } from '../src/entities/tag.entity';
import { TicketStatus } from '../src/entities/ticket.enums';
import { TicketUserRole } from '../src/entities/ticket-user.entity';
import { User } from '../src/entities/user.entity';
import { createApp } from '../src/http/app';
import { spawnServer, type ChildServer } from './lib/child-server';
import { GraphQLClient } from './lib/client';
import { generateDataset, summarize as summarizeDataset, type Dataset, type DatasetSpec, type DatasetSummary, type Label, type Labels } from './lib/dataset';
import { machineInfo, sourceInfo } from './lib/environment';
import { loadDataset, refreshStatistics } from './lib/load';
import { readProcMemory, resetPeak } from './lib/memory';
import { Oracle } from './lib/oracle';
import { createScratchDatabase, type Dialect, type ScratchDatabase } from './lib/scratch-db';
import { readCpuSeconds } from './lib/cpu-time';
import { createPgScratch, DEFAULT_PG_URL, loadIntoPostgres, PgBackendCpu, type PgScratch } from './lib/postgres-peer';
import { POSTGRAPHILE_DOCS, postgraphileAsGateway } from './postgraphile/documents';
import { transpileTree } from './lib/transpile';
import { summarizeCpuProfile, type ProfileFrame } from './lib/cpu-profile';
import { writeGatewayMarkdown, type CellResult, type GatewayResult, type DialectResult, type PostgresPeerInfo } from './lib/gateway-report';

const ROOT = path.resolve(__dirname, '..');
const ADMIN_API_KEY = 'bench-admin-key-0123456789abcdef';
const CONNECTIONS = 10;
const PAGE = 20;

interface Scale {
  name: 'full' | 'small';
  spec: DatasetSpec;
  users: number;
  cellSeconds: number;
  warmupSeconds: number;
}

const FULL: Scale = {
  name: 'full',
  spec: { tickets: 10_000, changes: 200_000, seed: 20250601, bodySentences: [8, 20], heavy: { share: 0.01, min: 200, max: 500 } },
  users: 500,
  cellSeconds: 8,
  warmupSeconds: 1,
};
const SMALL: Scale = {
  name: 'small',
  spec: { tickets: 1_000, changes: 20_000, seed: 20250601, bodySentences: [8, 20], heavy: { share: 0.01, min: 200, max: 500 } },
  users: 100,
  // autocannon measures whole seconds: two 1 s halves, no warm-up beyond the answer check.
  cellSeconds: 2,
  warmupSeconds: 0,
};

const TAGS = [
  'web', 'database', 'network', 'storage', 'security', 'backup', 'monitoring', 'email', 'dns', 'certificates', 'kubernetes', 'ci',
  'vpn', 'ldap', 'hardware', 'printer', 'billing', 'migration', 'performance', 'access', 'vendor', 'audit', 'cloud', 'legacy',
];
const CATEGORIES = ['infra', 'apps', 'network', 'security', 'helpdesk', 'facilities', 'data', 'finance'];
const FIRST = ['ada', 'ben', 'cara', 'dan', 'eva', 'finn', 'gia', 'hugo', 'iris', 'jon', 'kim', 'leo', 'mia', 'nils', 'olga', 'paul', 'quinn', 'rosa', 'sam', 'tara', 'uma', 'vic', 'wen', 'xavi', 'yara'];
const LAST = ['berg', 'costa', 'diaz', 'evans', 'fox', 'gray', 'hall', 'ito', 'jensen', 'khan', 'lopez', 'moreau', 'novak', 'ortiz', 'park', 'quist', 'rossi', 'smith', 'tanaka', 'voss'];
/** Words of W4's comments: none is in the vocabulary, so W3b's full-text answers stay as generated. */
const W4_BODY = (n: number) => `Benchzq note ${n}: ${'zqxlog '.repeat(40)}done.`;

const DOCS = {
  W1: `query W1($number: Int!) { ticket(number: $number) { id number subject status changes(last: 20) { edges { node { id type createdAt author { username name } } } } } }`,
  W2: `query W2($max: Int!) { tickets(first: 50, filter: { number: { lte: $max } }) { edges { node { id number subject status assignees { username } changes(last: 20) { edges { node { id type createdAt author { username } } } } } } } }`,
  W3a: `query W3a($q: String!) { tickets(first: ${PAGE}, query: $q) { totalCount edges { node { number subject } } } }`,
  W3b: `query W3b($q: String!) { tickets(first: ${PAGE}, query: $q) { totalCount edges { node { number subject } } } }`,
  W4: `mutation W4($input: CommentAddInput!) { commentAdd(input: $input) { change { id type body createdAt author { username } } userErrors { field message code } } }`,
  W5: `mutation W5($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) { files { size sha256 } userErrors { field code message } } }`,
};
type Workload = keyof typeof DOCS;
type Peer = 'B0' | 'B1' | 'B2' | 'PostGraphile' | 'P0';
/** The workloads the PostGraphile peer and P0 answer. */
const POSTGRAPHILE_WORKLOADS: Workload[] = ['W1', 'W2'];

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function parseArgs(argv: string[]): { scale: Scale; dialects: Dialect[]; profile: boolean; profileOnly: boolean; postgraphile: boolean } {
  const scale = argv.includes('--small') ? { ...SMALL } : { ...FULL };
  const dbArg = argv.find((a) => a.startsWith('--db='))?.slice(5) ?? (argv.includes('--db') ? argv[argv.indexOf('--db') + 1] : 'both');
  const dialects: Dialect[] = dbArg === 'both' ? ['sqlite', 'mysql'] : dbArg === 'sqlite' ? ['sqlite'] : dbArg === 'mysql' || dbArg === 'mariadb' ? ['mysql'] : [];
  if (dialects.length === 0) throw new Error(`--db takes sqlite, mysql or both (got ${dbArg})`);
  if (process.env.BENCH_CELL_SECONDS) scale.cellSeconds = Number(process.env.BENCH_CELL_SECONDS);
  // The full run profiles B2 on MySQL/MariaDB (where the targets are set) unless --no-profile.
  const profile = argv.includes('--profile') || argv.includes('--profile-only') || (scale.name === 'full' && !argv.includes('--no-profile'));
  return { scale, dialects, profile, profileOnly: argv.includes('--profile-only'), postgraphile: !argv.includes('--no-postgraphile') };
}

// ---------------------------------------------------------------- expected answers

const gid = (type: string, id: number) => Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
const iso = (sqlDate: string) => new Date(`${sqlDate.replace(' ', 'T')}Z`).toISOString();

/** What each request must answer, computed from the generated rows (never from a database). */
class Expectations {
  private readonly users = new Map<number, { username: string; name: string }>();
  private readonly changeRange = new Map<number, [number, number]>();
  private readonly assignees = new Map<number, string[]>();
  private readonly byNumber = new Map<number, Dataset['tickets'][number]>();
  private readonly visibleDesc: Dataset['tickets'];
  private readonly w1Cache = new Map<number, string>();
  private readonly w2Cache = new Map<number, string>();
  readonly w3a = new Map<string, string>();
  readonly w3b = new Map<string, string>();
  /** Tickets W4 and W5 write to, above every number W1 and W2 read. */
  readonly writable: number[];
  readonly readableMax: number;

  constructor(private readonly data: Dataset, labels: Labels, names: Map<string, string>, oracle: Oracle, searchWords: string[]) {
    for (const u of labels.users) this.users.set(u.id, { username: u.key, name: names.get(u.key) ?? u.key });
    data.changes.forEach((c, i) => {
      const r = this.changeRange.get(c.ticketId);
      if (r) r[1] = i + 1;
      else this.changeRange.set(c.ticketId, [i, i + 1]);
    });
    const links = data.ticketUsers.filter((l) => l.role === TicketUserRole.ASSIGNEE).sort((a, b) => a.ticketId - b.ticketId || a.position - b.position);
    for (const l of links) this.assignees.set(l.ticketId, [...(this.assignees.get(l.ticketId) ?? []), this.users.get(l.userId)!.username]);
    for (const t of data.tickets) this.byNumber.set(t.number, t);
    this.visibleDesc = data.tickets.filter((t) => t.deletedAt === null).sort((a, b) => b.number - a.number);
    this.readableMax = Math.floor(data.tickets.length * 0.95);
    this.writable = data.tickets.filter((t) => t.number > this.readableMax && t.deletedAt === null).map((t) => t.number);
    const page = (e: { totalCount: number; firstPage: number[] }) =>
      JSON.stringify({ data: { tickets: { totalCount: e.totalCount, edges: e.firstPage.map((n) => ({ node: { number: n, subject: this.byNumber.get(n)!.subject } })) } } });
    for (const tag of TAGS.slice(0, 10)) this.w3a.set(`status:open tags:${tag}`, page(oracle.expect((t) => t.status === TicketStatus.OPEN && oracle.hasTag(t, tag), PAGE)));
    for (const word of searchWords) this.w3b.set(word, page(oracle.expect((t) => oracle.hasWords(t, [word]), PAGE)));
  }

  private latest(ticketId: number, withName: boolean) {
    const [from, to] = this.changeRange.get(ticketId) ?? [0, 0];
    return this.data.changes.slice(Math.max(from, to - 20), to).map((c) => {
      const u = this.users.get(c.authorId)!;
      return { node: { id: gid('Change', c.id), type: c.type.toUpperCase(), createdAt: iso(c.createdAt), author: withName ? { username: u.username, name: u.name } : { username: u.username } } };
    });
  }

  w1(number: number): string {
    let s = this.w1Cache.get(number);
    if (s === undefined) {
      const t = this.byNumber.get(number);
      const ticket = !t || t.deletedAt !== null ? null : { id: gid('Ticket', t.id), number: t.number, subject: t.subject, status: t.status.toUpperCase(), changes: { edges: this.latest(t.id, true) } };
      this.w1Cache.set(number, (s = JSON.stringify({ data: { ticket } })));
    }
    return s;
  }

  w2(max: number): string {
    let s = this.w2Cache.get(max);
    if (s === undefined) {
      const start = this.visibleDesc.findIndex((t) => t.number <= max);
      const edges = this.visibleDesc.slice(start, start + 50).map((t) => ({
        node: {
          id: gid('Ticket', t.id),
          number: t.number,
          subject: t.subject,
          status: t.status.toUpperCase(),
          assignees: (this.assignees.get(t.id) ?? []).map((username) => ({ username })),
          changes: { edges: this.latest(t.id, false) },
        },
      }));
      s = JSON.stringify({ data: { tickets: { edges } } });
      if (this.w2Cache.size < 2000) this.w2Cache.set(max, s);
    }
    return s;
  }

  ticketId(number: number): number {
    return this.byNumber.get(number)!.id;
  }
}

// ---------------------------------------------------------------- load generation

interface Check {
  ok: number;
  bad: number;
  firstBad: string | null;
  bodyBytes: number;
}

interface RequestPlan {
  /** Body and path of the next request, and how to check its answer. */
  next(): { path: string; body: string | Buffer; headers?: Record<string, string>; check: (status: number, body: string) => string | null };
}

const rand = (n: number) => Math.floor(Math.random() * n);
const pick = <T>(xs: T[]) => xs[rand(xs.length)];

function plans(x: Expectations, upload: { body: (ticketId: string) => { body: Buffer; contentType: string }; sha256: string; bytes: number }): Record<Workload, (peer: Peer) => RequestPlan> {
  const json = (operationName: string, variables: Record<string, unknown>) => JSON.stringify({ operationName, query: DOCS[operationName as Workload], variables });
  // Apollo ends its JSON with a newline, and so does B0.
  const exact = (expectedJson: string) => (status: number, raw: string) => {
    const body = withoutCost(raw);
    const expected = `${expectedJson}\n`;
    if (status === 200 && body === expected) return null;
    let i = 0;
    while (i < body.length && body[i] === expected[i]) i++;
    return `HTTP ${status}, differs at byte ${i}: ...${body.slice(Math.max(0, i - 150), i + 150)}... expected ...${expected.slice(Math.max(0, i - 150), i + 150)}...`;
  };
  // PostGraphile gets its own documents; its answers, translated to the gateway's JSON, must equal the same expected answers.
  const postgraphile = (workload: 'W1' | 'W2', variables: Record<string, unknown>, expectedJson: string) => ({
    path: '/graphql',
    body: JSON.stringify({ operationName: workload, query: POSTGRAPHILE_DOCS[workload], variables }),
    check: (status: number, raw: string) => {
      const r = postgraphileAsGateway(workload, raw);
      if ('problem' in r) return `HTTP ${status}: ${r.problem}`;
      return status === 200 ? exact(expectedJson)(status, `${r.json}\n`) : `HTTP ${status}: ${raw.slice(0, 300)}`;
    },
  });
  let w4 = 0;
  return {
    W1: (peer) => ({
      next: () => {
        const number = 1 + rand(x.readableMax);
        if (peer === 'PostGraphile') return postgraphile('W1', { number }, x.w1(number));
        return { path: '/graphql', body: json('W1', { number }), check: exact(x.w1(number)) };
      },
    }),
    W2: (peer) => ({
      next: () => {
        const max = 50 + rand(x.readableMax - 50);
        if (peer === 'PostGraphile') return postgraphile('W2', { max }, x.w2(max));
        return { path: '/graphql', body: json('W2', { max }), check: exact(x.w2(max)) };
      },
    }),
    W3a: () => ({
      next: () => {
        const q = pick([...x.w3a.keys()]);
        return { path: '/graphql', body: json('W3a', { q }), check: exact(x.w3a.get(q)!) };
      },
    }),
    W3b: () => ({
      next: () => {
        const q = pick([...x.w3b.keys()]);
        return { path: '/graphql', body: json('W3b', { q }), check: exact(x.w3b.get(q)!) };
      },
    }),
    W4: () => ({
      next: () => {
        const ticketId = gid('Ticket', x.ticketId(pick(x.writable)));
        const body = W4_BODY(++w4);
        return {
          path: '/graphql',
          body: json('W4', { input: { ticketId, body } }),
          check: (status, text) => {
            if (status !== 200) return `HTTP ${status}: ${text.slice(0, 300)}`;
            const r = JSON.parse(text) as { data?: { commentAdd: { change: { id: string; type: string; body: string; createdAt: string; author: { username: string } }; userErrors: unknown[] } } };
            const c = r.data?.commentAdd;
            const ok =
              c && c.userErrors.length === 0 && c.change.type === 'COMMENT' && c.change.body === body && c.change.author.username === 'admin' &&
              /^Change:\d+$/.test(Buffer.from(c.change.id, 'base64url').toString()) && Math.abs(Date.parse(c.change.createdAt) - Date.now()) < 60_000;
            return ok ? null : `unexpected commentAdd answer: ${text.slice(0, 300)}`;
          },
        };
      },
    }),
    W5: (peer) => ({
      next: (): ReturnType<RequestPlan['next']> => {
        const { body, contentType } = upload.body(gid('Ticket', x.ticketId(pick(x.writable))));
        if (peer === 'B0') {
          return {
            path: '/upload',
            body,
            headers: { 'content-type': contentType },
            check: (status, text) => (status === 200 && (JSON.parse(text) as { bytes: number }).bytes === body.length ? null : `HTTP ${status}: ${text.slice(0, 300)}`),
          };
        }
        return {
          path: '/graphql',
          body,
          headers: { 'content-type': contentType, 'apollo-require-preflight': 'true' },
          check: (status, text) => {
            if (status !== 200) return `HTTP ${status}: ${text.slice(0, 300)}`;
            const r = JSON.parse(text) as { data?: { ticketFilesUpload: { files: { size: number; sha256: string }[]; userErrors: unknown[] } } };
            const f = r.data?.ticketFilesUpload;
            return f && f.userErrors.length === 0 && f.files.length === 1 && f.files[0].size === upload.bytes && f.files[0].sha256 === upload.sha256 ? null : `unexpected upload answer: ${text.slice(0, 300)}`;
          },
        };
      },
    }),
  };
}

function uploadBodies(bytes: number) {
  const file = crypto.randomBytes(bytes);
  const sha256 = crypto.createHash('sha256').update(file).digest('hex');
  const boundary = `----tgbench${crypto.randomBytes(12).toString('hex')}`;
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    bytes,
    sha256,
    body: (ticketId: string) => {
      const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
      const preamble = Buffer.from(
        field('operations', JSON.stringify({ operationName: 'W5', query: DOCS.W5, variables: { t: ticketId, files: [null] } })) +
          field('map', JSON.stringify({ 0: ['variables.files.0'] })) +
          `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      return { body: Buffer.concat([preamble, file, epilogue]), contentType: `multipart/form-data; boundary=${boundary}` };
    },
  };
}

async function load(url: string, plan: RequestPlan, seconds: number, check: Check | null): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any, context: any) => {
          const r = plan.next();
          context.check = r.check;
          return { ...req, method: 'POST', path: r.path, body: r.body, headers: { ...req.headers, ...(r.headers ?? {}) } };
        },
        onResponse: (status: number, body: string, context: any) => {
          if (!check) return;
          check.bodyBytes += Buffer.byteLength(body);
          const problem = (context.check as (s: number, b: string) => string | null)(status, body);
          if (problem === null) check.ok++;
          else {
            check.bad++;
            check.firstBad ??= problem;
          }
        },
      } as any,
    ],
  } as autocannon.Options);
  return result;
}

// ---------------------------------------------------------------- counters

/** Sum and count of the app's tg_sql_statements_per_request histogram for one operation. */
async function appSqlCounter(server: ChildServer, operation: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}\\{operation="${operation}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { sum: value('tg_sql_statements_per_request_sum'), count: value('tg_sql_statements_per_request_count') };
}

async function baselineCounter(server: ChildServer): Promise<{ sum: number; count: number }> {
  const s = (await (await fetch(`${server.url}/stats`)).json()) as { statements: number; requests: number };
  return { sum: s.statements, count: s.requests };
}

class Questions {
  private constructor(private readonly conn: mysql.Connection) {}
  static async open(url: string): Promise<Questions> {
    return new Questions(await mysql.createConnection(url));
  }
  async read(): Promise<number> {
    const [rows] = await this.conn.query("SHOW GLOBAL STATUS LIKE 'Questions'");
    return Number((rows as { Value: string }[])[0].Value);
  }
  close(): Promise<void> {
    return this.conn.end();
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const { scale, dialects, profile, profileOnly, postgraphile } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-gateway-bench-'));
  // Before pinning: nproc counts the CPUs this process may run on.
  const machine = machineInfo();
  const pinned = pinSelf();
  log(`scale ${scale.name}; databases ${dialects.join(', ')}; ${pinned ? 'bench pinned to CPU 0, servers to CPU 1' : 'no CPU pinning (taskset missing or one CPU)'}`);
  try {
    const files = transpileTree(ROOT, ['src', 'migrations', 'bench/lib/app-server.ts', 'bench/baseline/server.ts', 'bench/postgraphile'], path.join(tmp, 'js'));
    log(`transpiled ${files} files`);
    const results: DialectResult[] = [];
    for (const dialect of dialects) results.push(await runDialect(dialect, scale, tmp, pinned, profile, profileOnly, postgraphile));
    const result: GatewayResult = {
      benchmark: 'gateway',
      scale: scale.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      wallSeconds: Math.round((performance.now() - started) / 1000),
      source: sourceInfo(ROOT),
      machine,
      method: {
        connections: CONNECTIONS,
        cellSeconds: scale.cellSeconds,
        warmupSeconds: scale.warmupSeconds,
        pinning: pinned ? 'servers on CPU 1 (taskset -a), bench and autocannon on CPU 0' : 'none',
        nodeFlags: NODE_FLAGS,
      },
      dialects: results,
    };
    const out = path.join(__dirname, 'results', `gateway${scale.name === 'small' ? '-small' : ''}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    writeGatewayMarkdown(path.join(__dirname, 'RESULTS.md'), result);
    log(`wrote ${path.relative(process.cwd(), out)} and appended to bench/RESULTS.md (${result.wallSeconds} s)`);
    const wrong = results.flatMap((d) => d.cells.filter((c) => c.wrongAnswers > 0).map((c) => `${d.dialect} ${c.workload} ${c.peer}: ${c.firstWrongAnswer}`));
    if (wrong.length > 0) {
      for (const w of wrong) log(`WRONG ANSWER ${w}`);
      process.exitCode = 1;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** As `npm start` runs node (package.json); BENCH_NODE_FLAGS (space-separated) overrides, to measure V8 settings. */
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) : ['--max-semi-space-size=8'];

function pinSelf(): boolean {
  if (os.availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function pin(pid: number): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(pid)], { stdio: 'ignore' });
  } catch {
    // pinning is best effort; the report says whether it was on
  }
}

async function runDialect(dialect: Dialect, scale: Scale, tmp: string, pinned: boolean, profile: boolean, profileOnly = false, postgraphile = true): Promise<DialectResult> {
  const scratch = await createScratchDatabase(dialect);
  log(`${dialect}: scratch database ${scratch.location}`);
  const servers: ChildServer[] = [];
  let questions: Questions | null = null;
  let pgScratch: PgScratch | null = null;
  let pgCpu: PgBackendCpu | null = null;
  try {
    const prepared = await prepare(scratch, scale);
    // The PostGraphile peer and P0 on a PostgreSQL copy of the same generated rows (issue 21).
    let pgInfo: PostgresPeerInfo = { skipped: profileOnly ? '--profile-only' : '--no-postgraphile', database: null, loadSeconds: null, packages: {} };
    if (postgraphile && !profileOnly) {
      pgScratch = await createPgScratch();
      if (!pgScratch) {
        pgInfo = { ...pgInfo, skipped: `no PostgreSQL answered at ${pgServerForReport()} (BENCH_PG_URL)` };
        log(`PostGraphile peer skipped: ${pgInfo.skipped}`);
      } else {
        const t0 = performance.now();
        await loadIntoPostgres(pgScratch.url, prepared.users, prepared.data);
        pgInfo = { skipped: null, database: pgScratch.server, loadSeconds: Math.round((performance.now() - t0) / 100) / 10, packages: postgraphilePackages() };
        log(`PostGraphile peer: ${pgScratch.server}, database ${pgScratch.name}, loaded in ${pgInfo.loadSeconds} s`);
        pgCpu = await PgBackendCpu.open(pgScratch);
      }
    }
    const js = path.join(tmp, 'js');
    const baseEnv = {
      PATH: process.env.PATH ?? '',
      NODE_PATH: path.join(ROOT, 'node_modules'),
      NODE_ENV: 'production',
      DATABASE_URL: scratch.url,
      DATA_DIR: scratch.dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      ADMIN_API_KEY,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      // Load generators would exhaust any per-key budget; the limiter's own cost (one upsert with the
      // database store, none with Redis) is stated in RESULTS.md.
      RATE_LIMIT_COST_PER_MINUTE: '0',
      TMPDIR: path.join(tmp, 'uploads'),
    };
    // BENCH_GATEWAY_ENV="NAME=value,NAME=value": settings for the gateway peers (B1, B2) only, for experiments.
    const gatewayEnv = Object.fromEntries((process.env.BENCH_GATEWAY_ENV ?? '').split(',').filter(Boolean).map((kv) => kv.split(/=(.*)/s).slice(0, 2) as [string, string]));
    fs.mkdirSync(baseEnv.TMPDIR, { recursive: true });
    const start = async (peer: Peer, extraEnv: Record<string, string> = {}, extraFlags: string[] = []) => {
      const entries: Record<Peer, string> = {
        B0: 'bench/baseline/server.js',
        B1: 'bench/lib/app-server.js',
        B2: 'bench/lib/app-server.js',
        PostGraphile: 'bench/postgraphile/server.js',
        P0: 'bench/postgraphile/baseline.js',
      };
      const entry = path.join(js, entries[peer]);
      const onPostgres = peer === 'PostGraphile' || peer === 'P0';
      const env = onPostgres
        ? { PATH: baseEnv.PATH, NODE_PATH: baseEnv.NODE_PATH, NODE_ENV: 'production', PG_URL: pgScratch!.url, ...extraEnv }
        : { ...baseEnv, ...(peer === 'B1' || peer === 'B2' ? gatewayEnv : {}), ...(peer === 'B1' ? { DATALOADERS: 'off' } : {}), ...(peer === 'B0' ? { UPLOAD_DIR: path.join(tmp, 'b0-uploads') } : {}), ...extraEnv };
      const server = await spawnServer(`${dialect} ${peer}`, [...NODE_FLAGS, ...extraFlags, entry], { cwd: ROOT, env });
      if (pinned) pin(server.pid);
      return server;
    };
    const peers: Partial<Record<Peer, ChildServer>> = { B0: await start('B0'), B1: await start('B1'), B2: await start('B2') };
    if (pgInfo.skipped === null) {
      peers.PostGraphile = await start('PostGraphile');
      peers.P0 = await start('P0');
    }
    servers.push(...Object.values(peers));
    if (dialect === 'mysql') questions = await Questions.open(scratch.url);

    const x = prepared.expectations;
    const upload = uploadBodies(1024 * 1024);
    const plan = plans(x, upload);
    await sameAnswers(peers, plan);

    const cells: CellResult[] = [];
    const only = process.env.BENCH_WORKLOADS?.split(',').map((w) => w.trim());
    const order = (['W1', 'W2', 'W3a', 'W3b', 'W4', 'W5'] as Workload[]).filter((w) => !only || only.includes(w));
    for (const workload of profileOnly ? [] : order) {
      const peerList: Peer[] = workload === 'W5' ? ['B0', 'B2'] : ['B0', 'B1', 'B2'];
      if (peers.PostGraphile && POSTGRAPHILE_WORKLOADS.includes(workload)) peerList.push('PostGraphile', 'P0');
      // Interleaved A B C C B A: each peer's cell is two halves, one early and one late, so drift
      // in the shared machine's load hits every peer about equally.
      const halves = new Map<Peer, CellResult[]>();
      for (const peer of [...peerList, ...[...peerList].reverse()]) {
        const first = !halves.has(peer);
        const onPostgres = peer === 'PostGraphile' || peer === 'P0';
        const half = await measure(dialect, workload, peer, peers[peer]!, plan[workload](peer), scale, onPostgres ? null : questions, first, onPostgres ? pgCpu : null);
        halves.set(peer, [...(halves.get(peer) ?? []), half]);
      }
      for (const peer of peerList) {
        const cell = combine(halves.get(peer)!);
        cells.push(cell);
        log(`${dialect} ${workload} ${peer}: ${describe(cell)}`);
      }
    }

    let profiles: Partial<Record<Workload, ProfileFrame[]>> | undefined;
    if (profile && (dialect === 'mysql' || process.argv.includes('--profile') || process.argv.includes('--profile-only'))) {
      profiles = {};
      for (const workload of ['W1', 'W2', 'W3a', 'W4'] as Workload[]) {
        const dir = path.join(tmp, `prof-${dialect}-${workload}`);
        const b2 = await start('B2', {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
        if (pinned) pin(b2.pid);
        await load(b2.url, plan[workload]('B2'), 1, null); // warm-up: start-up and first compilations out of the way
        const profiledSeconds = Math.max(4, scale.cellSeconds);
        await load(b2.url, plan[workload]('B2'), profiledSeconds, null);
        await b2.stop();
        const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
        if (file) profiles[workload] = summarizeCpuProfile(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), 15, profiledSeconds * 1000);
        log(`${dialect} ${workload}: profiled B2`);
      }
    }

    return {
      dialect,
      database: await databaseVersion(scratch),
      dataset: { ...prepared.summary, users: scale.users, seed: scale.spec.seed, loadSeconds: prepared.loadSeconds, heavyTickets: prepared.heavyTickets, bodyBytesMedian: prepared.bodyBytesMedian },
      workloads: { ...describeWorkloads(prepared), ...(pgInfo.skipped === null ? { 'W1 PostGraphile': POSTGRAPHILE_DOCS.W1, 'W2 PostGraphile': POSTGRAPHILE_DOCS.W2 } : {}) },
      cells,
      postgraphile: pgInfo,
      profiles,
    };
  } finally {
    for (const s of servers) await s.stop();
    await questions?.close();
    await scratch.drop();
    await pgCpu?.close();
    await pgScratch?.drop();
  }
}

interface Prepared {
  expectations: Expectations;
  summary: DatasetSummary;
  loadSeconds: number;
  heavyTickets: number;
  bodyBytesMedian: number;
  searchWords: { word: string; share: number }[];
  /** The generated rows and the users they refer to, for the PostgreSQL copy. */
  data: Dataset;
  users: { id: number; username: string; name: string }[];
}

/** Migrates through the app, creates users, tags and categories through GraphQL, bulk-loads the rest. */
async function prepare(scratch: ScratchDatabase, scale: Scale): Promise<Prepared> {
  const app = await createApp(loadConfig({ DATABASE_URL: scratch.url, DATA_DIR: scratch.dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_API_KEY, LOG_LEVEL: 'silent' }), { startWorkers: false });
  try {
    const client = new GraphQLClient(await app.listen(), ADMIN_API_KEY);
    const names = new Map<string, string>();
    const usernames: string[] = [];
    for (let i = 0; usernames.length < scale.users; i++) {
      const f = FIRST[i % FIRST.length];
      const l = LAST[Math.floor(i / FIRST.length) % LAST.length];
      const username = `${f}.${l}${i >= FIRST.length * LAST.length ? i : ''}`;
      usernames.push(username);
      names.set(username, `${f[0].toUpperCase()}${f.slice(1)} ${l[0].toUpperCase()}${l.slice(1)}`);
    }
    log(`creating ${usernames.length} users, ${TAGS.length} tags and ${CATEGORIES.length} categories through GraphQL`);
    const run = async (mutation: string, inputType: string, input: Record<string, unknown>) => {
      const { data } = await client.request<Record<string, { userErrors: { message: string }[] }>>(`mutation($input: ${inputType}!) { ${mutation}(input: $input) { userErrors { message } } }`, { input });
      if (data[mutation].userErrors.length > 0) throw new Error(`${mutation}: ${data[mutation].userErrors.map((e) => e.message).join('; ')}`);
    };
    for (let i = 0; i < usernames.length; i += 10) {
      await Promise.all(
        usernames.slice(i, i + 10).map((u) => run('userCreate', 'UserCreateInput', { username: u, name: names.get(u), email: `${u}@example.com`, privileges: ['CREATE_TICKETS', 'EDIT_TICKETS'] })),
      );
    }
    for (const key of TAGS) await run('tagCreate', 'TagCreateInput', { key, title: key });
    for (const key of CATEGORIES) await run('categoryCreate', 'CategoryCreateInput', { key, title: key });
    const em = app.db.manager;
    const inOrder = (keys: string[], rows: Label[]) => keys.map((k) => rows.find((r) => r.key === k) ?? fail(`${k} was not created`));
    const labels: Labels = {
      users: inOrder(usernames, (await em.find(User)).map((u) => ({ id: u.id, key: u.username }))),
      tags: inOrder(TAGS, (await em.find(Tag)).map((t) => ({ id: t.id, key: t.key }))),
      categories: inOrder(CATEGORIES, (await em.find(Category)).map((c) => ({ id: c.id, key: c.key }))),
    };
    log(`generating ${scale.spec.tickets} tickets and ${scale.spec.changes} changes (seed ${scale.spec.seed})`);
    const data = generateDataset(scale.spec, labels);
    const t0 = performance.now();
    await loadDataset(app.db, data);
    await refreshStatistics(app.db);
    const loadSeconds = Math.round((performance.now() - t0) / 100) / 10;
    log(`loaded in ${loadSeconds} s`);
    const oracle = new Oracle(data);
    const searchWords: { word: string; share: number }[] = [];
    for (const share of [0.02, 0.05, 0.1, 0.2]) searchWords.push(oracle.wordWithShare(share, 'text', searchWords.map((w) => w.word)));
    const perTicket = new Map<number, number>();
    for (const c of data.changes) perTicket.set(c.ticketId, (perTicket.get(c.ticketId) ?? 0) + 1);
    const bodies = data.tickets.map((t) => Buffer.byteLength(t.body)).sort((a, b) => a - b);
    return {
      expectations: new Expectations(data, labels, names, oracle, searchWords.map((w) => w.word)),
      summary: summarizeDataset(data),
      loadSeconds,
      heavyTickets: [...perTicket.values()].filter((n) => n >= 200).length,
      bodyBytesMedian: bodies[Math.floor(bodies.length / 2)],
      searchWords,
      data,
      users: labels.users.map((u) => ({ id: u.id, username: u.key, name: names.get(u.key) ?? u.key })),
    };
  } finally {
    await app.close();
  }
}

/** The gateway's answers end with extensions.cost (issue 7), which B0 does not compute: compared without it. */
function withoutCost(text: string): string {
  return text.replace(/,"extensions":\{"cost":\{[^{}]*\}\}\}(\n?)$/, '}$1');
}

function fail(message: string): never {
  throw new Error(message);
}

/**
 * B0, B1, B2 (and P0) answer the same read requests byte for byte before anything is timed, and
 * PostGraphile's answers to W1 and W2, translated, equal them too.
 */
async function sameAnswers(peers: Partial<Record<Peer, ChildServer>>, plan: Record<Workload, (peer: Peer) => RequestPlan>): Promise<void> {
  for (const workload of ['W1', 'W2', 'W3a', 'W3b'] as Workload[]) {
    const onPostgres: Peer[] = peers.PostGraphile && POSTGRAPHILE_WORKLOADS.includes(workload) ? ['P0'] : [];
    for (let i = 0; i < 5; i++) {
      const r = plan[workload]('B2').next();
      const answers: string[] = [];
      for (const peer of ['B0', 'B1', 'B2', ...onPostgres] as Peer[]) {
        const res = await fetch(`${peers[peer]!.url}${r.path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_API_KEY}`, 'content-type': 'application/json' }, body: r.body as string });
        const text = await res.text();
        const problem = r.check(res.status, text);
        if (problem) throw new Error(`${workload} on ${peer} answered wrongly: ${problem}`);
        answers.push(withoutCost(text));
      }
      if (new Set(answers).size !== 1) throw new Error(`${workload}: B0, B1, B2${onPostgres.length ? ' and P0' : ''} answered differently`);
      if (onPostgres.length) {
        const p = plan[workload]('PostGraphile').next();
        const res = await fetch(`${peers.PostGraphile!.url}${p.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: p.body as string });
        const problem = p.check(res.status, await res.text());
        if (problem) throw new Error(`${workload} on PostGraphile answered wrongly: ${problem}`);
      }
    }
  }
  log(`B0, B1 and B2${peers.P0 ? ' (and P0 for W1, W2)' : ''} give byte-identical answers to W1-W3, equal to the generated data${peers.PostGraphile ? '; so do PostGraphile\'s, translated' : ''}`);
}

/** BENCH_PG_URL's server without a password, for the log and the report. */
function pgServerForReport(): string {
  const url = new URL(process.env.BENCH_PG_URL ?? DEFAULT_PG_URL);
  url.password = '';
  return url.toString();
}

/** Versions of what the PostGraphile peer runs, for the record. */
function postgraphilePackages(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of ['postgraphile', 'grafast', 'grafserv', '@dataplan/pg', 'postgraphile-plugin-connection-filter', 'pg']) {
    try {
      versions[name] = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      versions[name] = 'unknown';
    }
  }
  return versions;
}

async function measure(
  dialect: Dialect,
  workload: Workload,
  peer: Peer,
  server: ChildServer,
  plan: RequestPlan,
  scale: Scale,
  questions: Questions | null,
  warmUp: boolean,
  pgCpu: PgBackendCpu | null = null,
): Promise<CellResult> {
  if (warmUp && scale.warmupSeconds > 0) await load(server.url, plan, scale.warmupSeconds, null);
  // B0, P0 and the PostGraphile peer count statements themselves (/stats); the gateway in its metrics.
  const counter = () => (peer === 'B1' || peer === 'B2' ? appSqlCounter(server, workload) : baselineCounter(server));
  const before = await counter();
  const canReset = resetPeak(server.pid);
  const q0 = questions ? await questions.read() : 0;
  const check: Check = { ok: 0, bad: 0, firstBad: null, bodyBytes: 0 };
  const db0 = pgCpu ? await pgCpu.read() : null;
  const cpu0 = readCpuSeconds(server.pid);
  const r = await load(server.url, plan, scale.cellSeconds / 2, check);
  const cpu1 = readCpuSeconds(server.pid);
  const dbCpuSeconds = pgCpu ? PgBackendCpu.between(db0, await pgCpu.read()) : null;
  const q1 = questions ? await questions.read() : 0;
  const peak = readProcMemory(server.pid).hwmBytes;
  const after = await counter();
  const exited = server.exitStatus();
  if (exited) throw new Error(`${server.name} exited (${exited}) during ${workload}: ${server.stderrTail()}`);
  const answered = check.ok + check.bad;
  const appRequests = after.count - before.count - (peer === 'B0' ? 1 : 0); // B0's own /stats call (P0 and PostGraphile count GraphQL requests only)
  const cpuSeconds = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
  const cell: CellResult = {
    workload,
    peer,
    requests: r.requests.total,
    requestsPerSecond: Math.round((answered / r.duration) * 10) / 10,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    wrongAnswers: check.bad,
    firstWrongAnswer: check.firstBad,
    responseBytes: answered > 0 ? Math.round(check.bodyBytes / answered) : 0,
    sqlPerRequestApp: appRequests > 0 ? Math.round(((after.sum - before.sum) / appRequests) * 100) / 100 : null,
    sqlPerRequestDb: questions && answered > 0 ? Math.round(((q1 - q0 - 1) / answered) * 100) / 100 : null,
    peakRssMiB: Math.round((peak / 1024 / 1024) * 10) / 10,
    peakIsExact: canReset,
    seconds: r.duration,
    answered,
    sqlStatements: after.sum - before.sum,
    sqlRequests: appRequests,
    questions: questions ? q1 - q0 - 1 : null,
    bodyBytes: check.bodyBytes,
    cpuMsPerRequest: cpuSeconds !== null && answered > 0 ? Math.round((cpuSeconds / answered) * 1e5) / 100 : null,
    cpuSeconds,
    dbCpuMsPerRequest: dbCpuSeconds !== null && answered > 0 ? Math.round((dbCpuSeconds / answered) * 1e5) / 100 : null,
    dbCpuSeconds,
  };
  void dialect;
  return cell;
}

function describe(c: CellResult): string {
  return (
    `${c.requestsPerSecond} req/s, p50 ${c.latencyP50Ms} ms, p99 ${c.latencyP99Ms} ms, CPU ${c.cpuMsPerRequest} ms/req` +
    `${c.dbCpuMsPerRequest !== null ? ` (PostgreSQL ${c.dbCpuMsPerRequest})` : ''}, SQL/req ${c.sqlPerRequestApp}` +
    `${c.sqlPerRequestDb !== null ? ` (Questions ${c.sqlPerRequestDb})` : ''}, ${c.responseBytes} B, RSS ${c.peakRssMiB} MiB` +
    `${c.errors || c.wrongAnswers ? `, ${c.errors} errors, ${c.wrongAnswers} WRONG: ${c.firstWrongAnswer}` : ''}`
  );
}

/** One cell from its two halves: totals over both; p50/p99 are the mean of the halves' (autocannon gives percentiles, not histograms). */
function combine(halves: CellResult[]): CellResult {
  const sum = (f: (c: CellResult) => number) => halves.reduce((a, c) => a + f(c), 0);
  const answered = sum((c) => c.answered);
  const seconds = sum((c) => c.seconds);
  const sqlRequests = sum((c) => c.sqlRequests);
  const mean = (f: (c: CellResult) => number) => Math.round((sum(f) / halves.length) * 100) / 100;
  const questions = halves.every((c) => c.questions !== null) ? sum((c) => c.questions ?? 0) : null;
  const cpuSeconds = halves.every((c) => c.cpuSeconds !== null) ? sum((c) => c.cpuSeconds ?? 0) : null;
  const dbCpuSeconds = halves.every((c) => c.dbCpuSeconds !== null) ? sum((c) => c.dbCpuSeconds ?? 0) : null;
  return {
    ...halves[0],
    requests: sum((c) => c.requests),
    requestsPerSecond: Math.round((answered / seconds) * 10) / 10,
    latencyP50Ms: mean((c) => c.latencyP50Ms),
    latencyP99Ms: mean((c) => c.latencyP99Ms),
    errors: sum((c) => c.errors),
    wrongAnswers: sum((c) => c.wrongAnswers),
    firstWrongAnswer: halves.map((c) => c.firstWrongAnswer).find((x) => x !== null) ?? null,
    responseBytes: answered > 0 ? Math.round(sum((c) => c.bodyBytes) / answered) : 0,
    sqlPerRequestApp: sqlRequests > 0 ? Math.round((sum((c) => c.sqlStatements) / sqlRequests) * 100) / 100 : null,
    sqlPerRequestDb: questions !== null && answered > 0 ? Math.round((questions / answered) * 100) / 100 : null,
    peakRssMiB: Math.max(...halves.map((c) => c.peakRssMiB)),
    peakIsExact: halves.every((c) => c.peakIsExact),
    seconds,
    answered,
    sqlStatements: sum((c) => c.sqlStatements),
    sqlRequests,
    questions,
    bodyBytes: sum((c) => c.bodyBytes),
    cpuMsPerRequest: cpuSeconds !== null && answered > 0 ? Math.round((cpuSeconds / answered) * 1e5) / 100 : null,
    cpuSeconds,
    dbCpuMsPerRequest: dbCpuSeconds !== null && answered > 0 ? Math.round((dbCpuSeconds / answered) * 1e5) / 100 : null,
    dbCpuSeconds,
  };
}

async function databaseVersion(scratch: ScratchDatabase): Promise<string> {
  if (scratch.dialect === 'sqlite') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Sqlite = require('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Sqlite(':memory:');
    const v = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    db.close();
    return `SQLite ${v}`;
  }
  const conn = await mysql.createConnection(scratch.url);
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v');
    return `MariaDB/MySQL ${(rows as { v: string }[])[0].v}`;
  } finally {
    await conn.end();
  }
}

function describeWorkloads(p: Prepared): Record<string, string> {
  return {
    W1: 'ticket(number: random) { id number subject status changes(last: 20) { ... author { username name } } }',
    W2: 'tickets(first: 50, filter: { number: { lte: random } }) { ... assignees { username } changes(last: 20) { ... author { username } } }',
    W3a: `tickets(first: 20, query: "status:open tags:<one of ${TAGS.slice(0, 10).join(', ')}>") { totalCount edges { node { number subject } } }`,
    W3b: `tickets(first: 20, query: "<word>") { totalCount ... }, words ${p.searchWords.map((w) => `${w.word} (${Math.round(w.share * 1000) / 10}% of tickets)`).join(', ')}`,
    W4: 'commentAdd(input: { ticketId: <global id of a random ticket among the top 5% numbers>, body: ~300 bytes }) { change { id type body createdAt author { username } } userErrors {...} }',
    W5: 'ticketFilesUpload(ticketId, files: [1 MiB]) { files { size sha256 } } against B0 streaming the same request body to a file',
  };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
