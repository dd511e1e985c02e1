import { COMMENT_ADD, CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;
let alice: string;
let bob: string;
let reader: string;

beforeAll(async () => {
  s = await startTestServer();
  alice = await s.user('alice');
  bob = await s.user('bob');
  reader = await s.user('reader', []);
});
afterAll(() => s?.close());

const EDIT = `mutation($id: ID!, $body: String!) { commentUpdate(id: $id, input: { body: $body }) {
  change { body editedAt editedBy { username } revisions { body author { username } writtenAt replacedAt } } userErrors { field code }
} }`;
const DELETE = `mutation($id: ID!) { commentDelete(id: $id) { deletedId change { type oldValue author { username } } userErrors { code } } }`;

const newTicket = async (input: Record<string, unknown> = {}) => (await s.gql(CREATE, { input: { subject: 'Talk', ...input } }, alice)).data.ticketCreate.ticket;

test('adds a Markdown comment as typed, rendered safely, authored by the caller and bumps the ticket version', async () => {
  const t = await newTicket();
  const r = await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'Looks **fine**<script>x()</script>' } }, bob);
  expect(r.data.commentAdd.userErrors).toEqual([]);
  expect(r.data.commentAdd.change).toMatchObject({ type: 'COMMENT', body: 'Looks **fine**<script>x()</script>', bodyHtml: '<p>Looks <strong>fine</strong>&lt;script&gt;x()&lt;/script&gt;</p>\n', author: { username: 'bob' }, editedAt: null });
  const after = await s.gql(`query($id: ID!) { ticket(id: $id) { version updatedAt } }`, { id: t.id });
  expect(after.data.ticket.version).toBe(2);
  expect(new Date(after.data.ticket.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(t.updatedAt).getTime());
});

// Regression (issue 15): the tag regex made `<im<b>g onerror>` live and ate `a<b and c>d`.
test.each([
  ['Disk <im<b>g src=x onerror=alert(1)> full'],
  ['<scr<b>ipt>alert(1)</scr<b>ipt> [x](javascript:alert(1))'],
  ['if a<b and c>d'],
  ['List<T>'],
])('keeps comment %j as typed and renders it without live markup', async (text) => {
  const t = await newTicket();
  const r = await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: text } }, bob);
  expect(r.data.commentAdd.userErrors).toEqual([]);
  expect(r.data.commentAdd.change.body).toBe(text);
  const html = r.data.commentAdd.change.bodyHtml as string;
  expect(html).not.toMatch(/<(script|img|a)\b/i);
  expect(html).not.toMatch(/<[^>]*\son\w+\s*=/i);
  expect(html).not.toMatch(/<[^>]*javascript:/i);
});

