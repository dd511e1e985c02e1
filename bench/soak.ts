/**
 * Soak run: the gateway under N minutes of mixed traffic with faults, checked for what must never
 * happen however long it runs. On SQLite one server process; on MariaDB two replicas sharing the
 * database, Redis and the files folder. Several clients create tickets (some with files), comment,
 * edit with expectedVersion, search, read and run events whose jobs last longer than the short
 * REQUEST_TIMEOUT; mail goes to a real SMTP server (smtp-server) and webhooks to a local receiver;
 * WebSocket subscribers watch every history entry. Meanwhile a server is killed with -9 and started
 * again, and (MariaDB) every database connection is killed once.
 *
 * At the end: the outbox drains to 0; every job is final with its real exit code and outputs;
 * every acknowledged write exists exactly once; every mail and webhook was delivered exactly once
 * (across both replicas); no 5xx outside the fault windows; subscribers got every entry once; RSS
 * does not grow after each process's first minute. Figures go to bench/results/soak-<db>.json and
 * a section of bench/RESULTS.md; the exit status is 1 when a check fails.
 *
 *   npm run soak                       # 10 minutes on SQLite, then on MariaDB
 *   npm run soak -- --minutes 2        # what CI runs
 *   npm run soak -- --db mysql         # one database (sqlite, mysql or both)
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2/promise';
import { machineInfo, sourceInfo } from './lib/environment';
import { createScratchDatabase, type Dialect, type ScratchDatabase } from './lib/scratch-db';
import { openReader, runChecks, type Check, type FaultWindow } from './lib/soak-checks';
import { freePort, SoakServer } from './lib/soak-fleet';
import { summarizeRequests, writeSoakMarkdown, type SoakResult } from './lib/soak-report';
import { ReceiptLog, startSmtpSink, startWebhookReceiver } from './lib/soak-sinks';
import { Traffic } from './lib/soak-traffic';
import { transpileTree } from './lib/transpile';

const BENCH_DIR = __dirname;
const ROOT = path.resolve(BENCH_DIR, '..');
const ADMIN_KEY = 'soak-admin-key-0123456789abcdef';
const CLIENTS = 6;
const REQUEST_TIMEOUT = '3s';
const LEASE_MS = 10_000;
const PUBLIC_URL = 'https://tickets.soak.example';

function log(message: string): void {
  console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function args(): { minutes: number; dialects: Dialect[] } {
  const argv = process.argv.slice(2);
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const minutes = Number(value('--minutes') ?? process.env.SOAK_MINUTES ?? 10);
  if (!Number.isFinite(minutes) || minutes < 1) throw new Error('--minutes must be a number of at least 1');
  const db = value('--db') ?? 'both';
  if (!['sqlite', 'mysql', 'both'].includes(db)) throw new Error('--db must be sqlite, mysql or both');
  return { minutes, dialects: db === 'both' ? ['sqlite', 'mysql'] : [db as Dialect] };
}

async function admin(url: string, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(body.errors ?? body)}`);
  const payload = Object.values(body.data)[0] as { userErrors?: unknown[] } | null;
  if (payload?.userErrors?.length) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(payload.userErrors)}`);
  return body.data;
}

/** The job every run starts: waits PARAM_MS, writes an output named after its token, exits with PARAM_CODE. */
const JOB_SCRIPT = `const fs = require('fs'); const p = process.env;
setTimeout(() => { fs.writeFileSync(p.JOB_OUTPUT_DIR + '/out-' + p.PARAM_TOKEN + '.txt', p.PARAM_TOKEN); process.exit(Number(p.PARAM_CODE)); }, Number(p.PARAM_MS));`;

