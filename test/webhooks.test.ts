import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CREATE, COMMENT_ADD, UPDATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';
import { WebhookDelivery } from '../src/entities/webhook-delivery.entity';
import { rowIdOf } from '../src/graphql/global-id';

/* Webhooks against a real HTTP receiver in the test: signatures, retries, filters, replay. */

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
}

let s: TestServer;
let alice: string;
let receiver: http.Server;
let url: string;
const received: Received[] = [];
/** Status codes to answer with, in order; 200 once exhausted. */
const answers: number[] = [];

const CREATE_HOOK = `mutation($i: WebhookCreateInput!) { webhookCreate(input: $i) { webhook { id url events query active } secret userErrors { field code message } } }`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(predicate: (r: Received) => boolean, count = 1): Promise<Received[]> {
  for (let i = 0; i < 200; i++) {
    const found = received.filter(predicate);
    if (found.length >= count) return found;
    await sleep(25);
  }
  return received.filter(predicate);
}

function verify(r: Received, secret: string): boolean {
  const expected = crypto.createHmac('sha256', secret).update(`${r.headers['x-webhook-timestamp']}.${r.body}`).digest('hex');
  return r.headers['x-webhook-signature'] === `sha256=${expected}`;
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body, json: JSON.parse(body) });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  s = await startTestServer({ OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '50', OUTBOUND_ALLOW: '127.0.0.1/32' });
  await s.gql(`mutation { tagCreate(input: { key: "prod" }) { userErrors { message } } }`);
  alice = await s.user('alice');
});
afterAll(async () => {
  await s?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

test('only admins manage webhooks, and bad input is a userError', async () => {
  expect((await s.gql(CREATE_HOOK, { i: { url, events: ['TICKET_CREATED'] } }, alice)).errors![0].extensions!.code).toBe('FORBIDDEN');
  const bad = await s.gql(CREATE_HOOK, { i: { url: 'ftp://x', events: [], query: 'nope:x', secret: 'short' } });
  const fields = bad.data.webhookCreate.userErrors.map((e: { field: string[] }) => e.field[1]).sort();
  expect(fields).toEqual(['events', 'query', 'url']);
});

test('deliveries are signed, carry ids and a timestamp, and include previous values', async () => {
  const hook = await s.gql(CREATE_HOOK, { i: { url, events: ['TICKET_CREATED', 'TICKET_UPDATED', 'COMMENT_ADDED'] } });
  const { webhook, secret } = hook.data.webhookCreate;
  expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const t = (await s.gql(CREATE, { input: { subject: 'Hooked', priority: 'LOW' } }, alice)).data.ticketCreate.ticket;
  const [created] = await waitFor((r) => r.json.event === 'ticket.created' && r.json.ticket.number === t.number);
  expect(verify(created, secret)).toBe(true);
  expect(created.headers['x-webhook-id']).toBe(webhook.id);
  expect(created.headers['x-webhook-delivery']).toBe(created.json.delivery);
  expect(Math.abs(Number(created.headers['x-webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
  expect(created.json.ticket).toMatchObject({ number: t.number, subject: 'Hooked', priority: 'LOW', status: 'OPEN' });

  await s.gql(UPDATE, { id: t.id, input: { priority: 'HIGH', status: 'IN_PROGRESS' } }, alice);
  const [updated] = await waitFor((r) => r.json.event === 'ticket.updated' && r.json.ticket.number === t.number);
  expect(verify(updated, secret)).toBe(true);
  expect(updated.json.changes.map((c: any) => [c.field, c.previous, c.value, c.author])).toEqual(
    expect.arrayContaining([['status', 'OPEN', 'IN_PROGRESS', 'alice'], ['priority', 'LOW', 'HIGH', 'alice']]),
  );

  await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'hello hook' } }, alice);
  const [comment] = await waitFor((r) => r.json.event === 'comment.added' && r.json.ticket.number === t.number);
  expect(comment.json.changes).toEqual([expect.objectContaining({ type: 'COMMENT', body: 'hello hook', author: 'alice' })]);

  // A forged signature would not verify.
  expect(verify({ ...created, body: created.body.replace('Hooked', 'Hacked') }, secret)).toBe(false);
  await s.gql(`mutation($id: ID!) { webhookDelete(id: $id) { deletedId } }`, { id: webhook.id });
});

test('a failing endpoint is retried with backoff; a 4xx gives up; the log shows attempts; replay sends again', async () => {
  const hook = (await s.gql(CREATE_HOOK, { i: { url, events: ['COMMENT_ADDED'], secret: 'a-very-long-secret-value' } })).data.webhookCreate.webhook;
  const t = (await s.gql(CREATE, { input: { subject: 'Flaky' } }, alice)).data.ticketCreate.ticket;
  answers.push(500, 503);
  await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'retry me' } }, alice);
  const got = await waitFor((r) => r.json.changes?.[0]?.body === 'retry me', 3);
  expect(got).toHaveLength(3);
  expect(new Set(got.map((r) => r.json.delivery)).size).toBe(1); // the same delivery, three attempts

  const LOG = `query { webhooks { id deliveries { id event status attempts responseStatus lastError } } }`;
  let log: any[] = [];
  for (let i = 0; i < 100; i++) {
    log = (await s.gql(LOG)).data.webhooks.find((w: { id: string }) => w.id === hook.id).deliveries;
    if (log[0]?.status === 'delivered') break;
    await sleep(25);
  }
  expect(log[0]).toMatchObject({ event: 'COMMENT_ADDED', status: 'delivered', attempts: 3, responseStatus: 200, lastError: null });

  answers.push(404);
  await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'gone' } }, alice);
  await waitFor((r) => r.json.changes?.[0]?.body === 'gone');
  for (let i = 0; i < 100; i++) {
    log = (await s.gql(LOG)).data.webhooks.find((w: { id: string }) => w.id === hook.id).deliveries;
    if (log[0]?.status === 'failed') break;
    await sleep(25);
  }
  expect(log[0]).toMatchObject({ status: 'failed', attempts: 1, responseStatus: 404 });

  const replay = await s.gql(`mutation($id: ID!) { webhookDeliveryReplay(id: $id) { delivery { id status } userErrors { message } } }`, { id: log[0].id });
  expect(replay.data.webhookDeliveryReplay.delivery.status).toBe('pending');
  const again = await waitFor((r) => r.json.changes?.[0]?.body === 'gone', 2);
  expect(again[1].json.delivery).toBe(replay.data.webhookDeliveryReplay.delivery.id);
  await s.gql(`mutation($id: ID!) { webhookDelete(id: $id) { deletedId } }`, { id: hook.id });
});

