import { startTestServer, type TestServer } from './helpers/test-server';

/**
 * An admin limited to some categories or to its own tickets (by its user or by its key) administers
 * within that limit (users and keys, see security-key-narrowing.test.ts). Configuration of the whole
 * server is out of it: a webhook receives every ticket's events, an event definition runs commands
 * on the server, the outbox lists every ticket's pending mail, and custom fields and SLA policies
 * apply to tickets of every category. Each answers FORBIDDEN and writes nothing.
 */
let s: TestServer;
let webhookId: string;
let deliveryId: string;

beforeAll(async () => {
  s = await startTestServer();
  for (const key of ['database', 'network']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  const hook = await s.gql(`mutation { webhookCreate(input: { url: "https://hooks.example.com/tg", events: [TICKET_CREATED] }) { webhook { id } userErrors { message } } }`);
  webhookId = hook.data.webhookCreate.webhook.id;
  await s.gql(`mutation { ticketCreate(input: { subject: "Core switch", category: "network" }) { ticket { id } } }`);
  const deliveries = await s.gql(`query($id: ID!) { node(id: $id) { ... on Webhook { deliveries { id } } } }`, { id: webhookId });
  deliveryId = deliveries.data.node.deliveries[0].id;
});
afterAll(() => s?.close());

const limitedAdmins: [string, () => Promise<string>][] = [
  ['an admin user restricted to a category', () => s.user('catadmin', ['ADMIN'], { categories: ['database'] })],
  ['an admin user restricted to own tickets', () => s.user('ownadmin', ['ADMIN'], { ownTicketsOnly: true })],
  ['an admin key narrowed to a category', async () => (await s.gql(`mutation { apiKeyCreate(input: { name: "db admin", categories: ["database"] }) { secret } }`)).data.apiKeyCreate.secret],
  ['an admin key narrowed to own tickets', async () => (await s.gql(`mutation { apiKeyCreate(input: { name: "own admin", ownTicketsOnly: true }) { secret } }`)).data.apiKeyCreate.secret],
];

const SERVER_WIDE: [string, string, Record<string, unknown>][] = [
  ['webhooks', `{ webhooks { id url } }`, {}],
  ['webhookCreate', `mutation { webhookCreate(input: { url: "https://evil.example.com/all", events: [TICKET_CREATED, COMMENT_ADDED] }) { webhook { id } } }`, {}],
  ['webhookUpdate', `mutation($id: ID!) { webhookUpdate(id: $id, input: { url: "https://evil.example.com/all" }) { webhook { id } } }`, { id: '' }],
  ['webhookDelete', `mutation($id: ID!) { webhookDelete(id: $id) { deletedId } }`, { id: '' }],
  ['webhookDeliveryReplay', `mutation($d: ID!) { webhookDeliveryReplay(id: $d) { delivery { id } } }`, { d: '' }],
  ['outboxStatus', `{ outboxStatus { pending } }`, {}],
  ['eventCreate', `mutation { eventCreate(input: { key: "shell", title: "Shell", runner: LOCAL, command: ["cat", "/etc/passwd"] }) { event { id } } }`, {}],
  ['customFieldCreate', `mutation { customFieldCreate(input: { key: "site", type: TEXT }) { customField { key } } }`, {}],
  ['slaPolicyCreate', `mutation { slaPolicyCreate(input: { name: "All urgent", responseMinutes: 1, resolutionMinutes: 2 }) { policy { id } } }`, {}],
];

describe.each(limitedAdmins)('%s', (_label, keyOf) => {
  let key: string;
  beforeAll(async () => {
    key = await keyOf();
    expect(key).toMatch(/^tg_/);
  });

  test.each(SERVER_WIDE)('%s is FORBIDDEN, naming the limit, and changes nothing', async (_op, query, vars) => {
    const variables = Object.fromEntries(Object.entries(vars).map(([k]) => [k, k === 'd' ? deliveryId : webhookId]));
    const before = await counts();
    const r = await s.gql(query, variables, key);
    expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(r.errors?.[0].message).toMatch(/whole server.*categor.*own tickets/);
    expect(Object.values(r.data ?? {})).toEqual([null]);
    expect(await counts()).toEqual(before);
  });

  test('a webhook and its deliveries read as null through node, as for anyone not an admin', async () => {
    const r = await s.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [webhookId, deliveryId] }, key);
    expect(r.data.nodes).toEqual([null, null]);
  });

  test('an event reads without its command or URL', async () => {
    const full = await s.gql(`mutation { eventCreate(input: { key: "e-${key.slice(-6)}", title: "Restart", runner: LOCAL, command: ["/usr/bin/true"] }) { event { id } } }`);
    const r = await s.gql(`query($id: ID!) { node(id: $id) { ... on Event { title command } } }`, { id: full.data.eventCreate.event.id }, key);
    expect(r.data.node).toEqual({ title: 'Restart', command: null });
  });
});

