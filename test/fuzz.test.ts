import 'reflect-metadata';
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { buildAppSchema } from '../src/graphql/schema';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';
import { CREATE, COMMENT_ADD } from './helpers/documents';

// Schema-driven fuzzing (fast-check): random queries and mutations built from the schema's own
// types, arguments and enums, plus malformed HTTP bodies. Whatever the input: no 5xx, no
// INTERNAL_SERVER_ERROR, nothing internal leaked. FUZZ_RUNS sets the number of operations
// (CI: 2000 per database; `FUZZ_RUNS=10000 npx jest test/fuzz` for the full run of issue 7).
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const MALFORMED_RUNS = Math.max(200, Math.round(RUNS / 4));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const LEAKS = /\bSELECT\b|\bINSERT INTO\b|\bat (\S+ \()?\/\S*:\d+:\d+|\.ts:\d|node_modules|SQLITE_|\bER_[A-Z_]{3,}|QueryFailedError|TypeORMError|ECONNREFUSED/;

let s: TestServer;
let schema: GraphQLSchema;
const pool = { ids: [] as string[], numbers: [] as number[], usernames: ['admin', 'fuzzer', 'viewer1', 'nobody'], keys: [] as (string | null)[] };

beforeAll(async () => {
  schema = await buildAppSchema();
  s = await startTestServer({ RATE_LIMIT_COST_PER_MINUTE: '0' });
  const fuzzer = await s.user('fuzzer', ['CREATE_TICKETS', 'EDIT_TICKETS', 'DELETE_TICKETS']);
  const viewer = await s.user('viewer1', []);
  pool.keys = [ADMIN_KEY, ADMIN_KEY, fuzzer, viewer, null, 'not-a-real-key-0123456789'];
  for (let i = 0; i < 5; i++) {
    const t = (await s.gql(CREATE, { input: { subject: `Fuzz seed ${i}`, assignees: ['fuzzer'] } })).data.ticketCreate.ticket;
    pool.ids.push(t.id);
    pool.numbers.push(t.number);
    const c = await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: `seed comment ${i}` } });
    pool.ids.push(c.data.commentAdd.change.id);
  }
}, 60_000);
afterAll(() => s?.close());

// ---------------------------------------------------------------- generators

type Gen = fc.GeneratorValue;

// fc.gen() compares arguments structurally to reuse arbitraries, so schema objects (cyclic) are
// never passed to it: pick by index instead.
function pickSome<T>(g: Gen, items: readonly T[], min: number, max: number): T[] {
  const idx = g(fc.subarray<number>, items.map((_, i) => i), { minLength: Math.min(min, items.length), maxLength: Math.min(max, items.length) });
  return idx.map((i) => items[i]);
}
function pickOne<T>(g: Gen, items: readonly T[]): T {
  return items[g(fc.nat, items.length - 1)];
}

const STRINGS = ['', ' ', 'a', 'open', 'status:open', 'priority:>=high', 'x'.repeat(400), '<script>alert(1)</script>', "'; DROP TABLE ticket; --", '%', '\\', '"', '\u0000', '🎫', 'due:<today', 'assignees:@me', '*', '-', 'num:1..2'];

function scalarLiteral(g: Gen, name: string): string {
  switch (name) {
    case 'Int':
    case 'SafeInt':
      return String(g(fc.constantFrom, 0, 1, -1, 2, 5, 20, 100, 101, 2147483647, -2147483648, 2 ** 53));
    case 'Float':
      return String(g(fc.constantFrom, 0, 1.5, -2.25, 1e308));
    case 'Boolean':
      return String(g(fc.boolean));
    case 'ID':
      return JSON.stringify(g(() => fc.oneof(fc.constantFrom(...pool.ids), fc.constantFrom(...pool.numbers.map(String)), fc.string({ maxLength: 12 }), fc.constant('VGlja2V0OjE'), fc.constant('VXNlcjox'))));
    case 'DateTime':
      return JSON.stringify(g(fc.constantFrom, '2026-01-01T00:00:00Z', '2030-12-31T23:59:59.999Z', 'yesterday', '2026-13-45T99:00:00Z', '1970-01-01T00:00:00Z', ''));
    case 'JSONObject':
      return g(fc.constantFrom, '{}', '{ a: 1 }', '{ nested: { x: [1, "two", null] } }');
    default:
      return JSON.stringify(g(() => fc.oneof(fc.constantFrom(...STRINGS, ...pool.usernames, 'seed', 'ops', 'example@example.com', 'https://example.com/hook'), fc.string({ maxLength: 20 }))));
  }
}

