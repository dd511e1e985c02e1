import { createLogger } from '../src/common/logger';
import { CREATE } from './helpers/documents';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';
import { eventually, wsClient, type WsClient } from './helpers/ws-client';

/**
 * ticketChanged(query:) with many distinct filters: what an event costs the dispatcher does not
 * grow with the filters subscribed (its SQL statements are counted per dispatched batch), and each
 * subscriber still receives exactly the events of the tickets its query matches, the `tickets`
 * query (SQL) being the reference for what a query matches.
 */
let s: TestServer;
const clients: WsClient[] = [];
const ids: Record<string, string> = {};
/** SQL statements logged by dispatcher runs, by the run's id. */
const dispatchSql = new Map<string, number>();

const CHANGED = `subscription($q: String) { ticketChanged(query: $q) { ticket { number } change { type body } } }`;
type Event = { ticketChanged: { ticket: { number: number }; change: { type: string; body: string | null } } };

/** Distinct filters over every kind of condition the query language has (text included). */
const QUERIES = [
  'type:issue', 'status:open', 'status:closed', 'status:open|in_progress', 'priority:>=high', 'priority:<normal', 'priority:normal',
  'tags:important', 'tags:db', 'tags:none', '-tags:important', 'tags:important|db',
  'category:prod', 'category:dev', 'category:none', '-category:none', 'category:prod|dev',
  'server:web01', 'server:none', 'assignees:alice', 'assignees:bob', 'assignees:none', 'cc:alice', 'cc:none', 'username:alice', 'username:bob', 'requester:bob', 'requester:alice|bob', '-requester:alice', 'requester:none',
  'disk primary', 'quick fix', 'zip codes', 'thank you', '"disk full"', '"full disk"', 'subject:zip targeting', 'changes:thank', 'disk*', 'body:memory', 'cafe',
  // short words (db is also a word inside dbadmin and feedback, which must not match)
  'db', 'ci', 'v2 zip', '"on the db"', 'body:db thank', 'db|ci', '-db type:issue', 'subject:on',
  // InnoDB's default stopwords: the index was built without them, so MariaDB finds them, in phrases too
  'for', '"thank the team"',
  'due:none', '-due:none', 'created:>=2020-01-01', 'num:>=3', 'num:<3', 'status:open|closed tags:important', 'type:issue -tags:db', '-sla:breached',
];

beforeAll(async () => {
  const logger = createLogger('trace', {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string; requestId?: string };
      if (entry.msg === 'sql' && entry.requestId?.startsWith('ticket stream dispatch#')) dispatchSql.set(entry.requestId, (dispatchSql.get(entry.requestId) ?? 0) + 1);
    },
  });
  s = await startTestServer({ WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: '100' }, { logger });
  for (const key of ['prod', 'dev']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  for (const key of ['important', 'db']) await s.gql(`mutation { tagCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  for (const i of [
    { key: 'site', type: 'SINGLE_CHOICE', choices: [{ key: 'berlin' }, { key: 'paris' }] },
    { key: 'tier', type: 'NUMBER' },
    { key: 'review', type: 'DATE' },
    { key: 'env', type: 'MULTI_CHOICE', choices: [{ key: 'prod' }, { key: 'test' }] },
    { key: 'owner', type: 'USER' },
    { key: 'app', type: 'TEXT' },
  ]) {
    const r = await s.gql(`mutation($i: CustomFieldCreateInput!) { customFieldCreate(input: $i) { userErrors { message } } }`, { i });
    expect(r.data.customFieldCreate.userErrors).toEqual([]);
  }
  const alice = await s.user('alice');
  const bob = await s.user('bob');
  const create = async (name: string, input: Record<string, unknown>, key: string) => {
    const r = await s.gql(CREATE, { input }, key);
    if (r.errors || r.data.ticketCreate.userErrors.length) throw new Error(JSON.stringify(r));
    ids[name] = r.data.ticketCreate.ticket.id;
  };
  await create('A', { subject: 'Disk full on web-01', type: 'ISSUE', priority: 'HIGH', tags: ['important'], category: 'prod', server: 'web01', assignees: ['alice'], due: new Date(Date.now() - 86_400_000).toISOString(), body: 'The disk_full alert fired on the primary volume' }, alice);
  await create('B', { subject: 'Zip targeting broken', type: 'FEATURE', status: 'CLOSED', tags: ['db'], assignees: ['bob'], cc: ['alice'], body: 'targeting of zip codes is wrong in v2' }, bob);
  await create('C', { subject: 'Release 1.2 rollout', type: 'RELEASE', priority: 'LOW', category: 'dev', body: 'Café au lait for the release team' }, alice);
  await create('D', { subject: 'Memory usage high', type: 'ISSUE', status: 'IN_PROGRESS', priority: 'URGENT', tags: ['important', 'db'], body: 'memory usage climbs on the DB; thank the team' }, bob);
  await create('E', { subject: 'Question for the team', type: 'QUESTION', body: 'thank you in the body only; dbadmin feedback from ci', requester: 'bob' }, alice);
  const c = await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { userErrors { message } } }`, { i: { ticketId: ids.A, body: 'thank you for the quick fix' } }, bob);
  expect(c.data.commentAdd.userErrors).toEqual([]);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await eventually('subscriptions unregistered', () => s.app.services.ticketStream.subscriberCount === 0);
});
afterAll(() => s?.close());

