import { Ticket } from '../src/entities/ticket.entity';
import { CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

/*
 * No statement of one request runs inside another's transaction. On SQLite, TypeORM's
 * better-sqlite3 driver has one connection for the whole process: a statement issued while another
 * request's transaction was open (awaiting between two statements) ran inside it, saw its
 * uncommitted rows and was rolled back with it. On MariaDB every transaction has a connection of
 * its own; the same test holds there.
 */

let s: TestServer;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

test('a transaction that awaits: another request reads no uncommitted row and its write survives the rollback', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Original' } })).data.ticketCreate.ticket;
  const reader = await s.user('reader');
  expect((await s.gql(`query($id: ID!) { ticket(id: $id) { unread } }`, { id: t.id }, reader)).data.ticket.unread).toBe(true);

  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const tx = s.app.db
    .transaction({}, async ({ tx: em }) => {
      await em.update(Ticket, { number: t.number }, { subject: 'Uncommitted' });
      entered();
      await held; // the transaction stays open, awaiting, while the other request runs
      throw new Error('rolled back');
    })
    .catch((err: Error) => err.message);
  await inside;

  // Another request, meanwhile: a read and a write outside any transaction (marking the ticket read).
  let answered = false;
  const other = Promise.all([
    s.gql(`query($id: ID!) { ticket(id: $id) { subject } }`, { id: t.id }, reader),
    s.gql(`mutation($id: ID!) { ticketMarkRead(id: $id) { userErrors { code } } }`, { id: t.id }, reader),
  ]).finally(() => (answered = true));
  // It either waits for the connection (SQLite) or is answered from its own (MariaDB).
  for (let i = 0; i < 400 && !answered && !(s.app.db.waitingForConnection > 0); i++) await sleep(10);
  release();
  expect(await tx).toBe('rolled back');

  const [read, mark] = await other;
  expect(read.data.ticket.subject).toBe('Original');
  expect(mark.data.ticketMarkRead.userErrors).toEqual([]);
  const after = await s.gql(`query($id: ID!) { ticket(id: $id) { subject unread } }`, { id: t.id }, reader);
  expect(after.data.ticket).toEqual({ subject: 'Original', unread: false });
});

test('a transaction started inside another is refused at once instead of waiting for itself', async () => {
  const nested = s.app.db.transaction({}, () => s.app.db.transaction({}, async () => 'inner'));
  await expect(nested).rejects.toThrow(/inside another transaction/);
});
