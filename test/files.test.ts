import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- s3rver has no types
const S3rver = require('s3rver');
import { CREATE } from './helpers/documents';
import { abortedUpload, fetchInProcess, multipartBody, multipartRequest, type FilePart } from './helpers/multipart';
import { ADMIN_KEY, startTestServer, type TestServer } from './helpers/test-server';

/*
 * Ticket files through the real HTTP server, once with the local folder storage and once with
 * S3 storage against s3rver (a real S3-protocol server on loopback), on the database under test.
 */

const MAX_BYTES = 100_000;
const FILE_FIELDS = 'id filename size contentType sha256 url createdAt expiresAt uploadedBy { username }';
const UPLOAD = `mutation($t: ID!, $files: [Upload!]!) { ticketFilesUpload(ticketId: $t, files: $files) {
  files { ${FILE_FIELDS} } ticket { version files { filename } } userErrors { field code message } } }`;
const CREATE_WITH_FILES = `mutation($input: TicketCreateInput!) { ticketCreate(input: $input) {
  ticket { id number files { ${FILE_FIELDS} } changes { edges { node { type newValue } } } } userErrors { field code message } } }`;
const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');

interface Backend {
  name: string;
  env(): Promise<Record<string, string>>;
  /** Every stored object (final and staged). */
  objects(s: TestServer): Promise<string[]>;
  stop(): Promise<void>;
}

const local: Backend = {
  name: 'local folder',
  env: async () => ({}),
  objects: async (s) => {
    const dir = (s.app.config.files.storage as { dir: string }).dir;
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
  },
  stop: async () => undefined,
};

