import { RATE_WINDOW_MS } from '../src/http/rate-limit.store';
import { startTestServer, type TestServer } from './helpers/test-server';
import { eventually, wsClient, type WsClient } from './helpers/ws-client';

/**
 * The WebSocket side of /graphql is no side door: queries and mutations sent over graphql-ws pass
 * the parser's token limit and are charged to the per-minute budget like HTTP requests, and one
 * user or address cannot hold more than its share of connections and running operations.
 */
let s: TestServer;
const clients: WsClient[] = [];
const PER_MINUTE = 200;

beforeAll(async () => {
  s = await startTestServer({
    RATE_LIMIT_COST_PER_MINUTE: String(PER_MINUTE),
    WS_MAX_CONNECTIONS_PER_USER: '3',
    WS_MAX_CONNECTIONS_PER_IP: '6',
    WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '2',
    WS_MAX_SUBSCRIPTIONS_PER_USER: '3',
  });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await eventually('subscriptions unregistered', () => s.app.services.ticketStream.subscriberCount === 0);
});
afterAll(() => s?.close());

function connect(key: string): WsClient {
  const c = wsClient(s.url, { Authorization: `Bearer ${key}` });
  clients.push(c);
  return c;
}

/** Runs one query over the connection and returns what came back (data or errors). */
async function run(c: WsClient, query: string, variables: Record<string, unknown> = {}) {
  const r = c.subscribe<any>(query, variables);
  await r.ended();
  return r;
}

/** Opens a connection and tells whether the server accepted it (or how it closed it). */
async function open(key: string): Promise<{ c: WsClient; accepted: boolean; close?: { code: number; reason: string } }> {
  const c = connect(key);
  const r = await run(c, '{ __typename }');
  if (r.events.length === 1) return { c, accepted: true };
  return { c, accepted: false, close: await c.closed };
}

/** The budget is per wall-clock minute; start a scenario early in a minute so it does not straddle two. */
async function freshWindow(): Promise<void> {
  const left = RATE_WINDOW_MS - (Date.now() % RATE_WINDOW_MS);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 50));
}

test('queries and mutations over the socket are charged to the per-minute budget and refused with RATE_LIMITED once it is spent', async () => {
  const key = await s.user('spender');
  await freshWindow();
  const c = connect(key);
  const costly = '{ tickets(first: 90) { totalCount } }';
  const first = await run(c, costly);
  expect(first.errors).toEqual([]);
  expect(first.events).toHaveLength(1);
  expect((await run(c, costly)).errors).toEqual([]);
  // 180 of 200 points spent: the third is over the budget.
  const third = await run(c, costly);
  expect(third.events).toEqual([]);
  expect(third.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('Rate limit exceeded'), extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) }) })]);
  // A mutation is charged the same way (and refused too), and HTTP sees the same spent budget.
  const mutation = await run(c, 'mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { ticket { id } } }', { input: { subject: 'over budget' } });
  expect(mutation.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
  const http = await s.gql('{ viewer { username } }', {}, key);
  expect(http.status).toBe(429);
});

test('a document over the token limit is refused over the socket with TOO_MANY_TOKENS, as over HTTP', async () => {
  const key = await s.user('tokens');
  const c = connect(key);
  const long = await run(c, `{ ${'__typename '.repeat(5100)} }`);
  expect(long.events).toEqual([]);
  expect(long.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('5000 tokens'), extensions: expect.objectContaining({ code: 'TOO_MANY_TOKENS', limit: 5000 }) })]);
  // The connection stays usable.
  expect((await run(c, '{ __typename }')).events).toEqual([{ __typename: 'Query' }]);
});

test('a user may hold WS_MAX_CONNECTIONS_PER_USER connections; one more is closed with 4429 naming the limit', async () => {
  const key = await s.user('hoarder');
  const opened = [await open(key), await open(key), await open(key)];
  expect(opened.map((o) => o.accepted)).toEqual([true, true, true]);
  const fourth = await open(key);
  expect(fourth.accepted).toBe(false);
  expect(fourth.close).toEqual({ code: 4429, reason: expect.stringContaining('WS_MAX_CONNECTIONS_PER_USER') });
  // Closing one frees its place.
  await opened[0].c.dispose();
  let again: Awaited<ReturnType<typeof open>> | null = null;
  await eventually('a connection accepted again', async () => (again = await open(key)).accepted);
  expect(again).not.toBeNull();
});

test('an address may hold WS_MAX_CONNECTIONS_PER_IP connections, whoever opens them', async () => {
  const keys = [await s.user('ip1'), await s.user('ip2'), await s.user('ip3')];
  const opened = [];
  for (const key of [keys[0], keys[0], keys[0], keys[1], keys[1], keys[1]]) opened.push(await open(key));
  expect(opened.every((o) => o.accepted)).toBe(true);
  const seventh = await open(keys[2]);
  expect(seventh.accepted).toBe(false);
  expect(seventh.close).toEqual({ code: 4429, reason: expect.stringContaining('WS_MAX_CONNECTIONS_PER_IP') });
});

test('operations running at once are capped per connection and per user; the refused one gets an error naming the limit', async () => {
  const key = await s.user('watcher');
  const created = await s.gql('mutation { ticketCreate(input: { subject: "Watched" }) { ticket { id } } }', {}, key);
  const id = created.data.ticketCreate.ticket.id as string;
  const doc = 'subscription($id: ID!) { ticketUpdated(id: $id) { cursor } }';
  const c1 = connect(key);
  const subs = [c1.subscribe(doc, { id }), c1.subscribe(doc, { id })];
  await eventually('2 subscriptions registered', () => s.app.services.ticketStream.subscriberCount === 2);
  const third = c1.subscribe(doc, { id });
  await third.ended();
  expect(third.errors).toEqual([
    expect.objectContaining({ message: expect.stringContaining('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION'), extensions: expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 2 }) }),
  ]);

  const c2 = connect(key);
  const other = c2.subscribe(doc, { id });
  await eventually('3 subscriptions registered', () => s.app.services.ticketStream.subscriberCount === 3);
  const overUser = c2.subscribe(doc, { id });
  await overUser.ended();
  expect(overUser.errors).toEqual([
    expect.objectContaining({ message: expect.stringContaining('WS_MAX_SUBSCRIPTIONS_PER_USER'), extensions: expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 }) }),
  ]);

  // Ending one frees its place, and the ones still running keep working.
  subs[0].unsubscribe();
  await eventually('2 subscriptions left', () => s.app.services.ticketStream.subscriberCount === 2);
  const replacement = c2.subscribe(doc, { id });
  await eventually('3 subscriptions registered again', () => s.app.services.ticketStream.subscriberCount === 3);
  await s.gql('mutation($input: CommentAddInput!) { commentAdd(input: $input) { userErrors { message } } }', { input: { ticketId: id, body: 'hello' } }, key);
  await Promise.all([subs[1].waitFor(1), other.waitFor(1), replacement.waitFor(1)]);
});
