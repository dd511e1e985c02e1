import { multipartRequest } from './helpers/multipart';
import { startTestServer, type TestServer } from './helpers/test-server';

let s: TestServer;
let key: string;

beforeAll(async () => {
  s = await startTestServer();
  key = await s.user('retrier', ['CREATE_TICKETS', 'EDIT_TICKETS']);
});
afterAll(() => s?.close());

const CREATE = `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) { clientMutationId ticket { id number subject } userErrors { field code message } } }`;
const COMMENT = `mutation($input: CommentAddInput!) { commentAdd(input: $input) { clientMutationId change { id body } userErrors { field code message } } }`;
const UPLOAD = `mutation($t: ID!, $f: [Upload!]!, $c: String) { ticketFilesUpload(ticketId: $t, files: $f, clientMutationId: $c) { clientMutationId files { id filename } userErrors { field code message } } }`;

async function count(table: string): Promise<number> {
  const [row] = (await s.app.db.manager.query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number | string }[];
  return Number(row.n);
}

async function snapshot() {
  return { tickets: await count('ticket'), changes: await count('ticket_change'), files: await count('ticket_file'), outbox: await count('outbox'), keys: await count('idempotency_key') };
}

describe('ticketCreate', () => {
  test('returns the first result for a retry with the same id and input, and writes nothing', async () => {
    const input = { subject: 'Disk full on db-3', body: 'df says 100%', priority: 'HIGH', clientMutationId: 'create-1' };
    const first = await s.gql(CREATE, { input }, key);
    expect(first.data.ticketCreate).toMatchObject({ clientMutationId: 'create-1', userErrors: [], ticket: { subject: 'Disk full on db-3' } });
    const before = await snapshot();
    // The same input with its keys in another order is the same input.
    const retry = await s.gql(CREATE, { input: { clientMutationId: 'create-1', priority: 'HIGH', body: 'df says 100%', subject: 'Disk full on db-3' } }, key);
    expect(retry.data.ticketCreate).toEqual(first.data.ticketCreate);
    expect(await snapshot()).toEqual(before);
  });

  test('refuses the same id with a different input as IDEMPOTENCY_KEY_REUSED, writing nothing', async () => {
    await s.gql(CREATE, { input: { subject: 'Original', clientMutationId: 'create-2' } }, key);
    const before = await snapshot();
    const r = await s.gql(CREATE, { input: { subject: 'Something else', clientMutationId: 'create-2' } }, key);
    expect(r.data.ticketCreate).toEqual({
      clientMutationId: 'create-2',
      ticket: null,
      userErrors: [{ field: ['input', 'clientMutationId'], code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringContaining('clientMutationId "create-2"') }],
    });
    expect(await snapshot()).toEqual(before);
  });

  test('keeps ids apart per user, and remembers nothing without an id or for a refused input', async () => {
    const other = await s.user('other-retrier', ['CREATE_TICKETS']);
    const mine = await s.gql(CREATE, { input: { subject: 'Shared id', clientMutationId: 'same-id' } }, key);
    const theirs = await s.gql(CREATE, { input: { subject: 'Shared id', clientMutationId: 'same-id' } }, other);
    expect(theirs.data.ticketCreate.ticket.id).not.toBe(mine.data.ticketCreate.ticket.id);

    const keys = await count('idempotency_key');
    const a = await s.gql(CREATE, { input: { subject: 'No id' } }, key);
    const b = await s.gql(CREATE, { input: { subject: 'No id' } }, key);
    expect(a.data.ticketCreate.clientMutationId).toBeNull();
    expect(b.data.ticketCreate.ticket.id).not.toBe(a.data.ticketCreate.ticket.id);
    // A refused input is not remembered: the corrected retry may use the same id.
    const blank = await s.gql(CREATE, { input: { subject: '  ', clientMutationId: 'fix-me' } }, key);
    expect(blank.data.ticketCreate.userErrors[0].field).toEqual(['input', 'subject']);
    const fixed = await s.gql(CREATE, { input: { subject: 'Fixed', clientMutationId: 'fix-me' } }, key);
    expect(fixed.data.ticketCreate.userErrors).toEqual([]);
    expect(await count('idempotency_key')).toBe(keys + 1);
  });

  test('lets concurrent retries with one id create one ticket, and answers all of them with it', async () => {
    const before = await snapshot();
    const input = { subject: 'Concurrent', clientMutationId: 'race-1' };
    const results = await Promise.all(Array.from({ length: 6 }, () => s.gql(CREATE, { input }, key)));
    for (const r of results) expect(r.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data.ticketCreate.ticket?.id));
    expect([...ids]).toHaveLength(1);
    expect([...ids][0]).toEqual(expect.any(String));
    const after = await snapshot();
    expect(after.tickets).toBe(before.tickets + 1);
    expect(after.keys).toBe(before.keys + 1);
  });

  test('forgets an id after 24 hours; the sweep removes expired records', async () => {
    const first = await s.gql(CREATE, { input: { subject: 'Old', clientMutationId: 'old-1' } }, key);
    const dayAgo = new Date(Date.now() - 25 * 3_600_000).toISOString().replace('T', ' ').replace('Z', '');
    await s.app.db.manager.query(`UPDATE idempotency_key SET created_at = ? WHERE client_mutation_id = 'old-1'`, [dayAgo]);
    const again = await s.gql(CREATE, { input: { subject: 'Old', clientMutationId: 'old-1' } }, key);
    expect(again.data.ticketCreate.ticket.id).not.toBe(first.data.ticketCreate.ticket.id);

    await s.app.db.manager.query(`UPDATE idempotency_key SET created_at = ? WHERE client_mutation_id = 'create-1'`, [dayAgo]);
    const keys = await count('idempotency_key');
    expect(await s.app.services.idempotency.sweep()).toBe(1);
    expect(await count('idempotency_key')).toBe(keys - 1);
  });

  test('refuses an over-long id', async () => {
    const r = await s.gql(CREATE, { input: { subject: 'x', clientMutationId: 'x'.repeat(101) } }, key);
    expect(r.data.ticketCreate.userErrors).toEqual([expect.objectContaining({ field: ['input', 'clientMutationId'], code: 'INVALID' })]);
  });
});

