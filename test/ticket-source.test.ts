import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { requesterUsername } from '../src/services/requester-resolver';
import { SmtpSink } from './helpers/smtp-sink';
import { startTestServer, type TestServer } from './helpers/test-server';
import { eventually, wsClient, type WsClient } from './helpers/ws-client';

/*
 * The integration create: a ticket's source (from the credential, the origin or the input), its
 * externalId (a retry with the same source and externalId answers the first ticket, also when the
 * retries race), the requester named by e-mail address (requester-only users with
 * REQUESTER_AUTO_CREATE), and both fields in search, filters, subscriptions, metadata and webhooks.
 */

const SECRET = 'jwt-test-secret-0123456789abcdef-0123456789';
const ISSUER = 'https://idp.test';
const AUDIENCE = 'ticket-gateway';

const CREATE = `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) {
  ticket { id number subject source externalId requester { username requesterOnly } changes { edges { node { type body } } } }
  existing userErrors { field message code } } }`;

const sink = new SmtpSink();
let s: TestServer;
let ada: string;
let receiver: http.Server;
let hookUrl: string;
const hooks: { event: string; ticket: { number: number; source: string; externalId: string | null } }[] = [];
const clients: WsClient[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await sink.start();
  s = await startTestServer({
    REQUESTER_AUTO_CREATE: 'true', SMTP_URL: sink.url, OUTBOX_POLL_MS: '50', OUTBOX_RETRY_BASE_MS: '50', OUTBOUND_ALLOW: '127.0.0.1/32',
    JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE,
  });
  ada = await s.user('ada');
  await s.user('jules');
  const hook = await s.gql(`mutation($i: WebhookCreateInput!) { webhookCreate(input: $i) { userErrors { message } } }`, { i: { url: hookUrl, events: ['TICKET_CREATED'] } });
  expect(hook.data.webhookCreate.userErrors).toEqual([]);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});
afterAll(async () => {
  await s?.close();
  await sink.stop();
  await new Promise<void>((r) => receiver.close(() => r()));
});

