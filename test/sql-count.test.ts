import { COMMENT_ADD, CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;
let alice: string;

const NESTED = `query($first: Int!) { tickets(first: $first) { edges { node {
  number assignees { username } changes(first: 20) { edges { node { type author { username } } } }
} } } }`;

beforeAll(async () => {
  s = await startTestServer();
  const users = ['u1', 'u2', 'u3', 'u4'];
  const keys = [];
  for (const u of users) keys.push(await s.user(u));
  alice = keys[0];
  // 60 tickets, each with two assignees and comments by several authors.
  for (let i = 0; i < 60; i++) {
    const t = (await s.gql(CREATE, { input: { subject: `Load ${i}`, assignees: [users[i % 4], users[(i + 1) % 4]] } }, keys[i % 4])).data.ticketCreate.ticket;
    for (let c = 0; c < 3; c++) await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: `c${c}` } }, keys[(i + c) % 4]);
  }
  await s.gql(`{ viewer { username } }`, {}, alice); // the first use of a key also records its last-used time
});
afterAll(() => s?.close());

async function sqlCount(query: string, variables: Record<string, unknown>): Promise<number> {
  const r = await s.gql(query, variables, alice);
  expect(r.errors).toBeUndefined();
  return s.requests.get(r.requestId)?.sqlCount ?? -1;
}

test('resolves 50 tickets with assignees, 20 changes each and their authors in at most 4 statements, the same as for 5 tickets', async () => {
  const five = await sqlCount(NESTED, { first: 5 });
  const fifty = await sqlCount(NESTED, { first: 50 });
  // auth lookup, rate-limit charge (one upsert; see rate-limit.test.ts), ticket page, assignees, change window with its authors
  expect(fifty).toBeLessThanOrEqual(5);
  expect(fifty).toBe(five);
  const r = await s.gql(NESTED, { first: 50 }, alice);
  expect(r.data.tickets.edges).toHaveLength(50);
  for (const e of r.data.tickets.edges) {
    expect(e.node.assignees).toHaveLength(2);
    expect(e.node.changes.edges.map((c: { node: { type: string } }) => c.node.type)).toEqual(['CREATED', 'COMMENT', 'COMMENT', 'COMMENT']);
    expect(e.node.changes.edges.every((c: { node: { author: { username: string } } }) => /^u\d$/.test(c.node.author.username))).toBe(true);
  }
});

test('reads one ticket by number with its 20 latest changes and their authors in at most 4 statements', async () => {
  const q = `query($n: Int!) { ticket(number: $n) { number changes(last: 20) { edges { node { type author { username name } } } } } }`;
  const r = await s.gql(q, { n: 7 }, alice);
  expect(r.data.ticket.changes.edges.map((e: { node: { type: string } }) => e.node.type)).toEqual(['CREATED', 'COMMENT', 'COMMENT', 'COMMENT']);
  expect(r.data.ticket.changes.edges.every((e: { node: { author: { username: string; name: string } } }) => /^u\d$/.test(e.node.author.username) && /^U\d$/.test(e.node.author.name))).toBe(true);
  // auth lookup, rate-limit charge (none with the Redis store), ticket by number, change window with its authors
  expect(s.requests.get(r.requestId)?.sqlCount).toBeLessThanOrEqual(4);
});

test('a search with query, filter and totalCount costs the same statements for 3 or 40 rows, one fewer when all 45 fit the page', async () => {
  const q = `query($first: Int!) { tickets(first: $first, query: "status:open load -missing", filter: { assignees: { in: ["u1", "u2"] } }) { totalCount edges { node { number assignees { username } } } } }`;
  const three = await sqlCount(q, { first: 3 });
  // auth lookup, rate-limit charge, page, count, assignees
  expect(three).toBeLessThanOrEqual(5);
  expect(await sqlCount(q, { first: 40 })).toBe(three);
  // 45 tickets match: on one page of 50 the page is the count (services/pagination.ts).
  expect(await sqlCount(q, { first: 50 })).toBe(three - 1);
  expect((await s.gql(q, { first: 50 }, alice)).data.tickets.totalCount).toBe(45);
});

