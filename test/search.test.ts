import { Ticket } from '../src/entities/ticket.entity';
import { CREATE } from './helpers/documents';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/*
 * The query language, the typed filter and saved searches against the real server, on whichever
 * database DATABASE_URL names. Fixture tickets are named A-J; expectations are sets of names.
 */

let s: TestServer;
let alice: string;
let bob: string;
const num: Record<string, number> = {};
const nameOf = (n: number) => Object.keys(num).find((k) => num[k] === n) ?? `#${n}`;

// Day boundaries follow the server's local time zone, as the parser does.
const now = new Date();
const at = (dayOffset: number, h: number, m = 0) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + dayOffset, h, m);
const startOfToday = at(0, 0);

const SEARCH = `query($q: String, $f: TicketFilter, $o: [TicketOrder!], $first: Int, $after: String, $last: Int, $before: String) {
  tickets(query: $q, filter: $f, orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { number } }
  }
}`;

async function create(name: string, input: Record<string, unknown>, key: string = ADMIN_KEY): Promise<string> {
  const r = await s.gql(CREATE, { input }, key);
  if (r.errors || r.data.ticketCreate.userErrors.length) throw new Error(JSON.stringify(r));
  num[name] = r.data.ticketCreate.ticket.number;
  return r.data.ticketCreate.ticket.id;
}

async function comment(ticketId: string, body: string, key: string): Promise<string> {
  const r = await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { change { id } userErrors { message } } }`, { i: { ticketId, body } }, key);
  return r.data.commentAdd.change.id;
}

async function setCounter(n: number): Promise<void> {
  await s.app.db.manager.query('UPDATE ticket_sequence SET counter = ? WHERE name = ?', [n, 'ticket']);
}

/** Names of the tickets a search returns, in result order; fails on any error. */
async function find(q: string | null, f?: unknown, key = ADMIN_KEY, order?: unknown): Promise<string[]> {
  const r = await s.gql(SEARCH, { q, f, o: order, first: 100 }, key);
  if (r.errors) throw new Error(`${q}: ${JSON.stringify(r.errors)}`);
  const names = r.data.tickets.edges.map((e: { node: { number: number } }) => nameOf(e.node.number));
  expect(r.data.tickets.totalCount).toBe(names.length);
  return names;
}
const findSet = async (q: string | null, f?: unknown, key = ADMIN_KEY) => (await find(q, f, key)).sort();

async function searchError(q: string): Promise<{ code: string; message: string }> {
  const r = await s.gql(SEARCH, { q, first: 5 });
  expect(r.errors).toHaveLength(1);
  return { code: r.errors![0].extensions!.code, message: r.errors![0].message };
}

let ids: Record<string, string> = {};

beforeAll(async () => {
  s = await startTestServer();
  for (const key of ['prod', 'dev']) await s.gql(`mutation { categoryCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  for (const key of ['important', 'db']) await s.gql(`mutation { tagCreate(input: { key: "${key}" }) { userErrors { message } } }`);
  alice = await s.user('alice');
  bob = await s.user('bob');

  ids.A = await create('A', {
    subject: 'Disk full on web-01', type: 'ISSUE', priority: 'HIGH', tags: ['important'], category: 'prod', server: 'web01',
    assignees: ['alice'], due: at(-1, 12).toISOString(), body: 'The disk_full alert fired on the primary volume',
  }, alice);
  ids.B = await create('B', { subject: 'Zip targeting broken', type: 'FEATURE', status: 'CLOSED', tags: ['db'], assignees: ['bob'], cc: ['alice'], body: 'targeting of zip codes is wrong' }, bob);
  ids.C = await create('C', { subject: 'Release 1.2 rollout', type: 'RELEASE', due: at(1, 12).toISOString(), body: 'big cats and bees' }, alice);
  ids.D = await create('D', { subject: 'Memory usage high', type: 'ISSUE', status: 'DRAFT', priority: 'URGENT', tags: ['important'], body: 'memory usage climbs; thank the team' }, bob);
  ids.E = await create('E', { subject: 'Maintenance window', type: 'MAINTENANCE', status: 'IN_PROGRESS', tags: ['important', 'db'], category: 'dev', assignees: ['bob'], due: at(0, 23, 59).toISOString() });
  ids.F = await create('F', { subject: 'Question for the team', type: 'QUESTION', body: 'thank you in the body only' });
  await comment(ids.A, 'thank you for the quick fix', bob);
  await comment(ids.B, 'thanks, closing', alice);

  await setCounter(4999);
  ids.G = await create('G', { subject: 'Old network issue', type: 'ISSUE', tags: ['important'] });
  ids.H = await create('H', { subject: 'Old closed issue', type: 'ISSUE', status: 'CLOSED' });
  await setCounter(5998);
  ids.I = await create('I', { subject: 'Later issue', type: 'ISSUE' });
  ids.J = await create('J', { subject: 'Boundary issue', type: 'ISSUE' });

  const em = s.app.db.manager;
  await em.update(Ticket, { number: num.G }, { createdAt: new Date(2021, 1, 1, 10) });
  await em.update(Ticket, { number: num.H }, { createdAt: new Date(2021, 2, 1, 23), updatedAt: new Date(2021, 2, 1, 23, 30), closedAt: new Date(2021, 2, 2) });
  await em.update(Ticket, { number: num.I }, { createdAt: new Date(2021, 2, 2, 0, 0, 1) });
});
afterAll(() => s?.close());

