import { toGlobalId } from '../src/graphql/global-id';
import { COMMENT_ADD, CREATE, UPDATE } from './helpers/documents';
import { multipartRequest } from './helpers/multipart';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;
let alice: string;

beforeAll(async () => {
  s = await startTestServer();
  alice = await s.user('alice');
});
afterAll(() => s?.close());

test('allocates unique, gap-free numbers to 20 concurrent creates', async () => {
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.gql(CREATE, { input: { subject: `Concurrent ${i}` } }, alice)));
  for (const r of results) expect(r.data.ticketCreate.userErrors).toEqual([]);
  const numbers = results.map((r) => r.data.ticketCreate.ticket.number as number).sort((a, b) => a - b);
  expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  const list = await s.gql(`{ tickets(first: 100) { totalCount } }`);
  expect(list.data.tickets.totalCount).toBe(20);
});

test('persists all of 50 concurrent comments on one ticket and counts each as a version', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Busy' } }, alice)).data.ticketCreate.ticket;
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: `comment ${i}` } }, alice)));
  for (const r of results) {
    expect(r.errors).toBeUndefined();
    expect(r.data.commentAdd.userErrors).toEqual([]);
  }
  const h = await s.gql(`query($id: ID!) { ticket(id: $id) { version changes(types: [COMMENT], first: 100) { totalCount edges { node { body } } } } }`, { id: t.id });
  expect(h.data.ticket.version).toBe(51);
  expect(h.data.ticket.changes.totalCount).toBe(50);
  expect(new Set(h.data.ticket.changes.edges.map((e: { node: { body: string } }) => e.node.body)).size).toBe(50);
});

test('lets exactly one of 50 concurrent editors with the same expectedVersion win; the other 49 get CONFLICT and nothing is lost silently', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Contested' } }, alice)).data.ticketCreate.ticket;
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.gql(UPDATE, { id: t.id, input: { subject: `Editor ${i}`, expectedVersion: 1 } }, alice)));
  const winners = results.filter((r) => r.data.ticketUpdate.userErrors.length === 0);
  const conflicts = results.filter((r) => r.data.ticketUpdate.userErrors[0]?.code === 'CONFLICT');
  expect(winners).toHaveLength(1);
  expect(conflicts).toHaveLength(49);
  for (const r of results) expect(r.errors).toBeUndefined();
  const after = await s.gql(`query($id: ID!) { ticket(id: $id) { subject version changes(types: [CHANGE]) { totalCount } } }`, { id: t.id });
  // Exactly the winner's edit is stored and recorded once in the history.
  expect(after.data.ticket).toEqual({ subject: winners[0].data.ticketUpdate.ticket.subject, version: 2, changes: { totalCount: 1 } });
});

test('records every concurrent edit without expectedVersion against the state it replaced', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Racy', priority: 'LOW' } }, alice)).data.ticketCreate.ticket;
  const admin = undefined;
  await Promise.all([
    s.gql(UPDATE, { id: t.id, input: { priority: 'HIGH' } }, alice),
    s.gql(UPDATE, { id: t.id, input: { status: 'IN_PROGRESS' } }, admin),
    s.gql(UPDATE, { id: t.id, input: { server: 'db-9' } }, alice),
  ]);
  const after = await s.gql(`query($id: ID!) { ticket(id: $id) { priority status server version changes(types: [CHANGE]) { totalCount } } }`, { id: t.id });
  expect(after.data.ticket).toEqual({ priority: 'HIGH', status: 'IN_PROGRESS', server: 'db-9', version: 4, changes: { totalCount: 3 } });
});

test('comments take expectedVersion too: of 20 concurrent commenters at the same version exactly one writes; edits and deletes check it', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Guarded comments' } }, alice)).data.ticketCreate.ticket;
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: `guarded ${i}`, expectedVersion: 1 } }, alice)));
  for (const r of results) expect(r.errors).toBeUndefined();
  const winners = results.filter((r) => r.data.commentAdd.change !== null);
  expect(winners).toHaveLength(1);
  expect(results.filter((r) => r.data.commentAdd.userErrors[0]?.code === 'CONFLICT')).toHaveLength(19);
  const read = `query($id: ID!) { ticket(id: $id) { version changes(types: [COMMENT]) { totalCount } } }`;
  expect((await s.gql(read, { id: t.id })).data.ticket).toEqual({ version: 2, changes: { totalCount: 1 } });

  const commentId = winners[0].data.commentAdd.change.id;
  const stale = await s.gql(`mutation($id: ID!) { commentUpdate(id: $id, input: { body: "edited", expectedVersion: 1 }) { change { body } userErrors { code } } }`, { id: commentId }, alice);
  expect(stale.data.commentUpdate).toEqual({ change: null, userErrors: [{ code: 'CONFLICT' }] });
  const staleDelete = await s.gql(`mutation($id: ID!) { commentDelete(id: $id, expectedVersion: 1) { deletedId userErrors { code } } }`, { id: commentId }, alice);
  expect(staleDelete.data.commentDelete).toEqual({ deletedId: null, userErrors: [{ code: 'CONFLICT' }] });
  const fresh = await s.gql(`mutation($id: ID!) { commentUpdate(id: $id, input: { body: "edited", expectedVersion: 2 }) { change { body } userErrors { code } } }`, { id: commentId }, alice);
  expect(fresh.data.commentUpdate).toEqual({ change: { body: 'edited' }, userErrors: [] });
  expect((await s.gql(read, { id: t.id })).data.ticket).toEqual({ version: 3, changes: { totalCount: 1 } });
});

