import { Category } from '../src/entities/category.entity';
import { CREATE, UPDATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  for (const key of ['database', 'network']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
});
afterAll(() => s?.close());

test('rejects a request without a key, with an unknown key and with another scheme as UNAUTHENTICATED', async () => {
  const none = await s.gql(`{ tickets { totalCount } }`, {}, null);
  expect(none.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  const bad = await s.gql(`{ viewer { username } }`, {}, 'tg_not-a-real-key');
  expect(bad.status).toBe(200); // fetch's Accept: */* gets application/json (see the next test)
  expect(bad.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Basic YTpi' }, body: JSON.stringify({ query: '{ viewer { username } }' }) });
  expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
});

test('answers authentication errors with 200 for application/json and 401 only for application/graphql-response+json', async () => {
  const send = async (accept: string | null, authorization: string | null, query = '{ tickets { totalCount } }') => {
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}), ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query }),
    });
    const body = (await res.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    return { status: res.status, type: res.headers.get('content-type'), data: body.data, code: body.errors?.[0]?.extensions.code, message: body.errors?.[0]?.message };
  };
  const GRAPHQL_RESPONSE = 'application/graphql-response+json';
  // Both ways to fail: no key (refused while executing) and a bad key (refused before executing).
  for (const authorization of [null, 'Bearer tg_not-a-real-key']) {
    for (const accept of [null, '*/*', 'application/json', `application/json, ${GRAPHQL_RESPONSE};q=0.5`, `application/json, ${GRAPHQL_RESPONSE}`]) {
      expect({ accept, authorization, ...(await send(accept, authorization)) }).toMatchObject({ accept, authorization, status: 200, type: expect.stringMatching(/^application\/json/), code: 'UNAUTHENTICATED' });
    }
  }
  // GraphiQL's Accept, and graphql-http's. A bad key fails before execution: no data, so 401. Without
  // a key the refused root field is null (root fields are nullable) and the response has data, which
  // application/graphql-response+json answers with 2xx.
  for (const accept of [GRAPHQL_RESPONSE, `${GRAPHQL_RESPONSE}, application/json;q=0.9`]) {
    const type = expect.stringMatching(/^application\/graphql-response\+json/);
    expect({ accept, ...(await send(accept, 'Bearer tg_not-a-real-key')) }).toMatchObject({ accept, status: 401, type, code: 'UNAUTHENTICATED' });
    expect({ accept, ...(await send(accept, null)) }).toMatchObject({ accept, status: 200, type, code: 'UNAUTHENTICATED', data: { tickets: null } });
  }
  // With data in the response, application/graphql-response+json requires 2xx: a refused field among answered ones.
  const partial = await send(GRAPHQL_RESPONSE, null, '{ viewer { username } ticket(number: 1) { subject } }');
  expect(partial).toMatchObject({ status: 200, code: 'UNAUTHENTICATED', data: { viewer: null } });
});

test('answers viewer with null for an anonymous caller', async () => {
  const r = await s.gql(`{ viewer { username } }`, {}, null);
  expect(r.data).toEqual({ viewer: null });
});

