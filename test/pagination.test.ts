import { CREATE, UPDATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;
const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: [TicketOrder!]) {
  tickets(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
    totalCount edges { cursor node { number } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

beforeAll(async () => {
  s = await startTestServer({ PAGE_SIZE_DEFAULT: '4' });
  const priorities = ['LOW', 'HIGH', 'NORMAL', 'HIGH', 'URGENT', 'LOW', 'HIGH', 'NORMAL', 'LOW', 'HIGH'];
  for (let i = 0; i < 10; i++) {
    await s.gql(CREATE, { input: { subject: `T${i + 1}`, priority: priorities[i], due: i % 3 === 0 ? null : `2030-01-0${(i % 4) + 1}T00:00:00Z` } });
  }
});
afterAll(() => s?.close());

type Page = { totalCount: number; edges: { cursor: string; node: { number: number } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string } };
const page = async (vars: Record<string, unknown>): Promise<Page> => {
  const r = await s.gql(PAGE, vars);
  expect(r.errors).toBeUndefined();
  return r.data.tickets;
};
const numbers = (p: Page) => p.edges.map((e) => e.node.number);

async function walk(orderBy: unknown, size: number): Promise<number[]> {
  const seen: number[] = [];
  let after: string | null = null;
  for (;;) {
    const p: Page = await page({ first: size, after, orderBy });
    seen.push(...numbers(p));
    if (!p.pageInfo.hasNextPage) return seen;
    after = p.pageInfo.endCursor;
  }
}

test('pages forward newest first by default with the configured default size and an exact totalCount', async () => {
  const p1 = await page({});
  expect(p1.totalCount).toBe(10);
  expect(numbers(p1)).toEqual([10, 9, 8, 7]);
  expect(p1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  const p2 = await page({ first: 4, after: p1.pageInfo.endCursor });
  expect(numbers(p2)).toEqual([6, 5, 4, 3]);
  const p3 = await page({ first: 4, after: p2.pageInfo.endCursor });
  expect(numbers(p3)).toEqual([2, 1]);
  expect(p3.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
});

test('pages backward with last/before', async () => {
  const tail = await page({ last: 3 });
  expect(numbers(tail)).toEqual([3, 2, 1]);
  expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  const prev = await page({ last: 3, before: tail.pageInfo.startCursor });
  expect(numbers(prev)).toEqual([6, 5, 4]);
});

test.each([
  ['priority descending', [{ field: 'PRIORITY', direction: 'DESC' }]],
  ['due ascending (no due date last)', [{ field: 'DUE', direction: 'ASC' }]],
  ['due descending', [{ field: 'DUE', direction: 'DESC' }]],
  ['priority then due', [{ field: 'PRIORITY', direction: 'ASC' }, { field: 'DUE', direction: 'DESC' }]],
  ['created ascending', [{ field: 'CREATED', direction: 'ASC' }]],
])('walks every ticket exactly once when sorting by %s, in pages of 3', async (_name, orderBy) => {
  const all = numbers(await page({ first: 100, orderBy }));
  expect(await walk(orderBy, 3)).toEqual(all);
  expect([...all].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('sorts by priority with number as the tiebreak, and puts tickets without a due date last when ascending', async () => {
  expect(numbers(await page({ first: 100, orderBy: [{ field: 'PRIORITY', direction: 'DESC' }] }))).toEqual([5, 10, 7, 4, 2, 8, 3, 9, 6, 1]);
  const byDue = numbers(await page({ first: 100, orderBy: [{ field: 'DUE', direction: 'ASC' }] }));
  expect(byDue.slice(-4).sort((a, b) => a - b)).toEqual([1, 4, 7, 10]);
});

test('keeps pages stable when a row changes position between requests', async () => {
  const orderBy = [{ field: 'MODIFIED', direction: 'DESC' }];
  const p1 = await page({ first: 5, orderBy });
  const first = numbers(p1);
  const moved = (await s.gql(`{ ticket(number: ${first[0]}) { id } }`)).data.ticket.id;
  await s.gql(UPDATE, { id: moved, input: { server: 'moved' } });
  const p2 = await page({ first: 5, after: p1.pageInfo.endCursor, orderBy });
  expect(numbers(p2).some((n) => first.includes(n))).toBe(false);
});

test.each([
  [{ first: 0 }, /first must be between 1 and 100/],
  [{ first: 101 }, /first must be between 1 and 100/],
  [{ last: -1 }, /last must be between 1 and 100/],
  [{ first: 2, last: 2 }, /either first or last/],
  [{ first: 2, after: 'garbage' }, /cursor is not valid/],
])('refuses bad pagination arguments %j with BAD_USER_INPUT', async (vars, message) => {
  const r = await s.gql(PAGE, vars);
  expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  expect(r.errors?.[0].message).toMatch(message);
});

test('refuses a cursor from a different ordering', async () => {
  const p = await page({ first: 2 });
  const r = await s.gql(PAGE, { first: 2, after: p.pageInfo.endCursor, orderBy: [{ field: 'DUE', direction: 'ASC' }] });
  expect(r.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
});

test('pages a ticket history with first/after', async () => {
  const t = (await s.gql(`{ ticket(number: 1) { id } }`)).data.ticket;
  for (let i = 0; i < 5; i++) await s.gql(`mutation($t: ID!, $b: String!) { commentAdd(input: { ticketId: $t, body: $b }) { userErrors { code } } }`, { t: t.id, b: `c${i}` });
  const q = `query($id: ID!, $after: String) { ticket(id: $id) { changes(first: 2, after: $after, types: [COMMENT]) { totalCount edges { node { body } } pageInfo { hasNextPage endCursor } } } }`;
  const bodies: string[] = [];
  let after: string | null = null;
  for (;;) {
    const r = await s.gql(q, { id: t.id, after });
    const c: { totalCount: number; edges: { node: { body: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = r.data.ticket.changes;
    expect(c.totalCount).toBe(5);
    bodies.push(...c.edges.map((e: { node: { body: string } }) => e.node.body));
    if (!c.pageInfo.hasNextPage) break;
    after = c.pageInfo.endCursor;
  }
  expect(bodies).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
});

test('totalCount of a result that fits on its first page is that page: it agrees with edges and costs no count statement', async () => {
  // Counting with a second statement let a ticket committed between the page and the count show
  // in totalCount but not in edges (seen in CI: totalCount 1 with no edge). A whole result on one page
  // is counted from the page itself; only a result with more pages needs the count statement.
  const statements = async (query: string): Promise<number> => {
    const r = await s.gql(query, {});
    expect(r.errors).toBeUndefined();
    return s.requests.get(r.requestId)?.sqlCount ?? -1;
  };
  const whole = await s.gql(`{ tickets(first: 20) { totalCount edges { node { number } } } }`, {});
  expect(whole.data.tickets.totalCount).toBe(10);
  expect(whole.data.tickets.edges).toHaveLength(10);
  expect(await statements(`{ tickets(first: 20) { totalCount edges { node { number } } } }`)).toBe(await statements(`{ tickets(first: 20) { edges { node { number } } } }`));
  const backward = (await s.gql(`{ tickets(last: 20) { totalCount edges { node { number } } } }`, {})).data.tickets;
  expect(backward.totalCount).toBe(10);
  expect(backward.edges).toHaveLength(10);
  // More pages, or a page after a cursor: the count is a statement of its own.
  expect(await statements(`{ tickets(first: 3) { totalCount edges { node { number } } } }`)).toBe(1 + (await statements(`{ tickets(first: 3) { edges { node { number } } } }`)));
  const first = (await s.gql(`{ tickets(first: 8) { pageInfo { endCursor } } }`, {})).data.tickets.pageInfo.endCursor;
  const rest = (await s.gql(`query($after: String) { tickets(first: 8, after: $after) { totalCount edges { node { number } } } }`, { after: first })).data.tickets;
  expect(rest).toEqual({ totalCount: 10, edges: [{ node: { number: 2 } }, { node: { number: 1 } }] });
  const changes = (await s.gql(`{ tickets(first: 1) { edges { node { changes { totalCount edges { node { type } } } jobs { totalCount } } } } }`, {})).data.tickets.edges[0].node;
  expect(changes.changes.totalCount).toBe(changes.changes.edges.length);
  expect(changes.jobs.totalCount).toBe(0);
});
