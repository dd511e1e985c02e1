import { toGlobalId } from '../src/graphql/global-id';
import { COMMENT_ADD, CREATE } from './helpers/documents';
import { multipartRequest } from './helpers/multipart';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/**
 * A caller restricted to some categories (by its user, or by its API key) must get exactly the
 * answer it would get for a ticket that does not exist, everywhere: the same null, the same
 * NOT_FOUND body (request ids and the echoed reference aside), the same counts.
 */
let s: TestServer;
let dba: string; // user restricted to "database"
let narrowKey: string; // unrestricted user, key narrowed to "database"
const hidden = { ticket: '', number: 0, comment: '', file: '', fileUrl: '', fileName: 'secret.txt' };
const visible = { ticket: '' };
const MISSING = { ticket: toGlobalId('Ticket', 999_999), comment: toGlobalId('Change', 999_999), file: toGlobalId('TicketFile', 999_999) };

beforeAll(async () => {
  s = await startTestServer();
  for (const key of ['database', 'network']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  dba = await s.user('dba', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS'], { categories: ['database'] });
  await s.user('wide', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS']);
  const issued = await s.gql(`mutation { apiKeyCreate(input: { name: "db only", username: "wide", categories: ["database"] }) { secret } }`);
  narrowKey = issued.data.apiKeyCreate.secret;

  const net = (await s.gql(CREATE, { input: { subject: 'Core switch', category: 'network', cc: ['dba', 'wide'] } })).data.ticketCreate.ticket;
  hidden.ticket = net.id;
  hidden.number = net.number;
  hidden.comment = (await s.gql(COMMENT_ADD, { input: { ticketId: net.id, body: 'hidden comment' } })).data.commentAdd.change.id;
  const up = await multipartRequest(s.url, ADMIN_KEY, `mutation($t: ID!, $f: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $f) { files { id url } userErrors { message } } }`, { t: net.id, f: [null] }, [{ path: 'variables.f.0', filename: hidden.fileName, type: 'text/plain', content: 'top secret' }]);
  hidden.file = up.body.data.ticketFilesUpload.files[0].id;
  hidden.fileUrl = up.body.data.ticketFilesUpload.files[0].url;
  visible.ticket = (await s.gql(CREATE, { input: { subject: 'Replica lag', category: 'database' } })).data.ticketCreate.ticket.id;
});
afterAll(() => s?.close());

/** An error response with what legitimately differs removed: the request id and the reference the caller sent. */
function normalized(body: unknown, ref: string): string {
  // extensions.cost.remaining counts down with every request: the budget, not the ticket, differs.
  return JSON.stringify(body).split(ref).join('<ref>').replace(/"requestId":"[^"]+"/g, '"requestId":"<id>"').replace(/"remaining":\d+/g, '"remaining":<n>');
}

// Keys exist only after beforeAll, so each case names a getter.
const callers = [
  ['a user restricted to other categories', () => dba],
  ['a key narrowed to other categories', () => narrowKey],
] as const;

describe.each(callers)('for %s', (_label, keyOf) => {
  let key: string;
  beforeAll(() => {
    key = keyOf();
    expect(key).toMatch(/^tg_/);
  });

  test('reads answer null, as for a ticket that does not exist', async () => {
    const q = `query($t: ID!, $c: ID!, $f: ID!, $n: Int!) {
      ticket(id: $t) { id } byNumber: ticket(number: $n) { id } node(id: $t) { id } comment: node(id: $c) { id } file: node(id: $f) { id }
      ticketsByIds(ids: [$t]) { id } }`;
    const seen = await s.gql(q, { t: hidden.ticket, c: hidden.comment, f: hidden.file, n: hidden.number }, key);
    const missing = await s.gql(q, { t: MISSING.ticket, c: MISSING.comment, f: MISSING.file, n: 999_999 }, key);
    expect(seen.errors).toBeUndefined();
    expect(seen.data).toEqual({ ticket: null, byNumber: null, node: null, comment: null, file: null, ticketsByIds: [null] });
    expect(seen.data).toEqual(missing.data);
  });

  test('searches and counts leave the ticket out', async () => {
    const r = await s.gql(`{ all: tickets { totalCount } switch: tickets(query: "switch") { totalCount edges { node { id } } } byComment: tickets(query: "changes:\\"hidden comment\\"") { totalCount } viewer { unreadCount } }`, {}, key);
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ all: { totalCount: 1 }, switch: { totalCount: 0, edges: [] }, byComment: { totalCount: 0 }, viewer: { unreadCount: 0 } });
  });

  test('writes fail with the same NOT_FOUND as for a ticket, comment or file that does not exist', async () => {
    const pairs: [string, Record<string, unknown>, Record<string, unknown>, string, string][] = [
      [`mutation($t: ID!) { ticketUpdate(id: $t, input: { subject: "x" }) { ticket { id } userErrors { field code message } } }`, { t: hidden.ticket }, { t: MISSING.ticket }, hidden.ticket, MISSING.ticket],
      [`mutation($t: ID!) { commentAdd(input: { ticketId: $t, body: "x" }) { change { id } userErrors { field code message } } }`, { t: hidden.ticket }, { t: MISSING.ticket }, hidden.ticket, MISSING.ticket],
      [`mutation($c: ID!) { commentUpdate(id: $c, input: { body: "x" }) { change { id } userErrors { field code message } } }`, { c: hidden.comment }, { c: MISSING.comment }, hidden.comment, MISSING.comment],
      [`mutation($c: ID!) { commentDelete(id: $c) { deletedId userErrors { field code message } } }`, { c: hidden.comment }, { c: MISSING.comment }, hidden.comment, MISSING.comment],
      [`mutation($f: ID!) { ticketFileDelete(id: $f) { deletedId userErrors { field code message } } }`, { f: hidden.file }, { f: MISSING.file }, hidden.file, MISSING.file],
      [`mutation($t: ID!) { ticketDelete(id: $t) { deletedId userErrors { field code message } } }`, { t: hidden.ticket }, { t: MISSING.ticket }, hidden.ticket, MISSING.ticket],
    ];
    for (const [doc, hiddenVars, missingVars, hiddenRef, missingRef] of pairs) {
      const a = await s.gql(doc, hiddenVars, key);
      const b = await s.gql(doc, missingVars, key);
      const [payload] = Object.values(a.data) as { userErrors: { code: string }[] }[];
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
      expect({ status: a.status, body: normalized({ data: a.data, errors: a.errors }, hiddenRef) }).toEqual({ status: b.status, body: normalized({ data: b.data, errors: b.errors }, missingRef) });
    }
    const upload = async (t: string) => multipartRequest(s.url, key, `mutation($t: ID!, $f: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $f) { files { id } userErrors { field code message } } }`, { t, f: [null] }, [{ path: 'variables.f.0', filename: 'a.txt', type: 'text/plain', content: 'x' }]);
    const [a, b] = [await upload(hidden.ticket), await upload(MISSING.ticket)];
    expect(a.body.data.ticketFilesUpload).toEqual({ files: [], userErrors: [{ field: ['ticketId'], code: 'NOT_FOUND', message: 'No such ticket' }] });
    expect({ status: a.status, body: normalized(a.body, hidden.ticket) }).toEqual({ status: b.status, body: normalized(b.body, MISSING.ticket) });
    // Nothing was written.
    const check = await s.gql(`query($t: ID!) { ticket(id: $t) { subject deletedAt files { id } changes(first: 50) { totalCount } } }`, { t: hidden.ticket });
    expect(check.data.ticket).toMatchObject({ subject: 'Core switch', deletedAt: null, files: [{ id: hidden.file }], changes: { totalCount: 3 } });
  });

  test('the download route answers 404 exactly as for a file that does not exist', async () => {
    const get = async (id: string) => {
      const res = await fetch(`${s.url}/files/${encodeURIComponent(id)}/${hidden.fileName}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, body: normalized(await res.json(), id) };
    };
    const [a, b] = [await get(hidden.file), await get(MISSING.file)];
    expect(a.status).toBe(404);
    expect(a).toEqual(b);
  });
});

test('the caller still reads and writes what its categories allow (the restrictions above are not blanket refusals)', async () => {
  for (const key of [dba, narrowKey]) {
    const r = await s.gql(`query($t: ID!) { ticket(id: $t) { subject } }`, { t: visible.ticket }, key);
    expect(r.data.ticket).toEqual({ subject: 'Replica lag' });
    const c = await s.gql(COMMENT_ADD, { input: { ticketId: visible.ticket, body: 'ok' } }, key);
    expect(c.data.commentAdd.userErrors).toEqual([]);
  }
});

test('the download route refuses a bad key as UNAUTHENTICATED, not as a server error', async () => {
  const res = await fetch(`${s.url}/files/${encodeURIComponent(hidden.file)}/${hidden.fileName}`, { headers: { authorization: 'Bearer tg_not-a-key' } });
  expect(res.status).toBe(401);
  expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
});

test('comments are edited and deleted only by their author or an admin', async () => {
  const author = await s.user('author', ['EDIT_TICKETS']);
  const other = await s.user('other', ['EDIT_TICKETS']);
  const id = (await s.gql(COMMENT_ADD, { input: { ticketId: visible.ticket, body: 'mine' } }, author)).data.commentAdd.change.id;
  const edit = `mutation($c: ID!) { commentUpdate(id: $c, input: { body: "changed" }) { change { body } userErrors { field code } } }`;
  expect((await s.gql(edit, { c: id }, other)).data.commentUpdate).toEqual({ change: null, userErrors: [{ field: ['id'], code: 'FORBIDDEN' }] });
  expect((await s.gql(`mutation($c: ID!) { commentDelete(id: $c) { deletedId userErrors { field code } } }`, { c: id }, other)).data.commentDelete).toEqual({ deletedId: null, userErrors: [{ field: ['id'], code: 'FORBIDDEN' }] });
  expect((await s.gql(edit, { c: id }, author)).data.commentUpdate.change.body).toBe('changed');
  expect((await s.gql(`mutation($c: ID!) { commentDelete(id: $c) { deletedId } }`, { c: id })).data.commentDelete.deletedId).toBe(id);
});
