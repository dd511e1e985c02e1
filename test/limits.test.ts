import { getIntrospectionQuery, Lexer, Source, TokenKind } from 'graphql';
import { CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

// Query limits at their defaults (README "Limits"); the body-size limit and batching are covered in http.test.ts.
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

/** `levels` nested assignedTickets/creator pairs under viewer, ending in `leaf`. */
function deepQuery(levels: number, leaf: string): string {
  let inner = leaf;
  for (let i = 0; i < levels; i++) inner = `assignedTickets(first: 1) { edges { node { creator { ${inner} } } } }`;
  return `{ viewer { ${inner} } }`;
}

async function post(body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-admin-key-0123456789abcdef' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function ticketCount(): Promise<number> {
  return (await s.gql(`{ tickets(first: 1) { totalCount } }`)).data.tickets.totalCount;
}

describe('depth', () => {
  test('allows a query nested 10 fields deep and refuses 11 with 400 QUERY_TOO_DEEP', async () => {
    const ten = await s.gql(deepQuery(2, 'username'));
    expect(ten.errors).toBeUndefined();
    expect(ten.status).toBe(200);
    const eleven = await s.gql(deepQuery(2, 'assignedTickets(first: 1) { totalCount }'));
    expect(eleven.status).toBe(400);
    expect(eleven.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
    expect(eleven.errors?.[0].message).toMatch(/11 levels deep; the limit is 10/);
    expect(eleven.data).toBeUndefined();
  });

  test('counts depth through fragments and inline fragments', async () => {
    const q = `{ viewer { ...A } }
      fragment A on User { assignedTickets(first: 1) { edges { node { ... on Ticket { creator { ...B } } } } } }
      fragment B on User { assignedTickets(first: 1) { edges { node { creator { assignedTickets(first: 1) { totalCount } } } } } }`;
    const r = await s.gql(q);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  test("lets GraphiQL's standard introspection query through (type references do not count as levels)", async () => {
    for (const q of [getIntrospectionQuery(), getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })]) {
      const r = await s.gql(q, {}, null);
      expect(r.errors).toBeUndefined();
      expect(r.status).toBe(200);
      expect(r.data.__schema.types.length).toBeGreaterThan(20);
    }
  });

  test('still refuses introspection that fans out (graphql-js MaxIntrospectionDepthRule) and ofType bombs (cost)', async () => {
    const fanOut = await s.gql(`{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`, {}, null);
    expect(fanOut.status).toBe(400);
    expect(fanOut.errors?.[0].message).toMatch(/introspection depth/i);
    // ofType does not count as a level, so fan out along it: 4 aliases on each of 9 levels is 4^9 selections.
    const frags = ['fragment T0 on __Type { name }'];
    for (let i = 1; i <= 9; i++) frags.push(`fragment T${i} on __Type { ${[1, 2, 3, 4].map((k) => `o${k}: ofType { ...T${i - 1} }`).join(' ')} }`);
    const bomb = await s.gql(`{ __schema { types { ...T9 } } } ${frags.join(' ')}`, {}, null);
    expect(bomb.status).toBe(400);
    expect(['TOO_MANY_ALIASES', 'QUERY_TOO_COSTLY']).toContain(bomb.errors?.[0].extensions?.code);
  });
});

describe('aliases and directives', () => {
  test('allows 30 aliases, refuses 31 with 400 TOO_MANY_ALIASES, counting each place a fragment is spread', async () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ');
    expect((await s.gql(`{ ${aliases(30)} }`)).status).toBe(200);
    const r = await s.gql(`{ ${aliases(31)} }`);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toBe('TOO_MANY_ALIASES');
    const spread = await s.gql(`{ ...F viewer { ...G } } fragment F on Query { ${aliases(16)} } fragment G on User { ${Array.from({ length: 16 }, (_, i) => `u${i}: username`).join(' ')} }`);
    expect(spread.status).toBe(400);
    expect(spread.errors?.[0].extensions?.code).toBe('TOO_MANY_ALIASES');
  });

  test('refuses an aliased batch of mutations before any of them runs', async () => {
    const before = await ticketCount();
    const many = Array.from({ length: 31 }, (_, i) => `t${i}: ticketCreate(input: { subject: "batch ${i}" }) { ticket { id } }`).join(' ');
    const r = await s.gql(`mutation { ${many} }`);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toBe('TOO_MANY_ALIASES');
    expect(await ticketCount()).toBe(before);
  });

  test('allows 50 directives and refuses 51 with 400 TOO_MANY_DIRECTIVES', async () => {
    // @include is not repeatable on one field: one directive per inline fragment.
    const dirs = (n: number) => Array.from({ length: n }, () => '... @include(if: true) { __typename }').join(' ');
    expect((await s.gql(`{ ${dirs(50)} }`)).status).toBe(200);
    const r = await s.gql(`{ ${dirs(25)} viewer { username ${dirs(26).replace(/__typename/g, 'username')} } }`);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toBe('TOO_MANY_DIRECTIVES');
  });
});

describe('tokens', () => {
  test('refuses a document over 5000 tokens in the parser with 400 TOO_MANY_TOKENS', async () => {
    // A list literal of n enum values: 5000 tokens pass, 5001 do not (counted with graphql's own lexer).
    const doc = (n: number) => `{ ticket(number: 999999) { changes(types: [${Array.from({ length: n }, () => 'COMMENT').join(' ')}]) { totalCount } } }`;
    const tokens = (source: string) => {
      const lexer = new Lexer(new Source(source));
      let n = 0;
      while (lexer.advance().kind !== TokenKind.EOF) n++;
      return n;
    };
    const overhead = tokens(doc(0));
    expect(tokens(doc(5000 - overhead))).toBe(5000);
    const ok = await s.gql(doc(5000 - overhead));
    expect(ok.status).toBe(200);
    expect(ok.errors).toBeUndefined();
    const r = await s.gql(doc(5001 - overhead));
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toBe('TOO_MANY_TOKENS');
    expect(r.errors?.[0].message).toMatch(/more than 5000 tokens/);
  });
});

describe('page sizes', () => {
  test.each([
    ['first: 0', {}],
    ['first: 101', {}],
    ['last: -1', {}],
    ['first: $n', { n: 1000 }],
  ])('refuses %s before execution with 400 BAD_USER_INPUT', async (arg, vars) => {
    const decl = 'n' in vars ? '($n: Int)' : '';
    const r = await s.gql(`query${decl} { tickets(${arg}) { totalCount } }`, vars);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0].message).toMatch(/(first|last) must be between 1 and 100 \(at tickets\)/);
    expect(r.data).toBeUndefined();
  });

  test('accepts 1 and 100', async () => {
    for (const n of [1, 100]) expect((await s.gql(`query($n: Int) { tickets(first: $n) { totalCount } }`, { n })).status).toBe(200);
  });
});

