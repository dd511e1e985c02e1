import { ShortWords1796200000000 as MysqlShortWords } from '../migrations/mysql/1796200000000-ShortWords';
import { ShortWords1796200000000 as SqliteShortWords } from '../migrations/sqlite/1796200000000-ShortWords';
import type { QueryRunner } from 'typeorm';
import { CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

/*
 * Words shorter than three letters (db, ci, eu, v2) are searchable as whole words, alone or mixed
 * with long words and phrases, in subject, body and comments, on whichever database DATABASE_URL
 * names. Fixture tickets are named; expectations are sets of names.
 */

let s: TestServer;
const num: Record<string, number> = {};
const ids: Record<string, string> = {};
const nameOf = (n: number) => Object.keys(num).find((k) => num[k] === n) ?? `#${n}`;

const SEARCH = `query($q: String, $f: TicketFilter) { tickets(query: $q, filter: $f, first: 100) { totalCount edges { node { number } } } }`;

async function create(name: string, input: Record<string, unknown>): Promise<void> {
  const r = await s.gql(CREATE, { input });
  if (r.errors || r.data.ticketCreate.userErrors.length) throw new Error(JSON.stringify(r));
  num[name] = r.data.ticketCreate.ticket.number;
  ids[name] = r.data.ticketCreate.ticket.id;
}

async function comment(name: string, body: string): Promise<string> {
  const r = await s.gql(`mutation($i: CommentAddInput!) { commentAdd(input: $i) { change { id } userErrors { message } } }`, { i: { ticketId: ids[name], body } });
  expect(r.data.commentAdd.userErrors).toEqual([]);
  return r.data.commentAdd.change.id;
}

async function findSet(q: string | null, f?: unknown): Promise<string[]> {
  const r = await s.gql(SEARCH, { q, f });
  if (r.errors) throw new Error(`${q}: ${JSON.stringify(r.errors)}`);
  const names = r.data.tickets.edges.map((e: { node: { number: number } }) => nameOf(e.node.number));
  expect(r.data.tickets.totalCount).toBe(names.length);
  return names.sort();
}

beforeAll(async () => {
  s = await startTestServer();
  await create('S1', { subject: 'DB failover in EU', body: 'the v2 api went down' });
  await create('S2', { subject: 'dbadmin feedback', body: 'dashboards: feedback from the db_team' });
  await create('S3', { subject: 'CI pipeline red', body: 'build broken' });
  await comment('S3', 'fixed in db v2.');
  await create('S4', { subject: 'Café é', body: 'an accented short word' });
  // A real word that starts like the index's mark for short words: never taken for "db".
  await create('S5', { subject: 'sw0db marker', body: 'sw0 x' });
});
afterAll(() => s?.close());

test.each<[string, string[]]>([
  // a short word is a whole word: not inside dbadmin, feedback or db_team
  ['db', ['S1', 'S3']],
  ['DB', ['S1', 'S3']],
  ['subject:db', ['S1']],
  ['changes:db', ['S3']],
  ['body:db', []],
  ['db_team', ['S2']],
  // short and long words together, exclusion, alternatives
  ['db failover', ['S1']],
  ['db -failover', ['S3']],
  ['-db subject:feedback', ['S2']],
  ['eu|ci', ['S1', 'S3']],
  ['v2', ['S1', 'S3']],
  ['body:v2 api', ['S1']],
  ['changes:v2 fixed', ['S3']],
  ['v2 pipeline', ['S3']],
  // phrases keep word order, short words included
  ['"db failover"', ['S1']],
  ['"failover db"', []],
  ['"in db v2"', ['S3']],
  ['"v2 api"', ['S1']],
  // accents fold as for long words
  ['e', ['S4']],
  ['subject:é', ['S4']],
  // words that start like the mark
  ['sw0db', ['S5']],
  ['sw0', ['S5']],
  ['x', ['S5']],
  // prefixes of three letters still match long words only as prefixes
  ['dba*', ['S2']],
  ['sw0*', ['S5']],
])('%s', async (q, expected) => {
  expect(await findSet(q)).toEqual(expected);
});

test('typed filters take short words the same way', async () => {
  expect(await findSet(null, { text: { contains: 'db' } })).toEqual(['S1', 'S3']);
  expect(await findSet(null, { comments: { contains: 'v2' } })).toEqual(['S3']);
  expect(await findSet(null, { text: { phrase: 'DB failover' } })).toEqual(['S1']);
  expect(await findSet(null, { or: [{ subject: { contains: 'eu' } }, { subject: { contains: 'ci' } }] })).toEqual(['S1', 'S3']);
});

test('a prefix shorter than three letters is refused, naming the word', async () => {
  for (const q of ['db*', 'subject:d*']) {
    const r = await s.gql(SEARCH, { q });
    expect(r.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(r.errors![0].message).toMatch(/prefix search needs at least 3 letters/);
  }
  const r = await s.gql(SEARCH, { q: '!!!' });
  expect(r.errors![0].message).toMatch(/has no word/);
});

test('edits and comment changes keep short words in step', async () => {
  await create('S6', { subject: 'Kestrel on db', body: 'ok' });
  expect(await findSet('kestrel ok db')).toEqual(['S6']);
  await s.gql(`mutation($id: ID!) { ticketUpdate(id: $id, input: { subject: "Kestrel on disk", body: "fine" }) { userErrors { message } } }`, { id: ids.S6 });
  expect(await findSet('kestrel db')).toEqual([]);
  expect(await findSet('kestrel on')).toEqual(['S6']);
  const c = await comment('S6', 'see ab');
  expect(await findSet('changes:ab')).toEqual(['S6']);
  await s.gql(`mutation($id: ID!) { commentUpdate(id: $id, input: { body: "see cd" }) { userErrors { message } } }`, { id: c });
  expect(await findSet('changes:ab')).toEqual([]);
  expect(await findSet('kestrel changes:cd')).toEqual(['S6']);
  // Stored text reads back as written through the API.
  const node = await s.gql(`query($id: ID!) { node(id: $id) { ... on Ticket { subject body } } }`, { id: ids.S6 });
  expect(node.data.node).toEqual({ subject: 'Kestrel on disk', body: 'fine' });
});

test('the migration marks short words in documents written before it, and its revert restores the text', async () => {
  const migration = s.app.db.dialect === 'sqlite' ? new SqliteShortWords() : new MysqlShortWords();
  const idColumn = s.app.db.dialect === 'sqlite' ? 'rowid' : 'ticket_id';
  // The migration only runs statements: the server's manager serves as its query runner.
  const runner = { query: (sql: string, params?: unknown[]) => s.app.db.manager.query(sql, params) } as unknown as QueryRunner;
  const rowOf = await s.app.db.manager.query(`SELECT ${idColumn} AS id FROM ticket_search WHERE ${idColumn} IN (SELECT id FROM ticket WHERE number = ?)`, [num.S3]);
  const id = Number(rowOf[0].id);
  const read = async () => (await s.app.db.manager.query(`SELECT subject, body, comments FROM ticket_search WHERE ${idColumn} = ?`, [id]))[0];
  await migration.down(runner);
  expect(await read()).toEqual({ subject: 'CI pipeline red', body: 'build broken', comments: '\nfixed in db v2.' });
  // As an index written before short words were: "db" is not in it (only S5's own word sw0db,
  // which is why the migration marks such words too).
  expect(await findSet('db')).toEqual(['S5']);
  await migration.up(runner);
  expect(await read()).toEqual({ subject: 'sw0CI pipeline red', body: 'build broken', comments: '\nfixed sw0in sw0db sw0v2.' });
  expect(await findSet('db')).toEqual(['S1', 'S3']);
  expect(await findSet('sw0db')).toEqual(['S5']);
});