test('an admin without limits manages the server-wide configuration', async () => {
  const full = await s.user('rootish', ['ADMIN']);
  expect((await s.gql(`{ webhooks { id } outboxStatus { pending } }`, {}, full)).errors).toBeUndefined();
  const cf = await s.gql(`mutation { customFieldCreate(input: { key: "rack", type: TEXT }) { customField { key } userErrors { message } } }`, {}, full);
  expect(cf.data.customFieldCreate).toEqual({ customField: { key: 'rack' }, userErrors: [] });
  const r = await s.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: webhookId }, full);
  expect(r.data.node).toEqual({ id: webhookId });
});

test("admins change a user's e-mail and name; a limited admin changes only users no broader than itself", async () => {
  const UPDATE_USER = `mutation($i: UserUpdateInput!) { userUpdate(input: $i) { user { username name email ownTicketsOnly } userErrors { field code message } } }`;
  await s.user('pat', ['EDIT_TICKETS']);
  await s.user('chief', ['ADMIN']);
  await s.user('dbuser', ['EDIT_TICKETS'], { categories: ['database'] });
  await s.user('ownuser', ['EDIT_TICKETS'], { ownTicketsOnly: true });
  const moved = await s.gql(UPDATE_USER, { i: { username: 'pat', email: 'Pat@New.Example.com', name: 'Pat New' } });
  expect(moved.data.userUpdate).toEqual({ user: { username: 'pat', name: 'Pat New', email: 'Pat@New.Example.com', ownTicketsOnly: false }, userErrors: [] });
  const bad = await s.gql(UPDATE_USER, { i: { username: 'pat', email: 'pat,intruder@evil.example' } });
  expect(bad.data.userUpdate).toEqual({ user: null, userErrors: [{ field: ['input', 'email'], code: 'INVALID', message: 'Not a valid e-mail address: pat,intruder@evil.example' }] });
  const cleared = await s.gql(UPDATE_USER, { i: { username: 'pat', email: null, name: '  ' } });
  expect(cleared.data.userUpdate.user).toMatchObject({ email: null, name: 'pat' }); // a blank name falls back to the username, as in userCreate

  // A limited admin redirecting an unrestricted user's mail would read tickets beyond its limit.
  const dbAdmin = await s.user('dbadmin', ['ADMIN'], { categories: ['database'] });
  const ownAdmin = await s.user('ownadmin2', ['ADMIN'], { ownTicketsOnly: true });
  for (const [key, target] of [[dbAdmin, 'pat'], [dbAdmin, 'chief'], [dbAdmin, 'ownuser'], [ownAdmin, 'pat'], [ownAdmin, 'dbuser']]) {
    const r = await s.gql(UPDATE_USER, { i: { username: target, email: 'intruder@evil.example' } }, key);
    expect(r.data.userUpdate).toEqual({ user: null, userErrors: [{ field: ['input', 'username'], code: 'FORBIDDEN', message: expect.stringMatching(/You are limited to .*: you change only users limited to/) }] });
  }
  expect(Number((await s.app.db.manager.query(`SELECT COUNT(*) AS n FROM app_user WHERE email LIKE '%evil.example%'`))[0].n)).toBe(0);
  // Within its limit it may.
  expect((await s.gql(UPDATE_USER, { i: { username: 'dbuser', email: 'dba@example.com' } }, dbAdmin)).data.userUpdate.userErrors).toEqual([]);
  expect((await s.gql(UPDATE_USER, { i: { username: 'ownuser', name: 'Own User' } }, ownAdmin)).data.userUpdate.userErrors).toEqual([]);
});

/** What the refused operations could have written: row counts of the server-wide tables, and the webhooks' URLs. */
async function counts(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const t of ['webhook', 'webhook_delivery', 'event_definition', 'custom_field', 'sla_policy']) out[t] = Number((await s.app.db.manager.query(`SELECT COUNT(*) AS n FROM ${t}`))[0].n);
  out.webhookUrls = (await s.app.db.manager.query(`SELECT url FROM webhook ORDER BY id`)).map((h: { url: string }) => h.url);
  return out;
}
