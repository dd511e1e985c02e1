import { COMMENT_ADD, CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

/** What clients used to GitHub's and Shopify's APIs expect (issue 17). */
let s: TestServer;
const tickets: { id: string; number: number }[] = [];

beforeAll(async () => {
  s = await startTestServer();
  for (let i = 1; i <= 3; i++) {
    const r = await s.gql(CREATE, { input: { subject: `T${i}` } });
    tickets.push(r.data.ticketCreate.ticket);
  }
  const c = await s.gql(COMMENT_ADD, { input: { ticketId: tickets[0].id, body: 'hello' } });
  expect(c.data.commentAdd.userErrors).toEqual([]);
});
afterAll(() => s?.close());

describe('nodes on every connection', () => {
  test('lists the same page as edges, in the same order, top-level and nested', async () => {
    const r = await s.gql(`{ tickets(first: 2) {
      edges { node { number changes { edges { node { id type } } } } }
      nodes { number changes { nodes { id type } } }
    } }`);
    expect(r.errors).toBeUndefined();
    const { edges, nodes } = r.data.tickets;
    expect(nodes.map((n: { number: number }) => n.number)).toEqual([3, 2]);
    expect(nodes).toEqual(edges.map((e: { node: unknown }) => ({
      ...(e.node as object),
      changes: { nodes: (e.node as { changes: { edges: { node: unknown }[] } }).changes.edges.map((c) => c.node) },
    })));
  });

  test('costs no more SQL than edges (nodes come from the page already fetched)', async () => {
    const sql = async (selection: string) => {
      const r = await s.gql(`{ tickets(first: 3) { ${selection} } }`);
      expect(r.errors).toBeUndefined();
      return s.requests.get(r.requestId)!.sqlCount;
    };
    const viaEdges = await sql('edges { node { number creator { username } changes { edges { node { id } } } } }');
    const viaNodes = await sql('nodes { number creator { username } changes { nodes { id } } }');
    const both = await sql('edges { node { number } } nodes { number creator { username } changes { nodes { id } } }');
    expect(viaNodes).toBe(viaEdges);
    expect(both).toBe(viaEdges);
  });

  test('every connection type in the schema has nodes of its edge node type', async () => {
    const r = await s.gql(`{ __schema { types { name kind fields { name type { kind name ofType { kind name ofType { kind name ofType { name } } } } } } } }`);
    type F = { name: string; type: any };
    const connections = r.data.__schema.types.filter((t: { name: string; fields: F[] | null }) => t.name.endsWith('Connection') && t.fields?.some((f) => f.name === 'edges'));
    expect(connections.length).toBeGreaterThanOrEqual(5);
    const named = (t: any): string => (t.name ?? named(t.ofType));
    const byName = new Map(r.data.__schema.types.map((t: { name: string }) => [t.name, t]));
    for (const c of connections) {
      const nodes = c.fields.find((f: F) => f.name === 'nodes');
      expect([c.name, nodes && named(nodes.type)]).toEqual([c.name, named((byName.get(named(c.fields.find((f: F) => f.name === 'edges').type)) as any).fields.find((f: F) => f.name === 'node').type)]);
    }
  });
});

describe('nodes(ids:)', () => {
  const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Ticket { number } ... on User { username } } }`;

  test('answers in the order of the ids, of any type, null for unknown, malformed or invisible ids', async () => {
    const admin = (await s.gql(`{ viewer { id username } }`)).data.viewer;
    for (const key of ['open', 'secret']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
    const visible = (await s.gql(CREATE, { input: { subject: 'visible', category: 'open' } })).data.ticketCreate.ticket;
    const hidden = (await s.gql(CREATE, { input: { subject: 'hidden', category: 'secret' } })).data.ticketCreate.ticket;
    const ids = [tickets[2].id, admin.id, 'bm9wZQ==', tickets[0].id, hidden.id, tickets[2].id];
    const r = await s.gql(NODES, { ids });
    expect(r.errors).toBeUndefined();
    expect(r.data.nodes).toEqual([
      { __typename: 'Ticket', id: tickets[2].id, number: 3 },
      { __typename: 'User', id: admin.id, username: admin.username },
      null,
      { __typename: 'Ticket', id: tickets[0].id, number: 1 },
      { __typename: 'Ticket', id: hidden.id, number: hidden.number },
      { __typename: 'Ticket', id: tickets[2].id, number: 3 },
    ]);
    // A user restricted to other categories gets null exactly where node(id:) does.
    const key = await s.user('nodesreader', ['CREATE_TICKETS'], { categories: ['open'] });
    const q = `query($ids: [ID!]!, $a: ID!, $b: ID!) { nodes(ids: $ids) { id } a: node(id: $a) { id } b: node(id: $b) { id } }`;
    const restricted = await s.gql(q, { ids: [visible.id, hidden.id], a: visible.id, b: hidden.id }, key);
    expect(restricted.errors).toBeUndefined();
    expect(restricted.data).toEqual({ nodes: [{ id: visible.id }, null], a: { id: visible.id }, b: null });
  });

  test('refuses more than PAGE_SIZE_MAX ids as BAD_USER_INPUT naming ids, and anonymous callers', async () => {
    const ok = await s.gql(NODES, { ids: Array.from({ length: 100 }, () => tickets[0].id) });
    expect(ok.errors).toBeUndefined();
    expect(ok.data.nodes).toHaveLength(100);
    const r = await s.gql(NODES, { ids: Array.from({ length: 101 }, () => tickets[0].id) });
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/ids.*100/);
    const anon = await s.gql(NODES, { ids: [tickets[0].id] }, null);
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('costs like a connection of as many items as ids, as connections cost the same with nodes as with edges', async () => {
    const cost = async (query: string, variables: Record<string, unknown> = {}) => (await s.gql(query, variables)).extensions?.cost.requested;
    const ids = tickets.map((t) => t.id);
    expect(await cost(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Ticket { changes(first: 2) { totalCount } } } }`, { ids })).toBe(3 + 3 * 2);
    expect(await cost(`{ tickets(first: 5) { nodes { changes(first: 3) { nodes { author { username } } } } } }`)).toBe(35);
    expect(await cost(`{ tickets(first: 5) { edges { node { changes(first: 3) { edges { node { author { username } } } } } } } }`)).toBe(35);
  });

  test('an empty list is an empty answer', async () => {
    const r = await s.gql(NODES, { ids: [] });
    expect(r.data).toEqual({ nodes: [] });
  });
});