test('an unreachable endpoint is retried and the error recorded; nothing else is affected', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
  await new Promise<void>((r) => closed.close(() => r()));
  const hook = (await s.gql(CREATE_HOOK, { i: { url: deadUrl, events: ['TICKET_CREATED'] } })).data.webhookCreate.webhook;
  const t = await s.gql(CREATE, { input: { subject: 'Nobody listens' } }, alice);
  expect(t.data.ticketCreate.userErrors).toEqual([]);
  let log: any[] = [];
  for (let i = 0; i < 100 && !(log[0]?.attempts >= 2); i++) {
    await sleep(25);
    log = (await s.gql(`{ webhooks { id deliveries { status attempts responseStatus lastError } } }`)).data.webhooks.find((w: { id: string }) => w.id === hook.id).deliveries;
  }
  expect(log[0]).toMatchObject({ status: 'pending', responseStatus: null, lastError: expect.stringMatching(/ECONNREFUSED/) });
  expect(log[0].attempts).toBeGreaterThanOrEqual(2);
  await s.gql(`mutation($id: ID!) { webhookDelete(id: $id) { deletedId } }`, { id: hook.id });
});

test('event types and the query filter choose what a webhook receives', async () => {
  const hook = (await s.gql(CREATE_HOOK, { i: { url, events: ['TICKET_CREATED', 'COMMENT_ADDED'], query: 'tags:prod' } })).data.webhookCreate.webhook;
  const before = received.length;
  const prod = (await s.gql(CREATE, { input: { subject: 'Prod incident', tags: ['prod'] } }, alice)).data.ticketCreate.ticket;
  const other = (await s.gql(CREATE, { input: { subject: 'Lab thing' } }, alice)).data.ticketCreate.ticket;
  const draft = (await s.gql(CREATE, { input: { subject: 'Prod draft', tags: ['prod'], status: 'DRAFT' } }, alice)).data.ticketCreate.ticket;
  await s.gql(COMMENT_ADD, { input: { ticketId: draft.id, body: 'draft comment' } }, alice);
  await s.gql(UPDATE, { id: prod.id, input: { priority: 'HIGH' } }, alice); // TICKET_UPDATED: not subscribed
  await s.gql(COMMENT_ADD, { input: { ticketId: prod.id, body: 'subscribed' } }, alice);
  await waitFor((r) => r.headers['x-webhook-id'] === hook.id && r.json.event === 'comment.added');
  await sleep(300);
  const mine = received.slice(before).filter((r) => r.headers['x-webhook-id'] === hook.id);
  expect(mine.map((r) => [r.json.event, r.json.ticket.number])).toEqual([['ticket.created', prod.number], ['comment.added', prod.number]]);
  expect(mine.some((r) => r.json.ticket.number === other.number)).toBe(false);
  // A draft is announced when it is published, not before.
  await s.gql(UPDATE, { id: draft.id, input: { status: 'OPEN' } }, alice);
  const published = await waitFor((r) => r.headers['x-webhook-id'] === hook.id && r.json.ticket.number === draft.number);
  expect(published.map((r) => r.json.event)).toEqual(['ticket.created']);
});

