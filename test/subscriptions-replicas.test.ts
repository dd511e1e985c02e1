import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './helpers/test-db';
import { ADMIN_KEY, startTestServer } from './helpers/test-server';
import { eventually, wsClient, type WsClient } from './helpers/ws-client';

/**
 * Replicas: two real server processes on one database and one Redis (REDIS_URL, default the
 * project machines' redis://127.0.0.1:6379). A subscriber on process B receives what is written
 * through process A, with B applying its own authorization. Each run uses its own channel prefix
 * (REDIS_PREFIX), so parallel runs sharing the Redis never see each other's events.
 */
const ROOT = path.resolve(__dirname, '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TIMEOUT = 60_000;
jest.setTimeout(TIMEOUT);

interface Replica {
  url: string;
  child: ChildProcess;
  output: () => string;
}

let db: TestDatabase;
let dataDir: string;
const replicas: Replica[] = [];
const clients: WsClient[] = [];
const prefix = `tg-test-${crypto.randomBytes(6).toString('hex')}:`;

/** Starts the compiled server (dist/src/main.js) as its own process and resolves with its URL once it logs that it listens. */
function startReplica(name: string, env: Record<string, string> = {}): Promise<Replica> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'info',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`replica ${name} ${why}; its output:\n${out}`));
    const timer = setTimeout(() => fail('did not start in time'), TIMEOUT - 10_000);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    let started = false;
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = started ? undefined : out.split('\n').find((l) => l.includes('"ticket-gateway listening"'));
      if (!line) return;
      started = true;
      clearTimeout(timer);
      const url = (JSON.parse(line) as { url: string }).url.replace(/\/graphql$/, '');
      const replica = { url, child, output: () => out };
      replicas.push(replica);
      resolve(replica);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!started) fail(`exited with code ${code}`);
    });
  });
}

async function gql(r: Replica, query: string, variables: Record<string, unknown> = {}, key = ADMIN_KEY): Promise<any> {
  const res = await fetch(`${r.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(`GraphQL errors from ${r.url}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Subscriptions registered on a replica, from its /metrics (tg_subscriptions). */
async function subscriptionsOn(r: Replica): Promise<number> {
  const text = await (await fetch(`${r.url}/metrics`)).text();
  const m = /^tg_subscriptions (\d+)$/m.exec(text);
  if (!m) throw new Error(`/metrics of ${r.url} has no tg_subscriptions gauge`);
  return Number(m[1]);
}

const CREATE = `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } userErrors { message } } }`;
const COMMENT = `mutation($input: CommentAddInput!) { commentAdd(input: $input) { change { id } userErrors { message } } }`;
const UPDATED = `subscription($id: ID!) { ticketUpdated(id: $id) { cursor ticket { id subject } change { type body } } }`;
const CHANGED = `subscription { ticketChanged { ticket { subject } change { type body } } }`;
const CREATED = `subscription($f: TicketFilter) { ticketCreated(filter: $f) { subject } }`;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-replicas-'));
  // A first, alone, so it applies the migrations; then B on the migrated database.
  const a = await startReplica('A');
  await gql(a, `mutation { categoryCreate(input: { key: "database" }) { userErrors { message } } }`);
  await gql(a, `mutation { categoryCreate(input: { key: "network" }) { userErrors { message } } }`);
  await startReplica('B');
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await Promise.all(
    replicas.map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.child.exitCode !== null) return resolve();
          r.child.once('exit', () => resolve());
          r.child.kill('SIGTERM');
        }),
    ),
  );
  await db?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a change made through one process reaches a subscriber on the other, through Redis', async () => {
  const [a, b] = replicas;
  const t = (await gql(a, CREATE, { input: { subject: 'Replicated', category: 'database' } })).ticketCreate.ticket;
  const c = wsClient(b.url, { Authorization: `Bearer ${ADMIN_KEY}` });
  clients.push(c);
  const updated = c.subscribe<any>(UPDATED, { id: t.id });
  const created = c.subscribe<any>(CREATED, { f: { category: { eq: 'network' } } });
  await eventually('2 subscriptions on B', async () => (await subscriptionsOn(b)) === 2);
  // Nothing is subscribed on A: whatever B's subscriber gets came through Redis.
  expect(await subscriptionsOn(a)).toBe(0);

  await gql(a, COMMENT, { input: { ticketId: t.id, body: 'written on A' } });
  await gql(a, CREATE, { input: { subject: 'Also on A, database', category: 'database' } });
  await gql(a, CREATE, { input: { subject: 'Also on A, network', category: 'network' } });
  const [event] = await updated.waitFor(1);
  expect(event.ticketUpdated).toMatchObject({ ticket: { id: t.id, subject: 'Replicated' }, change: { type: 'COMMENT', body: 'written on A' } });
  await created.waitFor(1);
  expect(created.events.map((e) => e.ticketCreated.subject)).toEqual(['Also on A, network']);

  // The cursor B delivered resumes on A too: it is the shared change stream's.
  const after = await gql(a, `query($after: String, $t: ID) { ticketChangeStream(after: $after, ticketId: $t) { edges { node { change { body } } } } }`, { after: event.ticketUpdated.cursor, t: t.id });
  expect(after.ticketChangeStream.edges).toEqual([]);
});

