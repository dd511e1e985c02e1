/**
 * Subscription fan-out benchmark: 1,000 WebSocket connections (graphql-ws), each subscribed with
 * `ticketUpdated` to the same ticket, on the app running alone in a child process (SQLite in a
 * temporary folder). With `-- redis`, a second app process takes the mutations and the events
 * reach the subscribers' process through Redis pub/sub (REDIS_URL, default redis://127.0.0.1:6379),
 * as between replicas. Then:
 *
 * - latency: one `commentAdd` at a time; for every subscriber, the time from sending the mutation
 *   to receiving its event (and from the mutation's response to receipt), until all have it;
 * - throughput: a burst of mutations sent back to back; deliveries per second from the first send
 *   to the last receipt;
 * - memory: the server's RSS with the subscribers open minus before they connected, per subscriber.
 *
 *   npm run bench:subscriptions [-- redis]
 *   npx ts-node --transpile-only bench/subscriptions.bench.ts [inprocess|redis]
 *
 * Writes bench/results/subscriptions[-redis].json and appends a section to bench/RESULTS.md.
 * Exits with status 1, after writing the results, when the p99 latency is over 1 s; stops with an
 * error, writing nothing, when a subscriber receives a wrong or duplicate event or misses one.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { spawnServer, type ChildServer } from './lib/child-server';
import { GraphQLClient } from './lib/client';
import { machineInfo, sourceInfo } from './lib/environment';
import { readProcMemory } from './lib/memory';
import type { MemoryBreakdown } from './lib/memory-probe';
import { transpileTree } from './lib/transpile';

const BENCH_DIR = __dirname;
const ROOT = path.resolve(BENCH_DIR, '..');
const ADMIN_API_KEY = 'bench-admin-key-0123456789abcdef';
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const LATENCY_MUTATIONS = Number(process.env.BENCH_MUTATIONS ?? 30);
const WARMUP_MUTATIONS = 3;
const BURST_MUTATIONS = Number(process.env.BENCH_BURST ?? 30);
const TARGET_P99_MS = 1000;
const TIMEOUT_MS = 60_000;
const TMP_PREFIX = 'tg-subs-bench-';

const CREATE = `mutation { ticketCreate(input: { subject: "Fan-out", priority: HIGH }) { ticket { id } userErrors { message } } }`;
const COMMENT = `mutation BenchComment($t: ID!, $body: String!) { commentAdd(input: { ticketId: $t, body: $body }) { change { id } userErrors { message } } }`;
/** What each subscriber selects: the entry, its author (a loader) and a few ticket fields. */
const SUBSCRIPTION = `subscription BenchUpdated($t: ID!) { ticketUpdated(id: $t) {
  cursor ticket { id number status updatedAt } change { id type body createdAt author { username } } } }`;

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

function distribution(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1]),
    meanMs: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