test('a delivery the endpoint accepted is recorded once the database answers again, never sent a second time', async () => {
  // The soak saw it: the endpoint took the delivery, then writing "delivered" met a connection
  // MariaDB had just killed, and the delivery was handed back to be sent again.
  const hook = (await s.gql(CREATE_HOOK, { i: { url, events: ['TICKET_CREATED'] } })).data.webhookCreate.webhook;
  const manager = s.app.db.dataSource.manager;
  const update = manager.update.bind(manager);
  let killed = 0;
  const spy = jest.spyOn(manager, 'update').mockImplementation(((target: unknown, criteria: unknown, values: { status?: string }) => {
    if (target === WebhookDelivery && values?.status === 'delivered' && killed++ === 0) {
      return Promise.reject(Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' }));
    }
    return update(target as never, criteria as never, values as never);
  }) as never);
  try {
    const t = (await s.gql(CREATE, { input: { subject: 'Delivered during a database fault' } }, alice)).data.ticketCreate.ticket;
    const mine = (r: Received) => r.headers['x-webhook-id'] === hook.id && r.json.ticket.number === t.number;
    await waitFor(mine);
    let log: any[] = [];
    for (let i = 0; i < 200 && log[0]?.status !== 'delivered'; i++) {
      await sleep(25);
      log = (await s.gql(`{ webhooks { id deliveries { status attempts } } }`)).data.webhooks.find((w: { id: string }) => w.id === hook.id).deliveries;
    }
    expect(killed).toBeGreaterThanOrEqual(2); // the failed write, then the one that recorded it
    expect(log).toEqual([{ status: 'delivered', attempts: 1 }]);
    const [{ attempts }] = await s.app.db.manager.query("SELECT o.attempts FROM outbox o JOIN webhook_delivery d ON d.id = o.ref_id WHERE o.kind = 'webhook' AND d.webhook_id = ?", [rowIdOf('Webhook', hook.id)]);
    expect(Number(attempts)).toBe(1);
    expect(received.filter(mine)).toHaveLength(1);
  } finally {
    spy.mockRestore();
    await s.gql(`mutation($id: ID!) { webhookDelete(id: $id) { deletedId } }`, { id: hook.id });
  }
});

test('a requester-facing webhook gets no internal notes; a staff webhook gets them marked INTERNAL', async () => {
  const portal = await s.gql(CREATE_HOOK, { i: { url: `${url}?portal`, events: ['COMMENT_ADDED'], requesterFacing: true } });
  const staff = await s.gql(CREATE_HOOK, { i: { url: `${url}?staff`, events: ['COMMENT_ADDED'] } });
  expect(portal.data.webhookCreate.userErrors).toEqual([]);
  expect(staff.data.webhookCreate.userErrors).toEqual([]);
  const t = (await s.gql(CREATE, { input: { subject: 'Portal ticket' } })).data.ticketCreate.ticket;
  await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'hidden note' } });
  await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'visible reply', visibility: 'PUBLIC' } });
  const staffGot = await waitFor((r) => r.json.ticket?.number === t.number && r.headers['x-webhook-event'] === 'comment.added', 3);
  const byHook = (id: string) => staffGot.filter((r) => r.headers['x-webhook-id'] === id).flatMap((r) => r.json.changes.map((c: { body: string; visibility: string }) => [c.body, c.visibility]));
  expect(byHook(staff.data.webhookCreate.webhook.id)).toEqual([['hidden note', 'INTERNAL'], ['visible reply', 'PUBLIC']]);
  await sleep(300); // the portal's delivery of the note would have arrived with the staff one
  const portalChanges = received.filter((r) => r.json.ticket?.number === t.number && r.headers['x-webhook-id'] === portal.data.webhookCreate.webhook.id).flatMap((r) => r.json.changes);
  expect(portalChanges.map((c: { body: string }) => c.body)).toEqual(['visible reply']);
  for (const h of [portal, staff]) await s.gql(`mutation($id: ID!) { webhookDelete(id: $id) { userErrors { message } } }`, { id: h.data.webhookCreate.webhook.id });
});

