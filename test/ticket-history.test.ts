import { CHANGES, CREATE, UPDATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;
let alice: string;
let bob: string;

beforeAll(async () => {
  s = await startTestServer();
  await s.gql(`mutation { categoryCreate(input: { key: "database" }) { userErrors { message } } }`);
  await s.gql(`mutation { tagCreate(input: { key: "important" }) { userErrors { message } } }`);
  await s.gql(`mutation { tagCreate(input: { key: "release" }) { userErrors { message } } }`);
  alice = await s.user('alice');
  bob = await s.user('bob');
  await s.user('carol');
});
afterAll(() => s?.close());

type Entry = { type: string; field: string | null; oldValue: string | null; newValue: string | null; added: string[] | null; removed: string[] | null; author: { username: string } | null };

async function history(id: string): Promise<Entry[]> {
  const r = await s.gql(CHANGES, { id });
  return r.data.ticket.changes.edges.map((e: { node: Entry }) => e.node);
}
const fieldEntries = async (id: string) => (await history(id)).filter((e) => e.type === 'CHANGE');
const create = async (input: Record<string, unknown>, key = alice) => (await s.gql(CREATE, { input }, key)).data.ticketCreate.ticket;
const update = async (id: string, input: Record<string, unknown>, key = alice) => {
  const r = await s.gql(UPDATE, { id, input }, key);
  expect(r.errors).toBeUndefined();
  expect(r.data.ticketUpdate.userErrors).toEqual([]);
  return r.data.ticketUpdate.ticket;
};

test('records one entry per changed field with exact old and new values', async () => {
  const t = await create({ subject: 'Old', body: 'old body', type: 'ISSUE', priority: 'NORMAL', server: 'web-1', assignees: ['alice'], cc: ['bob'], notify: ['a@x.io'], tags: ['important'], due: '2030-01-01T00:00:00Z' });
  const u = await update(t.id, {
    subject: 'New',
    body: 'new body',
    type: 'CHANGE',
    status: 'IN_PROGRESS',
    priority: 'URGENT',
    category: 'database',
    server: 'web-2',
    due: '2030-02-01T12:00:00Z',
    assignees: ['alice', 'bob'],
    cc: [],
    notify: ['b@x.io'],
    tags: ['release'],
  });
  expect(u.version).toBe(2);
  const entries = await fieldEntries(t.id);
  const byField = Object.fromEntries(entries.map((e) => [e.field, e]));
  expect(entries).toHaveLength(12);
  expect(byField.SUBJECT).toMatchObject({ oldValue: 'Old', newValue: 'New', added: null, removed: null, author: { username: 'alice' } });
  expect(byField.BODY).toMatchObject({ oldValue: null, newValue: null });
  expect(byField.TYPE).toMatchObject({ oldValue: 'ISSUE', newValue: 'CHANGE' });
  expect(byField.STATUS).toMatchObject({ oldValue: 'OPEN', newValue: 'IN_PROGRESS' });
  expect(byField.PRIORITY).toMatchObject({ oldValue: 'NORMAL', newValue: 'URGENT' });
  expect(byField.CATEGORY).toMatchObject({ oldValue: null, newValue: 'database' });
  expect(byField.SERVER).toMatchObject({ oldValue: 'web-1', newValue: 'web-2' });
  expect(byField.DUE).toMatchObject({ oldValue: '2030-01-01T00:00:00.000Z', newValue: '2030-02-01T12:00:00.000Z' });
  expect(byField.ASSIGNEES).toMatchObject({ oldValue: 'alice', newValue: 'alice, bob', added: ['bob'], removed: [] });
  expect(byField.CC).toMatchObject({ oldValue: 'bob', newValue: '', added: [], removed: ['bob'] });
  expect(byField.NOTIFY).toMatchObject({ oldValue: 'a@x.io', newValue: 'b@x.io', added: ['b@x.io'], removed: ['a@x.io'] });
  expect(byField.TAGS).toMatchObject({ oldValue: 'important', newValue: 'release', added: ['release'], removed: ['important'] });
});

test('records nothing and keeps the version when values are unchanged or lists only reordered', async () => {
  const t = await create({ subject: 'Same', assignees: ['alice', 'bob'], tags: ['important', 'release'], notify: ['a@x.io', 'b@x.io'] });
  const u = await update(t.id, { subject: 'Same', status: 'OPEN', assignees: ['bob', 'alice'], tags: ['release', 'important'], notify: ['b@x.io', 'a@x.io'] });
  expect(u.version).toBe(1);
  expect(await fieldEntries(t.id)).toEqual([]);
  expect((await history(t.id)).map((e) => e.type)).toEqual(['CREATED']);
});

test('collapses edits of the same field by the same person within a minute into one entry', async () => {
  const t = await create({ subject: 'Collapse' });
  await update(t.id, { status: 'IN_PROGRESS' });
  await update(t.id, { status: 'ON_HOLD' });
  await update(t.id, { status: 'CLOSED' });
  const entries = await fieldEntries(t.id);
  expect(entries).toEqual([expect.objectContaining({ field: 'STATUS', oldValue: 'OPEN', newValue: 'CLOSED', author: { username: 'alice' } })]);
});

test('drops the entry when a field is changed back within the minute', async () => {
  const t = await create({ subject: 'Flip' });
  await update(t.id, { priority: 'HIGH' });
  await update(t.id, { priority: 'NORMAL' });
  expect(await fieldEntries(t.id)).toEqual([]);
});

test('keeps separate entries for different people and for different fields', async () => {
  const t = await create({ subject: 'Two people' });
  await update(t.id, { status: 'IN_PROGRESS' }, alice);
  await update(t.id, { status: 'ON_HOLD' }, bob);
  await update(t.id, { subject: 'Two people!' }, alice);
  await update(t.id, { status: 'OPEN' }, alice);
  const entries = await fieldEntries(t.id);
  expect(entries.map((e) => [e.field, e.oldValue, e.newValue, e.author?.username])).toEqual([
    ['STATUS', 'OPEN', 'IN_PROGRESS', 'alice'],
    ['STATUS', 'IN_PROGRESS', 'ON_HOLD', 'bob'],
    ['SUBJECT', 'Two people', 'Two people!', 'alice'],
    ['STATUS', 'ON_HOLD', 'OPEN', 'alice'],
  ]);
});

test('records no history while the stored ticket is a draft, including the edit that publishes it', async () => {
  const t = await create({ subject: 'Draft', status: 'DRAFT' });
  await update(t.id, { subject: 'Draft v2', assignees: ['bob'] });
  await update(t.id, { status: 'OPEN' });
  expect(await fieldEntries(t.id)).toEqual([]);
  await update(t.id, { subject: 'Published' });
  expect(await fieldEntries(t.id)).toEqual([expect.objectContaining({ field: 'SUBJECT', oldValue: 'Draft v2', newValue: 'Published' })]);
});

test('filters and pages the history by type', async () => {
  const t = await create({ subject: 'Filter' });
  await update(t.id, { status: 'CLOSED' });
  await s.gql(`mutation($t: ID!) { commentAdd(input: { ticketId: $t, body: "c1" }) { userErrors { message } } }`, { t: t.id }, alice);
  const r = await s.gql(`query($id: ID!) { ticket(id: $id) { comments: changes(types: [COMMENT]) { totalCount edges { node { body } } } all: changes { totalCount } latest: changes(last: 1) { edges { node { type } } pageInfo { hasPreviousPage hasNextPage } } } }`, { id: t.id });
  expect(r.data.ticket).toEqual({
    comments: { totalCount: 1, edges: [{ node: { body: 'c1' } }] },
    all: { totalCount: 3 },
    latest: { edges: [{ node: { type: 'COMMENT' } }], pageInfo: { hasPreviousPage: true, hasNextPage: false } },
  });
});

test('starts a new entry once the earlier edit is more than a minute old', async () => {
  const t = await create({ subject: 'Window' });
  await update(t.id, { status: 'IN_PROGRESS' });
  // Age the first entry instead of sleeping a minute.
  await s.app.db.manager.query(`UPDATE ticket_change SET created_at = ? WHERE type = 'change' AND ticket_id = (SELECT id FROM ticket WHERE number = ?)`, [
    new Date(Date.now() - 61_000).toISOString().replace('T', ' ').replace('Z', ''),
    t.number,
  ]);
  await update(t.id, { status: 'ON_HOLD' });
  expect((await fieldEntries(t.id)).map((e) => [e.oldValue, e.newValue])).toEqual([
    ['OPEN', 'IN_PROGRESS'],
    ['IN_PROGRESS', 'ON_HOLD'],
  ]);
});
