import { startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ REQUEST_BODY_MAX_BYTES: '2048' }); });
afterAll(() => s?.close());

test('reports healthy when the database answers', async () => {
  const res = await fetch(`${s.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok', database: 'up' });
});

test('answers an oversized body with 413 and a JSON error', async () => {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ viewer { username } }`, variables: { pad: 'x'.repeat(4096) } }) });
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
});

test('answers malformed JSON with 400 and a JSON error', async () => {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { errors: unknown[] }).errors).toHaveLength(1);
});

test('answers an unknown path with a JSON 404', async () => {
  const res = await fetch(`${s.url}/nope`);
  expect(res.status).toBe(404);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
});

test('refuses batched requests', async () => {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{ viewer { username } }' }, { query: '{ viewer { username } }' }]) });
  expect(res.status).toBe(400);
});

test('returns syntax errors as GRAPHQL_PARSE_FAILED with status 400', async () => {
  const r = await s.gql(`{ tickets { `);
  expect(r.status).toBe(400);
  expect(r.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
});

test('echoes a sane X-Request-Id and puts the request id on every error', async () => {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' }, body: JSON.stringify({ query: '{ tickets { totalCount } }' }) });
  expect(res.headers.get('x-request-id')).toBe('abc-123');
  const body = (await res.json()) as { errors: { extensions: { requestId: string } }[] };
  expect(body.errors[0].extensions.requestId).toBe('abc-123');
});

test('masks unexpected failures: no SQL, stack or path reaches the client, only a code and request id', async () => {
  await s.app.db.manager.query('DROP TABLE comment_revision');
  const t = await s.gql(`mutation { ticketCreate(input: { subject: "x" }) { ticket { id } } }`);
  const c = await s.gql(`mutation($t: ID!) { commentAdd(input: { ticketId: $t, body: "a" }) { change { id } } }`, { t: t.data.ticketCreate.ticket.id });
  await s.gql(`mutation($id: ID!) { commentUpdate(id: $id, input: { body: "b" }) { change { id } } }`, { id: c.data.commentAdd.change.id });
  const r = await s.gql(`mutation($id: ID!) { commentUpdate(id: $id, input: { body: "c" }) { change { id revisions { body } } } }`, { id: c.data.commentAdd.change.id });
  const text = JSON.stringify(r.errors);
  expect(r.errors?.[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: r.requestId });
  expect(text).not.toMatch(/comment_revision|SELECT|INSERT|stack|\/work\/|node_modules|sqlite|mysql/i);
});

test('reports 503 from healthz and SERVICE_UNAVAILABLE from the API once the database is gone', async () => {
  await s.app.db.dataSource.destroy();
  const health = await fetch(`${s.url}/healthz`);
  expect(health.status).toBe(503);
  const r = await s.gql(`{ viewer { username } }`);
  expect(r.errors?.[0].extensions?.code).toBe('SERVICE_UNAVAILABLE');
  expect(JSON.stringify(r.errors)).not.toMatch(/sqlite|mysql|ECONN/i);
});
