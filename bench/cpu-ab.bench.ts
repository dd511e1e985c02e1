/**
 * A/B of gateway builds by server CPU time per request (issue 21), for steering optimizations on a
 * shared machine where req/s swings with other load: each variant is a gateway process (a git
 * revision of src/ and migrations/, or the work tree, plus environment), all driven in turns
 * (A B ... B A, repeated) with the same requests on one generated SQLite or MariaDB dataset, and
 * compared by CPU ms per answered request read from /proc (user + system, all threads).
 *
 *   npx ts-node --transpile-only bench/cpu-ab.bench.ts [--db sqlite|mysql] [--rounds 4] [--workloads W1,W2,W4] \
 *     base=HEAD~1 new=WORKTREE 'jit-off=WORKTREE:GRAPHQL_JIT=off'
 *
 * Answers are not checked here (gateway.bench.ts does that); only 2xx answers count.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/config';
import { Category } from '../src/entities/category.entity';
import { Tag } from '../src/entities/tag.entity';
import { User } from '../src/entities/user.entity';
import { createApp } from '../src/http/app';
import { spawnServer, type ChildServer } from './lib/child-server';
import { GraphQLClient } from './lib/client';
import { generateDataset, type Labels } from './lib/dataset';
import { loadDataset, refreshStatistics } from './lib/load';
import { readProcCpuMs } from './lib/memory';
import { createScratchDatabase, type Dialect } from './lib/scratch-db';
import { transpileTree } from './lib/transpile';

const ROOT = path.resolve(__dirname, '..');
const KEY = 'bench-admin-key-0123456789abcdef';
const DOCS: Record<string, { query: string; vars: (tickets: number) => Record<string, unknown> }> = {
  W1: { query: `query W1($number: Int!) { ticket(number: $number) { id number subject status changes(last: 20) { edges { node { id type createdAt author { username name } } } } } }`, vars: (n) => ({ number: 1 + Math.floor(Math.random() * n * 0.9) }) },
  W2: { query: `query W2($max: Int!) { tickets(first: 50, filter: { number: { lte: $max } }) { edges { node { id number subject status assignees { username } changes(last: 20) { edges { node { id type createdAt author { username } } } } } } } }`, vars: (n) => ({ max: 50 + Math.floor(Math.random() * n * 0.85) }) },
  W3a: { query: `query W3a($q: String!) { tickets(first: 20, query: $q) { totalCount edges { node { number subject } } } }`, vars: () => ({ q: 'status:open tags:database' }) },
  // A comment on one of the top 5% of tickets (row ids follow numbers in the generated dataset), as gateway.bench.ts's W4.
  W4: {
    query: `mutation W4($input: CommentAddInput!) { commentAdd(input: $input) { change { id type body createdAt author { username } } userErrors { field message code } } }`,
    vars: (n) => ({ input: { ticketId: Buffer.from(`Ticket:${n - Math.floor(Math.random() * n * 0.05)}`).toString('base64url'), body: `Benchzq note: ${'zqxlog '.repeat(40)}done.` } }),
  },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const dialect = arg('db', 'sqlite') as Dialect;
  const rounds = Number(arg('rounds', '4'));
  const seconds = Number(arg('seconds', '1'));
  const workloads = arg('workloads', 'W1,W2').split(',');
  const specs = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-ab-'));
  const variants = specs.map((spec) => {
    const [name, rest] = spec.split(/=(.*)/s);
    const [rev, envText] = rest.split(/:(.*)/s);
    const env = Object.fromEntries((envText ? envText.split(',') : []).map((kv) => kv.split(/=(.*)/s) as [string, string]));
    let root = ROOT;
    if (rev !== 'WORKTREE') {
      root = path.join(tmp, `src-${name}`);
      fs.mkdirSync(root, { recursive: true });
      execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${rev}" tsconfig.json src migrations bench/lib/app-server.ts | tar -x -C "${root}"`]);
    }
    const out = path.join(tmp, `js-${name}`);
    transpileTree(root, ['src', 'migrations', 'bench/lib/app-server.ts'], out);
    return { name, env, entry: path.join(out, 'bench/lib/app-server.js') };
  });

  const scratch = await createScratchDatabase(dialect);
  const tickets = 1000;
  const app = await createApp(loadConfig({ DATABASE_URL: scratch.url, DATA_DIR: scratch.dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_API_KEY: KEY, LOG_LEVEL: 'silent' }), { startWorkers: false });
  try {
    const client = new GraphQLClient(await app.listen(), KEY);
    const run = (m: string, t: string, input: Record<string, unknown>) => client.request(`mutation($input: ${t}!) { ${m}(input: $input) { userErrors { message } } }`, { input });
    for (let i = 0; i < 100; i++) await run('userCreate', 'UserCreateInput', { username: `user${i}`, name: `User ${i}`, email: `user${i}@example.com`, privileges: ['CREATE_TICKETS'] });
    for (const key of ['web', 'database', 'network', 'storage', 'security', 'backup']) await run('tagCreate', 'TagCreateInput', { key, title: key });
    for (const key of ['infra', 'apps', 'data']) await run('categoryCreate', 'CategoryCreateInput', { key, title: key });
    const em = app.db.manager;
    const labels: Labels = {
      users: (await em.find(User)).filter((u) => u.username !== 'admin').map((u) => ({ id: u.id, key: u.username })),
      tags: (await em.find(Tag)).map((t) => ({ id: t.id, key: t.key })),
      categories: (await em.find(Category)).map((c) => ({ id: c.id, key: c.key })),
    };
    await loadDataset(app.db, generateDataset({ tickets, changes: 20_000, seed: 20250601, bodySentences: [8, 20], heavy: { share: 0.01, min: 200, max: 500 } }, labels));
    await refreshStatistics(app.db);
  } finally {
    await app.close();
  }

  const servers: ChildServer[] = [];
  try {
    for (const v of variants) {
      const env = { PATH: process.env.PATH ?? '', NODE_PATH: path.join(ROOT, 'node_modules'), NODE_ENV: 'production', DATABASE_URL: scratch.url, DATA_DIR: scratch.dataDir, HOST: '127.0.0.1', PORT: '0', ADMIN_API_KEY: KEY, LOG_LEVEL: 'warn', RATE_LIMIT_COST_PER_MINUTE: '0', ...v.env };
      // AB_NODE_FLAGS: extra node flags for every variant (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS refuses).
      const flags = (process.env.AB_NODE_FLAGS ?? '').split(' ').filter(Boolean);
      const s = await spawnServer(v.name, ['--max-semi-space-size=8', ...flags, v.entry], { cwd: ROOT, env });
      try {
        execFileSync('taskset', ['-a', '-p', '-c', '1', String(s.pid)], { stdio: 'ignore' });
      } catch {
        /* no taskset: unpinned */
      }
      servers.push(s);
    }
    const totals = new Map<string, { cpu: number; answered: number }>();
    const drive = async (s: ChildServer, w: string, measure: boolean) => {
      let answered = 0;
      const cpu0 = readProcCpuMs(s.pid) ?? 0;
      await autocannon({
        url: s.url,
        connections: 10,
        duration: seconds,
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        requests: [{ method: 'POST', path: '/graphql', setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ query: DOCS[w].query, variables: DOCS[w].vars(tickets), operationName: w }) }), onResponse: (status: number, body: string) => { if (status === 200) answered++; else if (process.env.AB_DEBUG) process.stderr.write(`${status} ${body.slice(0, 300)}\n`); } } as any],
      } as autocannon.Options);
      const cpu = (readProcCpuMs(s.pid) ?? 0) - cpu0;
      if (!measure) return;
      const key = `${w} ${s.name}`;
      const t = totals.get(key) ?? { cpu: 0, answered: 0 };
      totals.set(key, { cpu: t.cpu + cpu, answered: t.answered + answered });
    };
    for (const w of workloads) {
      for (const s of servers) await drive(s, w, false); // warm-up
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) await drive(s, w, true);
      }
      const base = totals.get(`${w} ${servers[0].name}`)!;
      for (const s of servers) {
        const t = totals.get(`${w} ${s.name}`)!;
        const perReq = t.cpu / t.answered;
        process.stdout.write(`${dialect} ${w} ${s.name}: ${perReq.toFixed(3)} ms CPU/req over ${t.answered} answers, x${((base.cpu / base.answered) / perReq).toFixed(2)} vs ${servers[0].name}\n`);
      }
    }
  } finally {
    for (const s of servers) await s.stop?.();
    await scratch.drop?.();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