test('file uploads, file removal, replies, delete and restore take expectedVersion: a stale one is CONFLICT and writes nothing', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Versioned', requester: 'alice' } })).data.ticketCreate.ticket;
  const version = async () => (await s.gql(`query($id: ID!) { ticket(id: $id) { version files { id } } }`, { id: t.id })).data.ticket;
  const conflictOf = (userErrors: { code: string }[]) => userErrors.map((e) => e.code);
  const UPLOAD = `mutation($t: ID!, $f: [Upload!]!, $v: Int) { ticketFilesUpload(ticketId: $t, files: $f, expectedVersion: $v) { files { id } userErrors { field code } } }`;
  const up = (v: number) => multipartRequest(s.url, ADMIN_KEY, UPLOAD, { t: t.id, f: [null], v }, [{ path: 'variables.f.0', filename: 'a.log', type: 'text/plain', content: 'x' }]);

  const v1 = (await version()).version;
  expect(conflictOf((await up(v1 - 1)).body.data.ticketFilesUpload.userErrors)).toEqual(['CONFLICT']);
  expect(await version()).toEqual({ version: v1, files: [] });
  const stored = (await up(v1)).body.data.ticketFilesUpload;
  expect(stored.userErrors).toEqual([]);

  const v2 = (await version()).version;
  const DEL_FILE = `mutation($id: ID!, $v: Int) { ticketFileDelete(id: $id, expectedVersion: $v) { deletedId userErrors { code } } }`;
  expect(conflictOf((await s.gql(DEL_FILE, { id: stored.files[0].id, v: v2 - 1 })).data.ticketFileDelete.userErrors)).toEqual(['CONFLICT']);
  expect(await version()).toEqual({ version: v2, files: [{ id: stored.files[0].id }] });

  const REPLY = `mutation($id: ID!, $b: String!, $v: Int) { ticketReply(id: $id, input: { body: $b, expectedVersion: $v }) { change { id } userErrors { code } } }`;
  expect(conflictOf((await s.gql(REPLY, { id: t.id, b: 'late', v: v2 - 1 }, alice)).data.ticketReply.userErrors)).toEqual(['CONFLICT']);
  expect((await version()).version).toBe(v2);

  const DELETE = `mutation($id: ID!, $v: Int) { ticketDelete(id: $id, expectedVersion: $v) { deletedId userErrors { code } } }`;
  expect(conflictOf((await s.gql(DELETE, { id: t.id, v: v2 - 1 })).data.ticketDelete.userErrors)).toEqual(['CONFLICT']);
  expect((await s.gql(DELETE, { id: t.id, v: v2 })).data.ticketDelete).toEqual({ deletedId: t.id, userErrors: [] });
  const RESTORE = `mutation($id: ID!, $v: Int) { ticketRestore(id: $id, expectedVersion: $v) { ticket { version } userErrors { code } } }`;
  expect(conflictOf((await s.gql(RESTORE, { id: t.id, v: v2 })).data.ticketRestore.userErrors)).toEqual(['CONFLICT']);
  expect((await s.gql(RESTORE, { id: t.id, v: v2 + 1 })).data.ticketRestore).toEqual({ ticket: { version: v2 + 2 }, userErrors: [] });
});

test("a restricted caller's stale expectedVersion is a CONFLICT on a ticket it sees, and the NOT_FOUND of a missing ticket on one it does not", async () => {
  // commentAdd by global id reads no ticket first: the touch's WHERE carries the visibility rule, and
  // only when it changed nothing is the ticket read to tell a stale version from an invisible ticket.
  for (const key of ['database', 'network']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  const dba = await s.user('dba', ['CREATE_TICKETS', 'EDIT_TICKETS'], { categories: ['database'] });
  const mine = await s.user('mine', ['CREATE_TICKETS', 'EDIT_TICKETS'], { ownTicketsOnly: true });
  const open = async (input: Record<string, unknown>) => {
    const t = (await s.gql(CREATE, { input }, alice)).data.ticketCreate.ticket;
    await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'moves it to version 2' } }, alice);
    return t.id as string;
  };
  const dbTicket = await open({ subject: 'Replica lag', category: 'database' });
  const netTicket = await open({ subject: 'Core switch', category: 'network' });
  const assigned = await open({ subject: 'Assigned to mine', assignees: ['mine'] });
  const others = await open({ subject: 'Not mine' });
  const add = async (ticketId: string, key: string, expectedVersion = 1) => (await s.gql(COMMENT_ADD, { input: { ticketId, body: 'stale', expectedVersion } }, key)).data.commentAdd;
  const missing = await add(toGlobalId('Ticket', 999_999), dba);
  expect(missing.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);

  for (const [key, visible, invisible] of [[dba, dbTicket, netTicket], [mine, assigned, others]]) {
    const conflict = await add(visible, key);
    expect(conflict.change).toBeNull();
    expect(conflict.userErrors).toEqual([expect.objectContaining({ code: 'CONFLICT' })]);
    // Invisible: exactly what a ticket that does not exist answers, not a CONFLICT that would tell it exists.
    const hidden = await add(invisible, key);
    expect(hidden).toEqual(missing);
    // At the current version the visible ticket takes the comment.
    expect((await add(visible, key, 2)).userErrors).toEqual([]);
  }
  // Nothing was written but the two accepted comments.
  const count = async (id: string) => (await s.gql(`query($id: ID!) { ticket(id: $id) { version changes(types: [COMMENT]) { totalCount } } }`, { id }, alice)).data.ticket;
  expect(await count(dbTicket)).toEqual({ version: 3, changes: { totalCount: 2 } });
  expect(await count(assigned)).toEqual({ version: 3, changes: { totalCount: 2 } });
  expect(await count(netTicket)).toEqual({ version: 2, changes: { totalCount: 1 } });
  expect(await count(others)).toEqual({ version: 2, changes: { totalCount: 1 } });
});