test('a note made public reaches requester-facing webhooks as a new comment, once; staff webhooks had it already', async () => {
  const portal = (await s.gql(CREATE_HOOK, { i: { url: `${url}?portal-published`, events: ['COMMENT_ADDED'], requesterFacing: true } })).data.webhookCreate.webhook.id;
  const staff = (await s.gql(CREATE_HOOK, { i: { url: `${url}?staff-published`, events: ['COMMENT_ADDED'] } })).data.webhookCreate.webhook.id;
  const deliveries = async (hook: string) => Number((await s.app.db.manager.query('SELECT COUNT(*) AS n FROM webhook_delivery WHERE webhook_id = ?', [rowIdOf('Webhook', hook)]))[0].n);
  try {
    const t = (await s.gql(CREATE, { input: { subject: 'Published on the portal' } })).data.ticketCreate.ticket;
    const note = (await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'shipping Monday' } })).data.commentAdd.change.id;
    expect([await deliveries(portal), await deliveries(staff)]).toEqual([0, 1]);
    const publish = async (v: string) => expect((await s.gql(`mutation($id: ID!, $v: CommentVisibility) { commentUpdate(id: $id, input: { visibility: $v }) { userErrors { message } } }`, { id: note, v })).data.commentUpdate.userErrors).toEqual([]);
    await publish('PUBLIC');
    expect([await deliveries(portal), await deliveries(staff)]).toEqual([1, 1]);
    const [got] = await waitFor((r) => r.headers['x-webhook-id'] === portal && r.json.ticket?.number === t.number);
    expect(got.json.changes.map((c: { body: string; visibility: string }) => [c.body, c.visibility])).toEqual([['shipping Monday', 'PUBLIC']]);
    // Hidden and published again: the portal has it already.
    await publish('INTERNAL');
    await publish('PUBLIC');
    expect([await deliveries(portal), await deliveries(staff)]).toEqual([1, 1]);
  } finally {
    for (const id of [portal, staff]) await s.gql(`mutation($id: ID!) { webhookDelete(id: $id) { userErrors { message } } }`, { id });
  }
});
