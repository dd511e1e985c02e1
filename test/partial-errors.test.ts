import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * One failing root field must not take its siblings down: mutation payloads and root query fields
 * are nullable, and a mutation's missing or forbidden target is a userError in its payload.
 */

let s: TestServer;
let alice: string;
let agent: string;
let first: { id: string; number: number };

beforeAll(async () => {
  s = await startTestServer();
  alice = await s.user('alice');
  agent = await s.user('agent', ['EDIT_TICKETS']);
  const created = await s.gql(`mutation { ticketCreate(input: { subject: "Disk full" }) { ticket { id number } userErrors { message } } }`, {}, alice);
  first = created.data.ticketCreate.ticket;
});
afterAll(() => s?.close());

test('two aliased updates: the first commits and keeps its result, the missing target is a NOT_FOUND userError of the second', async () => {
  const r = await s.gql(
    `mutation($id: ID!) {
      a: ticketUpdate(id: $id, input: { subject: "Disk full on db-1" }) { ticket { subject } userErrors { field code message } }
      b: ticketUpdate(id: "999", input: { subject: "Nothing" }) { ticket { subject } userErrors { field code message } }
    }`,
    { id: first.id },
    alice,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data.a).toEqual({ ticket: { subject: 'Disk full on db-1' }, userErrors: [] });
  expect(r.data.b).toEqual({ ticket: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND', message: 'No such ticket' }] });
  const stored = await s.gql(`query($id: ID!) { ticket(id: $id) { subject } }`, { id: first.id }, alice);
  expect(stored.data.ticket.subject).toBe('Disk full on db-1');
});

test('a target the caller may not change is a FORBIDDEN userError naming the argument; siblings commit', async () => {
  const added = await s.gql(`mutation($t: ID!) { commentAdd(input: { ticketId: $t, body: "mine" }) { change { id } userErrors { message } } }`, { t: first.id }, alice);
  const comment = added.data.commentAdd.change.id as string;
  const r = await s.gql(
    `mutation($c: ID!, $t: ID!) {
      edit: commentUpdate(id: $c, input: { body: "not mine" }) { change { body } userErrors { field code } }
      add: commentAdd(input: { ticketId: $t, body: "my own" }) { change { body } userErrors { field code } }
      missing: commentAdd(input: { ticketId: "998", body: "lost" }) { change { body } userErrors { field code } }
    }`,
    { c: comment, t: first.id },
    agent,
  );
  expect(r.errors).toBeUndefined();
  expect(r.data.edit).toEqual({ change: null, userErrors: [{ field: ['id'], code: 'FORBIDDEN' }] });
  expect(r.data.add).toEqual({ change: { body: 'my own' }, userErrors: [] });
  expect(r.data.missing).toEqual({ change: null, userErrors: [{ field: ['input', 'ticketId'], code: 'NOT_FOUND' }] });
});

test('a mutation the caller lacks the privilege for is a FORBIDDEN error on that field only', async () => {
  const r = await s.gql(
    `mutation($id: ID!) {
      purge: ticketPurge(id: $id) { deletedId userErrors { code } }
      read: ticketMarkRead(id: $id) { ticket { number } userErrors { code } }
    }`,
    { id: first.id },
    agent,
  );
  expect(r.data).toEqual({ purge: null, read: { ticket: { number: first.number }, userErrors: [] } });
  expect(r.errors).toEqual([expect.objectContaining({ path: ['purge'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
});

test('an admin-only query field is FORBIDDEN for others and leaves viewer intact', async () => {
  const r = await s.gql(`{ viewer { username } outboxStatus { pending } webhooks { id } }`, {}, alice);
  expect(r.data).toEqual({ viewer: { username: 'alice' }, outboxStatus: null, webhooks: null });
  expect(r.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['outboxStatus'], 'FORBIDDEN'], [['webhooks'], 'FORBIDDEN']]);
});

test('an anonymous caller gets UNAUTHENTICATED on the fields that need a sign-in and the public ones answered', async () => {
  const r = await s.gql(`{ viewer { username } outboxStatus { pending } tickets { totalCount } }`, {}, null);
  expect(r.data).toEqual({ viewer: null, outboxStatus: null, tickets: null });
  expect(r.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['outboxStatus'], 'UNAUTHENTICATED'], [['tickets'], 'UNAUTHENTICATED']]);
});

test('a query field refused for its arguments nulls only itself', async () => {
  const r = await s.gql(`{ viewer { username } tickets(includeDeleted: true) { totalCount } }`, {}, alice);
  expect(r.data).toEqual({ viewer: { username: 'alice' }, tickets: null });
  expect(r.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['tickets'], 'FORBIDDEN']]);
});

test('the schema keeps the rule everywhere: nullable mutation payloads with userErrors, nullable root query fields', async () => {
  const r = await s.gql(`{
    __schema {
      mutationType { fields { name type { kind name fields { name } } } }
      queryType { fields { name type { kind } } }
    }
  }`);
  const mutations = r.data.__schema.mutationType.fields as { name: string; type: { kind: string; fields: { name: string }[] } }[];
  expect(mutations.filter((m) => m.type.kind !== 'OBJECT' || !m.type.fields.some((f) => f.name === 'userErrors')).map((m) => m.name)).toEqual([]);
  const queries = r.data.__schema.queryType.fields as { name: string; type: { kind: string } }[];
  // _service and _entities are the federation router's own fields, typed by the federation spec.
  expect(queries.filter((q) => q.type.kind === 'NON_NULL' && !q.name.startsWith('_')).map((q) => q.name)).toEqual([]);
});
