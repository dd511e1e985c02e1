import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import http from 'node:http';
import { multipartBody } from './helpers/multipart';
import { ADMIN_KEY } from './helpers/test-server';
import { createTestDatabase, type TestDatabase } from './helpers/test-db';

// The real server process (the compiled src/main.ts) under SIGTERM and kill -9.
const ROOT = path.resolve(__dirname, '..');
jest.setTimeout(120_000);

let db: TestDatabase;
let dataDir: string;
/** The server processes' TMPDIR: what they leave there is visible to the tests. */
let serverTmp: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-faults-'));
  serverTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-faults-tmp-'));
});
/** Server processes still running when a test fails are killed, so the run ends. */
const children = new Set<ChildProcessWithoutNullStreams>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await db?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(serverTmp, { recursive: true, force: true });
});

/** Files under dir (recursively) whose name matches. */
function filesUnder(dir: string, name: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((e) => e.isFile() && name.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  port: number;
  logs: Record<string, any>[];
  /** Resolves with the first log line matching msg. */
  logged(msg: string): Promise<Record<string, any>>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, TMPDIR: serverTmp, PORT: '0', HOST: '127.0.0.1', ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'info', ...env },
  });
  children.add(child);
  const logs: Record<string, any>[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, any>) => void }[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const entry = JSON.parse(line) as Record<string, any>;
        logs.push(entry);
        for (const w of waiters.filter((x) => entry.msg === x.msg)) w.resolve(entry);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const logged = (msg: string) => {
    const seen = logs.find((l) => l.msg === msg);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, any>>((resolve, reject) => {
      waiters.push({ msg, resolve });
      void exit.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before logging "${msg}"; stderr: ${stderr.slice(0, 2000)}`)));
    });
  };
  return logged('ticket-gateway listening').then((l) => {
    const port = Number(new URL(l.url).port);
    return { child, url: `http://127.0.0.1:${port}`, port, logs, logged, exit };
  });
}

async function gql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as { data?: any; errors?: any[] }) };
}

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('SIGTERM: stops accepting, finishes the in-flight request, stops workers, closes the pool and exits 0', async () => {
  const server = await startServer({ SHUTDOWN_GRACE_PERIOD: '60s' });
  // An in-flight request: its body is only half sent when the signal arrives.
  const body = JSON.stringify({ query: 'mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { number subject } } }', variables: { i: { subject: 'Created during shutdown' } } });
  const socket = net.connect(server.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let response = '';
  socket.on('data', (c) => (response += c.toString('utf8')));
  const closed = new Promise((r) => socket.once('close', r));
  socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 40)}`);
  // The server has the request (its first bytes) before the signal.
  await new Promise((r) => setTimeout(r, 200));

  server.child.kill('SIGTERM');
  await server.logged('shutting down');
  // New connections are refused while the old one is still open (poll until the listener is closed).
  let refused = false;
  for (let i = 0; i < 100 && !refused; i++) {
    refused = !(await connectable(server.port));
    if (!refused) await new Promise((r) => setTimeout(r, 50));
  }
  expect(refused).toBe(true);
  expect(server.logs.some((l) => l.msg === 'stopped: requests drained, workers stopped, database pool closed')).toBe(false);

  socket.write(body.slice(40));
  await closed;
  expect(response).toMatch(/^HTTP\/1\.1 200/);
  expect(response).toContain('"subject":"Created during shutdown"');

  const { code } = await server.exit;
  expect(code).toBe(0);
  expect(server.logs.map((l) => l.msg)).toContain('stopped: requests drained, workers stopped, database pool closed');

  // The acknowledged write is there after a restart.
  const again = await startServer();
  try {
    const r = await gql(again.url, `{ tickets(first: 10) { edges { node { subject } } } }`);
    expect(r.data.tickets.edges.map((e: any) => e.node.subject)).toContain('Created during shutdown');
  } finally {
    again.child.kill('SIGTERM');
    expect((await again.exit).code).toBe(0);
  }
});

test('SIGTERM in production: one signal is one graceful shutdown (Apollo does not stop itself and re-raise the signal)', async () => {
  // Apollo Server registers its own SIGTERM handler outside NODE_ENV=test; it stopped Apollo and
  // sent the signal again, which the server took for a second signal and exited 1 undrained.
  const server = await startServer({ NODE_ENV: 'production', METRICS_TOKEN: 'metrics-token-0123456789', PUBLIC_URL: 'http://localhost' });
  expect((await gql(server.url, '{ tickets(first: 1) { totalCount } }')).data.tickets.totalCount).toEqual(expect.any(Number));
  server.child.kill('SIGTERM');
  const { code } = await server.exit;
  expect(server.logs.map((l) => l.msg).filter((m) => /signal|stopped/.test(m))).toEqual(['stopped: requests drained, workers stopped, database pool closed']);
  expect(code).toBe(0);
});

test('kill -9 during 40 concurrent comments: after a restart each comment exists with all of its effects or not at all', async () => {
  const server = await startServer();
  const t = (await gql(server.url, 'mutation { ticketCreate(input: { subject: "Kill target" }) { ticket { id number } } }')).data.ticketCreate.ticket;
  const words = Array.from({ length: 40 }, (_, i) => `killword${i}x${process.pid}`);
  const acknowledged: string[] = [];
  const inFlight = words.map((w) =>
    gql(server.url, 'mutation($i: CommentAddInput!) { commentAdd(input: $i) { change { id } } }', { i: { ticketId: t.id, body: `comment ${w}` } }).then(
      (r) => {
        if (r.data?.commentAdd?.change) acknowledged.push(w);
      },
      () => undefined, // cut off by the kill
    ),
  );
  // Kill once the first comments are acknowledged, with the rest in flight.
  while (acknowledged.length < 3) await new Promise((r) => setTimeout(r, 5));
  server.child.kill('SIGKILL');
  await Promise.all(inFlight);
  expect((await server.exit).signal).toBe('SIGKILL');
  expect(acknowledged.length).toBeLessThan(40); // otherwise nothing was in flight and this proves little

  const again = await startServer();
  try {
    const r = await gql(again.url, `query($id: ID!) { ticket(id: $id) { version changes(types: [COMMENT], first: 100) { totalCount edges { node { body } } } } }`, { id: t.id });
    const stored = r.data.ticket.changes.edges.map((e: any) => (e.node.body as string).replace('comment ', ''));
    // Every acknowledged comment survived; none is half there.
    for (const w of acknowledged) expect(stored).toContain(w);
    // Each stored comment bumped the version exactly once (no bump without its comment, or the reverse).
    expect(r.data.ticket.version).toBe(1 + stored.length);
    // ... and is in the full-text index; the comments that were lost are not.
    for (const w of words) {
      const found = await gql(again.url, `query($q: String!) { tickets(query: $q) { totalCount } }`, { q: w });
      expect({ word: w, found: found.data.tickets.totalCount }).toEqual({ word: w, found: stored.includes(w) ? 1 : 0 });
    }
  } finally {
    again.child.kill('SIGTERM');
    await again.exit;
  }
});

test('kill -9 during uploads: after a restart every file record has its stored object with the recorded checksum', async () => {
  const UPLOAD = `mutation($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) { files { filename } userErrors { code } } }`;
  const server = await startServer();
  const t = (await gql(server.url, 'mutation { ticketCreate(input: { subject: "Upload target" }) { ticket { id } } }')).data.ticketCreate.ticket;
  const target = new URL(server.url);
  const send = (filename: string, content: Buffer, stopAfter?: number) =>
    new Promise<boolean>((resolve) => {
      const { boundary, body } = multipartBody(UPLOAD, { t: t.id, files: [null] }, [{ path: 'variables.files.0', filename, content }]);
      const req = http.request({ host: target.hostname, port: target.port, method: 'POST', path: '/graphql', headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length, 'apollo-require-preflight': 'true', authorization: `Bearer ${ADMIN_KEY}`,
      } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(res.statusCode === 200 && text.includes(`"filename":"${filename}"`)));
        res.on('error', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      if (stopAfter === undefined) req.end(body);
      else req.write(body.subarray(0, stopAfter)); // the rest never comes: the upload is mid-body at the kill
    });
  const acknowledged: string[] = [];
  if (await send('first.bin', crypto.randomBytes(50_000))) acknowledged.push('first.bin');
  expect(acknowledged).toEqual(['first.bin']);
  const big = send('big.bin', crypto.randomBytes(4_000_000), 1_000_000);
  const small = Array.from({ length: 10 }, (_, i) => send(`small-${i}.bin`, crypto.randomBytes(20_000)).then((ok) => ok && acknowledged.push(`small-${i}.bin`)));
  // Kill once some of the small uploads are acknowledged and the big one is mid-body.
  while (acknowledged.length < 3) await new Promise((r) => setTimeout(r, 5));
  server.child.kill('SIGKILL');
  await Promise.all([big, ...small]);
  expect((await server.exit).signal).toBe('SIGKILL');

  // graphql-upload buffers each upload in a temporary file; the kill left the big one's behind.
  const again = await startServer();
  try {
    // The restart swept them: nothing of the killed process's uploads stays, anywhere.
    expect(filesUnder(serverTmp, /^capacitor-/)).toEqual([]);
    expect(filesUnder(path.join(dataDir, 'tmp'), /./)).toEqual([]);
    const r = await gql(again.url, `query($id: ID!) { ticket(id: $id) { files { filename sha256 url } changes(types: [FILE_ADDED], first: 100) { totalCount } } }`, { id: t.id });
    const files = r.data.ticket.files as { filename: string; sha256: string; url: string }[];
    for (const name of acknowledged) expect(files.map((f) => f.filename)).toContain(name);
    expect(files.map((f) => f.filename)).not.toContain('big.bin');
    // Each record comes with its history entry and its object, whose bytes match the recorded checksum.
    expect(r.data.ticket.changes.totalCount).toBe(files.length);
    for (const f of files) {
      const res = await fetch(f.url.startsWith('http') ? f.url : `${again.url}${f.url}`);
      expect({ file: f.filename, status: res.status }).toEqual({ file: f.filename, status: 200 });
      const sha = crypto.createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex');
      expect({ file: f.filename, sha }).toEqual({ file: f.filename, sha: f.sha256 });
    }
  } finally {
    again.child.kill('SIGTERM');
    await again.exit;
  }
});

test('kill -9 with a local job running: the restart kills the job\'s process group, removes its folder and fails it', async () => {
  const jobsDir = path.join(dataDir, 'jobs');
  const pidFile = path.join(serverTmp, `job-pids-${process.pid}`);
  const env = { INSTANCE_ID: 'faults-job', JOBS_DIR: jobsDir, OUTBOX_POLL_MS: '50' };
  const server = await startServer(env);
  // The job starts a grandchild (as a shell script's commands would) and both wait forever.
  const script = `const { spawn } = require('child_process'); const fs = require('fs');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    fs.writeFileSync(${JSON.stringify(pidFile)}, process.pid + ' ' + child.pid);
    setInterval(() => {}, 1000);`;
  const event = await gql(server.url, `mutation($i: EventInput!) { eventCreate(input: $i) { event { id } userErrors { message } } }`, { i: { key: 'forever', title: 'Forever', runner: 'LOCAL', command: [process.execPath, '-e', script] } });
  const t = (await gql(server.url, 'mutation { ticketCreate(input: { subject: "Job target" }) { ticket { id } } }')).data.ticketCreate.ticket;
  const stub = await gql(server.url, `mutation($t: ID!, $e: String!) { ticketEventAdd(ticketId: $t, input: { eventId: $e }) { ticketEvent { id } } }`, { t: t.id, e: event.data.eventCreate.event.id });
  const job = (await gql(server.url, `mutation($id: ID!) { ticketEventRun(id: $id) { job { id } } }`, { id: stub.data.ticketEventAdd.ticketEvent.id })).data.ticketEventRun.job;
  for (let i = 0; i < 400 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
  const pids = fs.readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    expect(pids.map(alive)).toEqual([true, true]);
    // The job's working directory and its temporary folder.
    expect(fs.readdirSync(jobsDir).filter((n) => n.startsWith('job-')).map((n) => n.replace(/^job-\d+-[0-9a-f]+/, 'job'))).toEqual(['job', 'job.tmp']);
  } catch (err) {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    throw err;
  }

  server.child.kill('SIGKILL');
  expect((await server.exit).signal).toBe('SIGKILL');
  expect(pids.map(alive)).toEqual([true, true]); // nobody tracks them any more

  const again = await startServer(env);
  try {
    for (let i = 0; i < 400 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 25));
    expect(pids.map(alive)).toEqual([false, false]);
    expect(fs.readdirSync(jobsDir).filter((n) => n.startsWith('job-'))).toEqual([]);
    const r = await gql(again.url, `query($id: ID!) { job(id: $id) { status description } }`, { id: job.id });
    expect(r.data.job).toEqual({ status: 'FAILED', description: 'The server running this job stopped before the job finished (crash or restart)' });
  } finally {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL'); // only if the test failed
    again.child.kill('SIGTERM');
    await again.exit;
  }
});