function s3Backend(): Backend {
  let server: { run(): Promise<{ port: number }>; close(): Promise<void> } | null = null;
  let client: S3Client | null = null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-s3rver-'));
  return {
    name: 'S3 (s3rver)',
    env: async () => {
      server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: 'tickets' }] });
      const { port } = await server!.run();
      const endpoint = `http://127.0.0.1:${port}`;
      client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      return { S3_BUCKET: 'tickets', S3_ENDPOINT: endpoint, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_PREFIX: 'files' };
    },
    objects: async () => ((await client!.send(new ListObjectsV2Command({ Bucket: 'tickets' }))).Contents ?? []).map((o) => o.Key!),
    stop: async () => {
      client?.destroy();
      await server?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.each([local, s3Backend()])('files on $name storage', (backend) => {
  let s: TestServer;
  let alice: string;
  let ticketId: string;

  beforeAll(async () => {
    s = await startTestServer({ ...(await backend.env()), FILE_MAX_BYTES: String(MAX_BYTES), FILE_MAX_COUNT: '3' });
    await s.gql(`mutation { categoryCreate(input: { key: "secret" }) { userErrors { message } } }`);
    alice = await s.user('alice');
    ticketId = (await s.gql(CREATE, { input: { subject: 'Release 4.2' } }, alice)).data.ticketCreate.ticket.id;
  });
  afterAll(async () => {
    await s?.close();
    await backend.stop();
  });

  const upload = (files: FilePart[], key: string | null = alice, opts?: { preflight?: boolean }) =>
    multipartRequest(s.url, key, UPLOAD, { t: ticketId, files: files.map(() => null) }, files, opts);
  const fileRows = async () => Number((await s.app.db.manager.query('SELECT COUNT(*) AS n FROM ticket_file'))[0].n);

  /** Asserts a refused upload left nothing behind: no new row, no new object (staged or final). */
  async function expectNothingLeft(rowsBefore: number, objectsBefore: string[]): Promise<void> {
    expect(await fileRows()).toBe(rowsBefore);
    // graphql-upload and the storage clean up as the request ends; give the last callbacks a moment.
    for (let i = 0; i < 20 && (await backend.objects(s)).length !== objectsBefore.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await backend.objects(s)).sort()).toEqual([...objectsBefore].sort());
  }

  test('uploads several files onto a ticket, with checksum, uploader, expiry and history', async () => {
    const log = Buffer.from('line 1\nline 2\n'.repeat(100));
    const png = crypto.randomBytes(5000);
    const r = await upload([
      { path: 'variables.files.0', filename: 'deploy.log', type: 'text/plain', content: log },
      { path: 'variables.files.1', filename: '../../etc/screen\u0007shot.png', type: 'image/png', content: png },
    ]);
    expect(r.body.errors).toBeUndefined();
    const out = r.body.data.ticketFilesUpload;
    expect(out.userErrors).toEqual([]);
    expect(out.files).toEqual([
      expect.objectContaining({ filename: 'deploy.log', size: log.length, contentType: 'text/plain', sha256: sha(log), uploadedBy: { username: 'alice' } }),
      expect.objectContaining({ filename: 'screenshot.png', size: png.length, contentType: 'image/png', sha256: sha(png) }),
    ]);
    const years = (Date.parse(out.files[0].expiresAt) - Date.parse(out.files[0].createdAt)) / (365 * 86_400_000);
    expect(years).toBeCloseTo(5, 1);
    expect(out.ticket.files.map((f: { filename: string }) => f.filename)).toEqual(['deploy.log', 'screenshot.png']);
    const history = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(types: [FILE_ADDED]) { edges { node { newValue author { username } } } } } }`, { id: ticketId });
    expect(history.data.ticket.changes.edges.map((e: any) => e.node)).toEqual([
      { newValue: 'deploy.log', author: { username: 'alice' } },
      { newValue: 'screenshot.png', author: { username: 'alice' } },
    ]);
    expect((await backend.objects(s)).filter((k) => !k.includes('tmp'))).toHaveLength(2);
  });

  test('creates a ticket with files in one request', async () => {
    const r = await multipartRequest(s.url, alice, CREATE_WITH_FILES, { input: { subject: 'With artifact', files: [null] } }, [
      { path: 'variables.input.files.0', filename: 'build.tar.gz', type: 'application/gzip', content: crypto.randomBytes(3000) },
    ]);
    expect(r.body.data.ticketCreate.userErrors).toEqual([]);
    const t = r.body.data.ticketCreate.ticket;
    expect(t.files).toEqual([expect.objectContaining({ filename: 'build.tar.gz', size: 3000, contentType: 'application/gzip' })]);
    expect(t.changes.edges.map((e: any) => e.node.type)).toEqual(['CREATED', 'FILE_ADDED']);
  });

  test('downloads with the signed link or the API key, as an attachment of the stored type', async () => {
    const content = 'hello <script>alert(1)</script>';
    const r = await upload([{ path: 'variables.files.0', filename: 'notes ä.txt', type: 'text/plain', content }]);
    const file = r.body.data.ticketFilesUpload.files[0];
    expect(file.url).toMatch(/^\/files\/[A-Za-z0-9_-]+\/notes%20%C3%A4\.txt\?token=\d+\.[A-Za-z0-9_-]{43}$/);

    const signed = await fetch(`${s.url}${file.url}`);
    expect(signed.status).toBe(200);
    expect(await signed.text()).toBe(content);
    expect(signed.headers.get('content-type')).toBe('text/plain');
    expect(signed.headers.get('content-disposition')).toBe(`attachment; filename="notes ?.txt"; filename*=UTF-8''notes%20%C3%A4.txt`);
    expect(signed.headers.get('x-content-type-options')).toBe('nosniff');

    const bare = `${s.url}${file.url.split('?')[0]}`;
    const anonymous = await fetch(bare);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const withKey = await fetch(bare, { headers: { authorization: `Bearer ${alice}` } });
    expect(withKey.status).toBe(200);
    expect(sha(Buffer.from(await withKey.arrayBuffer()))).toBe(file.sha256);

    const forged = await fetch(`${bare}?token=${file.url.split('token=')[1].replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'))}`);
    expect(forged.status).toBe(403);
    const wrongName = await fetch(`${s.url}${file.url.replace('notes%20%C3%A4.txt', 'other.txt')}`);
    expect(wrongName.status).toBe(404);

    // A user restricted to another category cannot read it with their key.
    const outsider = await s.user('outsider', ['EDIT_TICKETS'], { categories: ['secret'] });
    expect((await fetch(bare, { headers: { authorization: `Bearer ${outsider}` } })).status).toBe(404);
  });

  test('active content is never served as itself', async () => {
    // Allowed by name and type filters only when the deny list is emptied; here it is stored as XML.
    const r = await upload([{ path: 'variables.files.0', filename: 'feed.xml', type: 'application/xml', content: '<x/>' }]);
    const file = r.body.data.ticketFilesUpload.files[0];
    const res = await fetch(`${s.url}${file.url}`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  test.each([
    ['too large', [{ path: 'variables.files.0', filename: 'big.bin', content: Buffer.alloc(MAX_BYTES + 1) }], 'FILE_TOO_LARGE'],
    ['empty', [{ path: 'variables.files.0', filename: 'empty.txt', type: 'text/plain', content: '' }], 'EMPTY_FILE'],
    ['nameless', [{ path: 'variables.files.0', filename: '', content: 'x' }], 'INVALID'],
    ['HTML', [{ path: 'variables.files.0', filename: 'page.html', type: 'text/html', content: '<h1>x</h1>' }], 'FILE_TYPE_NOT_ALLOWED'],
    ['HTML disguised as text', [{ path: 'variables.files.0', filename: 'page.txt', type: 'text/html', content: '<h1>x</h1>' }], 'FILE_TYPE_NOT_ALLOWED'],
    ['executable', [{ path: 'variables.files.0', filename: 'setup.exe', content: 'MZ' }], 'FILE_TYPE_NOT_ALLOWED'],
    ['Windows executable named as a text file', [{ path: 'variables.files.0', filename: 'report.txt', type: 'text/plain', content: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]) }], 'FILE_TYPE_NOT_ALLOWED'],
    ['good then too large', [
      { path: 'variables.files.0', filename: 'ok.txt', type: 'text/plain', content: 'fine' },
      { path: 'variables.files.1', filename: 'big.bin', content: Buffer.alloc(MAX_BYTES + 10) },
    ], 'FILE_TOO_LARGE'],
  ])('refuses a %s file as a userError and keeps nothing', async (_name, files, code) => {
    const rows = await fileRows();
    const objects = await backend.objects(s);
    const r = await upload(files as FilePart[]);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.ticketFilesUpload.files).toEqual([]);
    expect(r.body.data.ticketFilesUpload.userErrors).toEqual([expect.objectContaining({ code, field: ['files', String(files.length - 1)] })]);
    await expectNothingLeft(rows, objects);
  });

  test('names what the content is when it refuses a file by its first bytes, and types an untyped file by them', async () => {
    const exe = await upload([{ path: 'variables.files.0', filename: 'report.txt', type: 'text/plain', content: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]) }]);
    expect(exe.body.data.ticketFilesUpload.userErrors[0].message).toBe('report.txt: its content is application/x-msdownload, and files of type application/x-msdownload are not accepted');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const r = await upload([{ path: 'variables.files.0', filename: 'pixel', content: png }]);
    expect(r.body.data.ticketFilesUpload.userErrors).toEqual([]);
    expect(r.body.data.ticketFilesUpload.files[0]).toMatchObject({ filename: 'pixel', contentType: 'image/png' });
  });

  test('refuses more files than allowed with a JSON 413 and keeps nothing', async () => {
    const rows = await fileRows();
    const objects = await backend.objects(s);
    const files = [0, 1, 2, 3].map((i) => ({ path: `variables.files.${i}`, filename: `f${i}.txt`, type: 'text/plain', content: 'x' }));
    const r = await upload(files);
    expect(r.status).toBe(413);
    expect(r.body.errors[0].extensions.code).toBe('TOO_MANY_FILES');
    await expectNothingLeft(rows, objects);
  });

  test('refuses a multipart request without the CSRF preflight header before parsing or storing it', async () => {
    const rows = await fileRows();
    const objects = await backend.objects(s);
    const r = await upload([{ path: 'variables.files.0', filename: 'a.txt', type: 'text/plain', content: 'x' }], alice, { preflight: false });
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ message: expect.stringMatching(/Apollo-Require-Preflight/), extensions: { code: 'BAD_REQUEST' } });
    await expectNothingLeft(rows, objects);
  });

  test('requires edit_tickets and a visible ticket', async () => {
    const reader = await s.user('reader', []);
    const r = await upload([{ path: 'variables.files.0', filename: 'a.txt', type: 'text/plain', content: 'x' }], reader);
    expect(r.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const anonymous = await upload([{ path: 'variables.files.0', filename: 'a.txt', type: 'text/plain', content: 'x' }], null);
    // application/json (fetch's */*): authentication errors are 200, the code says what happened.
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  test('a client dying mid-upload leaves nothing behind and the server keeps serving', async () => {
    const rows = await fileRows();
    const objects = await backend.objects(s);
    await abortedUpload(s.url, alice, UPLOAD, { t: ticketId, files: [null] }, 'variables.files.0', 16_000);
    await expectNothingLeft(rows, objects);
    const after = await s.gql(`query($id: ID!) { ticket(id: $id) { files { filename } } }`, { id: ticketId }, alice);
    expect(after.errors).toBeUndefined();
  });

  test('deleting a file removes the record and the stored object, with a history entry', async () => {
    const r = await upload([{ path: 'variables.files.0', filename: 'old.txt', type: 'text/plain', content: 'bye' }]);
    const file = r.body.data.ticketFilesUpload.files[0];
    const objects = await backend.objects(s);
    const del = await s.gql(`mutation($id: ID!) { ticketFileDelete(id: $id) { deletedId ticket { files { filename } } userErrors { message } } }`, { id: file.id }, alice);
    expect(del.data.ticketFileDelete.deletedId).toBe(file.id);
    expect(del.data.ticketFileDelete.ticket.files.map((f: { filename: string }) => f.filename)).not.toContain('old.txt');
    expect(await backend.objects(s)).toHaveLength(objects.length - 1);
    expect((await fetch(`${s.url}${file.url}`)).status).toBe(403);
    const history = await s.gql(`query($id: ID!) { ticket(id: $id) { changes(last: 1) { edges { node { type oldValue } } } } }`, { id: ticketId });
    expect(history.data.ticket.changes.edges[0].node).toEqual({ type: 'FILE_REMOVED', oldValue: 'old.txt' });
    const again = await s.gql(`mutation($id: ID!) { ticketFileDelete(id: $id) { deletedId userErrors { field code } } }`, { id: file.id }, alice);
    expect(again.data.ticketFileDelete).toEqual({ deletedId: null, userErrors: [{ field: ['id'], code: 'NOT_FOUND' }] });
  });

  test('a file whose stored object went missing is a JSON 404, not a broken download', async () => {
    const r = await upload([{ path: 'variables.files.0', filename: 'lost.txt', type: 'text/plain', content: 'soon gone' }]);
    const file = r.body.data.ticketFilesUpload.files[0];
    const [row] = await s.app.db.manager.query('SELECT storage_key FROM ticket_file WHERE sha256 = ?', [file.sha256]);
    await s.app.services.fileStore.storage.delete(row.storage_key);
    const res = await fetch(`${s.url}${file.url}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
  });

  test('purging a ticket deletes its files', async () => {
    const created = await multipartRequest(s.url, alice, CREATE_WITH_FILES, { input: { subject: 'Doomed', files: [null, null] } }, [
      { path: 'variables.input.files.0', filename: 'a.txt', type: 'text/plain', content: 'a' },
      { path: 'variables.input.files.1', filename: 'b.txt', type: 'text/plain', content: 'b' },
    ]);
    const objects = await backend.objects(s);
    const purged = await s.gql(`mutation($id: ID!) { ticketPurge(id: $id) { deletedId } }`, { id: created.body.data.ticketCreate.ticket.id });
    expect(purged.errors).toBeUndefined();
    expect(await backend.objects(s)).toHaveLength(objects.length - 2);
  });

  test('a signed link dies with its ticket: soft-deleting the ticket stops it, like the API key', async () => {
    const created = await multipartRequest(s.url, alice, CREATE_WITH_FILES, { input: { subject: 'Soon deleted', files: [null] } }, [
      { path: 'variables.input.files.0', filename: 'secret.txt', type: 'text/plain', content: 'classified' },
    ]);
    const ticket = created.body.data.ticketCreate.ticket;
    const link = `${s.url}${ticket.files[0].url}`;
    expect((await fetch(link)).status).toBe(200);
    const deleted = await s.gql(`mutation($id: ID!) { ticketDelete(id: $id) { deletedId } }`, { id: ticket.id });
    expect(deleted.errors).toBeUndefined();
    expect((await fetch(link.split('?')[0], { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(404);
    const res = await fetch(link);
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  test('the orphan sweep removes an object no file row points to (a crash between storing and commit) and keeps every referenced one', async () => {
    await upload([{ path: 'variables.files.0', filename: 'kept.txt', type: 'text/plain', content: 'kept' }]);
    const storage = s.app.services.fileStore.storage;
    const stray = `2020/01/${crypto.randomUUID()}`;
    await storage.promote(await storage.stage(Readable.from([Buffer.from('stray')]), 'text/plain'), stray);
    const before = await backend.objects(s);
    expect(before.some((k) => k.endsWith(stray))).toBe(true);
    // Any age counts here (-1 ms); the periodic sweep only looks at objects older than a day.
    expect(await s.app.services.fileSweeper.sweepOrphans(-1)).toBe(1);
    // Everything else stays: every object a row points to (the kept upload among them).
    expect((await backend.objects(s)).sort()).toEqual(before.filter((k) => !k.endsWith(stray)).sort());
  });
});

describe('file expiry', () => {
  let s: TestServer;
  afterAll(() => s?.close());

  test('expired files vanish at once and the periodic sweep deletes object and record with a history entry', async () => {
    s = await startTestServer({ FILE_EXPIRATION: '1s', FILE_SWEEP_INTERVAL: '1s' });
    const t = (await s.gql(CREATE, { input: { subject: 'Short-lived' } })).data.ticketCreate.ticket.id;
    const r = await multipartRequest(s.url, ADMIN_KEY, UPLOAD, { t, files: [null] }, [{ path: 'variables.files.0', filename: 'tmp.log', type: 'text/plain', content: 'x' }]);
    expect(r.body.data.ticketFilesUpload.files).toHaveLength(1);
    const dir = (s.app.config.files.storage as { dir: string }).dir;
    const stored = () => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
    expect(stored()).toHaveLength(1);

    let entries: string[] = [];
    for (let i = 0; i < 100 && !entries.includes('FILE_EXPIRED'); i++) {
      await new Promise((res) => setTimeout(res, 100));
      const asked = Date.now();
      const q = await s.gql(`query($id: ID!) { ticket(id: $id) { files { filename } changes { edges { node { type oldValue author { username } } } } } }`, { id: t });
      entries = q.data.ticket.changes.edges.map((e: any) => e.node.type);
      // Asked after the expiry: gone, whether or not the sweep has run yet.
      if (asked > Date.parse(r.body.data.ticketFilesUpload.files[0].expiresAt)) expect(q.data.ticket.files).toEqual([]);
    }
    expect(entries).toEqual(['CREATED', 'FILE_ADDED', 'FILE_EXPIRED']);
    expect(stored()).toEqual([]);
    expect(Number((await s.app.db.manager.query('SELECT COUNT(*) AS n FROM ticket_file'))[0].n)).toBe(0);
  });
});

describe('refused multipart bodies', () => {
  // Several MB: more than the socket buffers hold, so a server that answers without reading the
  // body closes the connection while the client is still sending it.
  const BIG = 6 * 1024 * 1024;
  let s: TestServer;
  let t: string;
  beforeAll(async () => {
    s = await startTestServer({ FILE_MAX_BYTES: String(8 * 1024 * 1024), FILE_MAX_COUNT: '1' });
    t = (await s.gql(CREATE, { input: { subject: 'Big upload' } })).data.ticketCreate.ticket.id;
  });
  afterAll(() => s?.close());

  test('a large upload without the preflight header gets the 400 error in Node fetch, not a broken pipe', async () => {
    const { boundary, body } = multipartBody(UPLOAD, { t, files: [null] }, [{ path: 'variables.files.0', filename: 'big.bin', content: Buffer.alloc(BIG, 1) }]);
    const headers = { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${ADMIN_KEY}` };
    const r = await fetchInProcess(`${s.url}/graphql`, { method: 'POST', headers, body });
    expect(r).toMatchObject({ status: 400, contentType: expect.stringMatching(/^application\/json/) });
    expect(JSON.parse((r as { text: string }).text).errors[0]).toMatchObject({ message: expect.stringMatching(/Apollo-Require-Preflight/), extensions: { code: 'BAD_REQUEST' } });
    // Nothing of it was kept, and the same upload with the header goes through.
    expect((await s.gql(`query($id: ID!) { ticket(id: $id) { files { filename } } }`, { id: t })).data.ticket.files).toEqual([]);
    const ok = await fetchInProcess(`${s.url}/graphql`, { method: 'POST', headers: { ...headers, 'apollo-require-preflight': 'true' }, body });
    expect(JSON.parse((ok as { text: string }).text).data.ticketFilesUpload.files).toHaveLength(1);
  });

  test('a large multipart body without a boundary gets the 400 error too', async () => {
    const r = await fetchInProcess(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data', 'apollo-require-preflight': 'true', authorization: `Bearer ${ADMIN_KEY}` },
      body: Buffer.alloc(BIG, 2),
    });
    expect(r).toMatchObject({ status: 400 });
    expect(JSON.parse((r as { text: string }).text).errors[0].message).toMatch(/boundary/);
  });
});