test('adds one statement per extra nesting level, not per row, when categories, tags, creators and counts join in', async () => {
  const q = `query($first: Int!) { tickets(first: $first) { totalCount edges { node { category { key } tags { key } creator { username } cc { username } changes { totalCount } } } } }`;
  expect(await sqlCount(q, { first: 50 })).toBe(await sqlCount(q, { first: 3 }));
});

// key lookup, rate-limit charge, BEGIN, ticket touch (visibility, version bump, first response), insert, full-text append, outbox upsert, COMMIT
test('adds a comment in at most 8 statements, with its full-text and mail bookkeeping', async () => {
  const t = (await s.gql(`{ tickets(first: 1) { edges { node { id number } } } }`, {}, alice)).data.tickets.edges[0].node;
  expect(await sqlCount(COMMENT_ADD, { input: { ticketId: t.id, body: 'counted' } })).toBeLessThanOrEqual(8);
  // By number the ticket is looked up first (the touch needs its row id).
  expect(await sqlCount(COMMENT_ADD, { input: { ticketId: `#${t.number}`, body: 'counted again' } })).toBeLessThanOrEqual(9);
});

test('User.requestedTickets over a list of users costs the same statements for 2 or 5 users (pages and counts batched), with correct pages', async () => {
  const q = `query($first: Int!) { users(first: $first) { edges { node { username requestedTickets(first: 4) { totalCount edges { node { number requester { username } } } pageInfo { hasNextPage endCursor } } } } } }`;
  const two = await sqlCount(q, { first: 2 });
  // auth lookup, rate-limit charge, users page, requested pages (one window), their counts (one GROUP BY)
  expect(two).toBeLessThanOrEqual(5);
  expect(await sqlCount(q, { first: 5 })).toBe(two);
  const r = await s.gql(q, { first: 5 }, alice);
  const byUser = Object.fromEntries(r.data.users.edges.map((e: any) => [e.node.username, e.node.requestedTickets]));
  for (const u of ['u1', 'u2', 'u3', 'u4']) {
    const page = byUser[u];
    expect(page.totalCount).toBe(15);
    expect(page.edges).toHaveLength(4);
    expect(page.edges.every((e: any) => e.node.requester.username === u)).toBe(true);
    const numbers = page.edges.map((e: any) => e.node.number);
    expect(numbers).toEqual([...numbers].sort((a: number, b: number) => b - a)); // newest first
    expect(page.pageInfo.hasNextPage).toBe(true);
  }
  // The next page continues after the cursor, and paging backward returns to the first.
  const next = await s.gql(`query($after: String) { user(username: "u1") { requestedTickets(first: 20, after: $after) { edges { node { number } } pageInfo { hasNextPage hasPreviousPage } } } }`, { after: byUser.u1.pageInfo.endCursor }, alice);
  const rest = next.data.user.requestedTickets;
  expect(rest.edges).toHaveLength(11);
  expect(rest.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  expect(Math.max(...rest.edges.map((e: any) => e.node.number))).toBeLessThan(Math.min(...byUser.u1.edges.map((e: any) => e.node.number)));
  const cursors = await s.gql(`{ user(username: "u1") { requestedTickets(first: 6) { edges { cursor node { number } } } } }`, {}, alice);
  const six = cursors.data.user.requestedTickets.edges;
  const back = await s.gql(`query($before: String) { user(username: "u1") { requestedTickets(last: 3, before: $before) { edges { node { number } } pageInfo { hasPreviousPage } } } }`, { before: six[5].cursor }, alice);
  expect(back.data.user.requestedTickets.edges.map((e: any) => e.node.number)).toEqual(six.slice(2, 5).map((e: any) => e.node.number));
  expect(back.data.user.requestedTickets.pageInfo.hasPreviousPage).toBe(true);
});
