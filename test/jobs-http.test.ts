import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signBody } from '../src/common/hmac';
import { CREATE } from './helpers/documents';
import { addTicketEvent, EVENT_CREATE, run, waitForJob } from './helpers/jobs';
import { startTestServer, type TestServer } from './helpers/test-server';

/* The http runner against a real HTTP receiver: signed dispatch, retry after a 500, reports back. */

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let s: TestServer;
let ops: string;
let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];
const answers: number[] = [];
let eventId: string;
let secret: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForDispatches(n: number): Promise<Received[]> {
  for (let i = 0; i < 400 && received.length < n; i++) await sleep(25);
  return received;
}

async function callback(jobId: string, body: unknown, opts: { secret?: string; timestamp?: number } = {}): Promise<{ status: number; json: any }> {
  const raw = JSON.stringify(body);
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const res = await fetch(`${s.url}/jobs/${jobId}/report`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-job-timestamp': String(ts), 'x-job-signature': signBody(opts.secret ?? secret, ts, raw) },
    body: raw,
  });
  return { status: res.status, json: await res.json() };
}

async function jobHistory(number: number): Promise<string[]> {
  const res = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(first: 100, types: [JOB]) { edges { node { oldValue newValue body author { username } } } } } }`, { id: String(number) });
  return res.data.ticket.changes.edges.map((e: any) => `${e.node.oldValue ?? ''}->${e.node.newValue}${e.node.body ? ` (${e.node.body})` : ''}${e.node.author ? ` by ${e.node.author.username}` : ''}`);
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 202;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/run_event`;
  s = await startTestServer({ OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '50', PUBLIC_URL: 'https://tickets.example.com', OUTBOUND_ALLOW: '127.0.0.1/32' });
  ops = await s.user('ops');
  const created = await s.gql(EVENT_CREATE, { i: { key: 'deploy-remote', title: 'Remote deploy', runner: 'HTTP', url: receiverUrl, targets: ['db-1'], fields: [{ name: 'version', type: 'STRING', required: true }] } });
  expect(created.data.eventCreate.userErrors).toEqual([]);
  expect(created.data.eventCreate.event.hasSecret).toBe(true);
  eventId = created.data.eventCreate.event.id;
  secret = created.data.eventCreate.secret;
  expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
});
afterAll(async () => {
  await s?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

beforeEach(() => {
  received.length = 0;
  answers.length = 0;
});

test('dispatch is signed, retried after a 500, and completion comes back through the signed callback', async () => {
  const ticket = await s.gql(CREATE, { input: { subject: 'Deploy to db-1' } });
  const number = ticket.data.ticketCreate.ticket.number;
  answers.push(500);
  const job = await run(s, await addTicketEvent(s, number, eventId, { params: { version: '2.0' } }), {}, ops);
  const [first, second] = await waitForDispatches(2);
  expect(first.body).toBe(second.body);
  for (const r of [first, second]) {
    expect(r.headers['x-job-signature']).toBe(signBody(secret, Number(r.headers['x-job-timestamp']), r.body));
    expect(r.headers['x-job-id']).toBe(job.id);
  }
  const payload = JSON.parse(second.body).job;
  expect(payload).toMatchObject({
    id: job.id,
    number: job.number,
    event: { key: 'deploy-remote', title: 'Remote deploy' },
    targets: ['db-1'],
    params: { version: '2.0' },
    ticket: { number, subject: 'Deploy to db-1' },
    inputFiles: [],
    callbackUrl: `https://tickets.example.com/jobs/${job.id}/report`,
  });
  expect((await waitForJob(s, job.id, ['RUNNING'])).status).toBe('RUNNING');

  // A bad signature, an unknown job and a stale timestamp are refused alike.
  expect((await callback(job.id, { status: 'SUCCEEDED' }, { secret: 'x'.repeat(32) })).status).toBe(401);
  expect((await callback('Sm9iOjk5OTk', { status: 'SUCCEEDED' })).status).toBe(401);
  expect((await callback(job.id, { status: 'SUCCEEDED' }, { timestamp: Math.floor(Date.now() / 1000) - 3600 })).status).toBe(401);
  expect(await callback(job.id, { status: 'DONE' })).toEqual({ status: 400, json: { errors: [{ message: 'status must be one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED', extensions: { code: 'BAD_USER_INPUT' } }] } });

  // Signed but malformed reports are refused with what is wrong, and change nothing.
  const raw = 'not json';
  const ts = Math.floor(Date.now() / 1000);
  const notJson = await fetch(`${s.url}/jobs/${job.id}/report`, { method: 'POST', headers: { 'x-job-timestamp': String(ts), 'x-job-signature': signBody(secret, ts, raw) }, body: raw });
  expect([notJson.status, await notJson.json()]).toEqual([400, { errors: [{ message: 'The body must be a JSON object', extensions: { code: 'BAD_REQUEST' } }] }]);
  expect(await callback(job.id, { status: 'FAILED', code: 'abc', log: 7 })).toEqual({ status: 400, json: { errors: [{ message: 'log must be a string', extensions: { code: 'BAD_USER_INPUT' } }] } });
  expect(await callback(job.id, { status: 'FAILED', code: 'abc' })).toEqual({ status: 400, json: { errors: [{ message: 'code must be an integer', extensions: { code: 'BAD_USER_INPUT', field: ['input', 'code'] } }] } });
  expect((await waitForJob(s, job.id, ['RUNNING'])).status).toBe('RUNNING');

  const report = { status: 'SUCCEEDED', code: 0, server: 'db-1', log: 'migrated\ndone\n' };
  expect(await callback(job.id, report)).toEqual({ status: 200, json: { job: { id: job.id, status: 'SUCCEEDED' } } });
  // The same report again (a retry by the ops system) is accepted and changes nothing.
  expect(await callback(job.id, report)).toEqual({ status: 200, json: { job: { id: job.id, status: 'SUCCEEDED' } } });
  expect(await callback(job.id, { status: 'FAILED', code: 1 })).toEqual({ status: 200, json: { job: { id: job.id, status: 'SUCCEEDED' } } });

  const done = await waitForJob(s, job.id);
  expect(done).toMatchObject({ status: 'SUCCEEDED', code: 0, server: 'db-1', logExcerpt: 'migrated\ndone' });
  expect(await jobHistory(number)).toEqual(['->queued by ops', 'queued->running', 'running->succeeded']);
  expect(received).toHaveLength(2);
});

test('a runner refusing the job (4xx) fails it at once; jobReport reports for API clients', async () => {
  const ticket = await s.gql(CREATE, { input: { subject: 'Refused' } });
  answers.push(422);
  const refused = await waitForJob(s, (await run(s, await addTicketEvent(s, ticket.data.ticketCreate.ticket.number, eventId, { params: { version: '1' } }))).id);
  expect(refused).toMatchObject({ status: 'FAILED', description: 'Could not dispatch the job: The runner refused the job with HTTP 422' });
  expect(received).toHaveLength(1);

  const job = await run(s, await addTicketEvent(s, ticket.data.ticketCreate.ticket.number, eventId, { params: { version: '2' } }));
  await waitForJob(s, job.id, ['RUNNING']);
  const REPORT = `mutation($id: ID!, $i: JobReportInput!) { jobReport(id: $id, input: $i) { job { status code description } userErrors { field message } } }`;
  const outsider = await s.user('outsider', []);
  expect((await s.gql(REPORT, { id: job.id, i: { status: 'FAILED' } }, outsider)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await s.gql(REPORT, { id: job.id, i: { status: 'QUEUED' } }, ops)).data.jobReport.userErrors).toEqual([{ field: ['input', 'status'], message: 'A job cannot be reported back to QUEUED' }]);
  const failed = await s.gql(REPORT, { id: job.id, i: { status: 'FAILED', code: 7, description: 'disk full' } }, ops);
  expect(failed.data.jobReport).toEqual({ job: { status: 'FAILED', code: 7, description: 'disk full' }, userErrors: [] });
});

test('a runner that stays unreachable fails the job after the outbox gives up', async () => {
  const down = await startTestServer({ OUTBOX_POLL_MS: '20', OUTBOX_RETRY_BASE_MS: '10', OUTBOX_MAX_ATTEMPTS: '2', OUTBOUND_ALLOW: '127.0.0.1/32' });
  try {
    const created = await down.gql(EVENT_CREATE, { i: { key: 'nowhere', title: 'Nowhere', runner: 'HTTP', url: 'http://127.0.0.1:9/run' } });
    const t = await down.gql(CREATE, { input: { subject: 'Unreachable' } });
    const job = await run(down, await addTicketEvent(down, t.data.ticketCreate.ticket.number, created.data.eventCreate.event.id));
    const failed = await waitForJob(down, job.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.description).toMatch(/^Could not dispatch the job: Could not reach 127\.0\.0\.1:9: /);
  } finally {
    await down.close();
  }
});
