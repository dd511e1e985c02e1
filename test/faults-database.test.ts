import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/config';
import { createApp, type App } from '../src/http/app';
import { CREATE } from './helpers/documents';
import { ADMIN_KEY } from './helpers/test-server';
import { createTestDatabase, type TestDatabase } from './helpers/test-db';

// Database outages while the server runs. MariaDB only: SQLite is embedded (no network, no server
// to restart or connections to kill). The shared MariaDB is never restarted: the server reaches it
// through a TCP proxy in this test, and "restart" is the proxy closing every connection and
// refusing new ones, then accepting again.
const onMysql = process.env.DATABASE_URL?.match(/^(mysql|mariadb):/) ? describe : describe.skip;
jest.setTimeout(120_000);

class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async up(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** The database "goes down": live connections are cut and new ones refused. */
  async down(): Promise<void> {
    const closed = new Promise((r) => this.server?.close(r));
    for (const s of this.sockets) s.destroy();
    await closed;
    this.server = null;
  }
}

onMysql('database outage', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let app: App;
  let url: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-outage-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 3306) });
    await proxy.up();
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const config = loadConfig({ DATABASE_URL: viaProxy.toString(), DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', OUTBOX_POLL_MS: '50', INSTANCE_ID: 'outage-test' });
    app = await createApp(config);
    url = await app.listen();
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.down().catch(() => undefined);
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function gql(query: string, variables: Record<string, unknown> = {}) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    return { status: res.status, text, ...(JSON.parse(text) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] }) };
  }
  const health = async () => (await fetch(`${url}/healthz`)).status;

  /** Retries until the server answers 200 again, without restarting it; returns the attempts used. */
  async function recovered(): Promise<number> {
    for (let attempt = 1; attempt <= 200; attempt++) {
      if ((await health()) === 200 && (await gql(`{ viewer { username } }`)).status === 200) return attempt;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the server did not recover within 200 attempts after the database came back');
  }

  async function createTickets(prefix: string, n: number): Promise<string[]> {
    const subjects: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await gql(CREATE, { input: { subject: `${prefix} ${i}` } });
      expect(r.data.ticketCreate.userErrors).toEqual([]);
      subjects.push(`${prefix} ${i}`);
    }
    return subjects;
  }

  async function storedSubjects(): Promise<string[]> {
    const r = await gql(`{ tickets(first: 100) { edges { node { subject } } } }`);
    expect(r.errors).toBeUndefined();
    return r.data.tickets.edges.map((e: { node: { subject: string } }) => e.node.subject);
  }

  test('while the database is down: 503 SERVICE_UNAVAILABLE for reads and writes and /healthz; recovery without a restart; no acknowledged write lost', async () => {
    const acknowledged = await createTickets('Before outage', 5);
    await proxy.down();

    for (const [query, vars] of [
      [`{ tickets(first: 5) { totalCount } }`, {}],
      [CREATE, { input: { subject: 'During outage' } }],
    ] as const) {
      const r = await gql(query, vars);
      expect({ status: r.status, code: r.errors?.[0].extensions?.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(r.errors?.[0].message).toMatch(/database is unavailable/i);
      expect(r.text).not.toMatch(/ECONNREFUSED|PROTOCOL|127\.0\.0\.1|mysql/i);
    }
    expect(await health()).toBe(503);

    await proxy.up();
    await recovered();
    const after = await createTickets('After outage', 2);
    const stored = await storedSubjects();
    for (const s of [...acknowledged, ...after]) expect(stored).toContain(s);
    expect(stored).not.toContain('During outage');
  });

  test('connections killed on the server (KILL): the pool replaces them and requests succeed again', async () => {
    const acknowledged = await createTickets('Before kill', 3);
    const admin = await mysql.createConnection(db.url);
    try {
      const name = new URL(db.url).pathname.slice(1);
      const [rows] = await admin.query('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [name]);
      const ids = (rows as { id: number }[]).map((r) => r.id);
      expect(ids.length).toBeGreaterThan(0); // the server's pooled connections
      for (const id of ids) await admin.query(`KILL ${Number(id)}`);
    } finally {
      await admin.end();
    }
    // Requests right after the kill may meet a dead connection: they must be 503, never 500.
    for (let i = 0; i < 5; i++) {
      const r = await gql(`{ tickets(first: 5) { totalCount } }`);
      expect([200, 503]).toContain(r.status);
      expect(r.text).not.toContain('INTERNAL_SERVER_ERROR');
    }
    await recovered();
    const stored = await storedSubjects();
    for (const s of acknowledged) expect(stored).toContain(s);
  });

  test('a job that ends while the database is down has its exit code and output recorded once it is back', async () => {
    const release = path.join(dataDir, 'release-outage-job');
    const script = `const fs = require('fs'); const wait = () => { if (!fs.existsSync(${JSON.stringify(release)})) return setTimeout(wait, 20);
      fs.writeFileSync(process.env.JOB_OUTPUT_DIR + '/result.txt', 'done'); process.exit(6); }; wait();`;
    const event = await gql(`mutation($i: EventInput!) { eventCreate(input: $i) { event { id } userErrors { message } } }`, { i: { key: 'outage-job', title: 'Outage job', runner: 'LOCAL', command: [process.execPath, '-e', script] } });
    const t = (await gql(CREATE, { input: { subject: 'Job through an outage' } })).data.ticketCreate.ticket;
    const stub = await gql(`mutation($t: ID!, $e: String!) { ticketEventAdd(ticketId: $t, input: { eventId: $e }) { ticketEvent { id } } }`, { t: t.id, e: event.data.eventCreate.event.id });
    const job = (await gql(`mutation($id: ID!) { ticketEventRun(id: $id) { job { id } } }`, { id: stub.data.ticketEventAdd.ticketEvent.id })).data.ticketEventRun.job;
    const JOB = `query($id: ID!) { job(id: $id) { status code description outputFiles { filename } } }`;
    for (let i = 0; i < 400 && (await gql(JOB, { id: job.id })).data.job.status !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 25));

    // The job ends while the database is away: recording its end fails, and is tried again.
    const finished = jest.spyOn(app.services.jobState, 'finished');
    await proxy.down();
    fs.writeFileSync(release, '');
    const failedOnce = async () => {
      for (const r of finished.mock.results) if (await Promise.resolve(r.value).then(() => false, () => true)) return true;
      return false;
    };
    for (let i = 0; i < 400 && !(await failedOnce()); i++) await new Promise((r) => setTimeout(r, 25));
    expect(await failedOnce()).toBe(true);
    await proxy.up();
    await recovered();
    finished.mockRestore();

    let recorded: any = null;
    for (let i = 0; i < 400; i++) {
      recorded = (await gql(JOB, { id: job.id })).data.job;
      if (recorded.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(recorded).toEqual({ status: 'FAILED', code: 6, description: 'Exited with code 6', outputFiles: [{ filename: 'result.txt' }] });
  });
});