test('the receiving process applies its subscriber\'s category restriction to events from the other', async () => {
  const [a, b] = replicas;
  const createUser = await gql(a, `mutation($input: UserCreateInput!) { userCreate(input: $input) { userErrors { message } } }`, {
    input: { username: 'dba', name: 'Dba', email: 'dba@example.com', privileges: ['EDIT_TICKETS'], categories: ['database'] },
  });
  expect(createUser.userCreate.userErrors).toEqual([]);
  const dba = (await gql(a, `mutation { apiKeyCreate(input: { name: "t", username: "dba" }) { secret } }`)).apiKeyCreate.secret as string;
  const c = wsClient(b.url, { Authorization: `Bearer ${dba}` });
  clients.push(c);
  const before = await subscriptionsOn(b);
  const view = c.subscribe<any>(CHANGED);
  await eventually('the view registered on B', async () => (await subscriptionsOn(b)) === before + 1);

  const net = (await gql(a, CREATE, { input: { subject: 'Network secret', category: 'network' } })).ticketCreate.ticket;
  await gql(a, COMMENT, { input: { ticketId: net.id, body: 'secret' } });
  const dbt = (await gql(a, CREATE, { input: { subject: 'Database work', category: 'database' } })).ticketCreate.ticket;
  await gql(a, COMMENT, { input: { ticketId: dbt.id, body: 'visible' } });
  await view.waitFor(2);
  expect(view.events.map((e) => [e.ticketChanged.ticket.subject, e.ticketChanged.change.type])).toEqual([
    ['Database work', 'CREATED'],
    ['Database work', 'COMMENT'],
  ]);
});

test('with Redis unreachable, writes still succeed and local subscribers still receive', async () => {
  // Port 1 on localhost: nothing listens, connections are refused.
  const s = await startTestServer({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: prefix });
  try {
    expect(s.app.services.eventBus.kind).toBe('redis');
    const t = (await s.gql(CREATE, { input: { subject: 'No Redis' } })).data.ticketCreate.ticket;
    const c = wsClient(s.url, { Authorization: `Bearer ${ADMIN_KEY}` });
    clients.push(c);
    const sub = c.subscribe<any>(UPDATED, { id: t.id });
    await eventually('registered', () => s.app.services.ticketStream.subscriberCount === 1);
    const r = await s.gql(COMMENT, { input: { ticketId: t.id, body: 'still works' } });
    expect(r.errors).toBeUndefined();
    expect(r.data.commentAdd.userErrors).toEqual([]);
    expect((await sub.waitFor(1))[0].ticketUpdated.change.body).toBe('still works');
    await c.dispose();
  } finally {
    await s.close();
  }
});
