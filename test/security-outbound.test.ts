import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventDefinition } from '../src/entities/event-definition.entity';
import { Webhook } from '../src/entities/webhook.entity';
import { CREATE } from './helpers/documents';
import { eventually } from './helpers/ws-client';
import { addTicketEvent, EVENT_CREATE, run, waitForJob } from './helpers/jobs';
import { startTestServer, type TestServer } from './helpers/test-server';

/*
 * Regression (issue 15): webhook and http-event URLs reached loopback, link-local and private
 * addresses, and the delivery log answered which ports were open. The server here has no
 * OUTBOUND_ALLOW; the only receiver is on loopback and must never be reached.
 */

let s: TestServer;
let receiver: http.Server;
let receiverUrl: string;
let hits = 0;

const CREATE_HOOK = `mutation($i: WebhookCreateInput!) { webhookCreate(input: $i) { webhook { id url } userErrors { field code message } } }`;
const UPDATE_HOOK = `mutation($id: ID!, $i: WebhookInput!) { webhookUpdate(id: $id, input: $i) { webhook { url } userErrors { field code message } } }`;

const BLOCKED = [
  'http://127.0.0.1/hook',
  'http://127.0.0.1:3306/',
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.5/hook',
  'http://172.16.1.1/hook',
  'http://192.168.1.10/hook',
  'http://100.64.0.1/hook',
  'http://0.0.0.0/hook',
  'http://255.255.255.255/hook',
  'http://224.0.0.1/hook',
  'http://2130706433/hook',
  'http://0x7f.1/hook',
  'http://127.1/hook',
  'http://017700000001/hook',
  'http://[::1]/hook',
  'http://[::]/hook',
  'http://[fe80::1]/hook',
  'http://[fd00::1]/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:a9fe:a9fe]/hook',
  'http://[64:ff9b::7f00:1]/hook',
  'http://localhost:3306/',
  'http://LOCALHOST./hook',
  'http://example.com@127.0.0.1:3306',
  'https://user:pass@hooks.example.com/hook',
  'ftp://hooks.example.com/hook',
  'file:///etc/passwd',
];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  s = await startTestServer({ OUTBOX_POLL_MS: '20', OUTBOX_RETRY_BASE_MS: '10' });
});

afterAll(async () => {
  await s?.close();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

test.each(BLOCKED)('webhookCreate refuses %s with a userError on the url naming the rule', async (url) => {
  const r = await s.gql(CREATE_HOOK, { i: { url, events: ['TICKET_CREATED'] } });
  expect(r.data.webhookCreate.webhook).toBeNull();
  expect(r.data.webhookCreate.userErrors).toEqual([{ field: ['input', 'url'], code: 'INVALID', message: expect.stringMatching(/^url .*OUTBOUND_ALLOW/) }]);
});

test('webhookUpdate refuses a blocked URL and keeps the old one; a public host name is accepted', async () => {
  const created = await s.gql(CREATE_HOOK, { i: { url: 'https://hooks.example.com/a', events: ['TICKET_CREATED'] } });
  expect(created.data.webhookCreate.userErrors).toEqual([]);
  const id = created.data.webhookCreate.webhook.id;
  const r = await s.gql(UPDATE_HOOK, { id, i: { url: 'http://[::ffff:7f00:1]:6379/' } });
  expect(r.data.webhookUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'url'], code: 'INVALID', message: expect.stringContaining('loopback') })]);
  expect((await s.app.db.manager.findOneByOrFail(Webhook, { url: 'https://hooks.example.com/a' })).url).toBe('https://hooks.example.com/a');
  await s.gql(`mutation($id: ID!) { webhookDelete(id: $id) { deletedId } }`, { id });
});

test.each(BLOCKED)('eventCreate (http runner) refuses %s with a userError on the url', async (url) => {
  const r = await s.gql(EVENT_CREATE, { i: { key: 'remote', title: 'Remote', runner: 'HTTP', url } });
  expect(r.data.eventCreate.event).toBeNull();
  expect(r.data.eventCreate.userErrors).toEqual([{ field: ['input', 'url'], code: 'INVALID', message: expect.stringMatching(/^url .*OUTBOUND_ALLOW/) }]);
});

test('a stored webhook whose URL now points at a blocked address fails at once, without reaching it or saying how it answered', async () => {
  // As a row stored before this rule, or a name whose address changed: the check runs again at delivery.
  const created = await s.gql(CREATE_HOOK, { i: { url: 'https://hooks.example.com/stored', events: ['TICKET_CREATED'] } });
  const id = created.data.webhookCreate.webhook.id;
  await s.app.db.manager.update(Webhook, { url: 'https://hooks.example.com/stored' }, { url: receiverUrl });
  await s.app.services.webhooks.refresh();
  const before = hits;
  await s.gql(CREATE, { input: { subject: 'Probe' } });
  const LOG = `query { webhooks { id deliveries { status attempts responseStatus lastError } } }`;
  let log: any[] = [];
  await eventually('the delivery to fail', async () => {
    log = (await s.gql(LOG)).data.webhooks.find((w: { id: string }) => w.id === id).deliveries;
    return log[0]?.status === 'failed';
  });
  expect(log[0]).toEqual({ status: 'failed', attempts: 1, responseStatus: null, lastError: expect.stringMatching(/not allowed for outbound requests/) });
  expect(log[0].lastError).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|\d{4,5}/);
  expect(hits).toBe(before);
  await s.gql(`mutation($id: ID!) { webhookDelete(id: $id) { deletedId } }`, { id });
});

test('a stored http event whose URL now points at a blocked address fails its job at once, without reaching it', async () => {
  const created = await s.gql(EVENT_CREATE, { i: { key: 'stored-remote', title: 'Stored remote', runner: 'HTTP', url: 'https://ops.example.com/run_event' } });
  expect(created.data.eventCreate.userErrors).toEqual([]);
  await s.app.db.manager.update(EventDefinition, { key: 'stored-remote' }, { url: receiverUrl });
  const before = hits;
  const t = await s.gql(CREATE, { input: { subject: 'Job probe' } });
  const job = await run(s, await addTicketEvent(s, t.data.ticketCreate.ticket.number, created.data.eventCreate.event.id));
  const failed = await waitForJob(s, job.id);
  expect(failed.status).toBe('FAILED');
  expect(failed.description).toMatch(/not allowed for outbound requests/);
  expect(failed.description).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  expect(hits).toBe(before);
});
