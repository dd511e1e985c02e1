import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger } from '../src/common/logger';
import { CREATE } from './helpers/documents';
import { createTestDatabase } from './helpers/test-db';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

describe('request logs', () => {
  let s: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    // trace: the most the app ever logs (every SQL statement too).
    s = await startTestServer({}, { logger: createLogger('trace', sink) });
  });
  afterAll(() => s?.close());

  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  test('one line per request with request id, operation name, duration, SQL count and caller', async () => {
    const key = await s.user('lena');
    const res = await s.gql(`query LogMe { tickets(first: 1) { totalCount } }`, {}, key);
    expect(res.errors).toBeUndefined();
    const line = entries().find((e) => e.msg === 'request' && e.requestId === res.requestId);
    expect(line).toMatchObject({ operationName: 'LogMe', status: 200, path: '/graphql', username: 'lena' });
    expect(typeof line!.userId).toBe('number');
    expect(typeof line!.apiKeyId).toBe('number');
    expect(line!.sqlCount).toBe(s.requests.get(res.requestId)!.sqlCount);
    expect(line!.sqlCount).toBeGreaterThan(0);
    expect(typeof line!.durationMs).toBe('number');
  });

  test('never contains API keys, Authorization headers, JWTs or password-like variables', async () => {
    const userKey = await s.user('omar');
    const issued = await s.gql(`mutation { apiKeyCreate(input: { name: "ci", username: "omar" }) { secret } }`);
    const issuedSecret = issued.data.apiKeyCreate.secret as string;
    expect(issuedSecret.length).toBeGreaterThan(16);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvbWFyIn0.c2lnbmF0dXJlLXNob3VsZC1uZXZlci1iZS1sb2dnZWQ';
    const password = 'hunter2-Pa55word-never-log';
    await s.gql(`{ viewer { username } }`, {}, userKey);
    await s.gql(`{ viewer { username } }`, {}, issuedSecret);
    await s.gql(`{ viewer { username } }`, {}, jwt); // rejected: not a key
    await s.gql(`{ viewer { username } }`, {}, 'wrong-key-but-still-secret-123456');
    // Variables with secret-looking names, a failing mutation and a malformed document.
    await s.gql(`mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { userErrors { message } } }`, { input: { subject: '', password, token: jwt } });
    await s.gql(`query($password: String) { tickets(first: 1, query: $password) { totalCount } }`, { password });
    await s.gql(`{ nope(password: "${password}") }`);
    const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}`, cookie: `session=${password}` }, body: '{"query": "{' });
    expect(res.status).toBe(400);

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const secret of [ADMIN_KEY, userKey, issuedSecret, jwt, password, 'wrong-key-but-still-secret-123456']) {
      expect({ secret, found: text.includes(secret) }).toEqual({ secret, found: false });
    }
    expect(text).not.toMatch(/bearer /i);
  });
});

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

describe('OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let receiver: http.Server;
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  let endpoint = '';
  beforeAll(async () => {
    // A minimal OTLP/HTTP collector: the exporter posts JSON to /v1/traces.
    receiver = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        contentTypes.push(String(req.headers['content-type']));
        if (req.method === 'POST' && req.url === '/v1/traces') {
          const payload = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[] };
          for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

  test('exports a span per request (named by operation), per DataLoader batch and per SQL statement, nested', async () => {
    const db = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-otel-'));
    const child = spawn(process.execPath, [path.join(__dirname, 'helpers/server-process.js')], {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'warn', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let requestSql = -1;
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve((JSON.parse(line) as { url: string }).url);
        });
        void exited.then((code) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
      });
      const gql = async (query: string, variables: Record<string, unknown> = {}) => {
        const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query, variables }) });
        const body = (await res.json()) as { data?: any; errors?: unknown[] };
        expect(body.errors).toBeUndefined();
        return body.data;
      };
      await gql(`mutation { userCreate(input: { username: "tina", name: "Tina", email: "tina@example.com" }) { userErrors { message } } }`);
      await gql(CREATE, { input: { subject: 'Traced', assignees: ['tina'] } });
      await gql(`query TraceMe { tickets(first: 5) { edges { node { number assignees { username } } } } }`);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      requestSql = Number(/^tg_sql_statements_per_request_sum\{operation="TraceMe"\} (\d+)$/m.exec(metrics)?.[1] ?? -1);
    } finally {
      child.kill('SIGTERM'); // closing the app flushes the batch span processor
      expect({ exit: await exited, stderr }).toEqual({ exit: 0, stderr: '' });
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(contentTypes).toContain('application/json');
    const request = spans.find((x) => x.name === 'graphql TraceMe');
    expect(request).toBeDefined();
    const inRequest = spans.filter((x) => x.traceId === request!.traceId);
    const batch = inRequest.find((x) => x.name === 'dataloader ticketUsers');
    expect(batch).toMatchObject({ parentSpanId: request!.spanId });
    const batchSql = inRequest.filter((x) => x.parentSpanId === batch!.spanId);
    expect(batchSql.map((x) => x.name)).toEqual(['sql SELECT']);
    const statement = batchSql[0].attributes.find((a) => a.key === 'db.statement')?.value.stringValue;
    expect(statement).toMatch(/ticket_user/);
    // Every statement of the request has a span: the auth lookup, the page, the assignees.
    expect(requestSql).toBeGreaterThanOrEqual(3);
    expect(inRequest.filter((x) => x.name.startsWith('sql ')).length).toBe(requestSql);
  });
});
