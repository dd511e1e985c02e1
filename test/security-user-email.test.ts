import { startTestServer, type TestServer } from './helpers/test-server';

/** A user's e-mail address is theirs and the admins' to see; every other caller gets null, however it asks. */
let s: TestServer;
let sara: string;
let tom: string;

beforeAll(async () => {
  s = await startTestServer();
  sara = await s.user('sara');
  tom = await s.user('tom');
});
afterAll(() => s?.close());

const emails = (r: { data: { users: { edges: { node: { username: string; email: string | null } }[] } } }) =>
  Object.fromEntries(r.data.users.edges.map((e) => [e.node.username, e.node.email]));
const USERS = `{ users(first: 50) { edges { node { username email } } } }`;

test('users shows another user\'s email as null; the user sees their own, admins see all', async () => {
  expect(emails(await s.gql(USERS, {}, sara))).toMatchObject({ sara: 'sara@example.com', tom: null, admin: null });
  expect(emails(await s.gql(USERS, {}, tom))).toMatchObject({ sara: null, tom: 'tom@example.com' });
  expect(emails(await s.gql(USERS))).toMatchObject({ sara: 'sara@example.com', tom: 'tom@example.com' });
  expect((await s.gql(`{ viewer { email } }`, {}, sara)).data.viewer.email).toBe('sara@example.com');
});

test('node(id) and federation _entities hide it the same way', async () => {
  const tomId = (await s.gql(`{ viewer { id } }`, {}, tom)).data.viewer.id;
  expect((await s.gql(`query($id: ID!) { node(id: $id) { ... on User { username email } } }`, { id: tomId }, sara)).data.node).toEqual({ username: 'tom', email: null });
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { username email } } }`;
  const r = { r: [{ __typename: 'User', username: 'tom' }, { __typename: 'User', username: 'sara' }] };
  expect((await s.gql(ENTITIES, r, sara)).data._entities).toEqual([{ username: 'tom', email: null }, { username: 'sara', email: 'sara@example.com' }]);
  expect((await s.gql(ENTITIES, r)).data._entities).toEqual([{ username: 'tom', email: 'tom@example.com' }, { username: 'sara', email: 'sara@example.com' }]);
});

test('an admin limited to categories or own tickets sees the e-mail only of users its limit covers', async () => {
  await s.gql(`mutation { categoryCreate(input: { key: "storage" }) { userErrors { message } } }`);
  await s.user('stan', ['EDIT_TICKETS'], { categories: ['storage'] });
  await s.user('olive', ['EDIT_TICKETS'], { ownTicketsOnly: true });
  const storageAdmin = await s.user('sadmin', ['ADMIN'], { categories: ['storage'] });
  const ownAdmin = await s.user('oadmin', ['ADMIN'], { ownTicketsOnly: true });
  expect(emails(await s.gql(USERS, {}, storageAdmin))).toMatchObject({ stan: 'stan@example.com', sadmin: 'sadmin@example.com', tom: null, olive: null, admin: null });
  expect(emails(await s.gql(USERS, {}, ownAdmin))).toMatchObject({ olive: 'olive@example.com', oadmin: 'oadmin@example.com', tom: null, stan: null });
});
