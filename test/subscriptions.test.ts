import { ChangeType } from '../src/entities/ticket.enums';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';
import { multipartRequest } from './helpers/multipart';
import { eventually, wsClient, type WsClient } from './helpers/ws-client';

/**
 * GraphQL subscriptions over WebSocket (graphql-ws) against the real server: what each
 * subscription delivers, to whom (authorization on every event), what is never announced (rolled
 * back writes), and how a client that was away resumes from its last cursor with ticketChangeStream.
 *
 * Negative checks ("X is not delivered") are made with a sentinel: after the event that must not
 * arrive, an event that must arrive is produced; once it is received, everything before it has
 * been dispatched, so the received list is complete and compared exactly.
 */
let s: TestServer;
const clients: WsClient[] = [];

const CREATE = `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id number } userErrors { message } } }`;
const UPDATE = `mutation($id: ID!, $input: TicketUpdateInput!) { ticketUpdate(id: $id, input: $input) { ticket { id } userErrors { message } } }`;
const COMMENT = `mutation($input: CommentAddInput!) { commentAdd(input: $input) { change { id } userErrors { message } } }`;
const UPLOAD = `mutation($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) { files { filename } userErrors { message } } }`;
const EVENT_FIELDS = `cursor ticket { id subject priority } change { id type field oldValue newValue body author { username } }`;
const UPDATED = `subscription($id: ID!) { ticketUpdated(id: $id) { ${EVENT_FIELDS} } }`;
const CHANGED = `subscription($q: String) { ticketChanged(query: $q) { ${EVENT_FIELDS} } }`;
const CREATED = `subscription($f: TicketFilter) { ticketCreated(filter: $f) { id subject status } }`;
const EVENTS = `query($after: String, $first: Int, $t: ID) { ticketChangeStream(after: $after, first: $first, ticketId: $t) {
  edges { cursor node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;

beforeAll(async () => {
  // Credentials of open connections are checked again every second here (60 s by default).
  s = await startTestServer({ SUBSCRIPTION_REAUTH_INTERVAL: '1s' });
  for (const key of ['database', 'network']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  // Every subscription ends with its connection: none is left registered.
  await eventually('subscriptions unregistered', () => s.app.services.ticketStream.subscriberCount === 0);
});
afterAll(() => s?.close());

function connect(key: string | null = ADMIN_KEY, params?: Record<string, unknown>): WsClient {
  const c = wsClient(s.url, params ?? (key ? { Authorization: `Bearer ${key}` } : null));
  clients.push(c);
  return c;
}

/** Subscribing is asynchronous on the server; tests mutate only once it is registered. */
const registered = (n: number) => eventually(`${n} subscription(s) registered`, () => s.app.services.ticketStream.subscriberCount === n);

async function createTicket(input: Record<string, unknown>, key = ADMIN_KEY): Promise<{ id: string; number: number }> {
  const r = await s.gql(CREATE, { input }, key);
  expect(r.errors).toBeUndefined();
  expect(r.data.ticketCreate.userErrors).toEqual([]);
  return r.data.ticketCreate.ticket;
}

async function comment(ticketId: string, body: string, key = ADMIN_KEY): Promise<string> {
  const r = await s.gql(COMMENT, { input: { ticketId, body } }, key);
  expect(r.data.commentAdd.userErrors).toEqual([]);
  return r.data.commentAdd.change.id;
}

test('ticketUpdated delivers field changes, comments and files of the ticket, each with its history entry, in order', async () => {
  const t = await createTicket({ subject: 'Disk full', priority: 'NORMAL' });
  const other = await createTicket({ subject: 'Unrelated' });
  const sub = connect().subscribe<any>(UPDATED, { id: t.id });
  await registered(1);

  expect((await s.gql(UPDATE, { id: t.id, input: { priority: 'URGENT', subject: 'Disk full on db-1' } })).data.ticketUpdate.userErrors).toEqual([]);
  await comment(other.id, 'not for this subscriber');
  const commentId = await comment(t.id, 'Cleaning **logs**');
  const up = await multipartRequest(s.url, ADMIN_KEY, UPLOAD, { t: t.id, files: [null] }, [{ path: 'variables.files.0', filename: 'df.txt', type: 'text/plain', content: '98%' }]);
  expect(up.body.data.ticketFilesUpload.userErrors).toEqual([]);

  const events = (await sub.waitFor(4)).map((e) => e.ticketUpdated);
  expect(events.map((e) => e.change.type)).toEqual(['CHANGE', 'CHANGE', 'COMMENT', 'FILE_ADDED']);
  expect(events.slice(0, 2).map((e) => e.change.field).sort()).toEqual(['PRIORITY', 'SUBJECT']);
  const byField = Object.fromEntries(events.filter((e) => e.change.type === 'CHANGE').map((e) => [e.change.field, e.change]));
  expect(byField.PRIORITY).toMatchObject({ oldValue: 'NORMAL', newValue: 'URGENT', author: { username: 'admin' } });
  expect(byField.SUBJECT).toMatchObject({ oldValue: 'Disk full', newValue: 'Disk full on db-1' });
  expect(events[2].change).toMatchObject({ id: commentId, body: 'Cleaning **logs**' });
  expect(events[3].change).toMatchObject({ type: 'FILE_ADDED', newValue: 'df.txt' });
  // The ticket is read after the change, and every event is of this ticket only.
  expect(events.every((e) => e.ticket.id === t.id && e.ticket.subject === 'Disk full on db-1' && e.ticket.priority === 'URGENT')).toBe(true);

  // Cursors are the change stream's: the same, in the same order, as ticketChangeStream returns.
  const stream = await s.gql(EVENTS, { t: t.id, first: 100 });
  const streamed = stream.data.ticketChangeStream.edges.map((e: any) => e.cursor);
  expect(streamed.slice(-4)).toEqual(events.map((e) => e.cursor));
  expect(stream.data.ticketChangeStream.edges[0].node.change.type).toBe('CREATED');
});

test('ticketCreated delivers only new, non-draft tickets that match the filter; a published draft counts as new', async () => {
  const sub = connect().subscribe<any>(CREATED, { f: { priority: { gte: 'HIGH' } } });
  const all = connect().subscribe<any>(CREATED, {});
  await registered(2);
  await createTicket({ subject: 'Low one', priority: 'LOW' });
  await createTicket({ subject: 'Urgent one', priority: 'URGENT' });
  const draft = await createTicket({ subject: 'High draft', priority: 'HIGH', status: 'DRAFT' });
  await s.gql(UPDATE, { id: draft.id, input: { subject: 'High draft, edited' } });
  expect((await s.gql(UPDATE, { id: draft.id, input: { status: 'OPEN' } })).data.ticketUpdate.userErrors).toEqual([]);
  await createTicket({ subject: 'Sentinel', priority: 'HIGH' });

  await sub.waitFor(3);
  await all.waitFor(4);
  expect(sub.events.map((e) => e.ticketCreated.subject)).toEqual(['Urgent one', 'High draft, edited', 'Sentinel']);
  expect(all.events.map((e) => e.ticketCreated.subject)).toEqual(['Low one', 'Urgent one', 'High draft, edited', 'Sentinel']);
  expect(all.events.every((e) => e.ticketCreated.status === 'OPEN')).toBe(true);
});

test('ticketChanged delivers the changes of tickets in the view (judged after the change), and nothing else', async () => {
  const a = await createTicket({ subject: 'In view', priority: 'URGENT' });
  const b = await createTicket({ subject: 'Out of view', priority: 'LOW' });
  const sub = connect().subscribe<any>(CHANGED, { q: 'priority:urgent' });
  await registered(1);
  await comment(a.id, 'one');
  await comment(b.id, 'two');
  await s.gql(UPDATE, { id: b.id, input: { priority: 'URGENT' } }); // enters the view with this change
  await comment(b.id, 'three');
  await sub.waitFor(3);
  expect(sub.events.map((e) => [e.ticketChanged.ticket.subject, e.ticketChanged.change.type, e.ticketChanged.change.body])).toEqual([
    ['In view', 'COMMENT', 'one'],
    ['Out of view', 'CHANGE', null],
    ['Out of view', 'COMMENT', 'three'],
  ]);
});

test('a category-restricted user receives no event of a ticket outside its categories, on any subscription', async () => {
  const dba = await s.user('dba', ['CREATE_TICKETS', 'EDIT_TICKETS'], { categories: ['database'] });
  const dbTicket = await createTicket({ subject: 'DB ticket', category: 'database' });
  const netTicket = await createTicket({ subject: 'NET ticket', category: 'network' });
  const c = connect(dba);
  const view = c.subscribe<any>(CHANGED, {});
  const created = c.subscribe<any>(CREATED, {});
  const one = c.subscribe<any>(UPDATED, { id: dbTicket.id });
  // An invisible ticket cannot be subscribed to: not found, as on every other read.
  const hidden = c.subscribe<any>(UPDATED, { id: netTicket.id });
  await hidden.ended();
  expect(hidden.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
  await registered(3);

  await comment(netTicket.id, 'secret network comment');
  await createTicket({ subject: 'NET new', category: 'network' });
  await createTicket({ subject: 'Uncategorized new' });
  // Moved out of the database category: the move and later entries are no longer the dba's to see.
  await s.gql(UPDATE, { id: dbTicket.id, input: { category: 'network' } });
  await comment(dbTicket.id, 'after the move');
  const back = await createTicket({ subject: 'DB new', category: 'database' }); // the sentinel for all three
  await comment(back.id, 'sentinel', dba);

  await created.waitFor(1);
  await view.waitFor(2);
  expect(created.events.map((e) => e.ticketCreated.subject)).toEqual(['DB new']);
  expect(view.events.map((e) => [e.ticketChanged.ticket.subject, e.ticketChanged.change.type])).toEqual([
    ['DB new', 'CREATED'],
    ['DB new', 'COMMENT'],
  ]);
  expect(one.events).toEqual([]);

  // The same events reach an unrestricted subscriber (the filtering is the dba's, not a lost event).
  const stream = await s.gql(EVENTS, { first: 100 });
  const subjects = stream.data.ticketChangeStream.edges.map((e: any) => e.node.ticket.subject);
  expect(subjects).toEqual(expect.arrayContaining(['NET ticket', 'NET new', 'Uncategorized new']));
  // ...and ticketChangeStream applies the same rule to the dba.
  const dbaStream = await s.gql(EVENTS, { first: 100 }, dba);
  expect(new Set(dbaStream.data.ticketChangeStream.edges.map((e: any) => e.node.ticket.subject))).toEqual(new Set(['DB new']));
});

test('connections without valid credentials are closed with a reason; both header spellings work', async () => {
  const none = connect(null);
  expect(await none.closed).toEqual({ code: 4401, reason: expect.stringContaining('Authorization') });
  const bad = connect('not-a-valid-key-0000000000');
  expect(await bad.closed).toEqual({ code: 4403, reason: 'Forbidden: Invalid, revoked or expired API key' });
  const scheme = connect(null, { Authorization: 'Basic abc' });
  expect(await scheme.closed).toEqual({ code: 4403, reason: expect.stringContaining('Bearer') });

  const t = await createTicket({ subject: 'Auth' });
  const lower = connect(null, { authorization: `Bearer ${ADMIN_KEY}` }).subscribe<any>(UPDATED, { id: t.id });
  await registered(1);
  await comment(t.id, 'hello');
  expect((await lower.waitFor(1))[0].ticketUpdated.change.body).toBe('hello');
});

test('a connection whose key is revoked is closed at the next credentials check', async () => {
  const key = await s.user('leaver');
  const keys = await s.gql(`{ viewer { apiKeys { id } } }`, {}, key);
  const c = connect(key);
  const sub = c.subscribe<any>(CREATED, {});
  await registered(1);
  expect((await s.gql(`mutation($id: ID!) { apiKeyRevoke(id: $id) { userErrors { message } } }`, { id: keys.data.viewer.apiKeys[0].id })).data.apiKeyRevoke.userErrors).toEqual([]);
  const closed = await c.closed;
  expect(closed.code).toBe(4403);
  expect(closed.reason).toMatch(/^Forbidden: /);
  await sub.ended();
});

test('subscribers with the same operation share one execution per event, but never across viewers', async () => {
  const alice = await s.user('alice');
  const t = await createTicket({ subject: 'Shared' });
  const doc = `subscription($id: ID!) { ticketUpdated(id: $id) { ticket { unread } change { body } } }`;
  const admin = connect().subscribe<any>(doc, { id: t.id });
  const aliceSubs = [connect(alice).subscribe<any>(doc, { id: t.id }), connect(alice).subscribe<any>(doc, { id: t.id })];
  await registered(3);
  await comment(t.id, 'by admin');
  await admin.waitFor(1);
  await Promise.all(aliceSubs.map((a) => a.waitFor(1)));
  // unread is the viewer's: false for the admin who made the change, true for alice.
  expect(admin.events[0].ticketUpdated).toEqual({ ticket: { unread: false }, change: { body: 'by admin' } });
  for (const a of aliceSubs) expect(a.events[0].ticketUpdated).toEqual({ ticket: { unread: true }, change: { body: 'by admin' } });
});

test('a malformed filter, query or document fails that subscription with an error naming the problem; the connection stays usable', async () => {
  const c = connect();
  const query = c.subscribe<any>(CHANGED, { q: 'priority:banana' });
  let deep: Record<string, unknown> = { priority: { eq: 'HIGH' } };
  for (let i = 0; i < 10; i++) deep = { not: deep };
  const filter = c.subscribe<any>(CREATED, { f: deep });
  const ticket = c.subscribe<any>(UPDATED, { id: 'nope' });
  await Promise.all([query.ended(), filter.ended(), ticket.ended()]);
  expect(query.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('banana'), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  expect(filter.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('nests deeper'), extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  expect(ticket.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
  expect(s.app.services.ticketStream.subscriberCount).toBe(0);

  // Documents that do not parse or validate are errors of that operation; the connection stays usable.
  const syntax = c.subscribe<any>('subscription { ticketUpdated(id: "1") { cursor ');
  const unknownField = c.subscribe<any>('subscription { ticketUpdated(id: "1") { nope } }');
  await Promise.all([syntax.ended(), unknownField.ended()]);
  expect(syntax.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('Syntax Error'), extensions: expect.objectContaining({ code: 'GRAPHQL_PARSE_FAILED' }) })]);
  expect(unknownField.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('nope'), extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) })]);
  // The query limits of HTTP hold here too.
  const nested = 'ticket { ' + 'changes(first: 1) { edges { node { ticket { '.repeat(3) + 'id' + ' } } } }'.repeat(3) + ' }';
  const tooDeep = c.subscribe<any>(`subscription { ticketUpdated(id: "1") { ${nested} } }`);
  await tooDeep.ended();
  expect(tooDeep.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_DEEP' }) })]);
  const t = await createTicket({ subject: 'Still connected' });
  const fine = c.subscribe<any>(UPDATED, { id: t.id });
  await registered(1);
  await comment(t.id, 'ok');
  expect((await fine.waitFor(1))[0].ticketUpdated.change.body).toBe('ok');
});

test('events are announced after commit only: a write that rolls back announces nothing', async () => {
  const t = await createTicket({ subject: 'Rollback' });
  const sub = connect().subscribe<any>(UPDATED, { id: t.id });
  const view = connect().subscribe<any>(CHANGED, {});
  await registered(2);
  const ticketId = Number(Buffer.from(t.id, 'base64url').toString().split(':')[1]);
  const bus = s.app.services.eventBus;
  const published: unknown[] = [];
  const publish = bus.publish.bind(bus);
  bus.publish = (messages) => {
    published.push(...messages);
    publish(messages);
  };
  try {
    // The real recording path inside a real transaction that then fails.
    await expect(
      s.app.db.transaction(s.app.contexts.system('test'), async (ctx) => {
        await s.app.services.history.recordEntry(ctx, ticketId, ChangeType.COMMENT, null, new Date(), { body: 'never committed' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(published).toEqual([]);
    // A mutation refused with a userError writes nothing either.
    const refused = await s.gql(UPDATE, { id: t.id, input: { subject: '' } });
    expect(refused.data.ticketUpdate.userErrors).not.toEqual([]);
    expect(published).toEqual([]);
    // A committed one is announced once, after its commit: nothing while the transaction is open.
    await s.app.db.transaction(s.app.contexts.system('test'), async (ctx) => {
      await s.app.services.history.recordEntry(ctx, ticketId, ChangeType.COMMENT, null, new Date(), { body: 'committed' });
      await s.app.services.history.recordEntry(ctx, ticketId, ChangeType.COMMENT, null, new Date(), { body: 'committed too' });
      expect(published).toEqual([]);
    });
    expect(published).toEqual([{ ticketId, ranges: [expect.any(Array), expect.any(Array)], opened: false }]);
  } finally {
    bus.publish = publish;
  }
  await sub.waitFor(2);
  await view.waitFor(2);
  expect(sub.events.map((e) => e.ticketUpdated.change.body)).toEqual(['committed', 'committed too']);
  expect(view.events.map((e) => e.ticketChanged.change.body)).toEqual(['committed', 'committed too']);
});

test('a client that reconnects fetches what it missed with ticketChangeStream(after: last cursor), then follows live again', async () => {
  const t = await createTicket({ subject: 'Resume' });
  const first = connect();
  const sub = first.subscribe<any>(UPDATED, { id: t.id });
  await registered(1);
  await comment(t.id, 'seen');
  const last = (await sub.waitFor(1))[0].ticketUpdated.cursor as string;
  await first.dispose();
  await registered(0);

  // While away: three entries on this ticket, one on another.
  await comment(t.id, 'missed 1');
  await s.gql(UPDATE, { id: t.id, input: { priority: 'HIGH' } });
  const other = await createTicket({ subject: 'Elsewhere' });
  await comment(t.id, 'missed 3');

  const again = connect();
  const live = again.subscribe<any>(UPDATED, { id: t.id });
  await registered(1);
  const page1 = await s.gql(EVENTS, { after: last, t: t.id, first: 2 });
  expect(page1.errors).toBeUndefined();
  expect(page1.data.ticketChangeStream.pageInfo.hasNextPage).toBe(true);
  const page2 = await s.gql(EVENTS, { after: page1.data.ticketChangeStream.pageInfo.endCursor, t: t.id, first: 2 });
  const missed = [...page1.data.ticketChangeStream.edges, ...page2.data.ticketChangeStream.edges].map((e: any) => [e.node.change.type, e.node.change.body]);
  expect(missed).toEqual([
    ['COMMENT', 'missed 1'],
    ['CHANGE', null],
    ['COMMENT', 'missed 3'],
  ]);
  expect(page2.data.ticketChangeStream.pageInfo.hasNextPage).toBe(false);
  // Across all tickets the other ticket's creation is in the stream too, in commit order.
  const everything = await s.gql(EVENTS, { after: last, first: 10 });
  expect(everything.data.ticketChangeStream.edges.map((e: any) => e.node.ticket.id)).toEqual([t.id, t.id, other.id, t.id]);

  await comment(t.id, 'live again');
  expect((await live.waitFor(1))[0].ticketUpdated.change.body).toBe('live again');

  const badCursor = await s.gql(EVENTS, { after: 'garbage' });
  expect(badCursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  const tooMany = await s.gql(EVENTS, { first: 1000 });
  expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});

test('closing the server ends open subscriptions with close code 1001', async () => {
  const local = await startTestServer();
  try {
    const t = (await local.gql(CREATE, { input: { subject: 'x' } })).data.ticketCreate.ticket;
    const c = wsClient(local.url, { Authorization: `Bearer ${ADMIN_KEY}` });
    c.subscribe(UPDATED, { id: t.id });
    await eventually('registered', () => local.app.services.ticketStream.subscriberCount === 1);
    await local.app.close();
    expect((await c.closed).code).toBe(1001);
    expect(local.app.services.ticketStream.subscriberCount).toBe(0);
    await c.dispose();
  } finally {
    await local.close();
  }
});
