import mysql from 'mysql2/promise';
import type { Database } from '../src/db/database';
import { CREATE, UPDATE } from './helpers/documents';
import { multipartRequest } from './helpers/multipart';
import { startTestServer, type TestServer } from './helpers/test-server';

/*
 * Transactions hold no lock across storage or network I/O, and a transaction that MySQL retries
 * (deadlock, lock-wait timeout) has no effect outside the database: its closure runs again from
 * scratch, so it must not have moved files, primed loaders or changed objects the first time.
 */

let s: TestServer;
const onMysql = process.env.DATABASE_URL?.match(/^(mysql|mariadb):/) ? test : test.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CREATE_WITH_FILES = `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) {
  ticket { id number files { filename size } changes { edges { node { type } } } } userErrors { field code message } } }`;
const TICKETS = `query($q: String) { tickets(query: $q, first: 50) { totalCount edges { node { number subject files { filename } } } } }`;

beforeAll(async () => {
  s = await startTestServer({}, { startWorkers: false });
});
afterAll(() => s?.close());

/**
 * Whether some request is stuck behind a transaction: at SQLite's connection gate, or (MariaDB) a
 * statement of this database that has been running for a second or more (a lock wait).
 */
async function somethingWaitsForALock(): Promise<boolean> {
  if (s.db.dialect === 'sqlite') return s.app.db.waitingForConnection > 0;
  const conn = await mysql.createConnection(s.db.url);
  try {
    const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND = 'Query' AND TIME >= 1 AND ID <> CONNECTION_ID()`);
    return Number((rows as { n: number }[])[0].n) > 0;
  } finally {
    await conn.end();
  }
}

test('a ticket created with files does not hold the ticket-number lock while its files are stored', async () => {
  const storage = s.app.services.fileStore.storage;
  const promote = storage.promote.bind(storage);
  let storing = false;
  let release!: () => void;
  const slowStorage = new Promise<void>((r) => (release = r));
  storage.promote = async (...args) => {
    storing = true;
    await slowStorage; // a slow object store (an S3 copy of a large file)
    return promote(...args);
  };
  try {
    const withFile = multipartRequest(s.url, 'test-admin-key-0123456789abcdef', CREATE_WITH_FILES, { input: { subject: 'With a large file', files: [null] } }, [
      { path: 'variables.input.files.0', filename: 'core.dump', type: 'application/octet-stream', content: Buffer.alloc(4096, 1) },
    ]);
    for (let i = 0; i < 400 && !storing; i++) await sleep(10);
    expect(storing).toBe(true);

    // Meanwhile another ticket is created: it finishes, or gets stuck behind the first one's lock.
    let finished = false;
    const plain = s.gql(CREATE, { input: { subject: 'Created meanwhile' } }).finally(() => (finished = true));
    while (!finished && !(await somethingWaitsForALock())) await sleep(20);
    const finishedWhileStoring = finished;
    release();

    expect((await plain).data.ticketCreate.userErrors).toEqual([]);
    const created = (await withFile).body as any;
    expect(created.data.ticketCreate.userErrors).toEqual([]);
    expect(created.data.ticketCreate.ticket.files).toEqual([{ filename: 'core.dump', size: 4096 }]);
    expect(finishedWhileStoring).toBe(true);
  } finally {
    storage.promote = promote;
    release();
  }
});

/** Makes the next transaction(s) fail like a deadlock after their closure ran (so MySQL retries them). */
function deadlockNext(db: Database, count = 1): { attempts: () => number } {
  const ds = db.dataSource as unknown as { transaction: (fn: (em: unknown) => Promise<unknown>) => Promise<unknown> };
  const original = ds.transaction.bind(ds);
  let injected = 0;
  let attempts = 0;
  ds.transaction = (fn) => {
    attempts++;
    if (injected >= count) {
      ds.transaction = original;
      return original(fn);
    }
    injected++;
    return original(async (em) => {
      await fn(em);
      throw Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction (injected)'), { code: 'ER_LOCK_DEADLOCK' });
    });
  };
  return { attempts: () => attempts };
}

onMysql('a retried ticket creation with files stores each file once and keeps the ticket whole', async () => {
  const retried = deadlockNext(s.app.db);
  const r = await multipartRequest(s.url, 'test-admin-key-0123456789abcdef', CREATE_WITH_FILES, { input: { subject: 'Retried with file', files: [null] } }, [
    { path: 'variables.input.files.0', filename: 'trace.txt', type: 'text/plain', content: 'stack trace' },
  ]);
  expect(retried.attempts()).toBe(2);
  const body = r.body as any;
  expect(body.errors).toBeUndefined();
  expect(body.data.ticketCreate.userErrors).toEqual([]);
  expect(body.data.ticketCreate.ticket.files).toEqual([{ filename: 'trace.txt', size: 11 }]);
  expect(body.data.ticketCreate.ticket.changes.edges.map((e: any) => e.node.type)).toEqual(['CREATED', 'FILE_ADDED']);
  const found = await s.gql(TICKETS, { q: 'subject:retried' });
  expect(found.data.tickets.totalCount).toBe(1);
  const download = await s.gql(`query($id: ID!) { ticket(id: $id) { files { url } } }`, { id: body.data.ticketCreate.ticket.id });
  const res = await fetch(`${s.url}${download.data.ticket.files[0].url}`);
  expect(await res.text()).toBe('stack trace');
});

onMysql('a retried ticket update records each change once and answers what was committed', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Before', priority: 'LOW' } })).data.ticketCreate.ticket;
  deadlockNext(s.app.db);
  const r = await s.gql(UPDATE, { id: t.id, input: { subject: 'After', priority: 'HIGH' } });
  expect(r.data.ticketUpdate.userErrors).toEqual([]);
  expect(r.data.ticketUpdate.ticket).toMatchObject({ subject: 'After', priority: 'HIGH', version: 2 });
  const history = await s.gql(`query($id: ID!) { ticket(id: $id) { version changes(types: [CHANGE]) { edges { node { field } } } } }`, { id: t.id });
  expect(history.data.ticket.version).toBe(2);
  expect(history.data.ticket.changes.edges.map((e: any) => e.node.field).sort()).toEqual(['PRIORITY', 'SUBJECT']);
});

onMysql('a retried job cancellation still cancels the job', async () => {
  const event = await s.gql(`mutation { eventCreate(input: { key: "never-runs", title: "Never runs", runner: LOCAL, command: ["true"] }) { event { id } userErrors { message } } }`);
  const eventId = event.data.eventCreate.event.id;
  const t = (await s.gql(CREATE, { input: { subject: 'Has a job' } })).data.ticketCreate.ticket;
  const stub = await s.gql(`mutation($t: ID!, $e: String!) { ticketEventAdd(ticketId: $t, input: { eventId: $e }) { ticketEvent { id } } }`, { t: t.id, e: eventId });
  expect(stub.errors).toBeUndefined();
  // No outbox worker here: the job stays QUEUED until cancelled.
  const run = await s.gql(`mutation($id: ID!) { ticketEventRun(id: $id) { job { id status } userErrors { message } } }`, { id: stub.data.ticketEventAdd.ticketEvent.id });
  const job = run.data.ticketEventRun.job;
  expect(job.status).toBe('QUEUED');

  deadlockNext(s.app.db);
  const cancel = await s.gql(`mutation($id: ID!) { jobCancel(id: $id) { job { status description } userErrors { message } } }`, { id: job.id });
  expect(cancel.data.jobCancel).toEqual({ job: { status: 'CANCELLED', description: 'Cancelled by admin' }, userErrors: [] });
  const history = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(types: [JOB]) { edges { node { oldValue newValue } } } } }`, { id: t.id });
  expect(history.data.ticket.changes.edges.map((e: any) => e.node)).toEqual([
    { oldValue: null, newValue: 'queued' },
    { oldValue: 'queued', newValue: 'cancelled' },
  ]);
});
