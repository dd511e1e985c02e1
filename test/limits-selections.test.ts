import { RATE_WINDOW_MS } from '../src/http/rate-limit.store';
import { startTestServer, type TestServer } from './helpers/test-server';
import { wsClient, type WsClient } from './helpers/ws-client';

/**
 * Validation work grows faster than the document (graphql-js compares fields pairwise), so a
 * document of repeated fields under the token limit is counted right after parsing and refused
 * before validation, over HTTP and WebSocket alike; the refusal is charged to the caller's budget
 * (the client address for anonymous callers), so refusals are not free either.
 */
let s: TestServer;
const clients: WsClient[] = [];
const PER_MINUTE = 5000;
const REPEATED = `{ ${'__typename '.repeat(2000)} }`;

beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_COST_PER_MINUTE: String(PER_MINUTE) });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await s?.close();
});

async function freshWindow(): Promise<void> {
  const left = RATE_WINDOW_MS - (Date.now() % RATE_WINDOW_MS);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 50));
}

test('an anonymous document of 2000 fields is refused with 400 TOO_MANY_SELECTIONS before validation and charged to the client address', async () => {
  await freshWindow();
  const before = await s.gql('{ __typename }', {}, null);
  expect(before.extensions?.cost.remaining).toBe(PER_MINUTE - 1);

  const refused = await s.gql(REPEATED, {}, null);
  expect(refused.status).toBe(400);
  expect(refused.errors).toEqual([
    expect.objectContaining({
      message: expect.stringContaining('MAX_QUERY_SELECTIONS'),
      extensions: expect.objectContaining({ code: 'TOO_MANY_SELECTIONS', selections: 2000, limit: 1000, charged: 2000 }),
    }),
  ]);
  const after = await s.gql('{ __typename }', {}, null);
  expect(after.extensions?.cost.remaining).toBe(PER_MINUTE - 1 - 2000 - 1);

  // Refusals spend the budget like anything else: the next one finds it spent.
  expect((await s.gql(REPEATED, {}, null)).extensions).toBeUndefined();
  const spent = await s.gql(REPEATED, {}, null);
  expect(spent.status).toBe(429);
  expect(spent.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
});

test('over the socket the same document is refused with TOO_MANY_SELECTIONS and charged to the key', async () => {
  const key = await s.user('selector');
  await freshWindow();
  const c = wsClient(s.url, { Authorization: `Bearer ${key}` });
  clients.push(c);
  const r = c.subscribe<any>(REPEATED);
  await r.ended();
  expect(r.events).toEqual([]);
  expect(r.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'TOO_MANY_SELECTIONS', selections: 2000, limit: 1000, charged: 2000 }) })]);
  const http = await s.gql('{ __typename }', {}, key);
  expect(http.extensions?.cost.remaining).toBe(PER_MINUTE - 2000 - 1);
});