describe('user(username:)', () => {
  const USER = `query($username: String!) { user(username: $username) { id username name email } }`;

  test('finds an active user by username, case-insensitively, with the field rules of users', async () => {
    const key = await s.user('lookup');
    const asAdmin = await s.gql(USER, { username: 'LookUp' });
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data.user).toMatchObject({ username: 'lookup', name: 'Lookup', email: 'lookup@example.com' });
    const listed = (await s.gql(`{ users(first: 100) { nodes { id username } } }`)).data.users.nodes;
    expect(listed).toContainEqual({ id: asAdmin.data.user.id, username: 'lookup' });
    // Another user sees the user, not their email.
    const other = await s.user('other');
    expect((await s.gql(USER, { username: 'lookup' }, other)).data.user).toMatchObject({ username: 'lookup', email: null });
    expect((await s.gql(USER, { username: 'lookup' }, key)).data.user.email).toBe('lookup@example.com');
  });

  test('is null for an unknown or inactive user, and refuses anonymous callers', async () => {
    expect((await s.gql(USER, { username: 'nobody' })).data).toEqual({ user: null });
    await s.user('gone');
    const id = (await s.gql(USER, { username: 'gone' })).data.user.id;
    await s.app.db.manager.query(`UPDATE app_user SET active = ? WHERE username = 'gone'`, [false]); // no mutation deactivates users yet
    expect((await s.gql(USER, { username: 'gone' })).data).toEqual({ user: null });
    expect((await s.gql(`{ users(first: 100) { nodes { id } } }`)).data.users.nodes).not.toContainEqual({ id });
    const anon = await s.gql(USER, { username: 'lookup' }, null);
    expect(anon.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('ticket(id:, number:)', () => {
  test('without id or number is a BAD_USER_INPUT naming both arguments, not null', async () => {
    for (const [query, variables] of [
      ['{ ticket { id } }', {}],
      ['query($id: ID, $n: Int) { ticket(id: $id, number: $n) { id } }', { id: null, n: null }],
    ] as const) {
      const r = await s.gql(query, variables);
      expect(r.data?.ticket ?? null).toBeNull();
      expect(r.errors?.[0]).toMatchObject({ path: ['ticket'], extensions: { code: 'BAD_USER_INPUT' } });
      expect(r.errors?.[0].message).toMatch(/`id`.*`number`/);
    }
  });

  test('with both id and number is a BAD_USER_INPUT naming both, even when they agree', async () => {
    const r = await s.gql(`query($id: ID!, $n: Int!) { ticket(id: $id, number: $n) { id } }`, { id: tickets[0].id, n: tickets[0].number });
    expect(r.errors?.[0]).toMatchObject({ path: ['ticket'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(r.errors?.[0].message).toMatch(/`id`.*`number`/);
  });

  test('with one of them still answers the ticket, or null when there is none', async () => {
    const r = await s.gql(`query($id: ID!, $n: Int!) { byId: ticket(id: $id) { number } byNumber: ticket(number: $n) { number } missing: ticket(number: 999) { number } }`, { id: tickets[1].id, n: 2 });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ byId: { number: 2 }, byNumber: { number: 2 }, missing: null });
  });
});

describe('ticketChangeStream, the change stream (ticketEvents deprecated)', () => {
  const page = (field: string) => `query($t: ID, $after: String) { ${field}(ticketId: $t, after: $after, first: 100) {
    totalCount edges { cursor node { change { id type } ticket { number } } } nodes { cursor } pageInfo { hasNextPage endCursor } } }`;

  test('the deprecated ticketEvents returns exactly what ticketChangeStream returns', async () => {
    for (const variables of [{}, { t: tickets[0].id }]) {
      const now = await s.gql(page('ticketChangeStream'), variables);
      const old = await s.gql(page('ticketEvents'), variables);
      expect(now.errors).toBeUndefined();
      expect(now.data.ticketChangeStream.edges.length).toBeGreaterThan(0);
      expect(old.data.ticketEvents).toEqual(now.data.ticketChangeStream);
    }
    const first = (await s.gql(page('ticketChangeStream'), { t: tickets[0].id })).data.ticketChangeStream;
    const rest = await s.gql(page('ticketEvents'), { t: tickets[0].id, after: first.edges[0].cursor });
    expect(rest.data.ticketEvents.edges).toEqual(first.edges.slice(1));
  });

  test('introspection marks ticketEvents deprecated in favour of ticketChangeStream', async () => {
    const r = await s.gql(`{ __type(name: "Query") { fields(includeDeprecated: true) { name isDeprecated deprecationReason } } }`);
    const fields = new Map(r.data.__type.fields.map((f: { name: string }) => [f.name, f]));
    expect(fields.get('ticketChangeStream')).toMatchObject({ isDeprecated: false });
    expect(fields.get('ticketEvents')).toMatchObject({ isDeprecated: true, deprecationReason: expect.stringContaining('ticketChangeStream') });
  });
});
