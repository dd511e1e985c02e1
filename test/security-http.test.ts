import { Writable } from 'node:stream';
import { createLogger } from '../src/common/logger';
import { startTestServer, ADMIN_KEY, type TestServer } from './helpers/test-server';

const INTROSPECT = `{ __schema { queryType { name } } }`;
const ALLOWED = 'https://ops.example.com';

/** The production server logs into this array, so tests can check what operators would see. */
const logLines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let prod: TestServer;
let dev: TestServer;

beforeAll(async () => {
  prod = await startTestServer({ NODE_ENV: 'production', CORS_ORIGINS: `${ALLOWED}, http://localhost:3000` }, { logger: createLogger('info', sink) });
  dev = await startTestServer();
});
afterAll(async () => {
  await prod?.close();
  await dev?.close();
});

async function post(s: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('introspection and suggestions', () => {
  test('refuses introspection to anonymous callers in production, with a clear code', async () => {
    const r = await post(prod, { query: INTROSPECT });
    expect(r.status).toBe(200); // an authentication error: 401 only for application/graphql-response+json
    expect((await post(prod, { query: INTROSPECT }, { accept: 'application/graphql-response+json' })).status).toBe(401);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/Introspection requires authentication/), extensions: expect.objectContaining({ code: 'INTROSPECTION_DISABLED' }) })]);
    // Hidden inside a fragment, or as __type, it is still introspection.
    const fragment = await post(prod, { query: `query { ...F } fragment F on Query { __type(name: "Ticket") { name } }` });
    expect(fragment.body.errors?.[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    // __typename is not introspection.
    expect((await post(prod, { query: `{ __typename }` })).body.data).toEqual({ __typename: 'Query' });
  });

  test('allows introspection to authenticated callers in production and to everyone elsewhere', async () => {
    expect((await prod.gql(INTROSPECT)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const key = await prod.user('ingrid', []);
    expect((await prod.gql(INTROSPECT, {}, key)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await dev.gql(INTROSPECT, {}, null)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  test('hides field and enum suggestions in production but not in development', async () => {
    const typo = `{ tickets { totalCont } }`;
    const inProd = await prod.gql(typo);
    expect(inProd.errors?.[0].message).toBe('Cannot query field "totalCont" on type "TicketConnection".');
    expect((await dev.gql(typo)).errors?.[0].message).toMatch(/Did you mean "totalCount"\?/);
    const enumTypo = `mutation { ticketCreate(input: { subject: "x", type: ISUE }) { ticket { id } } }`;
    const prodEnum = await prod.gql(enumTypo);
    expect(prodEnum.errors?.[0].message).not.toMatch(/Did you mean/);
    expect(prodEnum.errors?.[0].message).toMatch(/ISUE/);
    expect((await dev.gql(enumTypo)).errors?.[0].message).toMatch(/Did you mean the enum value "ISSUE"\?/);
    const varTypo = [`query($o: [TicketOrder!]) { tickets(orderBy: $o) { totalCount } }`, { o: [{ fieldd: 'NUMBER' }] }] as const;
    expect(JSON.stringify((await dev.gql(...varTypo)).errors)).toMatch(/Did you mean/);
    expect(JSON.stringify((await prod.gql(...varTypo)).errors)).not.toMatch(/Did you mean/);
  });
});

describe('CORS', () => {
  test('sends no CORS headers without CORS_ORIGINS (same-origin only)', async () => {
    const res = await fetch(`${dev.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ALLOWED }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${dev.url}/graphql`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-headers')).toBeNull();
  });

  test('answers a preflight from an allowed origin and echoes it on the request, without credentials', async () => {
    const pre = await fetch(`${prod.url}/graphql`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('authorization'));
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toEqual(expect.stringContaining('apollo-require-preflight'));
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    expect(pre.headers.get('vary')).toMatch(/Origin/);

    const res = await fetch(`${prod.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ query: '{ viewer { username } }' }) });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
    expect(((await res.json()) as { data: unknown }).data).toEqual({ viewer: { username: 'admin' } });
  });

  test("allows Apollo Client's and OpenTelemetry's request headers by default, and CORS_ALLOWED_HEADERS adds more", async () => {
    const preflight = (s: TestServer, headers: string) =>
      fetch(`${s.url}/graphql`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });
    const allowed = async (s: TestServer, headers: string) => (await preflight(s, headers)).headers.get('access-control-allow-headers')?.toLowerCase().split(/\s*,\s*/) ?? [];
    const clientHeaders = ['apollographql-client-name', 'apollographql-client-version', 'traceparent', 'tracestate', 'baggage'];
    expect(await allowed(prod, clientHeaders.join(', '))).toEqual(expect.arrayContaining(['authorization', 'content-type', ...clientHeaders]));
    expect(await allowed(prod, 'x-tenant')).not.toContain('x-tenant');

    const custom = await startTestServer({ CORS_ORIGINS: ALLOWED, CORS_ALLOWED_HEADERS: 'X-Tenant, x-client-build' });
    try {
      // Added to the defaults, never replacing them: a typo cannot take Authorization away from browsers.
      expect(await allowed(custom, 'x-tenant')).toEqual(expect.arrayContaining(['x-tenant', 'x-client-build', 'authorization', 'content-type', 'traceparent', 'apollographql-client-name']));
      const res = await fetch(`${custom.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: ALLOWED, 'x-tenant': 'a', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    } finally {
      await custom.close();
    }
  });

  test('gives an origin that is not on the list no CORS headers', async () => {
    const pre = await fetch(`${prod.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    const res = await fetch(`${prod.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://ops.example.com.evil.example' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CSRF prevention', () => {
  const CSRF = /Cross-Site Request Forgery/;
  test('refuses requests a browser can send cross-site without a preflight', async () => {
    const plain = await post(prod, JSON.stringify({ query: 'mutation { tagCreate(input: { key: "csrf" }) { tag { key } } }' }), { 'content-type': 'text/plain', authorization: `Bearer ${ADMIN_KEY}` });
    expect(plain.status).toBe(400);
    expect(JSON.stringify(plain.body)).toMatch(CSRF);
    const form = await post(prod, 'query=mutation%20%7B%20tagCreate(input%3A%20%7B%20key%3A%20%22csrf%22%20%7D)%20%7B%20tag%20%7B%20key%20%7D%20%7D%20%7D', { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${ADMIN_KEY}` });
    expect(form.status).toBe(400);
    expect(JSON.stringify(form.body)).toMatch(CSRF);
    const get = await fetch(`${prod.url}/graphql?query=${encodeURIComponent('{ viewer { username } }')}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(CSRF);
    expect((await prod.gql(`{ tags { key } }`)).data.tags).toEqual([]);
  });

  test('accepts a GET query that carries a preflight header, and never a mutation over GET', async () => {
    const get = await fetch(`${prod.url}/graphql?query=${encodeURIComponent('{ viewer { username } }')}`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, 'apollo-require-preflight': 'true' } });
    expect(((await get.json()) as { data: unknown }).data).toEqual({ viewer: { username: 'admin' } });
    const mutation = await fetch(`${prod.url}/graphql?query=${encodeURIComponent('mutation { tagCreate(input: { key: "viaget" }) { tag { key } } }')}`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, 'apollo-require-preflight': 'true' } });
    expect(mutation.status).toBe(405);
    expect((await prod.gql(`{ tags { key } }`)).data.tags).toEqual([]);
  });
});

describe('error masking', () => {
  test('answers an internal fault with a generic message and the request id, and logs the details', async () => {
    // A real fault: the table behind savedSearches is gone.
    await prod.app.db.manager.query('DROP TABLE saved_search');
    const r = await post(prod, { query: '{ savedSearches { id name } }' }, { authorization: `Bearer ${ADMIN_KEY}`, 'x-request-id': 'masking-test-1' });
    expect(r.headers.get('x-request-id')).toBe('masking-test-1');
    expect(r.body.errors).toHaveLength(1);
    const [error] = r.body.errors;
    expect(error).toEqual({ message: 'Internal server error (request masking-test-1)', path: ['savedSearches'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'masking-test-1' } });
    const text = JSON.stringify(r.body);
    expect(text).not.toMatch(/saved_search|SELECT|SQLITE|ER_NO_SUCH_TABLE|no such table|doesn't exist|\/src\/|node_modules|at .*\.ts:\d+/i);

    const logged = logLines.find((l) => l.requestId === 'masking-test-1' && l.msg === 'unexpected error') as { err?: { message?: string; stack?: string } } | undefined;
    expect(logged).toBeDefined();
    expect(logged?.err?.message).toMatch(/saved_search/);
    expect(logged?.err?.stack).toBeTruthy();
  });

  test('gives every request an id: the client\'s X-Request-Id if well-formed, a fresh one otherwise', async () => {
    const r = await post(prod, { query: '{ nosuchfield }' }, { 'x-request-id': 'bad id with spaces' });
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.errors[0].extensions.requestId).toBe(id);
  });
});