function valueLiteral(g: Gen, type: GraphQLInputType, depth: number): string {
  if (isNonNullType(type)) return valueLiteral(g, type.ofType, depth);
  if (!isNonNullType(type) && depth > 0 && g(fc.nat, 19) === 0) return 'null';
  if (isListType(type)) {
    const n = g(fc.nat, 3);
    return `[${Array.from({ length: n }, () => valueLiteral(g, type.ofType, depth + 1)).join(', ')}]`;
  }
  if (isEnumType(type)) return g(fc.constantFrom, ...type.getValues().map((v) => v.name));
  if (isInputObjectType(type)) {
    if (depth > 4) return '{}';
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) || g(fc.nat, 2) === 0);
    return `{ ${fields.map((f) => `${f.name}: ${valueLiteral(g, f.type, depth + 1)}`).join(', ')} }`;
  }
  if (isScalarType(type)) return scalarLiteral(g, type.name);
  return 'null';
}

function hasUpload(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === 'Upload') return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((f) => isNonNullType(f.type) && hasUpload(f.type, seen));
}

function argsOf(g: Gen, field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((a) => !(getNamedType(a.type).name === 'Upload') && (isNonNullType(a.type) || g(fc.nat, 3) === 0));
  if (args.length === 0) return '';
  return `(${args.map((a) => `${a.name}: ${valueLiteral(g, a.type, 0)}`).join(', ')})`;
}

let aliasCounter = 0;
function selection(g: Gen, type: GraphQLNamedType, depth: number): string {
  if (isUnionType(type)) {
    const members = type.getTypes();
    const picked = pickSome(g, members, 1, 2);
    return `__typename ${picked.map((m) => `... on ${m.name} { ${selection(g, m, depth + 1)} }`).join(' ')}`;
  }
  if (!isObjectType(type) && !isInterfaceType(type)) return '__typename';
  const usable = Object.values(type.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type) && hasUpload(a.type)));
  const leaves = usable.filter((f) => isLeafType(getNamedType(f.type)));
  const composites = usable.filter((f) => !isLeafType(getNamedType(f.type)));
  const pick = [
    ...pickSome(g, leaves, 1, 4),
    ...(depth < 5 ? pickSome(g, composites, 0, depth < 2 ? 3 : 1) : []),
  ];
  if (pick.length === 0) return '__typename';
  const parts = pick.map((f) => {
    const alias = g(fc.nat, 9) === 0 ? `a${++aliasCounter}: ` : '';
    const named = getNamedType(f.type);
    const sub = isLeafType(named) ? '' : ` { ${selection(g, named, depth + 1)} }`;
    return `${alias}${f.name}${argsOf(g, f)}${sub}`;
  });
  // Sometimes wrap part of the selection in an inline fragment on the same type.
  if (g(fc.nat, 5) === 0) return `... on ${type.name} { ${parts.join(' ')} } __typename`;
  return parts.join(' ');
}

function operation(g: Gen): string {
  const mutation = g(fc.nat, 9) < 3;
  const root = (mutation ? schema.getMutationType() : schema.getQueryType())!;
  const fields = Object.values(root.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type) && hasUpload(a.type)));
  const picked = mutation ? [pickOne(g, fields)] : pickSome(g, fields, 1, 3);
  const body = picked
    .map((f) => {
      const named = getNamedType(f.type);
      return `${f.name}${argsOf(g, f)}${isLeafType(named) ? '' : ` { ${selection(g, named, 1)} }`}`;
    })
    .join(' ');
  if (!mutation && g(fc.nat, 4) === 0) return `query Fuzz { ...Q } fragment Q on Query { ${body} }`;
  return `${mutation ? 'mutation' : 'query'} { ${body} }`;
}

// ---------------------------------------------------------------- checks

interface Seen {
  status: number;
  text: string;
}

const failures: string[] = [];
function check(what: string, r: Seen): void {
  const problems: string[] = [];
  if (r.status >= 500) problems.push(`status ${r.status}`);
  if (r.text.includes('INTERNAL_SERVER_ERROR')) problems.push('INTERNAL_SERVER_ERROR');
  const leak = LEAKS.exec(r.text);
  if (leak) problems.push(`leak "${leak[0]}"`);
  if (!/^\s*[[{]/.test(r.text)) problems.push('body is not JSON');
  if (problems.length) failures.push(`${problems.join(', ')} for ${what.slice(0, 600)}\n  -> ${r.text.slice(0, 600)}`);
}

async function send(body: string | Buffer, headers: Record<string, string>, key: string | null = ADMIN_KEY, method = 'POST', path = '/graphql'): Promise<Seen> {
  try {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: method === 'GET' ? undefined : body,
      // A hang is a finding too; the bound is generous so that a slow machine is not one.
      signal: AbortSignal.timeout(60_000),
    });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    return { status: 599, text: `no answer: ${(err as Error).message}` };
  }
}

