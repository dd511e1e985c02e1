import { ApiKey } from '../src/entities/api-key.entity';
import { TicketChange } from '../src/entities/ticket-change.entity';
import { TicketUser } from '../src/entities/ticket-user.entity';
import { Ticket } from '../src/entities/ticket.entity';
import { User } from '../src/entities/user.entity';
import { COMMENT_ADD, CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

// The hot reads (src/db/entity-rows.ts) select columns from the entity metadata and hydrate rows
// through the driver: what they return must be what TypeORM's own find returns, column for column,
// for every entity they read, including columns added later (nullable, JSON, dates, booleans).

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  const key = await s.user('rowsy');
  const t = (await s.gql(CREATE, { input: { subject: 'Rows', body: 'Body *text*', assignees: ['rowsy'], notify: ['x@example.com'] } }, key)).data.ticketCreate.ticket;
  await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: 'A comment' } }, key);
});
afterAll(() => s?.close());

test.each([
  ['ticket', Ticket],
  ['user', User],
  ['ticket_change', TicketChange],
  ['api_key', ApiKey],
  ['ticket_user', TicketUser],
] as const)('rows of %s map to the same entities as TypeORM find', async (_name, entity) => {
  const { db } = s.app;
  const r = db.rows(entity as new () => object, 'e');
  const expected = await db.manager.find(entity as new () => object);
  expect(expected.length).toBeGreaterThan(0);
  const mapped = r.mapAll(await db.manager.query(`SELECT ${r.select} FROM ${r.table} e`));
  const key = (e: object) => JSON.stringify(r.metadata.getEntityIdMap(e));
  const sort = (list: object[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
  expect(sort(mapped)).toEqual(sort(expected));
  // Same classes too: resolvers and services check instanceof and call methods.
  for (const e of mapped) expect(e).toBeInstanceOf(entity);
});

test('a left join that found nothing maps to null, not to an empty entity', () => {
  const r = s.app.db.rows(User, 'author');
  const nulls = Object.fromEntries(r.metadata.columns.map((c) => [`author_${c.databaseName}`, null]));
  expect(r.map(nulls)).toBeNull();
});