test('stores only a hash of each key and stops accepting a revoked key at once', async () => {
  const key = await s.user('dave');
  expect((await s.gql(`{ viewer { username apiKeys { id prefix lastUsedAt } } }`, {}, key)).data.viewer.username).toBe('dave');
  const rows = (await s.app.db.manager.query(`SELECT key_hash, prefix FROM api_key`)) as { key_hash: string; prefix: string }[];
  expect(rows.some((r) => r.key_hash.includes(key) || key.includes(r.key_hash))).toBe(false);
  expect(rows.some((r) => key.startsWith(r.prefix))).toBe(true);
  const me = await s.gql(`{ viewer { apiKeys { id lastUsedAt } } }`, {}, key);
  expect(me.data.viewer.apiKeys[0].lastUsedAt).not.toBeNull();
  const revoked = await s.gql(`mutation($id: ID!) { apiKeyRevoke(id: $id) { apiKey { revokedAt } } }`, { id: me.data.viewer.apiKeys[0].id }, key);
  expect(revoked.data.apiKeyRevoke.apiKey.revokedAt).not.toBeNull();
  expect((await s.gql(`{ viewer { username } }`, {}, key)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
});

test('refuses an expired key', async () => {
  await s.user('erin');
  const issued = await s.gql(`mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret } }`, { input: { name: 'short', username: 'erin', expiresAt: new Date(Date.now() + 1500).toISOString() } });
  const key = issued.data.apiKeyCreate.secret;
  expect((await s.gql(`{ viewer { username } }`, {}, key)).data.viewer.username).toBe('erin');
  await new Promise((r) => setTimeout(r, 1600));
  expect((await s.gql(`{ viewer { username } }`, {}, key)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
});

test('checks each privilege: create_tickets, edit_tickets, delete_tickets, admin', async () => {
  const reader = await s.user('reader', []);
  const creator = await s.user('creator', ['CREATE_TICKETS']);
  const t = (await s.gql(CREATE, { input: { subject: 'Mine' } }, creator)).data.ticketCreate.ticket;
  expect(t.number).toBeGreaterThan(0);
  expect((await s.gql(CREATE, { input: { subject: 'No' } }, reader)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await s.gql(UPDATE, { id: t.id, input: { subject: 'No' } }, creator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await s.gql(`mutation($id: ID!) { ticketDelete(id: $id) { deletedId } }`, { id: t.id }, creator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await s.gql(`mutation { tagCreate(input: { key: "x" }) { tag { key } } }`, {}, creator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await s.gql(`mutation { userCreate(input: { username: "evil", privileges: [ADMIN] }) { user { id } } }`, {}, creator)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const other = await s.gql(`mutation { apiKeyCreate(input: { name: "x", username: "admin" }) { secret userErrors { code } } }`, {}, creator);
  expect(other.data.apiKeyCreate).toEqual({ secret: null, userErrors: [{ code: 'FORBIDDEN' }] });
  expect((await s.gql(`query($id: ID!) { ticket(id: $id) { subject } }`, { id: t.id }, reader)).data.ticket.subject).toBe('Mine');
});

test('hides tickets outside a restricted user\'s categories from every read and write, as not found', async () => {
  const dbTicket = (await s.gql(CREATE, { input: { subject: 'DB', category: 'database' } })).data.ticketCreate.ticket;
  const netTicket = (await s.gql(CREATE, { input: { subject: 'NET', category: 'network' } })).data.ticketCreate.ticket;
  const none = (await s.gql(CREATE, { input: { subject: 'No category' } })).data.ticketCreate.ticket;
  const dba = await s.user('dba', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS'], { categories: ['database'] });

  const reads = await s.gql(
    `query($a: ID!, $b: ID!, $c: ID!, $n: Int!) { a: ticket(id: $a) { subject } b: ticket(id: $b) { subject } c: node(id: $c) { id } n: ticket(number: $n) { id }
      byIds: ticketsByIds(ids: [$a, $b, $c]) { subject } tickets(first: 100) { totalCount edges { node { subject } } } categories { key } }`,
    { a: dbTicket.id, b: netTicket.id, c: none.id, n: netTicket.number },
    dba,
  );
  expect(reads.data).toEqual({
    a: { subject: 'DB' },
    b: null,
    c: null,
    n: null,
    byIds: [{ subject: 'DB' }, null, null],
    tickets: { totalCount: 1, edges: [{ node: { subject: 'DB' } }] },
    categories: [{ key: 'database' }],
  });
  const edit = await s.gql(UPDATE, { id: netTicket.id, input: { subject: 'x' } }, dba);
  const missing = await s.gql(UPDATE, { id: '999999', input: { subject: 'x' } }, dba);
  expect(edit.data.ticketUpdate).toEqual({ ticket: null, userErrors: [expect.objectContaining({ field: ['id'], code: 'NOT_FOUND' })] });
  expect(edit.data.ticketUpdate.userErrors[0].message.replace(netTicket.id, 'ID')).toBe(missing.data.ticketUpdate.userErrors[0].message.replace('999999', 'ID'));
  const comment = await s.gql(`mutation($t: ID!) { commentAdd(input: { ticketId: $t, body: "x" }) { change { id } userErrors { field code } } }`, { t: netTicket.id }, dba);
  expect(comment.data.commentAdd).toEqual({ change: null, userErrors: [{ field: ['input', 'ticketId'], code: 'NOT_FOUND' }] });
  const del = await s.gql(`mutation($t: ID!) { ticketDelete(id: $t) { deletedId userErrors { field code } } }`, { t: netTicket.id }, dba);
  expect(del.data.ticketDelete).toEqual({ deletedId: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });

  const outside = await s.gql(CREATE, { input: { subject: 'x', category: 'network' } }, dba);
  expect(outside.data.ticketCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'category'], code: 'FORBIDDEN' })]);
  const uncategorized = await s.gql(CREATE, { input: { subject: 'x' } }, dba);
  expect(uncategorized.data.ticketCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'category'], code: 'FORBIDDEN' })]);
  const move = await s.gql(UPDATE, { id: dbTicket.id, input: { category: 'network' } }, dba);
  expect(move.data.ticketUpdate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'category'], code: 'FORBIDDEN' })]);
});

