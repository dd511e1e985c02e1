import { CREATE } from './helpers/documents';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

// Bugs found by the fuzz run (test/fuzz.test.ts) and by the introspection check of the query limits.
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

test('an omitted sort direction is the documented default DESC (enum defaults mapped to their values)', async () => {
  for (let i = 0; i < 3; i++) await s.gql(CREATE, { input: { subject: `Order ${i}` } });
  const r = await s.gql(`{ tickets(first: 3, orderBy: [{ field: NUMBER }]) { edges { node { number } } } }`);
  expect(r.errors).toBeUndefined();
  expect(r.data.tickets.edges.map((e: { node: { number: number } }) => e.node.number)).toEqual([3, 2, 1]);
});

test('introspection serializes enum default values instead of failing with INTERNAL_SERVER_ERROR', async () => {
  const r = await s.gql(`{ __type(name: "TicketOrder") { inputFields { name defaultValue } } }`);
  expect(r.errors).toBeUndefined();
  expect(r.data.__type.inputFields).toContainEqual({ name: 'direction', defaultValue: 'DESC' });
});

test('a multipart request without a boundary gets a 400 instead of hanging', async () => {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data', 'apollo-require-preflight': 'true' },
    body: 'garbage',
    signal: AbortSignal.timeout(20_000),
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
});

test('variables nested thousands of levels deep are a 400 BAD_USER_INPUT, not a stack overflow (500)', async () => {
  const deep = `{"query": "query($f: TicketFilter) { tickets(filter: $f) { totalCount } }", "variables": {"f": ${'{"and": ['.repeat(3000)}{}${']}'.repeat(3000)}}}`;
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: deep });
  expect(res.status).toBe(400);
  const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
  expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  expect(body.errors[0].message).toMatch(/nested more than 64 levels/);
});

test('_entities with a representation that is not an entity object is BAD_USER_INPUT, not INTERNAL_SERVER_ERROR', async () => {
  for (const rep of ['"admin"', '{ __typename: "Nope" }', '{ id: 1 }']) {
    const r = await s.gql(`{ _entities(representations: [${rep}]) { __typename } }`);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  }
  const ok = await s.gql(`{ _entities(representations: [{ __typename: "User", username: "admin" }]) { ... on User { username } } }`);
  expect(ok.data._entities).toEqual([{ username: 'admin' }]);
});

test("a category's group resolves to null right after categoryCreate (MySQL left groupId undefined: a 500)", async () => {
  const r = await s.gql(`mutation { categoryCreate(input: { key: "fresh", title: "Fresh" }) { category { key group { key } } userErrors { message } } }`);
  expect(r.errors).toBeUndefined();
  expect(r.data.categoryCreate).toEqual({ category: { key: 'fresh', group: null }, userErrors: [] });
});

test('Change.job is null on a change just written (not only on one read back), found by fuzzing', async () => {
  const t = await s.gql(`mutation { ticketCreate(input: { subject: "Job field" }) { ticket { id } } }`);
  const r = await s.gql(`mutation($id: ID!) { commentAdd(input: { ticketId: $id, body: "hi" }) { change { type job { id } } userErrors { message } } }`, { id: t.data.ticketCreate.ticket.id });
  expect(r.errors).toBeUndefined();
  expect(r.data.commentAdd.change).toEqual({ type: 'COMMENT', job: null });
});
