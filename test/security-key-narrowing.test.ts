import { startTestServer, type TestServer } from './helpers/test-server';

/** A key narrowed to some privileges or categories can neither mint nor manage anything broader than itself. */
let s: TestServer;

const ISSUE = `mutation($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret apiKey { id privileges categories { key } } userErrors { field code message } } }`;
const REVOKE = `mutation($id: ID!) { apiKeyRevoke(id: $id) { apiKey { id revokedAt } userErrors { field code } } }`;
const KEYS = `{ viewer { apiKeys { id name } } }`;

async function issue(input: Record<string, unknown>, key?: string) {
  return (await s.gql(ISSUE, { input }, key)).data.apiKeyCreate as { secret: string | null; apiKey: { id: string; privileges: string[] | null; categories: { key: string }[] | null } | null; userErrors: { field: string[]; code: string; message: string }[] };
}

beforeAll(async () => {
  s = await startTestServer();
  for (const key of ['database', 'network']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
});
afterAll(() => s?.close());

test('an admin key narrowed to CREATE_TICKETS cannot mint a full key, nor create an admin user', async () => {
  const narrowed = (await issue({ name: 'tickets only', privileges: ['CREATE_TICKETS'] })).secret!;
  const full = await issue({ name: 'escalate' }, narrowed);
  expect(full.secret).toBeNull();
  expect(full.userErrors).toEqual([{ field: ['input', 'privileges'], code: 'FORBIDDEN', message: expect.stringContaining('CREATE_TICKETS') }]);
  const wider = await issue({ name: 'escalate', privileges: ['CREATE_TICKETS', 'ADMIN'] }, narrowed);
  expect(wider.secret).toBeNull();
  expect(wider.userErrors).toEqual([{ field: ['input', 'privileges'], code: 'FORBIDDEN', message: expect.stringContaining('ADMIN') }]);
  // As narrow as itself, or narrower: allowed.
  expect((await issue({ name: 'same', privileges: ['CREATE_TICKETS'] }, narrowed)).apiKey).toMatchObject({ privileges: ['CREATE_TICKETS'] });
  expect((await issue({ name: 'none', privileges: [] }, narrowed)).apiKey).toMatchObject({ privileges: [] });
  // And it cannot create an admin user directly either.
  const user = await s.gql(`mutation { userCreate(input: { username: "evil", privileges: [ADMIN] }) { user { id } } }`, {}, narrowed);
  expect(user.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(await s.app.db.manager.query(`SELECT COUNT(*) AS n FROM api_key WHERE name = 'escalate'`)).toEqual([{ n: 0 }]);
});

test('a key narrowed to categories issues only keys within them', async () => {
  await s.user('olga', ['CREATE_TICKETS', 'EDIT_TICKETS']);
  const dbOnly = (await issue({ name: 'db', username: 'olga', categories: ['database'] })).secret!;
  const all = await issue({ name: 'all categories' }, dbOnly);
  expect(all.secret).toBeNull();
  expect(all.userErrors).toEqual([{ field: ['input', 'categories'], code: 'FORBIDDEN', message: expect.stringContaining('database') }]);
  const other = await issue({ name: 'net', categories: ['network'] }, dbOnly);
  expect(other.userErrors).toEqual([{ field: ['input', 'categories'], code: 'FORBIDDEN', message: expect.stringContaining('network') }]);
  // Privileges were not narrowed: the new key may leave them open, but must name its categories.
  expect((await issue({ name: 'db too', categories: ['database'] }, dbOnly)).apiKey).toEqual(expect.objectContaining({ privileges: null, categories: [{ key: 'database' }] }));
});

test('a category-narrowed admin key cannot mint keys outside its categories for other users, nor create users seeing more', async () => {
  await s.user('pete', ['CREATE_TICKETS']);
  const adminDb = (await issue({ name: 'admin db', categories: ['database'] })).secret!;
  const forPete = await issue({ name: 'pete all', username: 'pete' }, adminDb);
  expect(forPete.userErrors).toEqual([{ field: ['input', 'categories'], code: 'FORBIDDEN', message: expect.stringContaining('database') }]);
  expect((await issue({ name: 'pete db', username: 'pete', categories: ['database'] }, adminDb)).userErrors).toEqual([]);
  const CREATE_USER = `mutation($input: UserCreateInput!) { userCreate(input: $input) { user { username } userErrors { field code message } } }`;
  const unrestricted = await s.gql(CREATE_USER, { input: { username: 'quinn' } }, adminDb);
  expect(unrestricted.data.userCreate).toEqual({ user: null, userErrors: [{ field: ['input', 'categories'], code: 'FORBIDDEN', message: expect.stringContaining('database') }] });
  const restricted = await s.gql(CREATE_USER, { input: { username: 'quinn', categories: ['database'] } }, adminDb);
  expect(restricted.data.userCreate).toEqual({ user: { username: 'quinn' }, userErrors: [] });
});

test('a narrowed key lists and revokes only keys no broader than itself', async () => {
  await s.user('rosa', ['CREATE_TICKETS', 'EDIT_TICKETS']);
  const broad = await issue({ name: 'broad', username: 'rosa' });
  const narrow = await issue({ name: 'narrow', username: 'rosa', privileges: ['CREATE_TICKETS'] });
  const narrower = await issue({ name: 'narrower', username: 'rosa', privileges: [] });
  const listed = (await s.gql(KEYS, {}, narrow.secret)).data.viewer.apiKeys.map((k: { name: string }) => k.name);
  expect(listed).toEqual(['narrow', 'narrower']);
  const revokeBroad = await s.gql(REVOKE, { id: broad.apiKey!.id }, narrow.secret);
  expect(revokeBroad.data.apiKeyRevoke).toEqual({ apiKey: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
  expect((await s.gql(`{ viewer { username } }`, {}, broad.secret)).data.viewer.username).toBe('rosa');
  expect((await s.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: broad.apiKey!.id }, narrow.secret)).data.node).toBeNull();
  expect((await s.gql(REVOKE, { id: narrower.apiKey!.id }, narrow.secret)).data.apiKeyRevoke.apiKey.revokedAt).not.toBeNull();
  // The unrestricted key still sees and manages them all.
  expect((await s.gql(KEYS, {}, broad.secret)).data.viewer.apiKeys.map((k: { name: string }) => k.name)).toEqual(['test', 'broad', 'narrow', 'narrower']);
  expect((await s.gql(REVOKE, { id: narrow.apiKey!.id }, narrow.secret)).data.apiKeyRevoke.apiKey.revokedAt).not.toBeNull();
});