test('shows privileges and API keys of a user only to that user and admins', async () => {
  const frank = await s.user('frank');
  const r = await s.gql(`{ users(first: 50) { edges { node { username privileges apiKeys { id } } } } }`, {}, frank);
  const rows = r.data.users.edges.map((e: { node: unknown }) => e.node) as { username: string; privileges: string[] | null; apiKeys: unknown[] | null }[];
  expect(rows.find((u) => u.username === 'frank')?.privileges).toEqual(['CREATE_TICKETS', 'EDIT_TICKETS']);
  expect(rows.find((u) => u.username === 'admin')).toMatchObject({ privileges: null, apiKeys: null });
});

test('validates user creation input', async () => {
  const r = await s.gql(`mutation { userCreate(input: { username: "Bad Name!", email: "nope", categories: ["ghost"] }) { user { id } userErrors { field code } } }`);
  expect(r.data.userCreate.userErrors).toEqual([
    { field: ['input', 'username'], code: 'INVALID' },
    { field: ['input', 'email'], code: 'INVALID' },
    { field: ['input', 'categories'], code: 'NOT_FOUND' },
  ]);
  const dup = await s.gql(`mutation { userCreate(input: { username: "admin" }) { userErrors { code } } }`);
  expect(dup.data.userCreate.userErrors).toEqual([{ code: 'TAKEN' }]);
});