async function comment(name: string, body: string): Promise<void> {
  const r = await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { userErrors { message } } }`, { i: { ticketId: ids[name], body } });
  expect(r.data.commentAdd.userErrors).toEqual([]);
}

/** Comments on a ticket and returns the statements of the dispatcher runs that delivered it (waiting for `all` to receive it). */
async function commentCounted(name: string, body: string, all: { events: Event[] }): Promise<number[]> {
  const before = new Set(dispatchSql.keys());
  await comment(name, body);
  await eventually(`"${body}" delivered`, () => all.events.some((e) => e.ticketChanged.change.body === body));
  return [...dispatchSql.entries()].filter(([id]) => !before.has(id)).map(([, n]) => n);
}

test('the statements per dispatched event stay the same with 3 or 58 distinct filters, and each subscriber gets exactly what its query matches', async () => {
  const c = wsClient(s.url, { Authorization: `Bearer ${ADMIN_KEY}` });
  clients.push(c);
  const all = c.subscribe<Event>(CHANGED, { q: null });
  const few = ['disk primary tags:important', 'assignees:alice category:prod cc:none username:alice'].map((q) => c.subscribe<Event>(CHANGED, { q }));
  await eventually('3 subscriptions registered', () => s.app.services.ticketStream.subscriberCount === 3);
  const withFew = await commentCounted('A', 'warm-up', all);
  expect(withFew).toHaveLength(1);
  // The event's ticket and entries, and the facts filters read (categories, users, tags, people, text): a handful, not one per filter.
  expect(withFew[0]).toBeLessThanOrEqual(8);
  await Promise.all(few.map((f) => f.waitFor(1)));

  const subs = QUERIES.map((q) => ({ q, r: c.subscribe<Event>(CHANGED, { q }) }));
  await eventually(`${QUERIES.length + 3} subscriptions registered`, () => s.app.services.ticketStream.subscriberCount === QUERIES.length + 3);
  for (const name of ['A', 'B', 'C', 'D', 'E']) {
    expect(await commentCounted(name, `ping ${name}`, all)).toEqual(withFew);
  }

  // What each query matches now (every ticket is as it was when its ping was judged).
  const numbers: Record<string, number> = {};
  for (const name of Object.keys(ids)) numbers[name] = (await s.gql(`query($id: ID!) { node(id: $id) { ... on Ticket { number } } }`, { id: ids[name] })).data.node.number;
  for (const [i, { q, r }] of subs.entries()) {
    const found = await s.gql(`query($q: String) { tickets(query: $q, first: 100) { edges { node { number } } } }`, { q });
    expect(found.errors).toBeUndefined();
    const expected = (found.data.tickets.edges as { node: { number: number } }[]).map((e) => e.node.number).sort((a, b) => a - b);
    await r.waitFor(expected.length).catch(() => undefined);
    // A word no query looks for, so the sentinel changes no match.
    await comment('A', `sentinel ${i}`);
    await eventually('sentinel delivered', () => all.events.some((e) => e.ticketChanged.change.body === `sentinel ${i}`));
    const got = r.events.filter((e) => e.ticketChanged.change.body?.startsWith('ping')).map((e) => e.ticketChanged.ticket.number).sort((a, b) => a - b);
    expect({ q, got }).toEqual({ q, got: expected });
  }
});

test('ticketCreated typed filters are matched in memory with the meaning tickets(filter:) gives them', async () => {
  const c = wsClient(s.url, { Authorization: `Bearer ${ADMIN_KEY}` });
  clients.push(c);
  const CREATED = `subscription($f: TicketFilter) { ticketCreated(filter: $f) { number } }`;
  const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
  const FILTERS: Record<string, unknown>[] = [
    { server: { contains: 'WEB' } }, { server: { eq: 'web02' } }, { server: { notIn: ['web02'] } }, { due: { isNull: true } }, { due: { isNull: false } },
    { or: [{ priority: { gte: 'HIGH' } }, { tags: { eq: 'db' } }] }, { not: { category: { in: ['prod'] } } }, { category: { notIn: ['prod'] } },
    { assignees: { notIn: ['alice'] } }, { assignees: { isNull: false } }, { text: { phrase: 'disk full' } }, { subject: { contains: 'roll*' } }, { body: { contains: 'résumé' } },
    { text: { contains: 'db' } }, { body: { phrase: 'the db' } }, { subject: { contains: 'db' } }, { not: { text: { contains: 'db' } } },
    { creator: { eq: 'ALICE' } }, { creator: { in: ['alice', 'bob'] } }, { requester: { eq: 'BOB' } }, { requester: { notIn: ['bob'] } }, { not: { requester: { in: ['alice'] } } }, { requester: { isNull: true } }, { tags: { in: [] } }, { tags: { notIn: [] } }, { created: { gte: hourAgo } }, { created: { lt: hourAgo } },
    { and: [{ type: { notIn: ['ISSUE'] } }, { status: { in: ['OPEN'] } }] }, { slaBreached: false }, { priority: { lt: 'NORMAL' } }, { number: { gt: 7 } }, { or: [] }, { not: {} },
    // SQL's NULLs: a condition on a ticket without a server or category is unknown, and NOT unknown is still unknown.
    { not: { server: { contains: 'web' } } }, { or: [{ category: { eq: 'prod' } }, { priority: { eq: 'LOW' } }] },
    { not: { or: [{ server: { eq: 'web02' } }, { type: { eq: 'QUESTION' } }] } }, { not: { category: { isNull: true } } },
    // Custom fields (one value row per multi-choice key; notIn and isNull keep tickets without a value; TEXT compares like the collation).
    { customFields: [{ key: 'site', eq: 'berlin' }] }, { customFields: [{ key: 'site', notIn: ['berlin'] }] }, { customFields: [{ key: 'tier', gt: '2' }] },
    { customFields: [{ key: 'tier', gte: '1', lt: '3' }] }, { customFields: [{ key: 'review', lte: '2026-01-10' }] }, { customFields: [{ key: 'review', isNull: true }] },
    { customFields: [{ key: 'env', eq: 'test' }, { key: 'env', notIn: ['prod'] }] }, { customFields: [{ key: 'env', in: ['prod'] }] }, { not: { customFields: [{ key: 'env', eq: 'prod' }] } },
    { customFields: [{ key: 'owner', eq: 'ALICE' }] }, { customFields: [{ key: 'owner', isNull: false }] }, { customFields: [{ key: 'app', eq: 'billing' }] },
    { or: [{ customFields: [{ key: 'tier', lt: '2' }] }, { customFields: [{ key: 'app', in: ['Billing'] }] }] },
  ];
  const subs = FILTERS.map((f) => ({ f, r: c.subscribe<{ ticketCreated: { number: number } }>(CREATED, { f }) }));
  // Subscribed last, so it is served last of each batch: once it has an event, the others have theirs queued.
  await eventually(`${FILTERS.length} subscriptions registered`, () => s.app.services.ticketStream.subscriberCount === FILTERS.length);
  const all = c.subscribe<{ ticketCreated: { number: number } }>(CREATED, {});
  await eventually(`${FILTERS.length + 1} subscriptions registered`, () => s.app.services.ticketStream.subscriberCount === FILTERS.length + 1);
  const made: number[] = [];
  for (const input of [
    {
      subject: 'Disk full again', server: 'web02', priority: 'HIGH', category: 'prod', assignees: ['alice'], body: 'the disk full alarm',
      customFields: [{ key: 'site', choice: 'berlin' }, { key: 'tier', number: 3 }, { key: 'review', date: '2026-01-10' }, { key: 'env', choices: ['prod', 'test'] }, { key: 'owner', user: 'alice' }, { key: 'app', text: 'Billing' }],
    },
    {
      subject: 'Rollout plan', type: 'RELEASE', priority: 'LOW', tags: ['db'], due: new Date(Date.now() + 86_400_000).toISOString(), body: 'Résumé of the plan for the db; see dbadmin',
      customFields: [{ key: 'site', choice: 'paris' }, { key: 'tier', number: 1.5 }, { key: 'env', choices: ['test'] }, { key: 'app', text: 'billing' }],
    },
    { subject: 'Plain question', type: 'QUESTION', category: 'dev', assignees: ['bob'], cc: ['alice'], requester: 'bob' },
  ]) {
    const r = await s.gql(CREATE, { input });
    expect(r.data.ticketCreate.userErrors).toEqual([]);
    made.push(r.data.ticketCreate.ticket.number);
  }
  await all.waitFor(3);
  for (const { f, r } of subs) {
    const found = await s.gql(`query($f: TicketFilter) { tickets(filter: $f, first: 100) { edges { node { number } } } }`, { f });
    expect(found.errors).toBeUndefined();
    const expected = (found.data.tickets.edges as { node: { number: number } }[]).map((e) => e.node.number).filter((n) => made.includes(n)).sort((a, b) => a - b);
    await r.waitFor(expected.length).catch(() => undefined);
    const got = r.events.map((e) => e.ticketCreated.number).sort((a, b) => a - b);
    expect({ f, got }).toEqual({ f, got: expected });
  }
});