interface Subscriber {
  client: Client;
  /** Receipt time (performance.now()) by comment body. */
  received: Map<string, number>;
  errors: string[];
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  if (!m) throw new Error(`/metrics has no ${name}`);
  return Number(m[1]);
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = TIMEOUT_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function main(): Promise<void> {
  const mode = (process.argv[2] ?? 'inprocess').toLowerCase();
  if (mode !== 'inprocess' && mode !== 'redis') throw new Error('Usage: subscriptions.bench.ts [inprocess|redis]');
  const redisUrl = mode === 'redis' ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : null;
  const loadAtStart = os.loadavg().map((v) => round(v));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${TMP_PREFIX}${process.pid}-`));
  let server: ChildServer | null = null;
  let writer: ChildServer | null = null;
  const subscribers: Subscriber[] = [];
  try {
    const build = path.join(tmp, 'build');
    const files = transpileTree(ROOT, ['src', 'migrations', 'bench/lib/upload-server.ts', 'bench/lib/memory-probe.ts'], build);
    log(`transpiled ${files} files to ${build}`);
    fs.mkdirSync(path.join(tmp, 'data'));
    const flags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const env = {
      ...process.env,
      NODE_PATH: path.join(ROOT, 'node_modules'),
      DATA_DIR: path.join(tmp, 'data'),
      DATABASE_URL: `sqlite:${path.join(tmp, 'data', 'bench.sqlite')}`,
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      // Load generators would exhaust any per-key budget; the limiter's own cost (one upsert with the
      // database store, none with Redis) is stated in RESULTS.md.
      RATE_LIMIT_COST_PER_MINUTE: '0',
      // All subscribers connect with the one admin key from one address: lift the WebSocket caps.
      WS_MAX_CONNECTIONS_PER_USER: String(SUBSCRIBERS + 10),
      WS_MAX_CONNECTIONS_PER_IP: String(SUBSCRIBERS + 10),
      WS_MAX_SUBSCRIPTIONS_PER_USER: String(SUBSCRIBERS + 10),
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: `tg-bench-${crypto.randomBytes(4).toString('hex')}:` } : { REDIS_URL: '' }),
    };
    const entry = path.join(build, 'bench', 'lib', 'upload-server.js');
    // With Redis the writer starts first (it migrates the database), then the subscribers' process.
    if (redisUrl) writer = await spawnServer('writer', [entry], { cwd: ROOT, env });
    server = await spawnServer('app', [...flags, entry], { cwd: ROOT, env });
    const app = server;
    log(`subscribers' app pid ${app.pid} at ${app.url}${writer ? `; mutations through pid ${writer.pid} at ${writer.url}, events over Redis` : ', in-process bus'}`);
    const http = new GraphQLClient((writer ?? app).url, ADMIN_API_KEY);
    const ticketId = (await http.request<{ ticketCreate: { ticket: { id: string } } }>(CREATE)).data.ticketCreate.ticket.id;
    // One mutation before measuring, so the idle RSS includes the code paths a write loads.
    await http.request(COMMENT, { t: ticketId, body: 'before' });
    await sleep(1_000);
    const idle = readProcMemory(app.pid).rssBytes;
    const idleBreakdown = await app.memoryBreakdown();

    const wsUrl = `${app.url.replace(/^http/, 'ws')}/graphql`;
    const connectStarted = performance.now();
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const sub: Subscriber = { client: null as unknown as Client, received: new Map(), errors: [] };
      sub.client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${ADMIN_API_KEY}` }, retryAttempts: 0, lazy: false, onNonLazyError: (e) => sub.errors.push(String(e)) });
      sub.client.subscribe<{ ticketUpdated: { change: { body: string }; ticket: { id: string } } }>(
        { query: SUBSCRIPTION, variables: { t: ticketId } },
        {
          next: (r) => {
            const now = performance.now();
            const ev = r.data?.ticketUpdated;
            if (r.errors || !ev || ev.ticket.id !== ticketId) sub.errors.push(JSON.stringify(r));
            else if (sub.received.has(ev.change.body)) sub.errors.push(`duplicate event ${ev.change.body}`);
            else sub.received.set(ev.change.body, now);
          },
          error: (e) => sub.errors.push(`error: ${String((e as { reason?: string }).reason ?? JSON.stringify(e))}`),
          complete: () => undefined,
        },
      );
      subscribers.push(sub);
      // Connect in small steps: a burst of 1,000 handshakes at once measures the accept queue, not us.
      if (i % 50 === 49) await waitUntil('subscriptions registering', async () => (await metric(app.url, 'tg_subscriptions')) >= i + 1 - 25);
    }
    await waitUntil(`${SUBSCRIBERS} subscriptions registered`, async () => (await metric(app.url, 'tg_subscriptions')) === SUBSCRIBERS);
    const connectMs = performance.now() - connectStarted;
    log(`${SUBSCRIBERS} subscribers connected and registered in ${Math.round(connectMs)} ms`);
    await sleep(2_000);
    const withSubs = readProcMemory(app.pid).rssBytes;
    const subsBreakdown = await app.memoryBreakdown();
    const failIfErrors = () => {
      const bad = subscribers.filter((s) => s.errors.length > 0);
      if (bad.length) throw new Error(`${bad.length} subscribers saw errors, e.g. ${bad[0].errors.slice(0, 3).join('; ')}`);
    };

    const fromSend: number[] = [];
    const fromResponse: number[] = [];
    const mutationMs: number[] = [];
    const all = (body: string) => subscribers.every((s) => s.received.has(body));
    for (let i = 0; i < WARMUP_MUTATIONS + LATENCY_MUTATIONS; i++) {
      const body = `latency ${i}`;
      const sent = performance.now();
      const res = await http.request(COMMENT, { t: ticketId, body });
      const answered = performance.now();
      await waitUntil(`every subscriber receiving "${body}"`, () => all(body), 30_000);
      failIfErrors();
      if (i < WARMUP_MUTATIONS) continue;
      mutationMs.push(res.ms);
      for (const s of subscribers) {
        const at = s.received.get(body) as number;
        fromSend.push(at - sent);
        fromResponse.push(Math.max(0, at - answered));
      }
      await sleep(50);
    }
    const latency = { fromSend: distribution(fromSend), fromResponse: distribution(fromResponse), mutation: distribution(mutationMs) };
    log(`latency from send: p50 ${latency.fromSend.p50Ms} ms, p99 ${latency.fromSend.p99Ms} ms, max ${latency.fromSend.maxMs} ms (mutation p50 ${latency.mutation.p50Ms} ms)`);

    const burstStarted = performance.now();
    for (let i = 0; i < BURST_MUTATIONS; i++) await http.request(COMMENT, { t: ticketId, body: `burst ${i}` });
    const burstSent = performance.now();
    await waitUntil('every subscriber receiving the burst', () => all(`burst ${BURST_MUTATIONS - 1}`) && subscribers.every((s) => s.received.size === WARMUP_MUTATIONS + LATENCY_MUTATIONS + BURST_MUTATIONS), 120_000);
    failIfErrors();
    // Order: every subscriber got the burst in the order it was written.
    for (const s of subscribers) {
      const times = Array.from({ length: BURST_MUTATIONS }, (_, i) => s.received.get(`burst ${i}`) as number);
      if (times.some((t, i) => i > 0 && t < times[i - 1])) throw new Error('A subscriber received the burst out of order');
    }
    const lastReceipt = Math.max(...subscribers.map((s) => s.received.get(`burst ${BURST_MUTATIONS - 1}`) as number));
    const deliveries = SUBSCRIBERS * BURST_MUTATIONS;
    const burstMs = lastReceipt - burstStarted;
    const throughput = {
      mutations: BURST_MUTATIONS,
      deliveries,
      sendMs: round(burstSent - burstStarted),
      lastReceiptMs: round(burstMs),
      deliveredPerSecond: Math.round((deliveries / burstMs) * 1000),
    };
    log(`burst: ${deliveries} deliveries in ${Math.round(burstMs)} ms = ${throughput.deliveredPerSecond}/s`);

    const memory = {
      idleRssBytes: idle,
      withSubscribersRssBytes: withSubs,
      perSubscriberBytes: Math.round((withSubs - idle) / SUBSCRIBERS),
      heapUsedPerSubscriberBytes: idleBreakdown && subsBreakdown ? Math.round((subsBreakdown.heapUsed - idleBreakdown.heapUsed) / SUBSCRIBERS) : null,
      idle: idleBreakdown as MemoryBreakdown | null,
      withSubscribers: subsBreakdown as MemoryBreakdown | null,
    };
    log(`memory: RSS ${(idle / 2 ** 20).toFixed(1)} -> ${(withSubs / 2 ** 20).toFixed(1)} MiB, ${(memory.perSubscriberBytes / 1024).toFixed(1)} KiB per subscriber`);

    const pass = latency.fromSend.p99Ms <= TARGET_P99_MS;
    const result = {
      benchmark: 'subscriptions',
      bus: redisUrl ? 'redis' : 'in-process',
      at: new Date().toISOString(),
      pass,
      target: { p99Ms: TARGET_P99_MS, measuredFrom: 'the mutation being sent (includes its commit)' },
      source: sourceInfo(ROOT),
      machine: machineInfo(),
      /** The machine is shared: the 1/5/15-minute load averages when the run started and ended. */
      loadAverage: { start: loadAtStart, end: os.loadavg().map((v) => round(v)) },
      setup: {
        subscribers: SUBSCRIBERS,
        connections: SUBSCRIBERS,
        database: 'SQLite (temporary file)',
        server: redisUrl
          ? 'two app processes on one SQLite file (plain node on transpiled sources, LOG_LEVEL silent): mutations go to one, the subscribers are on the other, events cross through Redis pub/sub; memory is the subscribers\' process'
          : 'the app alone in a child process (plain node on transpiled sources), LOG_LEVEL silent',
        client: 'graphql-ws createClient + ws, all subscribers in the bench process on the same machine (it competes with the server for the 2 cores)',
        subscription: SUBSCRIPTION.replace(/\s+/g, ' '),
        mutation: 'commentAdd on the subscribed ticket, admin API key, over HTTP',
        latencyMutations: LATENCY_MUTATIONS,
        warmupMutations: WARMUP_MUTATIONS,
        connectMs: Math.round(connectMs),
      },
      latency,
      throughput,
      memory,
    };
    const name = redisUrl ? 'subscriptions-redis' : 'subscriptions';
    fs.mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
    fs.writeFileSync(path.join(BENCH_DIR, 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    fs.appendFileSync(path.join(BENCH_DIR, 'RESULTS.md'), markdown(result));
    log(`wrote bench/results/${name}.json and a section of bench/RESULTS.md: ${pass ? 'PASS' : 'FAIL'}`);
    if (!pass) process.exitCode = 1;
  } finally {
    await Promise.all(subscribers.map((s) => s.client.dispose()));
    await server?.stop();
    await writer?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function markdown(r: any): string {
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const l = r.latency;
  return `
## Subscriptions: ${r.setup.subscribers} subscribers on one ticket, ${r.bus} bus (${r.at})

Result: **${r.pass ? 'PASS' : 'FAIL'}** (target: every subscriber receives each update within ${r.target.p99Ms} ms at p99, measured from ${r.target.measuredFrom}; every subscriber received every event once, in order).

- Code: commit ${r.source.commit.slice(0, 12)}${r.source.uncommitted.length ? ` with ${r.source.uncommitted.length} uncommitted files in src/ and migrations/` : ''}
- Machine: nproc ${r.machine.nproc}, ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB RAM, ${r.machine.os}; Node ${r.machine.node}; shared with other work: load average ${r.loadAverage.start.join(' / ')} at the start, ${r.loadAverage.end.join(' / ')} at the end (1 / 5 / 15 min)
- Setup: ${r.setup.connections} WebSocket connections (graphql-ws), one \`ticketUpdated\` subscription each, all on one ticket; ${r.setup.database}; ${r.setup.server}; ${r.setup.client}. Connecting and registering all of them took ${r.setup.connectMs} ms.
- Subscription: \`${r.setup.subscription}\`
- Method: ${r.setup.warmupMutations} warm-up mutations, then ${r.setup.latencyMutations} \`commentAdd\` mutations one at a time (each waits until all subscribers have the previous event, then 50 ms); a sample is one subscriber's receipt of one event (${l.fromSend.samples} samples). Then a burst of ${r.throughput.mutations} mutations sent back to back.

| Latency | p50 ms | p90 ms | p99 ms | max ms | mean ms |
|---|---:|---:|---:|---:|---:|
| mutation sent → event received | ${l.fromSend.p50Ms} | ${l.fromSend.p90Ms} | ${l.fromSend.p99Ms} | ${l.fromSend.maxMs} | ${l.fromSend.meanMs} |
| mutation response → event received (0 when before) | ${l.fromResponse.p50Ms} | ${l.fromResponse.p90Ms} | ${l.fromResponse.p99Ms} | ${l.fromResponse.maxMs} | ${l.fromResponse.meanMs} |
| the mutation itself (HTTP round trip) | ${l.mutation.p50Ms} | ${l.mutation.p90Ms} | ${l.mutation.p99Ms} | ${l.mutation.maxMs} | ${l.mutation.meanMs} |

| Throughput | |
|---|---:|
| burst: deliveries | ${r.throughput.deliveries.toLocaleString('en-US')} |
| burst: first send → last receipt | ${Math.round(r.throughput.lastReceiptMs)} ms |
| **delivered/s** | **${r.throughput.deliveredPerSecond.toLocaleString('en-US')}** |

| Server memory | |
|---|---:|
| RSS before the subscribers connected | ${mib(r.memory.idleRssBytes)} |
| RSS with ${r.setup.subscribers} subscribers (after the connections settled) | ${mib(r.memory.withSubscribersRssBytes)} |
| **per subscriber (RSS delta / ${r.setup.subscribers})** | **${kib(r.memory.perSubscriberBytes)}** |
| of which V8 heap used | ${r.memory.heapUsedPerSubscriberBytes === null ? 'n/a' : kib(r.memory.heapUsedPerSubscriberBytes)} |
`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