describe('API key subsets', () => {
  const ISSUE = `mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret apiKey { privileges categories { key } } userErrors { field code message } } }`;

  test('limits a key to the privileges it was issued with, within its user\'s', async () => {
    await s.user('gina', ['CREATE_TICKETS', 'EDIT_TICKETS']);
    const issued = await s.gql(ISSUE, { input: { name: 'read-only', username: 'gina', privileges: [] } });
    expect(issued.data.apiKeyCreate).toMatchObject({ apiKey: { privileges: [], categories: null }, userErrors: [] });
    const readOnly = issued.data.apiKeyCreate.secret as string;
    expect((await s.gql(CREATE, { input: { subject: 'No' } }, readOnly)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await s.gql(`{ tickets { totalCount } }`, {}, readOnly)).errors).toBeUndefined();

    const creatorOnly = (await s.gql(ISSUE, { input: { name: 'create', username: 'gina', privileges: ['CREATE_TICKETS'] } })).data.apiKeyCreate.secret as string;
    const t = (await s.gql(CREATE, { input: { subject: 'From a narrowed key' } }, creatorOnly)).data.ticketCreate.ticket;
    expect(t.number).toBeGreaterThan(0);
    expect((await s.gql(UPDATE, { id: t.id, input: { subject: 'No' } }, creatorOnly)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  test('refuses to issue a key with a privilege or category its user lacks, naming it', async () => {
    await s.user('hank', ['CREATE_TICKETS'], { categories: ['database'] });
    const priv = await s.gql(ISSUE, { input: { name: 'x', username: 'hank', privileges: ['CREATE_TICKETS', 'DELETE_TICKETS'] } });
    expect(priv.data.apiKeyCreate.secret).toBeNull();
    expect(priv.data.apiKeyCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'privileges'], code: 'FORBIDDEN', message: expect.stringContaining('DELETE_TICKETS') })]);
    const cat = await s.gql(ISSUE, { input: { name: 'x', username: 'hank', categories: ['network'] } });
    expect(cat.data.apiKeyCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'categories'], code: 'FORBIDDEN', message: expect.stringContaining('network') })]);
    const unknown = await s.gql(ISSUE, { input: { name: 'x', username: 'hank', categories: ['ghost'] } });
    expect(unknown.data.apiKeyCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'categories'], code: 'NOT_FOUND' })]);
    // A user narrowing their own key is held to the same rule.
    const self = (await s.gql(ISSUE, { input: { name: 'own', username: 'hank' } })).data.apiKeyCreate.secret as string;
    const own = await s.gql(`mutation { apiKeyCreate(input: { name: "more", privileges: [ADMIN] }) { secret userErrors { code message } } }`, {}, self);
    expect(own.data.apiKeyCreate).toEqual({ secret: null, userErrors: [{ code: 'FORBIDDEN', message: expect.stringContaining('ADMIN') }] });
    expect(await s.app.db.manager.query(`SELECT COUNT(*) AS n FROM api_key WHERE name IN ('x', 'more')`)).toEqual([{ n: 0 }]);
  });

  test('limits a key to its categories, and takes away at once what its user loses', async () => {
    await s.user('ivy', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS']);
    const dbOnly = (await s.gql(ISSUE, { input: { name: 'db', username: 'ivy', categories: ['database'], privileges: ['EDIT_TICKETS', 'DELETE_TICKETS'] } })).data.apiKeyCreate;
    expect(dbOnly.apiKey).toEqual({ privileges: ['EDIT_TICKETS', 'DELETE_TICKETS'], categories: [{ key: 'database' }] });
    const net = (await s.gql(CREATE, { input: { subject: 'NET-only', category: 'network' } })).data.ticketCreate.ticket;
    const db = (await s.gql(CREATE, { input: { subject: 'DB-only', category: 'database' } })).data.ticketCreate.ticket;
    const seen = await s.gql(`query($n: ID!, $d: ID!) { n: ticket(id: $n) { id } d: ticket(id: $d) { subject } tickets(query: "only") { totalCount } }`, { n: net.id, d: db.id }, dbOnly.secret);
    expect(seen.data).toEqual({ n: null, d: { subject: 'DB-only' }, tickets: { totalCount: 1 } });

    // The user loses delete_tickets: the key, issued with it, loses it too (effective = key ∩ user).
    await s.app.db.manager.query(`UPDATE app_user SET privileges = ? WHERE username = 'ivy'`, [JSON.stringify(['create_tickets', 'edit_tickets'])]);
    const del = await s.gql(`mutation($id: ID!) { ticketDelete(id: $id) { deletedId } }`, { id: db.id }, dbOnly.secret);
    expect(del.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // ... and the user becomes restricted to network: the intersection with the key's database is empty.
    const network = await s.app.db.manager.findOneByOrFail(Category, { key: 'network' });
    await s.app.db.manager.query(`UPDATE app_user SET category_ids = ? WHERE username = 'ivy'`, [JSON.stringify([network.id])]);
    const after = await s.gql(`query($d: ID!) { d: ticket(id: $d) { id } tickets { totalCount } }`, { d: db.id }, dbOnly.secret);
    expect(after.data).toEqual({ d: null, tickets: { totalCount: 0 } });
  });
});