describe('commentAdd', () => {
  test('adds one comment for retries and refuses the id for another body', async () => {
    const ticket = (await s.gql(CREATE, { input: { subject: 'Comment target' } }, key)).data.ticketCreate.ticket;
    const input = { ticketId: ticket.id, body: 'Restarted the service', clientMutationId: 'c-1' };
    const first = await s.gql(COMMENT, { input }, key);
    expect(first.data.commentAdd).toMatchObject({ clientMutationId: 'c-1', userErrors: [], change: { body: 'Restarted the service' } });
    const before = await snapshot();
    const retry = await s.gql(COMMENT, { input }, key);
    expect(retry.data.commentAdd).toEqual(first.data.commentAdd);
    // The ticket by number is the same ticket: still a retry.
    expect((await s.gql(COMMENT, { input: { ...input, ticketId: String(ticket.number) } }, key)).data.commentAdd).toEqual(first.data.commentAdd);
    const other = await s.gql(COMMENT, { input: { ...input, body: 'Something else' } }, key);
    expect(other.data.commentAdd.userErrors).toEqual([expect.objectContaining({ field: ['input', 'clientMutationId'], code: 'IDEMPOTENCY_KEY_REUSED' })]);
    expect(await snapshot()).toEqual(before);
    const history = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(first: 50, types: [COMMENT]) { totalCount } } }`, { id: ticket.id }, key);
    expect(history.data.ticket.changes.totalCount).toBe(1);
  });
});

describe('ticketFilesUpload', () => {
  test('stores the files once for retries, and refuses the id for other contents', async () => {
    const ticket = (await s.gql(CREATE, { input: { subject: 'Upload target' } }, key)).data.ticketCreate.ticket;
    const upload = (content: string, c: string | null = 'u-1') =>
      multipartRequest(s.url, key, UPLOAD, { t: ticket.id, f: [null], c }, [{ path: 'variables.f.0', filename: 'trace.log', type: 'text/plain', content }]);
    const first = await upload('stack trace');
    expect(first.body.data.ticketFilesUpload).toMatchObject({ clientMutationId: 'u-1', userErrors: [], files: [{ filename: 'trace.log' }] });
    const before = await snapshot();
    expect((await upload('stack trace')).body.data.ticketFilesUpload).toEqual(first.body.data.ticketFilesUpload);
    const other = await upload('another trace');
    expect(other.body.data.ticketFilesUpload.userErrors).toEqual([expect.objectContaining({ field: ['clientMutationId'], code: 'IDEMPOTENCY_KEY_REUSED' })]);
    expect(await snapshot()).toEqual(before);
    const files = await s.gql(`query($id: ID!) { ticket(id: $id) { files { id } } }`, { id: ticket.id }, key);
    expect(files.data.ticket.files).toEqual([{ id: first.body.data.ticketFilesUpload.files[0].id }]);
  });
});

test('writes the record in the same transaction as the mutation: when it cannot be written, nothing is', async () => {
  // A real database failure at the last statement of the transaction: a trigger refuses this one record.
  await s.app.db.manager.query(
    s.db.dialect === 'sqlite'
      ? `CREATE TRIGGER idem_fail BEFORE INSERT ON idempotency_key WHEN NEW.client_mutation_id = 'atomic-1' BEGIN SELECT RAISE(ABORT, 'injected failure'); END`
      : `CREATE TRIGGER idem_fail BEFORE INSERT ON idempotency_key FOR EACH ROW BEGIN IF NEW.client_mutation_id = 'atomic-1' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'; END IF; END`,
  );
  try {
    const before = await snapshot();
    const r = await s.gql(CREATE, { input: { subject: 'Must not exist', clientMutationId: 'atomic-1' } }, key);
    expect(r.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(r.errors?.[0].message).not.toMatch(/injected/);
    expect(await snapshot()).toEqual(before);
    // The others still work: the failure was that one record.
    expect((await s.gql(CREATE, { input: { subject: 'Fine', clientMutationId: 'atomic-2' } }, key)).data.ticketCreate.userErrors).toEqual([]);
  } finally {
    await s.app.db.manager.query('DROP TRIGGER idem_fail');
  }
});