describe('cost', () => {
  test('reports each operation cost in extensions.cost: connections cost their page size times the enclosing pages', async () => {
    const r = await s.gql(`{ tickets(first: 5) { totalCount edges { node { number changes(first: 3) { edges { node { author { username } } } } } } } }`);
    expect(r.errors).toBeUndefined();
    // tickets 5 + changes 5x3 + author 15
    expect(r.extensions?.cost).toMatchObject({ requested: 35, limit: 10000 });
    const defaults = await s.gql(`{ tickets { edges { node { creator { username } } } } }`);
    expect(defaults.extensions?.cost.requested).toBe(20 + 20);
    expect((await s.gql(`{ __typename }`)).extensions?.cost.requested).toBe(1);
  });

  test('refuses a query costing more than 10000 with 400 QUERY_TOO_COSTLY, before running it', async () => {
    const r = await s.gql(`{ tickets(first: 100) { edges { node { changes(first: 100) { edges { node { id } } } } } } }`);
    expect(r.status).toBe(400);
    expect(r.errors?.[0].extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', cost: 10100, limit: 10000 });
    expect(r.extensions?.cost).toMatchObject({ requested: 10100, limit: 10000 });
    expect(r.data).toBeUndefined();
    expect((await s.gql(`{ tickets(first: 100) { edges { node { changes(first: 99) { edges { node { id } } } } } } }`)).status).toBe(200);
  });

  test('expands a fragment spread twice at one level once, as execution does', async () => {
    const r = await s.gql(`{ ...T ...T } fragment T on Query { tickets(first: 7) { totalCount } }`);
    expect(r.extensions?.cost.requested).toBe(7);
  });

  test('a mutation is charged by what it selects in its payload', async () => {
    const r = await s.gql(CREATE, { input: { subject: 'Cost of a create' } });
    expect(r.errors).toBeUndefined();
    expect(r.extensions?.cost.requested).toBeGreaterThanOrEqual(1);
  });
});

describe('transport', () => {
  test('answers a batched array with 400, not by running each operation', async () => {
    const before = await ticketCount();
    const r = await post([{ query: 'mutation { ticketCreate(input: { subject: "b1" }) { ticket { id } } }' }, { query: '{ __typename }' }]);
    expect(r.status).toBe(400);
    expect(await ticketCount()).toBe(before);
  });
});