async function setUp(url: string, hookUrl: string): Promise<{ keys: string[]; eventId: string }> {
  const keys: string[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const username = `soak${i}`;
    await admin(url, `mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id } userErrors { message } } }`, { i: { username, email: `${username}@example.com`, privileges: ['CREATE_TICKETS', 'EDIT_TICKETS'] } });
    keys.push((await admin(url, `mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { secret userErrors { message } } }`, { i: { name: 'soak', username } })).apiKeyCreate.secret);
  }
  await admin(url, `mutation { tagCreate(input: { key: "soak" }) { tag { id } userErrors { message } } }`);
  await admin(url, `mutation($u: String!) { webhookCreate(input: { url: $u, events: [TICKET_CREATED, TICKET_UPDATED, COMMENT_ADDED] }) { webhook { id } userErrors { message } } }`, { u: hookUrl });
  const event = await admin(url, `mutation($i: EventInput!) { eventCreate(input: $i) { event { id } userErrors { message } } }`, {
    i: {
      key: 'soak-job', title: 'Soak job', runner: 'LOCAL', command: [process.execPath, '-e', JOB_SCRIPT], timeoutSeconds: 60,
      fields: [{ name: 'token', type: 'STRING', default: 'none' }, { name: 'ms', type: 'INTEGER', default: 4000 }, { name: 'code', type: 'INTEGER', default: 0 }],
    },
  });
  return { keys, eventId: event.eventCreate.event.id };
}

/** Kills every connection of the soak database on the server (not the killer's own). */
async function killDatabaseConnections(db: ScratchDatabase): Promise<number> {
  const conn = await mysql.createConnection(db.url);
  try {
    const [rows] = await conn.query('SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()');
    for (const { ID } of rows as { ID: number }[]) await conn.query(`KILL ${Number(ID)}`).catch(() => undefined);
    return (rows as unknown[]).length;
  } finally {
    await conn.end();
  }
}

async function waitUntil(what: string, deadline: number, probe: () => Promise<boolean>): Promise<boolean> {
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await sleep(500);
  }
  log(`gave up waiting for ${what}`);
  return false;
}