test('refuses a blank comment, a comment on a missing ticket, and a caller without edit_tickets', async () => {
  const t = await newTicket();
  const blank = await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: ' \n\t\u0007 ' } }, alice);
  expect(blank.data.commentAdd.userErrors).toEqual([expect.objectContaining({ field: ['input', 'body'], code: 'BLANK' })]);
  const missing = await s.gql(COMMENT_ADD, { input: { ticketId: '987654', body: 'hi' } }, alice);
  expect(missing.data.commentAdd).toEqual({ change: null, userErrors: [{ field: ['input', 'ticketId'], code: 'NOT_FOUND', message: 'No such ticket' }] });
  const denied = await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'hi' } }, reader);
  expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const h = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(types: [COMMENT]) { totalCount } } }`, { id: t.id });
  expect(h.data.ticket.changes.totalCount).toBe(0);
});

test('lets the author edit a comment, keeping every earlier text as a revision', async () => {
  const t = await newTicket();
  const c = (await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'first' } }, bob)).data.commentAdd.change;
  const e1 = await s.gql(EDIT, { id: c.id, body: 'second' }, bob);
  const e2 = await s.gql(EDIT, { id: c.id, body: 'third' }, bob);
  expect(e1.data.commentUpdate.userErrors).toEqual([]);
  const edited = e2.data.commentUpdate.change;
  expect(edited).toMatchObject({ body: 'third', editedBy: { username: 'bob' } });
  expect(edited.editedAt).not.toBeNull();
  expect(edited.revisions.map((r: { body: string; author: { username: string } }) => [r.body, r.author.username])).toEqual([
    ['first', 'bob'],
    ['second', 'bob'],
  ]);
  expect(edited.revisions[0].writtenAt).toBe(c.createdAt);
});

test('forbids editing or deleting someone else\'s comment, but lets an admin do both', async () => {
  const t = await newTicket();
  const c = (await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'mine' } }, bob)).data.commentAdd.change;
  const edit = await s.gql(EDIT, { id: c.id, body: 'hijacked' }, alice);
  expect(edit.data.commentUpdate).toEqual({ change: null, userErrors: [{ field: ['id'], code: 'FORBIDDEN' }] });
  const del = await s.gql(DELETE, { id: c.id }, alice);
  expect(del.data.commentDelete).toEqual({ deletedId: null, change: null, userErrors: [{ code: 'FORBIDDEN' }] });
  const adminEdit = await s.gql(EDIT, { id: c.id, body: 'moderated' });
  expect(adminEdit.data.commentUpdate.change).toMatchObject({ body: 'moderated', editedBy: { username: 'admin' } });
  expect(adminEdit.data.commentUpdate.change.revisions[0]).toMatchObject({ body: 'mine', author: { username: 'bob' } });
});

test('deletes a comment and leaves a COMMENT_DELETED audit entry naming who deleted it and whose it was', async () => {
  const t = await newTicket();
  const c = (await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'oops, a secret' } }, bob)).data.commentAdd.change;
  await s.gql(EDIT, { id: c.id, body: 'still secret' }, bob);
  const r = await s.gql(DELETE, { id: c.id });
  expect(r.data.commentDelete).toEqual({ deletedId: c.id, change: { type: 'COMMENT_DELETED', oldValue: 'bob', author: { username: 'admin' } }, userErrors: [] });
  const h = await s.gql(`query($id: ID!, $c: ID!) { node(id: $c) { id } ticket(id: $id) { changes { edges { node { type body } } } } }`, { id: t.id, c: c.id });
  expect(h.data.node).toBeNull();
  expect(h.data.ticket.changes.edges.map((e: { node: { type: string; body: string | null } }) => e.node)).toEqual([
    { type: 'CREATED', body: null },
    { type: 'COMMENT_DELETED', body: null },
  ]);
  const again = await s.gql(DELETE, { id: c.id });
  expect(again.data.commentDelete.userErrors).toEqual([{ code: 'NOT_FOUND' }]);
});

test('deleting a comment on a draft leaves no audit entry', async () => {
  const t = await newTicket({ status: 'DRAFT' });
  const c = (await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'draft note' } }, alice)).data.commentAdd.change;
  const r = await s.gql(DELETE, { id: c.id }, alice);
  expect(r.data.commentDelete).toMatchObject({ deletedId: c.id, change: null });
  const h = await s.gql(`query($id: ID!) { ticket(id: $id) { changes { edges { node { type } } } } }`, { id: t.id });
  expect(h.data.ticket.changes.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual(['CREATED']);
});

test('refuses to edit history entries that are not comments', async () => {
  const t = await newTicket();
  const h = await s.gql(`query($id: ID!) { ticket(id: $id) { changes { edges { node { id } } } } }`, { id: t.id });
  const created = h.data.ticket.changes.edges[0].node.id;
  const r = await s.gql(EDIT, { id: created, body: 'rewrite history' });
  expect(r.data.commentUpdate.userErrors).toEqual([{ field: ['id'], code: 'NOT_FOUND' }]);
});

test('refuses a comment on a soft-deleted ticket by global id or number, leaving it untouched', async () => {
  const t = await newTicket();
  expect((await s.gql(`mutation($id: ID!) { ticketDelete(id: $id) { userErrors { code } } }`, { id: t.id })).errors).toBeUndefined();
  for (const ticketId of [t.id, `#${t.number}`]) {
    const r = await s.gql(COMMENT_ADD, { input: { ticketId, body: 'too late' } }, alice);
    expect(r.data.commentAdd.userErrors).toEqual([expect.objectContaining({ field: ['input', 'ticketId'], code: 'NOT_FOUND' })]);
  }
  const after = await s.gql(`query($id: ID!) { ticket(id: $id) { version changes(types: [COMMENT]) { totalCount } } }`, { id: t.id });
  expect(after.data.ticket).toBeNull(); // deleted: invisible, and the admin read below shows no new entry
  const admin = await s.gql(`query { tickets(first: 1, includeDeleted: true, query: "Talk") { edges { node { number changes(types: [COMMENT]) { totalCount } } } } }`);
  const row = admin.data.tickets.edges.find((e: { node: { number: number } }) => e.node.number === t.number);
  expect(row?.node.changes.totalCount ?? 0).toBe(0);
});