// ---------------------------------------------------------------- properties

test(`${RUNS} random operations generated from the schema: no 5xx, no INTERNAL_SERVER_ERROR, no leaks`, async () => {
  const counts = { ok: 0, errors: 0, statuses: new Map<number, number>() };
  await fc.assert(
    fc.asyncProperty(fc.gen(), fc.constantFrom(...pool.keys), async (g, key) => {
      const query = operation(g);
      const r = await send(JSON.stringify({ query }), { 'content-type': 'application/json' }, key);
      counts.statuses.set(r.status, (counts.statuses.get(r.status) ?? 0) + 1);
      if (r.text.includes('"errors"')) counts.errors++;
      else counts.ok++;
      check(query, r);
      return true;
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  // The generator must mostly produce operations that run, or it tests only the validator.
  expect(counts.ok).toBeGreaterThan(RUNS / 5);
  const bad = failures.splice(0);
  if (bad.length) throw new Error(`${bad.length} bad responses:\n${bad.slice(0, 10).join('\n')}`);
}, 30 * 60_000);

const MALFORMED: [string, string | Buffer, Record<string, string>, string?][] = [
  ['empty body', '', { 'content-type': 'application/json' }],
  ['not JSON', '{"query": ', { 'content-type': 'application/json' }],
  ['JSON null', 'null', { 'content-type': 'application/json' }],
  ['JSON number', '42', { 'content-type': 'application/json' }],
  ['JSON string', '"{ __typename }"', { 'content-type': 'application/json' }],
  ['empty array', '[]', { 'content-type': 'application/json' }],
  ['query is a number', '{"query": 1}', { 'content-type': 'application/json' }],
  ['query is an object', '{"query": {"a": 1}}', { 'content-type': 'application/json' }],
  ['variables is a string', '{"query": "{ __typename }", "variables": "x"}', { 'content-type': 'application/json' }],
  ['variables is an array', '{"query": "{ __typename }", "variables": [1]}', { 'content-type': 'application/json' }],
  ['operationName is a number', '{"query": "{ __typename }", "operationName": 5}', { 'content-type': 'application/json' }],
  ['unknown operationName', '{"query": "query A { __typename }", "operationName": "B"}', { 'content-type': 'application/json' }],
  ['two anonymous operations', '{"query": "{ __typename } { __typename }"}', { 'content-type': 'application/json' }],
  ['extensions is a string', '{"query": "{ __typename }", "extensions": "x"}', { 'content-type': 'application/json' }],
  ['persisted query hash', '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}', { 'content-type': 'application/json' }],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x71, 0x75, 0x65, 0x72, 0x79, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), { 'content-type': 'application/json' }],
  ['invalid UTF-8 in a string value', Buffer.concat([Buffer.from('{"query":"{ tickets(query: \\"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('\\") { totalCount } }"}')]), { 'content-type': 'application/json' }],
  ['lone surrogate escape', '{"query": "{ tickets(query: \\"\\ud800\\") { totalCount } }"}', { 'content-type': 'application/json' }],
  ['text/plain', '{"query": "{ __typename }"}', { 'content-type': 'text/plain' }],
  ['form-urlencoded', 'query=%7B__typename%7D', { 'content-type': 'application/x-www-form-urlencoded' }],
  ['application/graphql', '{ __typename }', { 'content-type': 'application/graphql' }],
  ['no content type', '{"query": "{ __typename }"}', {}],
  ['multipart without boundary', 'garbage', { 'content-type': 'multipart/form-data', 'apollo-require-preflight': 'true' }],
  ['multipart garbage', '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{bad\r\n--x--\r\n', { 'content-type': 'multipart/form-data; boundary=x', 'apollo-require-preflight': 'true' }],
  ['multipart map to nowhere', '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"mutation($f: Upload!) { __typename }","variables":{"f":null}}\r\n--x\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.nothere.deep"]}\r\n--x--\r\n', { 'content-type': 'multipart/form-data; boundary=x', 'apollo-require-preflight': 'true' }],
  ['deeply nested variables', `{"query": "query($f: TicketFilter) { tickets(filter: $f) { totalCount } }", "variables": {"f": ${'{"and": ['.repeat(2000)}{}${']}'.repeat(2000)}}}`, { 'content-type': 'application/json' }],
  ['deeply nested JSON', `{"query": "{ __typename }", "variables": {"x": ${'['.repeat(5000)}${']'.repeat(5000)}}}`, { 'content-type': 'application/json' }],
  ['wrong variable type', '{"query": "query($n: Int) { tickets(first: $n) { totalCount } }", "variables": {"n": "ten"}}', { 'content-type': 'application/json' }],
  ['huge int variable', '{"query": "query($n: Int) { tickets(first: $n) { totalCount } }", "variables": {"n": 1e308}}', { 'content-type': 'application/json' }],
  ['object for ID variable', '{"query": "query($id: ID!) { ticket(id: $id) { id } }", "variables": {"id": {"a": 1}}}', { 'content-type': 'application/json' }],
  ['input with unknown field', '{"query": "mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { id } } }", "variables": {"i": {"subject": "x", "evil": 1}}}', { 'content-type': 'application/json' }],
  ['input of wrong shape', '{"query": "mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { id } } }", "variables": {"i": [1, 2]}}', { 'content-type': 'application/json' }],
  ['huge string variable', JSON.stringify({ query: 'query($q: String) { tickets(query: $q) { totalCount } }', variables: { q: 'a '.repeat(200_000) } }), { 'content-type': 'application/json' }],
  ['GET with query', '', {}, 'GET /graphql?query=%7B__typename%7D'],
  ['GET mutation', '', { 'apollo-require-preflight': 'true' }, 'GET /graphql?query=mutation%7BticketCreate(input:%7Bsubject:%22x%22%7D)%7Bticket%7Bid%7D%7D%7D'],
  ['GET bad variables', '', { 'apollo-require-preflight': 'true' }, 'GET /graphql?query=%7B__typename%7D&variables=%7Bbad'],
  ['PUT', '{"query": "{ __typename }"}', { 'content-type': 'application/json' }, 'PUT /graphql'],
  ['unknown path', '{}', { 'content-type': 'application/json' }, 'POST /graphql/../etc/passwd'],
  ['download of nothing', '', {}, 'GET /files/%00/..%2f..%2fsecret'],
];

// One argument per row: a row shorter than the callback's parameter list would make Jest pass `done`.
test.each(MALFORMED.map((row) => [row[0], row] as const))('malformed request: %s', async (_label, [name, body, headers, target]) => {
  const [method, path] = (target ?? 'POST /graphql').split(' ');
  for (const key of [ADMIN_KEY, null]) check(name, await send(body, headers, key, method, path));
  if (failures.length) throw new Error(failures.splice(0).join('\n'));
});

test(`${MALFORMED_RUNS} random bodies and variables: no 5xx, no leaks`, async () => {
  const documents = [
    'query($n: Int, $q: String) { tickets(first: $n, query: $q) { totalCount } }',
    'mutation($i: TicketCreateInput!) { ticketCreate(input: $i) { ticket { id } userErrors { code } } }',
    'mutation($id: ID!, $i: TicketUpdateInput!) { ticketUpdate(id: $id, input: $i) { ticket { id } userErrors { code } } }',
    'mutation($i: CommentAddInput!) { commentAdd(input: $i) { change { id } userErrors { code } } }',
    'query($id: ID!) { node(id: $id) { id } }',
  ];
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.record({ kind: fc.constant('raw'), body: fc.oneof(fc.string(), fc.json(), fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a))) }),
        fc.record({ kind: fc.constant('vars'), query: fc.constantFrom(...documents), variables: fc.jsonValue({ maxDepth: 4 }) }),
        fc.record({ kind: fc.constant('named'), query: fc.constantFrom(...documents), variables: fc.dictionary(fc.constantFrom('n', 'q', 'i', 'id'), fc.jsonValue({ maxDepth: 3 })) }),
      ),
      async (c) => {
        const body = c.kind === 'raw' ? (c.body as string | Buffer) : JSON.stringify({ query: c.query, variables: c.variables });
        check(JSON.stringify(c).slice(0, 400), await send(body, { 'content-type': 'application/json' }));
        return true;
      },
    ),
    { numRuns: MALFORMED_RUNS, seed: SEED },
  );
  const bad = failures.splice(0);
  if (bad.length) throw new Error(`${bad.length} bad responses:\n${bad.slice(0, 10).join('\n')}`);
}, 30 * 60_000);