describe('the reference examples', () => {
  test.each([
    ['type:issue', ['A', 'D', 'G', 'H', 'I', 'J']],
    ['status:open due:<today', ['A']],
    ['num:>=5000 num:<6000', ['G', 'H', 'I']],
    ['created:2021-02-01..2021-03-01', ['G', 'H']],
    ['created:2021/02/01..2021/03/01', ['G', 'H']],
    ['status:open|closed tags:important', ['A', 'G']],
    ['changes:thank you', ['A']],
    ['*', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J']],
  ])('%s', async (q, expected) => {
    expect(await findSet(q)).toEqual(expected);
  });

  test('each example parses into a filter that, passed back as `filter`, returns the same tickets', async () => {
    for (const q of ['type:issue', 'status:open due:<today', 'num:>=5000 num:<6000', 'created:2021-02-01..2021-03-01', 'status:open|closed tags:important', 'changes:thank you']) {
      const parsed = await s.gql(`query($q: String!) { ticketQueryParse(query: $q) }`, { q });
      expect(parsed.errors).toBeUndefined();
      expect(await findSet(null, parsed.data.ticketQueryParse)).toEqual(await findSet(q));
    }
  });

  test('status:open due:<today equals the hand-written typed filter', async () => {
    const filter = { status: { eq: 'OPEN' }, due: { lt: startOfToday.toISOString() } };
    expect(await findSet(null, filter)).toEqual(await findSet('status:open due:<today'));
    const parsed = await s.gql(`{ ticketQueryParse(query: "status:open due:<today") }`);
    expect(parsed.data.ticketQueryParse).toEqual(filter);
  });
});

describe('grammar', () => {
  test.each([
    // bare words search subject, body and comments together
    ['disk primary', ['A']],
    ['quick fix', ['A']],
    ['zip codes', ['B']],
    ['thank you', ['A', 'F']],
    ['thank', ['A', 'D', 'F']],
    // exclusion, phrases, prefixes, alternatives
    ['thank -quick', ['D', 'F']],
    ['"big cats"', ['C']],
    ['"cats big"', []],
    ['rollo*', ['C']],
    ['subject:zip|memory', ['B', 'D']],
    ['-type:issue', ['B', 'C', 'E', 'F']],
    ['type:-issue|release', ['B', 'E', 'F']],
    // words after a full-text field stay in it; after other fields they go back to the default
    ['subject:zip targeting', ['B']],
    ['subject:zip codes', []],
    ['status:closed codes', ['B']],
    ['body:disk', []],
    ['body:disk_full', ['A']],
    ['subject:disk', ['A']],
    ['changes:thanks', ['B']],
    ['text:rollout', ['C']],
    // keyword fields
    ['priority:>=high', ['A', 'D']],
    ['priority:urgent', ['D']],
    ['priority:1..2 type:release', ['C']],
    ['category:prod', ['A']],
    ['category:prod|dev', ['A', 'E']],
    ['category:none type:feature|release', ['B', 'C']],
    ['-category:none', ['A', 'E']],
    ['server:web01', ['A']],
    ['server:none type:issue status:draft', ['D']],
    ['tags:important', ['A', 'D', 'E', 'G']],
    ['tags:important tags:db', ['E']],
    ['tags:-important type:issue', ['H', 'I', 'J']],
    ['tags:none type:issue', ['H', 'I', 'J']],
    ['assignees:alice', ['A']],
    ['assignees:bob', ['B', 'E']],
    ['assignees:none status:open', ['C', 'F', 'G', 'I', 'J']],
    ['cc:alice', ['B']],
    ['username:bob', ['B', 'D']],
    ['creator:alice', ['A', 'C']],
    // The requester is the creator unless given (here always).
    ['requester:bob', ['B', 'D']],
    ['requester:alice|bob', ['A', 'B', 'C', 'D']],
    ['requester:none', []],
    // numbers
    ['num:5000..5001', ['G', 'H']],
    ['num:=6000', ['J']],
    ['num:>5999', ['J']],
    ['num:<=2', ['A', 'B']],
    ['num:#1|2', ['A', 'B']],
    // a bare ticket number finds that ticket (xyOps); bare, it may also be a word of the text
    ['#6000', ['J']],
    ['6000', ['J']],
    ['#2 status:closed', ['B']],
    ['-#1 num:<=2', ['B']],
    // dates
    ['created:<2021-03-01', ['G']],
    ['created:<=2021-03-01', ['G', 'H']],
    ['created:2021-03-01', ['H']],
    ['created:>2021-03-01 created:<2022-01-01', ['I']],
    ['modified:2021-03-01', ['H']],
    ['modified:<today', ['H']],
    ['due:today', ['E']],
    ['due:tomorrow', ['C']],
    ['due:yesterday', ['A']],
    ['due:<now', ['A']],
    ['due:>=today', ['C', 'E']],
    ['due:none type:question', ['F']],
    ['closed:today', ['B']],
    ['closed:<today-7d', ['H']],
    ['closed:none status:closed', []],
  ])('%s', async (q, expected) => {
    expect(await findSet(q)).toEqual(expected);
  });

  test('@me is the caller', async () => {
    expect(await findSet('assignees:@me', undefined, alice)).toEqual(['A']);
    expect(await findSet('username:@me', undefined, bob)).toEqual(['B', 'D']);
    expect(await findSet('requester:@me', undefined, bob)).toEqual(['B', 'D']);
    expect(await findSet('-requester:@me status:closed', undefined, bob)).not.toContain('B');
  });

  test('ISO date-times are instants', async () => {
    const g = new Date(2021, 1, 1, 10);
    expect(await findSet(`created:${new Date(g.getTime() + 1).toISOString()}..${new Date(2021, 2, 2).toISOString()}`)).toEqual(['H']);
    expect(await findSet(`created:<=${g.toISOString()}`)).toEqual(['G']);
  });
});

describe('bad queries', () => {
  test.each([
    ['foo:bar', /Unknown field "foo".*fields are type, status/],
    ['status:opne', /"opne" is not a status/],
    ['num:5..x', /"x" is not a ticket number.*num:5\.\.x/],
    ['num:9..1', /range 9\.\.1 is empty/],
    ['created:2021-02-30', /not a calendar date/],
    ['created:2021-02-01..', /needs a value|not a date/],
    ['subject:"disk full', /Unbalanced quote at position 9/],
    ['status:', /"status:" needs a value/],
    ['ab*', /"ab\*": a prefix search needs at least 3 letters/],
    ['category:@me', /@me only works/],
  ])('%s is a BAD_USER_INPUT naming the term', async (q, pattern) => {
    const e = await searchError(q);
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toMatch(pattern);
  });

  test('SQL metacharacters stay values: no SQL error, nothing matched or changed', async () => {
    const before = await findSet('*');
    for (const q of [`"robert'); DROP TABLE ticket;--"`, `subject:"x' OR 'a'='a"`, `server:web01'--`, `server:%`, `tags:'important'`, `username:a_b%`]) {
      const r = await s.gql(SEARCH, { q, first: 5 });
      if (r.errors) expect(r.errors[0].extensions!.code).toBe('BAD_USER_INPUT');
      else expect(r.data.tickets.totalCount).toBe(0);
    }
    expect((await s.gql(SEARCH, { q: `status:open' OR '1'='1`, first: 5 })).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(await findSet('*')).toEqual(before);
  });

  test('a bad typed filter is a BAD_USER_INPUT too', async () => {
    const r = await s.gql(SEARCH, { f: { category: { contains: 'pro' } }, first: 5 });
    expect(r.errors![0]).toMatchObject({ message: expect.stringMatching(/contains is only supported on server/), extensions: { code: 'BAD_USER_INPUT' } });
    const deep = { not: { not: { not: { not: { not: { not: { not: { not: { not: { number: { eq: 1 } } } } } } } } } } };
    expect((await s.gql(SEARCH, { f: deep, first: 5 })).errors![0].message).toMatch(/nests deeper than 8/);
  });
});

describe('typed filter', () => {
  test('comparators and combinators', async () => {
    expect(await findSet(null, { server: { contains: 'eb0' } })).toEqual(['A']);
    expect(await findSet(null, { tags: { in: ['db', 'nope'] } })).toEqual(['B', 'E']);
    expect(await findSet(null, { tags: { in: [] } })).toEqual([]);
    expect(await findSet(null, { number: { notIn: [] }, type: { eq: 'RELEASE' } })).toEqual(['C']);
    expect(await findSet(null, { or: [{ type: { eq: 'RELEASE' } }, { priority: { gte: 'URGENT' } }] })).toEqual(['C', 'D']);
    expect(await findSet(null, { and: [{ tags: { eq: 'important' } }, { not: { status: { in: ['OPEN', 'DRAFT'] } } }] })).toEqual(['E']);
    expect(await findSet(null, { comments: { phrase: 'quick fix' } })).toEqual(['A']);
    expect(await findSet(null, { text: { contains: 'thank' }, creator: { notIn: ['bob'] } })).toEqual(['A', 'F']);
    expect(await findSet(null, { assignees: { isNull: false }, cc: { isNull: true } })).toEqual(['A', 'E']);
    expect(await findSet(null, { closed: { isNull: false } })).toEqual(['B', 'H']);
  });

  test('query and filter are ANDed', async () => {
    expect(await findSet('tags:important', { status: { eq: 'OPEN' } })).toEqual(['A', 'G']);
  });
});

describe('results', () => {
  test('category restrictions apply to search results and counts', async () => {
    const devOnly = await s.user('devonly', ['EDIT_TICKETS'], { categories: ['dev'] });
    expect(await findSet('tags:important', undefined, devOnly)).toEqual(['E']);
    expect(await findSet('*', undefined, devOnly)).toEqual(['E']);
  });

  test('paging by a non-unique sort key visits every match once, forwards and backwards', async () => {
    const order = [{ field: 'PRIORITY', direction: 'DESC' }];
    const all = await find('-type:release', undefined, ADMIN_KEY, order);
    expect(all).toHaveLength(9);
    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await s.gql(SEARCH, { q: '-type:release', o: order, first: 2, after });
      expect(r.data.tickets.totalCount).toBe(9);
      forward.push(...r.data.tickets.edges.map((e: { node: { number: number } }) => nameOf(e.node.number)));
      if (!r.data.tickets.pageInfo.hasNextPage) break;
      after = r.data.tickets.pageInfo.endCursor;
    }
    expect(forward).toEqual(all);
    const backward: string[] = [];
    let before: string | null = null;
    for (;;) {
      const r: any = await s.gql(SEARCH, { q: '-type:release', o: order, last: 4, before });
      backward.unshift(...r.data.tickets.edges.map((e: { node: { number: number } }) => nameOf(e.node.number)));
      if (!r.data.tickets.pageInfo.hasPreviousPage) break;
      before = r.data.tickets.pageInfo.startCursor;
    }
    expect(backward).toEqual(all);
    // Priority first (URGENT D, HIGH A), then number descending among equals.
    expect(all.slice(0, 2)).toEqual(['D', 'A']);
  });

  test('sorts by due with tickets without a due date last', async () => {
    expect(await find('status:open|in_progress', undefined, ADMIN_KEY, [{ field: 'DUE', direction: 'ASC' }])).toEqual(['A', 'E', 'C', 'F', 'G', 'I', 'J']);
  });
});

describe('index maintenance', () => {
  test('subject and body edits, comment edits and deletes, and purges keep the full-text index in step', async () => {
    const id = await create('K', { subject: 'Kestrel outage', body: 'original wording' });
    expect(await findSet('kestrel')).toEqual(['K']);
    await s.gql(`mutation($id: ID!) { ticketUpdate(id: $id, input: { subject: "Falcon outage", body: "revised text" }) { userErrors { message } } }`, { id });
    expect(await findSet('kestrel')).toEqual([]);
    expect(await findSet('falcon revised')).toEqual(['K']);

    const c = await comment(id, 'pelican sighted', ADMIN_KEY);
    expect(await findSet('changes:pelican')).toEqual(['K']);
    await s.gql(`mutation($id: ID!) { commentUpdate(id: $id, input: { body: "heron sighted" }) { userErrors { message } } }`, { id: c });
    expect(await findSet('changes:pelican')).toEqual([]);
    expect(await findSet('changes:heron')).toEqual(['K']);
    await s.gql(`mutation($id: ID!) { commentDelete(id: $id) { userErrors { message } } }`, { id: c });
    expect(await findSet('heron')).toEqual([]);

    const rows = async () => Number((await s.app.db.manager.query('SELECT COUNT(*) AS n FROM ticket_search'))[0].n);
    const before = await rows();
    const purged = await s.gql(`mutation($id: ID!) { ticketPurge(id: $id) { deletedId userErrors { message } } }`, { id });
    expect(purged.errors).toBeUndefined();
    expect(await rows()).toBe(before - 1);
    delete num.K;
  });
});

describe('saved searches and built-in views', () => {
  const LIST = `{ savedSearches { id name builtIn query filter orderBy { field direction } tickets(first: 50) { totalCount edges { node { number } } } } }`;
  const CREATE_SS = `mutation($i: SavedSearchCreateInput!) { savedSearchCreate(input: $i) { savedSearch { id name query filter orderBy { field direction } } userErrors { field code message } } }`;
  const UPDATE_SS = `mutation($id: ID!, $i: SavedSearchUpdateInput!) { savedSearchUpdate(id: $id, input: $i) { savedSearch { id name query } userErrors { field code message } } }`;
  const DELETE_SS = `mutation($id: ID!) { savedSearchDelete(id: $id) { deletedId userErrors { code message } } }`;
  const names = (edges: { node: { number: number } }[]) => edges.map((e) => nameOf(e.node.number)).sort();

  test('every user has the built-in views, and each returns what its name says', async () => {
    const views = async (key: string) => {
      const r = await s.gql(LIST, {}, key);
      expect(r.errors).toBeUndefined();
      return Object.fromEntries(r.data.savedSearches.filter((x: { builtIn: boolean }) => x.builtIn).map((x: any) => [x.name, names(x.tickets.edges)]));
    };
    expect(await views(alice)).toEqual({
      'My open tickets': ['A', 'C'],
      'Assigned to me': ['A'],
      Unassigned: ['C', 'F', 'G', 'I', 'J'],
      Overdue: ['A'],
      'Due today': ['E'],
      'Recently closed': ['B'],
      'Drafts I created': [],
      'Requested by me': ['A', 'C'],
    });
    const forBob = await views(bob);
    expect(forBob['My open tickets']).toEqual(['E']);
    expect(forBob['Assigned to me']).toEqual(['E']);
    expect(forBob['Drafts I created']).toEqual(['D']);
    expect(forBob['Requested by me']).toEqual([]); // B is closed, D a draft

    // Someone else opens a ticket for alice: it is hers to follow (My open tickets, Requested by me), not bob's.
    const id = await create('R', { subject: 'Opened for alice', requester: 'alice' }, bob);
    const after = await views(alice);
    expect(after['My open tickets']).toEqual(['A', 'C', 'R']);
    expect(after['Requested by me']).toEqual(['A', 'C', 'R']);
    expect((await views(bob))['Requested by me']).toEqual([]);
    expect((await s.gql(`mutation($id: ID!) { ticketPurge(id: $id) { userErrors { message } } }`, { id })).data.ticketPurge.userErrors).toEqual([]);
    delete num.R;
  });

  test('create, list, run, update and delete a saved search; names are unique per user', async () => {
    const created = await s.gql(CREATE_SS, { i: { name: ' Important open ', query: 'tags:important status:open', orderBy: [{ field: 'NUMBER', direction: 'ASC' }] } }, alice);
    expect(created.data.savedSearchCreate.userErrors).toEqual([]);
    const ss = created.data.savedSearchCreate.savedSearch;
    expect(ss).toMatchObject({ name: 'Important open', query: 'tags:important status:open', filter: null, orderBy: [{ field: 'NUMBER', direction: 'ASC' }] });

    const listed = (await s.gql(LIST, {}, alice)).data.savedSearches;
    expect(listed.slice(0, 7).every((x: { builtIn: boolean }) => x.builtIn)).toBe(true);
    const mine = listed.find((x: { id: string }) => x.id === ss.id);
    expect(mine.tickets.edges.map((e: { node: { number: number } }) => nameOf(e.node.number))).toEqual(['A', 'G']);

    const node = await s.gql(`query($id: ID!) { node(id: $id) { ... on SavedSearch { name } } }`, { id: ss.id }, alice);
    expect(node.data.node).toEqual({ name: 'Important open' });
    expect((await s.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: ss.id }, bob)).data.node).toBeNull();

    const dup = await s.gql(CREATE_SS, { i: { name: 'Important open' } }, alice);
    expect(dup.data.savedSearchCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'name'], code: 'TAKEN' })]);
    expect((await s.gql(CREATE_SS, { i: { name: 'Important open' } }, bob)).data.savedSearchCreate.userErrors).toEqual([]);

    const withFilter = await s.gql(UPDATE_SS, { id: ss.id, i: { name: 'Important', query: null, filter: { tags: { eq: 'important' }, status: { in: ['OPEN', 'IN_PROGRESS'] } } } }, alice);
    expect(withFilter.data.savedSearchUpdate.userErrors).toEqual([]);
    const again = (await s.gql(LIST, {}, alice)).data.savedSearches.find((x: { id: string }) => x.id === ss.id);
    expect(again).toMatchObject({ name: 'Important', query: null, filter: { tags: { eq: 'important' }, status: { in: ['OPEN', 'IN_PROGRESS'] } } });
    expect(names(again.tickets.edges)).toEqual(['A', 'E', 'G']);

    expect((await s.gql(UPDATE_SS, { id: ss.id, i: { name: 'x' } }, bob)).data.savedSearchUpdate).toEqual({ savedSearch: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND', message: 'No such saved search' }] });
    expect((await s.gql(DELETE_SS, { id: ss.id }, bob)).data.savedSearchDelete).toEqual({ deletedId: null, userErrors: [{ code: 'NOT_FOUND', message: 'No such saved search' }] });
    const deleted = await s.gql(DELETE_SS, { id: ss.id }, alice);
    expect(deleted.data.savedSearchDelete).toEqual({ deletedId: ss.id, userErrors: [] });
    expect((await s.gql(LIST, {}, alice)).data.savedSearches.some((x: { id: string }) => x.id === ss.id)).toBe(false);
  });

  test('a saved search that could not run is refused with a userError naming the input', async () => {
    const bad = await s.gql(CREATE_SS, { i: { name: 'Broken', query: 'foo:bar', filter: { category: { contains: 'x' } } } }, alice);
    expect(bad.data.savedSearchCreate.savedSearch).toBeNull();
    expect(bad.data.savedSearchCreate.userErrors).toEqual([
      expect.objectContaining({ field: ['input', 'query'], code: 'INVALID', message: expect.stringMatching(/Unknown field "foo"/) }),
      expect.objectContaining({ field: ['input', 'filter'], code: 'INVALID' }),
    ]);
    const blank = await s.gql(CREATE_SS, { i: { name: '  ' } }, alice);
    expect(blank.data.savedSearchCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'name'], code: 'BLANK' })]);
    const dupOrder = await s.gql(CREATE_SS, { i: { name: 'Twice', orderBy: [{ field: 'DUE', direction: 'ASC' }, { field: 'DUE', direction: 'DESC' }] } }, alice);
    expect(dupOrder.data.savedSearchCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'orderBy'], code: 'INVALID' })]);
  });

  test('built-in views cannot be changed or deleted, and resolve through node', async () => {
    const overdue = (await s.gql(LIST, {}, alice)).data.savedSearches.find((x: { name: string }) => x.name === 'Overdue');
    expect((await s.gql(UPDATE_SS, { id: overdue.id, i: { name: 'Mine' } }, alice)).data.savedSearchUpdate.userErrors[0].code).toBe('FORBIDDEN');
    expect((await s.gql(DELETE_SS, { id: overdue.id }, alice)).data.savedSearchDelete.userErrors[0].code).toBe('FORBIDDEN');
    const node = await s.gql(`query($id: ID!) { node(id: $id) { ... on SavedSearch { name builtIn tickets { totalCount } } } }`, { id: overdue.id }, alice);
    expect(node.data.node).toEqual({ name: 'Overdue', builtIn: true, tickets: { totalCount: 1 } });
    expect(overdue.filter).toMatchObject({ status: { in: ['OPEN', 'IN_PROGRESS', 'ON_HOLD'] } });
  });
});
