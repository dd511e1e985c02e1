import { COMMENT_ADD, CREATE } from './helpers/documents';
import { startTestServer, type GqlResponse, type TestServer } from './helpers/test-server';

/**
 * Queries compiled by graphql-jit (src/http/compiled-execution.plugin.ts) answer exactly as
 * graphql-js does: the first uses of a document run on graphql-js, later ones compiled, and the
 * answers, statuses and SQL statements must not differ. The whole suite can also be run with every
 * query compiled on its first use: TEST_GRAPHQL_COMPILE_AFTER=1 npm test.
 */
let s: TestServer;
let admin: string;
let viewer: string;

async function compiled(outcome: 'answered' | 'rerun'): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`tg_graphql_compiled_queries_total{outcome="${outcome}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The answer without what differs per request (its id). */
function answer(r: GqlResponse): unknown {
  const errors = r.errors?.map(({ extensions, ...e }) => ({ ...e, extensions: { ...extensions, requestId: undefined } }));
  return { status: r.status, data: r.data, errors, cost: r.extensions?.cost?.requested };
}

const QUERIES: [string, string, Record<string, unknown>][] = [
  ['one ticket with its history and authors', `query($n: Int!) { ticket(number: $n) { id number subject status priority createdAt updatedAt changes(last: 20) { totalCount pageInfo { hasPreviousPage startCursor } edges { cursor node { id type createdAt body oldValue newValue field visibility author { username name } } } } } }`, { n: 2 }],
  ['a list with assignees, tags and histories', `query($first: Int!) { tickets(first: $first) { totalCount pageInfo { hasNextPage endCursor } edges { node { id number subject assignees { username } tags { key } changes(last: 5) { edges { node { id type author { username } } } } } } } }`, { first: 10 }],
  ['search with fragments, aliases and directives', `query($q: String!, $withBody: Boolean!) { found: tickets(first: 5, query: $q) { totalCount edges { node { ...T body @include(if: $withBody) subject @skip(if: $withBody) } } } } fragment T on Ticket { number status }`, { q: 'status:open compiled', withBody: true }],
  ['node with type conditions and __typename', `query($id: ID!) { node(id: $id) { __typename id ... on Ticket { number subject } ... on User { username } } }`, {}],
  ['the viewer and a user lookup', `{ viewer { username name privileges } user(username: "viewer") { username name active } }`, {}],
  ['enum and list arguments in the typed filter', `{ tickets(first: 5, filter: { status: { in: [OPEN] }, number: { lte: 3 } }) { edges { node { number status } } } }`, {}],
  ['introspection', `{ __type(name: "Ticket") { name fields { name } } }`, {}],
];

beforeAll(async () => {
  s = await startTestServer({ GRAPHQL_COMPILE_AFTER: '2' }); // whatever TEST_GRAPHQL_COMPILE_AFTER the suite runs with
  admin = await s.user('boss', ['ADMIN']);
  viewer = await s.user('viewer', ['CREATE_TICKETS']);
  for (let i = 0; i < 4; i++) {
    const t = (await s.gql(CREATE, { input: { subject: `Compiled ${i}`, body: `body ${i}`, assignees: ['boss', 'viewer'] } }, admin)).data.ticketCreate.ticket;
    await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: `note ${i}`, visibility: 'PUBLIC' } }, admin);
  }
  const first = (await s.gql(`{ ticket(number: 1) { id } }`, {}, admin)).data.ticket.id;
  QUERIES[3][2] = { id: first };
});
afterAll(() => s?.close());

test.each(QUERIES)('%s: the compiled answers equal graphql-js\'s, with the same statements', async (_name, query, variables) => {
  const before = await compiled('answered');
  const runs: GqlResponse[] = [];
  for (let i = 0; i < 4; i++) runs.push(await s.gql(query, variables, admin));
  expect(runs[0].status).toBe(200);
  expect(runs[0].errors).toBeUndefined();
  for (const r of runs.slice(1)) expect(answer(r)).toEqual(answer(runs[0]));
  // Compiled from the second use on (GRAPHQL_COMPILE_AFTER=2); the first ran on graphql-js.
  expect((await compiled('answered')) - before).toBe(3);
  const statements = runs.map((r) => s.requests.get(r.requestId)?.sqlCount);
  expect(new Set(statements).size).toBe(1);
});

test('a compiled query that reports an error is run again by graphql-js: the same partial answer and error as on the first use', async () => {
  const query = `{ viewer { username } webhooks { id } }`;
  const before = await compiled('rerun');
  const runs: GqlResponse[] = [];
  for (let i = 0; i < 3; i++) runs.push(await s.gql(query, {}, viewer));
  expect(runs[0].data).toEqual({ viewer: { username: 'viewer' }, webhooks: null });
  expect(runs[0].errors).toEqual([expect.objectContaining({ path: ['webhooks'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
  for (const r of runs.slice(1)) expect(answer(r)).toEqual(answer(runs[0]));
  expect((await compiled('rerun')) - before).toBe(2);
});

test('variables that do not coerce are refused as by graphql-js, every time', async () => {
  const query = `query($n: Int!) { ticket(number: $n) { number } }`;
  const runs: GqlResponse[] = [];
  for (let i = 0; i < 3; i++) runs.push(await s.gql(query, { n: 'one' }, admin));
  expect(runs[0].status).toBe(400);
  expect(runs[0].errors?.[0].message).toMatch(/\$n.*Int/);
  for (const r of runs.slice(1)) expect(answer(r)).toEqual(answer(runs[0]));
});

test('an operationName the document does not define is refused as by graphql-js, every time', async () => {
  const runs: Response[] = [];
  for (let i = 0; i < 3; i++) {
    runs.push(await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify({ query: 'query A { viewer { username } }', operationName: 'B' }) }));
  }
  const bodies = await Promise.all(runs.map(async (r) => ({ status: r.status, errors: ((await r.json()) as { errors: { message: string }[] }).errors.map((e) => e.message) })));
  expect(bodies[0]).toEqual({ status: 400, errors: ['Unknown operation named "B".'] });
  for (const b of bodies.slice(1)) expect(b).toEqual(bodies[0]);
});

test('mutations are never compiled', async () => {
  const ticketId = (await s.gql(`{ ticket(number: 1) { id } }`, {}, admin)).data.ticket.id;
  const before = [await compiled('answered'), await compiled('rerun')];
  for (let i = 0; i < 3; i++) {
    const r = await s.gql(COMMENT_ADD, { input: { ticketId, body: `again ${i}` } }, admin);
    expect(r.data.commentAdd.userErrors).toEqual([]);
  }
  expect([await compiled('answered'), await compiled('rerun')]).toEqual(before);
});

test('GRAPHQL_COMPILE_AFTER=0 runs everything on graphql-js', async () => {
  const plain = await startTestServer({ GRAPHQL_COMPILE_AFTER: '0' });
  try {
    for (let i = 0; i < 3; i++) expect((await plain.gql(`{ viewer { username } }`)).data.viewer.username).toBe('admin');
    const text = await (await fetch(`${plain.url}/metrics`)).text();
    expect(text).not.toMatch(/^tg_graphql_compiled_queries_total\{/m);
  } finally {
    await plain.close();
  }
});