async function soak(dialect: Dialect, minutes: number, entry: string): Promise<SoakResult> {
  const db = await createScratchDatabase(dialect);
  const start = Date.now();
  const mail = new ReceiptLog(start);
  const hooks = new ReceiptLog(start);
  const smtp = await startSmtpSink(mail);
  const receiver = await startWebhookReceiver(hooks);
  const filesDir = path.join(db.dataDir, 'files');
  const redisPrefix = `tg-soak-${crypto.randomBytes(4).toString('hex')}:`;
  const replicas = dialect === 'sqlite' ? ['a'] : ['a', 'b'];
  const servers: SoakServer[] = [];
  for (const name of replicas) {
    const dataDir = path.join(db.dataDir, `replica-${name}`);
    fs.mkdirSync(dataDir, { recursive: true });
    servers.push(new SoakServer(`replica-${name}`, entry, {
      ...process.env,
      NODE_PATH: path.join(ROOT, 'node_modules'),
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      FILES_DIR: filesDir,
      INSTANCE_ID: `soak-${name}`,
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      PUBLIC_URL,
      SMTP_URL: smtp.url,
      REQUEST_TIMEOUT,
      NOTIFY_DEBOUNCE_SECONDS: '1',
      OUTBOX_POLL_MS: '200',
      OUTBOX_RETRY_BASE_MS: '200',
      OUTBOX_LEASE_MS: String(LEASE_MS),
      OVERDUE_TIME: '23:59',
      RATE_LIMIT_COST_PER_MINUTE: '0',
      OUTBOUND_ALLOW: '127.0.0.1/32', // the webhook receiver runs on loopback
      ...(dialect === 'mysql' ? { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: redisPrefix } : {}),
    }, await freePort(), start));
  }
  const windows: FaultWindow[] = [];
  let traffic: Traffic | null = null;
  const sampler = setInterval(() => servers.forEach((s) => void s.sampleRss()), 2000);
  try {
    for (const s of servers) await s.start(); // one at a time: the first migrates
    const { keys, eventId } = await setUp(servers[0].url, receiver.url);
    traffic = new Traffic(servers, keys, eventId, start);
    servers.forEach((s, i) => traffic!.subscribe(`subscriber-${s.name}`, s, keys[i % keys.length]));
    const durationMs = minutes * 60_000;
    const until = Date.now() + durationMs;
    log(`${dialect}: ${servers.length} server(s), ${CLIENTS} clients, ${minutes} min of traffic`);
    const running = traffic.run(until);

    // Faults: kill -9 the first replica at 25% and start it again; kill the database connections at 65%.
    const victim = servers[0];
    await sleep(durationMs * 0.25);
    const killedAt = (Date.now() - start) / 1000;
    log(`kill -9 ${victim.name} (pid ${victim.pid})`);
    await victim.kill9();
    await sleep(2000);
    await victim.start();
    windows.push({ kind: 'kill -9', target: victim.name, from: killedAt, to: (Date.now() - start) / 1000 + 3 });
    log(`${victim.name} back after ${((Date.now() - start) / 1000 - killedAt).toFixed(1)} s`);
    if (dialect === 'mysql') {
      await sleep(Math.max(0, start + durationMs * 0.65 - Date.now()));
      const at = (Date.now() - start) / 1000;
      const killed = await killDatabaseConnections(db);
      windows.push({ kind: 'database connections killed', target: `${killed} connections`, from: at, to: at + 5 });
      log(`killed ${killed} database connections`);
    }
    await running;
    log('traffic stopped; settling writes cut off by faults, then waiting for jobs and the outbox');
    await traffic.settleAll(Date.now() + 60_000);
    const drainDeadline = Date.now() + 180_000;
    const pending = async () => {
      const status = (await admin(servers.at(-1)!.url, `{ outboxStatus { pending sending } }`)).outboxStatus as { pending: number; sending: number };
      return status.pending + status.sending;
    };
    // Jobs launched at the end of the traffic still run (3.5-6 s) and queue mail when they end: the
    // servers stop only once no job is queued or running and the outbox is empty.
    const probe = await openReader(db);
    const activeJobs = async () => Number((await probe.query("SELECT COUNT(*) AS n FROM job WHERE status IN ('queued', 'running')"))[0].n);
    try {
      await waitUntil('the jobs to end and the outbox to drain', drainDeadline, async () => (await activeJobs()) === 0 && (await pending()) === 0);
    } finally {
      await probe.close();
    }
    // Subscribers keep listening while the last events go out.
    await sleep(3000);
    await traffic.closeSubscribers();
  } finally {
    traffic?.stop();
    clearInterval(sampler);
    for (const s of servers) await s.stop();
    await smtp.close();
    await receiver.close();
  }

  const reader = await openReader(db);
  let checks: Check[];
  try {
    checks = await runChecks({
      query: reader.query, ledger: traffic!.ledger, outcomes: traffic!.outcomes, subscribers: traffic!.subscribers, mail, hooks, windows, servers, filesDir,
      mailDomain: new URL(PUBLIC_URL).hostname, leaseSeconds: LEASE_MS / 1000,
    });
  } finally {
    await reader.close();
  }
  const result: SoakResult = {
    dialect, minutes, startedAt: new Date(start).toISOString(), wallSeconds: Math.round((Date.now() - start) / 1000),
    machine: machineInfo(), source: sourceInfo(ROOT), servers: servers.length, clients: CLIENTS, requestTimeout: REQUEST_TIMEOUT,
    windows, checks, outcomes: traffic!.outcomes, requests: summarizeRequests(traffic!.outcomes), mailReceived: mail.total, webhooksReceived: hooks.total,
    rss: Object.fromEntries(servers.map((s) => [s.name, s.rss])), logs: Object.fromEntries(servers.map((s) => [s.name, s.logs])),
    subscribers: traffic!.subscribers.map((s) => ({ name: s.name, server: s.server, received: s.received.length, connections: s.intervals.length })),
  };
  await db.drop();
  return result;
}

async function main(): Promise<void> {
  const { minutes, dialects } = args();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-soak-js-'));
  try {
    log(`transpiling the server to ${out}`);
    transpileTree(ROOT, ['src', 'migrations'], out);
    const entry = path.join(out, 'src', 'main.js');
    let failed = false;
    for (const dialect of dialects) {
      const result = await soak(dialect, minutes, entry);
      const file = path.join(BENCH_DIR, 'results', `soak-${dialect}.json`);
      fs.writeFileSync(file, `${JSON.stringify({ ...result, outcomes: undefined }, null, 2)}\n`);
      writeSoakMarkdown(path.join(BENCH_DIR, 'RESULTS.md'), result);
      for (const c of result.checks) log(`${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
      failed ||= result.checks.some((c) => !c.ok);
    }
    log(failed ? 'soak FAILED' : 'soak passed');
    process.exitCode = failed ? 1 : 0;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
