import net from 'node:net';
import mysql from 'mysql2/promise';
import { CREATE, UPDATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

// REQUEST_TIMEOUT: a request past its deadline is answered with a JSON 503 REQUEST_TIMEOUT and any
// transaction it still has open rolls back instead of committing.
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ REQUEST_TIMEOUT: '1s' });
});
afterAll(() => s?.close());

/** Sends headers and part of a body over a raw socket, never the rest, and returns what the server answers. */
function stalledRequest(url: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":`);
    });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (/\r\n\r\n[\s\S]*\}\]\}/.test(data)) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
  });
}

test('answers a request whose body never finishes with a JSON 503 REQUEST_TIMEOUT', async () => {
  const raw = await stalledRequest(s.url);
  expect(raw).toMatch(/^HTTP\/1\.1 503/);
  expect(raw).toMatch(/content-type: application\/json/i);
  const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
  expect(body.errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
  // The server is fine afterwards.
  expect((await s.gql(`{ viewer { username } }`)).status).toBe(200);
});

/**
 * A slow sender: headers, then a byte of a long body every 50 ms for as long as the server listens.
 * Resolves with the answer once the server closes the connection, or with `open: true` if it is
 * still open `patienceMs` after the answer arrived.
 */
function slowSender(url: string, patienceMs: number): Promise<{ raw: string; open: boolean }> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    let raw = '';
    let patience: NodeJS.Timeout | undefined;
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"query":"`);
    });
    const drip = setInterval(() => {
      if (!socket.destroyed && socket.writable) socket.write('a');
    }, 50);
    const done = (open: boolean) => {
      clearInterval(drip);
      clearTimeout(patience);
      socket.destroy();
      resolve({ raw, open });
    };
    socket.on('data', (chunk) => {
      raw += chunk.toString('utf8');
      if (!patience && raw.includes('\r\n\r\n')) patience = setTimeout(() => done(true), patienceMs);
    });
    // The server's FIN ('end'), or a reset while we were still writing: either way it let go.
    socket.on('end', () => done(false));
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}

test('closes the connection after answering a slowly sent body with 503, so a slow sender cannot hold it', async () => {
  const { raw, open } = await slowSender(s.url, 5000);
  expect(raw).toMatch(/^HTTP\/1\.1 503/);
  expect(raw).toMatch(/\r\nconnection: close\r\n/i);
  expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).errors[0].extensions.code).toBe('REQUEST_TIMEOUT');
  expect(open).toBe(false);
  expect((await s.gql(`{ viewer { username } }`)).status).toBe(200);
});

const onMysql = process.env.DATABASE_URL?.match(/^(mysql|mariadb):/) ? test : test.skip;

// A real slow transaction: another connection holds the ticket's row lock, so the server's update
// waits inside its transaction past the deadline. (On SQLite a lock wait blocks the whole process in
// the synchronous driver, so a request cannot overrun its deadline in the middle of a transaction
// there; the same commit-time check in Database.transaction applies to both dialects.)
onMysql('rolls back a transaction that outlives the deadline: nothing of the timed-out update is saved', async () => {
  const t = (await s.gql(CREATE, { input: { subject: 'Original' } })).data.ticketCreate.ticket;
  const blocker = await mysql.createConnection(s.db.url);
  try {
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM ticket WHERE id = (SELECT id FROM ticket WHERE number = ?) FOR UPDATE', [t.number]);
    const timedOut = await s.gql(UPDATE, { id: t.id, input: { subject: 'Too late', priority: 'HIGH' } });
    expect(timedOut.status).toBe(503);
    expect((timedOut.errors?.[0].extensions as { code: string }).code).toBe('REQUEST_TIMEOUT');
    await blocker.query('COMMIT');
  } finally {
    await blocker.end();
  }
  // This update needs the same row lock, so it runs only once the timed-out transaction has ended.
  const next = await s.gql(UPDATE, { id: t.id, input: { server: 'db-2' } });
  expect(next.data.ticketUpdate.userErrors).toEqual([]);
  const after = await s.gql(`query($id: ID!) { ticket(id: $id) { subject priority server version changes(types: [CHANGE]) { totalCount } } }`, { id: t.id });
  expect(after.data.ticket).toEqual({ subject: 'Original', priority: 'NORMAL', server: 'db-2', version: 2, changes: { totalCount: 1 } });
});