function jwtFor(username: string): Promise<string> {
  return new SignJWT({ sub: username, iss: ISSUER, aud: AUDIENCE }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
}

async function create(input: Record<string, unknown>, key: string | null = ada) {
  const r = await s.gql(CREATE, { input }, key);
  expect(r.errors).toBeUndefined();
  return r.data.ticketCreate as { ticket: any; existing: boolean | null; userErrors: { field: string[]; message: string; code: string }[] };
}

async function numbers(args: { query?: string; filter?: unknown }, key: string | null = ada): Promise<number[]> {
  const r = await s.gql(`query($q: String, $f: TicketFilter) { tickets(query: $q, filter: $f, first: 100) { edges { node { number } } } }`, { q: args.query ?? null, f: args.filter ?? null }, key);
  expect(r.errors).toBeUndefined();
  return (r.data.tickets.edges as { node: { number: number } }[]).map((e) => e.node.number).sort((a, b) => a - b);
}

test('the source is API with an API key, MANUAL with a JWT, what the caller names (MANUAL, API, EMAIL), and JOB or ALERT from the origin', async () => {
  expect((await create({ subject: 'From a script' })).ticket.source).toBe('API');
  expect((await create({ subject: 'From a person' }, await jwtFor('jules'))).ticket.source).toBe('MANUAL');
  expect((await create({ subject: 'From the mail bridge', source: 'EMAIL' })).ticket.source).toBe('EMAIL');
  expect((await create({ subject: 'Typed in a UI that uses a key', source: 'MANUAL' })).ticket.source).toBe('MANUAL');

  const job = await create({ subject: 'Claims to be a job', source: 'JOB' });
  expect(job).toMatchObject({ ticket: null, existing: null, userErrors: [{ field: ['input', 'source'], code: 'INVALID' }] });

  const alert = await s.gql(
    `mutation($i: TicketCreateFromAlertInput!) { ticketCreateFromAlert(input: $i) { ticket { source externalId origin { kind sourceId } } userErrors { message } } }`,
    { i: { alert: { id: 'inv-1', title: 'High CPU', server: 'web-3', firedAt: '2026-11-23T10:00:00.000Z' } } },
    ada,
  );
  expect(alert.data.ticketCreateFromAlert).toEqual({ ticket: { source: 'ALERT', externalId: null, origin: { kind: 'ALERT', sourceId: 'inv-1' } }, userErrors: [] });
  const fromJob = await s.gql(
    `mutation($i: TicketCreateFromJobInput!) { ticketCreateFromJob(input: $i) { ticket { source origin { kind sourceId } } userErrors { message } } }`,
    { i: { job: { id: 'ext-7', eventTitle: 'Nightly backup', code: 1 } } },
    ada,
  );
  expect(fromJob.data.ticketCreateFromJob).toEqual({ ticket: { source: 'JOB', origin: { kind: 'EXTERNAL_JOB', sourceId: 'ext-7' } }, userErrors: [] });

  const meta = await s.gql(`{ ticketMetadata { sources } }`);
  expect(meta.data.ticketMetadata.sources).toEqual(['MANUAL', 'API', 'JOB', 'ALERT', 'EMAIL']);
});

test('a retry with the same source and externalId answers the first ticket unchanged, with no second mail or webhook', async () => {
  const first = await create({ subject: 'Disk full on db-1', externalId: 'INC-1001', notify: ['ops@example.com'] });
  expect(first).toMatchObject({ existing: false, userErrors: [], ticket: { source: 'API', externalId: 'INC-1001' } });

  // Different content, even content that would be refused: the first ticket, unchanged.
  const retry = await create({ subject: 'Disk full on db-1 (edited)', externalId: ' INC-1001 ', category: 'no-such-category' });
  expect(retry).toMatchObject({ existing: true, userErrors: [], ticket: { id: first.ticket.id, subject: 'Disk full on db-1' } });
  expect(retry.ticket.changes.edges).toHaveLength(1);

  // The same id under another source is another ticket's.
  const email = await create({ subject: 'Same id, mail bridge', externalId: 'INC-1001', source: 'EMAIL' });
  expect(email).toMatchObject({ existing: false, ticket: { source: 'EMAIL', externalId: 'INC-1001' } });
  expect(email.ticket.id).not.toBe(first.ticket.id);

  expect((await create({ subject: 'Blank id', externalId: '  ' })).userErrors).toEqual([{ field: ['input', 'externalId'], code: 'INVALID', message: expect.stringMatching(/1-100/) }]);
  expect((await create({ subject: 'Long id', externalId: 'x'.repeat(101) })).userErrors[0].code).toBe('INVALID');

  // A later ticket's mail and webhook arrive after anything the retry could have sent.
  const sentinel = await create({ subject: 'Sentinel', notify: ['ops@example.com'] });
  await sink.waitFor(new RegExp(`#${sentinel.ticket.number} Created`));
  await eventually('sentinel webhook', () => hooks.some((h) => h.ticket.number === sentinel.ticket.number));
  expect(sink.received.filter((m) => new RegExp(`#${first.ticket.number} Created`).test(m.mail.subject ?? ''))).toHaveLength(1);
  const firstHooks = hooks.filter((h) => h.ticket.number === first.ticket.number);
  expect(firstHooks).toHaveLength(1);
  expect(firstHooks[0]).toMatchObject({ event: 'ticket.created', ticket: { source: 'API', externalId: 'INC-1001' } });
});

test('an externalId held by a deleted ticket is TAKEN until the ticket is restored (then retries answer it) or purged', async () => {
  const first = await create({ subject: 'Will be deleted', externalId: 'DEL-1' });
  const del = await s.gql(`mutation($id: ID!) { ticketDelete(id: $id) { userErrors { message } } }`, { id: first.ticket.id });
  expect(del.data.ticketDelete.userErrors).toEqual([]);
  expect((await create({ subject: 'Again', externalId: 'DEL-1' })).userErrors).toEqual([
    { field: ['input', 'externalId'], code: 'TAKEN', message: 'externalId DEL-1 of source API belongs to a deleted ticket (restore or purge it)' },
  ]);
  await s.gql(`mutation($id: ID!) { ticketRestore(id: $id) { userErrors { message } } }`, { id: first.ticket.id });
  expect(await create({ subject: 'Again', externalId: 'DEL-1' })).toMatchObject({ existing: true, ticket: { id: first.ticket.id } });
  await s.gql(`mutation($id: ID!) { ticketPurge(id: $id) { userErrors { message } } }`, { id: first.ticket.id });
  expect(await create({ subject: 'After the purge', externalId: 'DEL-1' })).toMatchObject({ existing: false, userErrors: [], ticket: { subject: 'After the purge' } });
});

test('concurrent creates with one source and externalId all answer the one ticket', async () => {
  const attempts = await Promise.all(Array.from({ length: 8 }, (_, i) => create({ subject: `Race attempt ${i}`, externalId: 'RACE-1', files: null })));
  expect(attempts.map((a) => a.userErrors)).toEqual(attempts.map(() => []));
  expect(new Set(attempts.map((a) => a.ticket.id)).size).toBe(1);
  expect(attempts.filter((a) => a.existing === false)).toHaveLength(1);
  expect(await numbers({ query: 'external:RACE-1' })).toEqual([attempts[0].ticket.number]);
});

/**
 * Makes the first call of `method` in each request answer `early` (what a lookup sees when it runs
 * before a concurrent request commits), so the race is run every time, not only when the timing
 * happens to interleave: the unique index and what the service does when it trips are what is tested.
 */
function lookupsRunEarly(target: object, method: string, early: (...args: unknown[]) => unknown): () => void {
  const t = target as Record<string, (...args: unknown[]) => unknown>;
  const real = t[method];
  const seen = new WeakSet<object>();
  t[method] = function (this: unknown, ctx: unknown, ...rest: unknown[]) {
    if (seen.has(ctx as object)) return real.call(this, ctx, ...rest);
    seen.add(ctx as object);
    return early(ctx, ...rest);
  };
  return () => {
    t[method] = real;
  };
}

test('creates that all looked before any committed answer the winner\'s ticket (the unique index decides)', async () => {
  const restore = lookupsRunEarly(s.app.services.tickets, 'findByExternalId', async () => null);
  try {
    const attempts = await Promise.all(Array.from({ length: 6 }, (_, i) => create({ subject: `Forced race ${i}`, externalId: 'RACE-2', notify: ['race@example.com'] })));
    expect(attempts.map((a) => a.userErrors)).toEqual(attempts.map(() => []));
    expect(new Set(attempts.map((a) => a.ticket.id)).size).toBe(1);
    expect(attempts.filter((a) => a.existing === false)).toHaveLength(1);
    expect(await numbers({ query: 'external:RACE-2' })).toEqual([attempts[0].ticket.number]);
  } finally {
    restore();
  }
});

test('creates for one new address that all looked before any committed make one requester-only user', async () => {
  const resolver = (s.app.services.tickets as unknown as { requesters: object }).requesters;
  const restore = lookupsRunEarly(resolver, 'resolve', async (_ctx, raw) => ({ ok: true, value: { newUser: { username: requesterUsername(String(raw)), name: raw, email: raw } } }));
  try {
    const made = await Promise.all([0, 1, 2, 3].map((i) => create({ subject: `Scanner ${i}`, requester: 'kim@example.net' })));
    expect(made.map((m) => m.userErrors)).toEqual([[], [], [], []]);
    expect(new Set(made.map((m) => m.ticket.requester.username))).toEqual(new Set([requesterUsername('kim@example.net')]));
  } finally {
    restore();
  }
});

test('the requester is found by username or e-mail address, and an unknown address becomes one requester-only user', async () => {
  expect((await create({ subject: 'By name', requester: 'JULES' })).ticket.requester).toEqual({ username: 'jules', requesterOnly: false });
  expect((await create({ subject: 'By address', requester: 'Jules@Example.com' })).ticket.requester).toEqual({ username: 'jules', requesterOnly: false });
  expect((await create({ subject: 'Nobody', requester: 'nobody' })).userErrors).toEqual([{ field: ['input', 'requester'], code: 'NOT_FOUND', message: 'No active user nobody' }]);
  expect((await create({ subject: 'Bad address', requester: 'jane@' })).userErrors).toEqual([{ field: ['input', 'requester'], code: 'INVALID', message: 'Not a valid e-mail address: jane@' }]);

  // Concurrent creates for one new address make one user.
  const made = await Promise.all([0, 1, 2, 3].map((i) => create({ subject: `Printer ${i}`, requester: i % 2 ? 'Jane.Doe@Example.org' : 'jane.doe@example.org' })));
  expect(made.map((m) => m.userErrors)).toEqual([[], [], [], []]);
  const usernames = new Set(made.map((m) => m.ticket.requester.username));
  expect(usernames.size).toBe(1);
  const [username] = [...usernames];
  expect(username).toMatch(/^jane\.doe-[0-9a-f]{8}$/);
  expect(made[0].ticket.requester.requesterOnly).toBe(true);
  const notes = made.map((m) => m.ticket.changes.edges[0].node).filter((n: { body: string | null }) => n.body !== null);
  expect(notes).toEqual([{ type: 'CREATED', body: expect.stringMatching(new RegExp(`^Requester jane.doe@example.org was added as requester-only user ${username}`, 'i')) }]);

  const user = await s.gql(`query($u: String!) { user(username: $u) { username email privileges requesterOnly } }`, { u: username });
  expect(user.data.user).toMatchObject({ username, privileges: [], requesterOnly: true });

  // It sees and replies to its own tickets only, and cannot create any.
  const key = await s.gql(`mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { secret userErrors { message } } }`, { i: { name: 'portal', username } });
  const jane = key.data.apiKeyCreate.secret as string;
  expect(await numbers({}, jane)).toEqual(made.map((m) => m.ticket.number).sort((a, b) => a - b));
  const other = (await create({ subject: 'Not hers' })).ticket;
  expect((await s.gql(`query($n: Int) { ticket(number: $n) { number } }`, { n: other.number }, jane)).data.ticket).toBeNull();
  const reply = await s.gql(`mutation($id: ID!, $i: TicketReplyInput!) { ticketReply(id: $id, input: $i) { change { body } userErrors { message } } }`, { id: made[0].ticket.id, i: { body: 'Still broken' } }, jane);
  expect(reply.data.ticketReply).toEqual({ change: { body: 'Still broken' }, userErrors: [] });
  const forbidden = await s.gql(CREATE, { input: { subject: 'Mine' } }, jane);
  expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
});

test('an address several active users share, or only an inactive user has, is refused rather than guessed or duplicated', async () => {
  await s.user('pat', ['CREATE_TICKETS'], { email: 'shared@example.com' });
  await s.user('sam', ['CREATE_TICKETS'], { email: 'Shared@Example.com' });
  expect((await create({ subject: 'Shared', requester: 'shared@example.com' })).userErrors).toEqual([
    { field: ['input', 'requester'], code: 'INVALID', message: '2 users have the address shared@example.com (pat, sam); name the requester by username' },
  ]);
  await s.user('gone', ['CREATE_TICKETS'], { email: 'gone@example.com' });
  await s.app.db.manager.query(`UPDATE app_user SET active = ? WHERE username = 'gone'`, [false]);
  expect((await create({ subject: 'Gone', requester: 'gone@example.com' })).userErrors).toEqual([
    { field: ['input', 'requester'], code: 'NOT_FOUND', message: 'The user with the address gone@example.com (gone) is inactive' },
  ]);
});

test('requester and user addresses follow the one rule of addresses the gateway mails to: a list in one address is refused, not split by the mailer', async () => {
  // Mail libraries read "a,b@x" as two recipients: under the looser user-address rule such a
  // requester was created, and its acknowledgement went to whatever the comma introduced.
  for (const address of ['ops,intruder@evil.example', 'ops;intruder@evil.example', '"ops"@example.com', 'ops <intruder@evil.example>']) {
    const r = await create({ subject: 'Listed', requester: address });
    expect(r.userErrors).toEqual([{ field: ['input', 'requester'], code: 'INVALID', message: `Not a valid e-mail address: ${address}` }]);
    const u = await s.gql(`mutation($i: UserCreateInput!) { userCreate(input: $i) { user { username } userErrors { field code message } } }`, { i: { username: 'listed', email: address } });
    expect(u.data.userCreate).toEqual({ user: null, userErrors: [{ field: ['input', 'email'], code: 'INVALID', message: `Not a valid e-mail address: ${address}` }] });
  }
  expect(Number((await s.app.db.manager.query(`SELECT COUNT(*) AS n FROM app_user WHERE email LIKE '%evil.example%' OR username = 'listed'`))[0].n)).toBe(0);
});

test('without REQUESTER_AUTO_CREATE an unknown address is NOT_FOUND naming input.requester', async () => {
  const plain = await startTestServer();
  try {
    const r = await plain.gql(CREATE, { input: { subject: 'For a stranger', requester: 'stranger@example.com' } });
    expect(r.data.ticketCreate.userErrors).toEqual([{ field: ['input', 'requester'], code: 'NOT_FOUND', message: expect.stringContaining('REQUESTER_AUTO_CREATE') }]);
    expect((await plain.gql(`{ tickets { totalCount } users { totalCount } }`)).data).toEqual({ tickets: { totalCount: 0 }, users: { totalCount: 1 } });
  } finally {
    await plain.close();
  }
});

test('source and externalId are searchable in the query language and the typed filter, and ticketQueryParse shows the filter', async () => {
  const a = (await create({ subject: 'Searchable A', externalId: 'ABC-123' })).ticket.number;
  const b = (await create({ subject: 'Searchable B', externalId: 'abc-999', source: 'EMAIL' })).ticket.number;
  const c = (await create({ subject: 'Searchable C' }, await jwtFor('jules'))).ticket.number;
  const mine = [a, b, c];
  const within = (ns: number[]) => ns.filter((n) => mine.includes(n));

  expect(within(await numbers({ query: 'source:api' }))).toEqual([a]);
  expect(within(await numbers({ query: 'source:email|manual' }))).toEqual([b, c]);
  expect(within(await numbers({ query: '-source:api' }))).toEqual([b, c]);
  expect(within(await numbers({ query: 'external:ABC-123' }))).toEqual([a]);
  expect(within(await numbers({ query: 'externalId:abc-999' }))).toEqual([b]);
  expect(within(await numbers({ query: 'external:none' }))).toEqual([c]);
  expect(within(await numbers({ query: '-external:none source:api|email' }))).toEqual([a, b]);
  expect(within(await numbers({ filter: { source: { in: ['EMAIL'] } } }))).toEqual([b]);
  expect(within(await numbers({ filter: { externalId: { notIn: ['ABC-123'] } } }))).toEqual([b, c]);

  const parsed = await s.gql(`query($q: String!) { ticketQueryParse(query: $q) }`, { q: 'source:email external:ABC-123' });
  expect(parsed.data.ticketQueryParse).toEqual({ source: { eq: 'EMAIL' }, externalId: { eq: 'ABC-123' } });
  const bad = await s.gql(`query($q: String!) { ticketQueryParse(query: $q) }`, { q: 'source:fax' });
  expect(bad.errors?.[0]).toMatchObject({ message: expect.stringContaining('manual, api, job, alert, email'), extensions: { code: 'BAD_USER_INPUT' } });
});

test('external ids are compared exactly on every database: two spellings are two tickets, and searches and filters tell them apart', async () => {
  // An integration's ids may differ only in case (base62 ids, some ticket keys): on MariaDB the
  // column's collation used to fold case, so a second ticket silently answered the first.
  const upper = await create({ subject: 'Upper', externalId: 'Case-7' });
  const lower = await create({ subject: 'Lower', externalId: 'case-7' });
  expect(lower.existing).toBe(false);
  expect(lower.ticket.number).not.toBe(upper.ticket.number);
  expect((await create({ subject: 'Retry', externalId: 'case-7' })).ticket.number).toBe(lower.ticket.number);
  expect(await numbers({ query: 'external:Case-7' })).toEqual([upper.ticket.number]);
  expect(await numbers({ filter: { externalId: { eq: 'case-7' } } })).toEqual([lower.ticket.number]);
  expect(await numbers({ filter: { externalId: { in: ['CASE-7'] } } })).toEqual([]);
});

test('ticketCreated filters on source and externalId are matched in memory as tickets(filter:) matches them', async () => {
  const c = wsClient(s.url, { Authorization: `Bearer ${ada}` });
  clients.push(c);
  const CREATED = `subscription($f: TicketFilter) { ticketCreated(filter: $f) { number } }`;
  const FILTERS: Record<string, unknown>[] = [
    { source: { eq: 'API' } }, { source: { in: ['EMAIL', 'MANUAL'] } }, { source: { notIn: ['API'] } },
    { externalId: { eq: 'SUB-1' } }, { externalId: { in: ['sub-1', 'SUB-2'] } }, { externalId: { notIn: ['SUB-1'] } },
    { externalId: { isNull: true } }, { externalId: { isNull: false } }, { not: { externalId: { eq: 'SUB-1' } } },
    { or: [{ source: { eq: 'EMAIL' } }, { externalId: { eq: 'SUB-1' } }] },
  ];
  const subs = FILTERS.map((f) => ({ f, r: c.subscribe<{ ticketCreated: { number: number } }>(CREATED, { f }) }));
  const all = c.subscribe<{ ticketCreated: { number: number } }>(CREATED, {});
  await eventually('subscriptions registered', () => s.app.services.ticketStream.subscriberCount === FILTERS.length + 1);
  const made: number[] = [];
  for (const input of [{ subject: 'Sub one', externalId: 'SUB-1' }, { subject: 'Sub two', externalId: 'SUB-2', source: 'EMAIL' }, { subject: 'Sub three', source: 'MANUAL' }]) {
    made.push((await create(input)).ticket.number);
  }
  await all.waitFor(3);
  for (const { f, r } of subs) {
    const expected = (await numbers({ filter: f })).filter((n) => made.includes(n));
    await r.waitFor(expected.length).catch(() => undefined);
    expect({ f, got: r.events.map((e) => e.ticketCreated.number).sort((x, y) => x - y) }).toEqual({ f, got: expected });
  }
});
