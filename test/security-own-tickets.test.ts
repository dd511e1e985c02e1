import { toGlobalId } from '../src/graphql/global-id';
import { COMMENT_ADD, CREATE } from './helpers/documents';
import { multipartRequest } from './helpers/multipart';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';
import { SignJWT } from 'jose';
import { eventually, wsClient, type WsClient } from './helpers/ws-client';

/**
 * Own tickets only (the helpdesk's OnlyPrivate), set on a user or on an API key: the caller sees the
 * tickets it requested, created, or is assigned or cc'd on, and gets for every other ticket exactly
 * the answer it would get for one that does not exist, on every read path (the structure of
 * security-scoping.test.ts), and may only write to the tickets it sees.
 */
let s: TestServer;
let mine: string; // user restricted to own tickets
let wideKey: string; // unrestricted user "wide", key restricted to own tickets
const hidden = { ticket: '', number: 0, comment: '', file: '', fileName: 'secret.txt' };
const t = { reqMine: '', reqWide: '', assigned: '', cc: '' };
const MISSING = { ticket: toGlobalId('Ticket', 999_999), comment: toGlobalId('Change', 999_999), file: toGlobalId('TicketFile', 999_999) };
const clients: WsClient[] = [];
const JWT_SECRET = 'own-tickets-test-secret-of-at-least-32-bytes';
const jwtFor = (sub: string) => new SignJWT({ sub, iss: 'https://idp.test', aud: 'ticket-gateway' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(JWT_SECRET));

async function ticket(input: Record<string, unknown>): Promise<{ id: string; number: number }> {
  const r = await s.gql(CREATE, { input });
  expect(r.data.ticketCreate.userErrors).toEqual([]);
  return r.data.ticketCreate.ticket;
}

beforeAll(async () => {
  s = await startTestServer({ SUBSCRIPTION_REAUTH_INTERVAL: '1s', JWT_SECRET, JWT_ISSUER: 'https://idp.test', JWT_AUDIENCE: 'ticket-gateway' });
  mine = await s.user('mine', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS'], { ownTicketsOnly: true });
  await s.user('wide', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS']);
  const issued = await s.gql(`mutation { apiKeyCreate(input: { name: "own only", username: "wide", ownTicketsOnly: true }) { secret apiKey { ownTicketsOnly } userErrors { message } } }`);
  expect(issued.data.apiKeyCreate.apiKey).toEqual({ ownTicketsOnly: true });
  wideKey = issued.data.apiKeyCreate.secret;

  const h = await ticket({ subject: 'Core switch', body: 'not yours' });
  hidden.ticket = h.id;
  hidden.number = h.number;
  hidden.comment = (await s.gql(COMMENT_ADD, { input: { ticketId: h.id, body: 'hidden comment' } })).data.commentAdd.change.id;
  const up = await multipartRequest(s.url, ADMIN_KEY, `mutation($t: ID!, $f: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $f) { files { id url } userErrors { message } } }`, { t: h.id, f: [null] }, [{ path: 'variables.f.0', filename: hidden.fileName, type: 'text/plain', content: 'top secret' }]);
  hidden.file = up.body.data.ticketFilesUpload.files[0].id;

  t.reqMine = (await ticket({ subject: 'Requested by mine', requester: 'mine' })).id;
  t.reqWide = (await ticket({ subject: 'Requested by wide', requester: 'wide' })).id;
  t.assigned = (await ticket({ subject: 'Assigned to both', assignees: ['mine', 'wide'] })).id;
  t.cc = (await ticket({ subject: 'Cc both', cc: ['mine', 'wide'] })).id;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(() => s?.close());

function normalized(body: unknown, ref: string): string {
  return JSON.stringify(body).split(ref).join('<ref>').replace(/"requestId":"[^"]+"/g, '"requestId":"<id>"').replace(/"remaining":\d+/g, '"remaining":<n>');
}

const callers = [
  ['a user restricted to own tickets', () => mine, 'mine', 'Requested by mine'],
  ['an API key restricted to own tickets', () => wideKey, 'wide', 'Requested by wide'],
] as const;

describe.each(callers)('for %s', (_label, keyOf, username, requestedSubject) => {
  let key: string;
  const otherRequested = () => (username === 'mine' ? t.reqWide : t.reqMine);
  beforeAll(() => {
    key = keyOf();
    expect(key).toMatch(/^tg_/);
  });

  test('reads answer null for tickets that are not its own, as for a ticket that does not exist', async () => {
    const q = `query($t: ID!, $c: ID!, $f: ID!, $n: Int!) {
      ticket(id: $t) { id } byNumber: ticket(number: $n) { id } node(id: $t) { id } nodes(ids: [$t]) { id } comment: node(id: $c) { id } file: node(id: $f) { id }
      ticketsByIds(ids: [$t]) { id } }`;
    const seen = await s.gql(q, { t: hidden.ticket, c: hidden.comment, f: hidden.file, n: hidden.number }, key);
    const missing = await s.gql(q, { t: MISSING.ticket, c: MISSING.comment, f: MISSING.file, n: 999_999 }, key);
    expect(seen.errors).toBeUndefined();
    expect(seen.data).toEqual({ ticket: null, byNumber: null, node: null, nodes: [null], comment: null, file: null, ticketsByIds: [null] });
    expect(seen.data).toEqual(missing.data);
    const other = await s.gql(`query($t: ID!) { ticket(id: $t) { id } }`, { t: otherRequested() }, key);
    expect(other.data.ticket).toBeNull();
    const entities = await s.gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { subject } } }`, { r: [{ __typename: 'Ticket', id: hidden.ticket }, { __typename: 'Ticket', number: hidden.number }, { __typename: 'Ticket', id: t.cc }] }, key);
    expect(entities.data._entities).toEqual([null, null, { subject: 'Cc both' }]);
  });

  test('searches, counts, views, user lists and the change stream hold only its own tickets', async () => {
    const own = ['Assigned to both', 'Cc both', requestedSubject].sort();
    const subjects = (c: { edges: { node: { subject: string } }[] }) => c.edges.map((e) => e.node.subject).sort();
    const r = await s.gql(`query($u: String!) {
      all: tickets(first: 50) { totalCount edges { node { subject } } }
      switch: tickets(query: "switch") { totalCount }
      byComment: tickets(query: "changes:\\"hidden comment\\"") { totalCount }
      filtered: tickets(filter: { requester: { isNull: false } }) { totalCount edges { node { subject } } }
      viewer { unreadCount }
      admin: user(username: "admin") { requestedTickets { totalCount } createdTickets: assignedTickets { totalCount } }
      me: user(username: $u) { requestedTickets { totalCount edges { node { subject } } } assignedTickets { totalCount } }
      savedSearches { name tickets(first: 50) { totalCount } }
      ticketChangeStream(first: 100) { totalCount edges { node { ticket { subject } } } } }`, { u: username }, key);
    expect(r.errors).toBeUndefined();
    expect(r.data.all.totalCount).toBe(3);
    expect(subjects(r.data.all)).toEqual(own);
    expect(r.data.switch.totalCount).toBe(0);
    expect(r.data.byComment.totalCount).toBe(0);
    expect(subjects(r.data.filtered)).toEqual(own);
    expect(r.data.viewer.unreadCount).toBe(3);
    // The admin requested (created) every other ticket; none of them is this caller's.
    expect(r.data.admin).toEqual({ requestedTickets: { totalCount: 2 }, createdTickets: { totalCount: 0 } });
    expect(r.data.me.requestedTickets).toEqual({ totalCount: 1, edges: [{ node: { subject: requestedSubject } }] });
    expect(r.data.me.assignedTickets.totalCount).toBe(1);
    const views = Object.fromEntries(r.data.savedSearches.map((v: { name: string; tickets: { totalCount: number } }) => [v.name, v.tickets.totalCount]));
    expect(views).toMatchObject({ 'My open tickets': 2, 'Requested by me': 1, Unassigned: 2 });
    expect(new Set(r.data.ticketChangeStream.edges.map((e: { node: { ticket: { subject: string } } }) => e.node.ticket.subject))).toEqual(new Set(own));
    const hiddenHistory = await s.gql(`query($t: ID) { ticketChangeStream(first: 10, ticketId: $t) { totalCount } }`, { t: hidden.ticket }, key);
    expect(hiddenHistory.data?.ticketChangeStream?.totalCount ?? 0).toBe(0);
  });

  test('writes to tickets that are not its own fail with the same NOT_FOUND as for a ticket that does not exist', async () => {
    const pairs: [string, Record<string, unknown>, Record<string, unknown>, string, string][] = [
      [`mutation($t: ID!) { ticketUpdate(id: $t, input: { subject: "x" }) { ticket { id } userErrors { field code message } } }`, { t: hidden.ticket }, { t: MISSING.ticket }, hidden.ticket, MISSING.ticket],
      [`mutation($t: ID!) { commentAdd(input: { ticketId: $t, body: "x" }) { change { id } userErrors { field code message } } }`, { t: hidden.ticket }, { t: MISSING.ticket }, hidden.ticket, MISSING.ticket],
      [`mutation($c: ID!) { commentUpdate(id: $c, input: { body: "x" }) { change { id } userErrors { field code message } } }`, { c: hidden.comment }, { c: MISSING.comment }, hidden.comment, MISSING.comment],
      [`mutation($f: ID!) { ticketFileDelete(id: $f) { deletedId userErrors { field code message } } }`, { f: hidden.file }, { f: MISSING.file }, hidden.file, MISSING.file],
      [`mutation($t: ID!) { ticketDelete(id: $t) { deletedId userErrors { field code message } } }`, { t: hidden.ticket }, { t: MISSING.ticket }, hidden.ticket, MISSING.ticket],
    ];
    const CHECK = `query($t: ID!) { ticket(id: $t) { subject deletedAt version files { id } changes(first: 50) { totalCount } } }`;
    const before = (await s.gql(CHECK, { t: hidden.ticket })).data.ticket;
    for (const [doc, hiddenVars, missingVars, hiddenRef, missingRef] of pairs) {
      const a = await s.gql(doc, hiddenVars, key);
      const b = await s.gql(doc, missingVars, key);
      const [payload] = Object.values(a.data) as { userErrors: { code: string }[] }[];
      expect(payload.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
      expect({ status: a.status, body: normalized({ data: a.data, errors: a.errors }, hiddenRef) }).toEqual({ status: b.status, body: normalized({ data: b.data, errors: b.errors }, missingRef) });
    }
    // Nothing was written.
    expect((await s.gql(CHECK, { t: hidden.ticket })).data.ticket).toEqual(before);
    expect(before).toMatchObject({ subject: 'Core switch', deletedAt: null, files: [{ id: hidden.file }] });
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

  test('subscriptions deliver events of its own tickets only', async () => {
    const c = wsClient(s.url, { Authorization: `Bearer ${key}` });
    clients.push(c);
    const before = s.app.services.ticketStream.subscriberCount;
    const view = c.subscribe<any>(`subscription { ticketChanged { ticket { subject } change { type body } } }`);
    const created = c.subscribe<any>(`subscription { ticketCreated { subject } }`);
    const filtered = c.subscribe<any>(`subscription($f: TicketFilter) { ticketCreated(filter: $f) { subject } }`, { f: { requester: { eq: username } } });
    const one = c.subscribe<any>(`subscription($id: ID!) { ticketUpdated(id: $id) { change { body } } }`, { id: hidden.ticket });
    await one.ended();
    expect(one.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
    await eventually('subscriptions registered', () => s.app.services.ticketStream.subscriberCount === before + 3);

    await s.gql(COMMENT_ADD, { input: { ticketId: hidden.ticket, body: 'not for you' } });
    await ticket({ subject: `Someone else's ${username}` });
    await ticket({ subject: `Assigned new ${username}`, assignees: [username] });
    const sentinel = await ticket({ subject: `Requested new ${username}`, requester: username });
    await s.gql(COMMENT_ADD, { input: { ticketId: sentinel.id, body: 'sentinel' } });

    await view.waitFor(3);
    await created.waitFor(2);
    await filtered.waitFor(1);
    expect(view.events.map((e) => [e.ticketChanged.ticket.subject, e.ticketChanged.change.type])).toEqual([
      [`Assigned new ${username}`, 'CREATED'],
      [`Requested new ${username}`, 'CREATED'],
      [`Requested new ${username}`, 'COMMENT'],
    ]);
    expect(created.events.map((e) => e.ticketCreated.subject)).toEqual([`Assigned new ${username}`, `Requested new ${username}`]);
    expect(filtered.events.map((e) => e.ticketCreated.subject)).toEqual([`Requested new ${username}`]);
  });
});

test('the restricted callers still read and write their own tickets, and those they create', async () => {
  for (const [key, requested] of [[mine, t.reqMine], [wideKey, t.reqWide]] as const) {
    for (const id of [requested, t.assigned, t.cc]) {
      const r = await s.gql(`query($t: ID!) { ticket(id: $t) { id changes(first: 5) { totalCount } } }`, { t: id }, key);
      expect(r.data.ticket.id).toBe(id);
      const c = await s.gql(COMMENT_ADD, { input: { ticketId: id, body: 'ok' } }, key);
      expect(c.data.commentAdd.userErrors).toEqual([]);
    }
    const created = await s.gql(CREATE, { input: { subject: 'My own' } }, key);
    expect(created.data.ticketCreate.userErrors).toEqual([]);
    const back = await s.gql(`query($t: ID!) { ticket(id: $t) { subject } }`, { t: created.data.ticketCreate.ticket.id }, key);
    expect(back.data.ticket).toEqual({ subject: 'My own' });
  }
  // The unrestricted user behind the restricted key still sees everything with another credential.
  const wide = await s.gql(`mutation { apiKeyCreate(input: { name: "all", username: "wide" }) { secret } }`);
  const all = await s.gql(`query($t: ID!) { ticket(id: $t) { subject } }`, { t: hidden.ticket }, wide.data.apiKeyCreate.secret);
  expect(all.data.ticket).toEqual({ subject: 'Core switch' });
});

test('a restricted key issues only restricted keys, and sees only restricted keys of its user', async () => {
  const CREATE_KEY = `mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { secret apiKey { ownTicketsOnly } userErrors { field code message } } }`;
  const broad = await s.gql(CREATE_KEY, { i: { name: 'escape' } }, wideKey);
  expect(broad.data.apiKeyCreate).toEqual({ secret: null, apiKey: null, userErrors: [{ field: ['input', 'ownTicketsOnly'], code: 'FORBIDDEN', message: expect.stringContaining('own tickets') }] });
  const narrow = await s.gql(CREATE_KEY, { i: { name: 'still narrow', ownTicketsOnly: true } }, wideKey);
  expect(narrow.data.apiKeyCreate.userErrors).toEqual([]);
  expect(narrow.data.apiKeyCreate.apiKey).toEqual({ ownTicketsOnly: true });
  const hiddenRead = await s.gql(`query($t: ID!) { ticket(id: $t) { id } }`, { t: hidden.ticket }, narrow.data.apiKeyCreate.secret);
  expect(hiddenRead.data.ticket).toBeNull();
  // Its user's unrestricted keys are broader than the caller: not listed.
  const listed = await s.gql(`{ viewer { apiKeys { name ownTicketsOnly } } }`, {}, wideKey);
  expect(listed.data.viewer.apiKeys.every((k: { ownTicketsOnly: boolean }) => k.ownTicketsOnly)).toBe(true);

  // A restricted user (any credential) may issue keys for itself: its own restriction binds them.
  const own = await s.gql(CREATE_KEY, { i: { name: 'mine too' } }, mine);
  expect(own.data.apiKeyCreate.userErrors).toEqual([]);
  const ownRead = await s.gql(`query($t: ID!) { ticket(id: $t) { id } tickets { totalCount } }`, { t: hidden.ticket }, own.data.apiKeyCreate.secret);
  expect(ownRead.data.ticket).toBeNull();
  expect(ownRead.data.tickets.totalCount).toBeGreaterThanOrEqual(3);
});

test('admins set the restriction on users (userCreate, userUpdate); a restricted admin cannot create or free unrestricted users', async () => {
  const UPDATE_USER = `mutation($i: UserUpdateInput!) { userUpdate(input: $i) { user { username ownTicketsOnly } userErrors { field code message } } }`;
  const key = await s.user('later', ['EDIT_TICKETS']);
  expect((await s.gql(`query($t: ID!) { ticket(id: $t) { id } }`, { t: hidden.ticket }, key)).data.ticket).not.toBeNull();
  const on = await s.gql(UPDATE_USER, { i: { username: 'later', ownTicketsOnly: true } });
  expect(on.data.userUpdate).toEqual({ user: { username: 'later', ownTicketsOnly: true }, userErrors: [] });
  expect((await s.gql(`query($t: ID!) { ticket(id: $t) { id } }`, { t: hidden.ticket }, key)).data.ticket).toBeNull();
  expect((await s.gql(`{ viewer { ownTicketsOnly } }`, {}, key)).data.viewer).toEqual({ ownTicketsOnly: true });
  const unknown = await s.gql(UPDATE_USER, { i: { username: 'nobody', ownTicketsOnly: true } });
  expect(unknown.data.userUpdate.userErrors).toEqual([{ field: ['input', 'username'], code: 'NOT_FOUND', message: 'Unknown user: nobody' }]);
  const notAdmin = await s.gql(UPDATE_USER, { i: { username: 'later', ownTicketsOnly: false } }, mine);
  expect(notAdmin.data?.userUpdate ?? null).toBeNull();
  expect(notAdmin.errors?.[0].extensions?.code).toBe('FORBIDDEN');

  const boss = await s.user('boss', ['ADMIN'], { ownTicketsOnly: true });
  const free = await s.gql(UPDATE_USER, { i: { username: 'later', ownTicketsOnly: false } }, boss);
  expect(free.data.userUpdate.userErrors).toEqual([{ field: ['input', 'ownTicketsOnly'], code: 'FORBIDDEN', message: expect.stringContaining('own tickets') }]);
  const created = await s.gql(`mutation { userCreate(input: { username: "wider" }) { user { username } userErrors { field code } } }`, {}, boss);
  expect(created.data.userCreate).toEqual({ user: null, userErrors: [{ field: ['input', 'ownTicketsOnly'], code: 'FORBIDDEN' }] });
  const keyForOther = await s.gql(`mutation { apiKeyCreate(input: { name: "x", username: "wide" }) { secret userErrors { field code } } }`, {}, boss);
  expect(keyForOther.data.apiKeyCreate).toEqual({ secret: null, userErrors: [{ field: ['input', 'ownTicketsOnly'], code: 'FORBIDDEN' }] });
  const off = await s.gql(UPDATE_USER, { i: { username: 'later', ownTicketsOnly: false } });
  expect(off.data.userUpdate.user.ownTicketsOnly).toBe(false);
  expect((await s.gql(`query($t: ID!) { ticket(id: $t) { id } }`, { t: hidden.ticket }, key)).data.ticket).not.toBeNull();
});

test("a JWT caller acts within its user's restriction, and the keys it issues for itself are bound by it", async () => {
  const token = await jwtFor('mine');
  const r = await s.gql(`query($t: ID!) { ticket(id: $t) { id } tickets { totalCount } viewer { username ownTicketsOnly } }`, { t: hidden.ticket }, token);
  expect(r.errors).toBeUndefined();
  expect(r.data.ticket).toBeNull();
  expect(r.data.viewer).toEqual({ username: 'mine', ownTicketsOnly: true });
  const mineCount = (await s.gql(`{ tickets { totalCount } }`, {}, mine)).data.tickets.totalCount;
  expect(r.data.tickets.totalCount).toBe(mineCount);
  const issued = await s.gql(`mutation { apiKeyCreate(input: { name: "from jwt" }) { secret apiKey { ownTicketsOnly } userErrors { field code } } }`, {}, token);
  expect(issued.data.apiKeyCreate.userErrors).toEqual([]);
  // The key does not restrict itself, but its user's restriction binds it.
  expect(issued.data.apiKeyCreate.apiKey).toEqual({ ownTicketsOnly: false });
  expect((await s.gql(`query($t: ID!) { ticket(id: $t) { id } }`, { t: hidden.ticket }, issued.data.apiKeyCreate.secret)).data.ticket).toBeNull();
});

test('restricting a user closes its open WebSocket connections at the next credential check', async () => {
  const key = await s.user('streamer', ['EDIT_TICKETS']);
  const c = wsClient(s.url, { Authorization: `Bearer ${key}` });
  clients.push(c);
  const before = s.app.services.ticketStream.subscriberCount;
  c.subscribe<any>(`subscription { ticketChanged { change { body } } }`);
  await eventually('subscribed', () => s.app.services.ticketStream.subscriberCount === before + 1);
  const r = await s.gql(`mutation { userUpdate(input: { username: "streamer", ownTicketsOnly: true }) { userErrors { message } } }`);
  expect(r.data.userUpdate.userErrors).toEqual([]);
  expect(await c.closed).toEqual({ code: 4403, reason: expect.stringContaining('access changed') });
});
