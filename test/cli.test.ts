import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/config';
import { createApp, type App } from '../src/http/app';
import { createTestDatabase, type TestDatabase } from './helpers/test-db';

const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
let db: TestDatabase;
let dataDir: string;
let app: App | undefined;

jest.setTimeout(60_000);

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-cli-'));
});
afterAll(async () => {
  await app?.close();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the real CLI in a child process; resolves with its exit code and output. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', TS_NODE_TRANSPILE_ONLY: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function viewer(url: string, key: string) {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: '{ viewer { username } }' }) });
  return (await res.json()) as { data?: { viewer: { username: string } }; errors?: { extensions: { code: string } }[] };
}

test('migrates a fresh database, and says it is up to date the second time', async () => {
  const first = await cli(['migrate']);
  expect(first).toMatchObject({ code: 0 });
  expect(first.stdout).toMatch(/Applied: Initial/);
  expect((await cli(['migrate'])).stdout).toMatch(/up to date/);
});

test('creates users and lists them as a table and as JSON', async () => {
  expect((await cli(['category:create', 'database', '--title', 'Databases'])).code).toBe(0);
  expect((await cli(['user:create', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--privileges', 'create_tickets,edit_tickets'])).code).toBe(0);
  expect((await cli(['user:create', 'dba', '--privileges', 'edit_tickets', '--categories', 'database'])).code).toBe(0);
  const table = await cli(['user:list']);
  expect(table.stdout).toMatch(/^USERNAME\s+NAME/m);
  expect(table.stdout).toMatch(/^ada\s+Ada Lovelace\s+ada@example.com\s+create_tickets,edit_tickets\s+yes$/m);
  const json = JSON.parse((await cli(['user:list', '--json'])).stdout) as { username: string; privileges: string[] }[];
  expect(json.map((u) => u.username)).toEqual(['ada', 'dba']);
});

test('refuses an unknown privilege, a duplicate username and an unknown category with exit code 1', async () => {
  const bad = await cli(['user:create', 'bob', '--privileges', 'create_tickets,fly']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/Unknown privilege: fly/);
  const dup = await cli(['user:create', 'ada']);
  expect(dup.code).toBe(1);
  expect(dup.stderr).toMatch(/taken/);
  const cat = await cli(['user:create', 'carl', '--categories', 'nope']);
  expect(cat.code).toBe(1);
  expect(cat.stderr).toMatch(/Unknown category: nope/);
});

test('issues a key that authenticates against the server, and revokes it by prefix', async () => {
  const issued = await cli(['apikey:issue', 'ada', '--name', 'laptop', '--expires', '30 days']);
  expect(issued.code).toBe(0);
  const secret = issued.stdout.trim();
  expect(secret).toMatch(/^tg_[A-Za-z0-9_-]{40,}$/);
  expect(issued.stderr).toMatch(/not shown again/);

  app = await createApp(loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  const url = await app.listen();
  expect((await viewer(url, secret)).data?.viewer.username).toBe('ada');

  const listed = await cli(['apikey:list', 'ada']);
  expect(listed.stdout).toMatch(/laptop\s+ada/);
  expect(listed.stdout).not.toContain(secret);

  const revoked = await cli(['apikey:revoke', secret.slice(0, 10)]);
  expect(revoked.code).toBe(0);
  expect((await viewer(url, secret)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  expect((await cli(['apikey:list'])).stdout).toMatch(/laptop\s+ada\s+\S+\s+\S+\s+\S+\s+\d{4}-/);
});

test('fails clearly for an unknown user, an unknown key and a bad expiry', async () => {
  expect(await cli(['apikey:issue', 'ghost'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/Unknown user: ghost/) });
  expect(await cli(['apikey:revoke', 'tg_nothing'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/No API key/) });
  expect(await cli(['apikey:issue', 'ada', '--expires', 'whenever'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/--expires/) });
});

test('exits 2 with usage for an unknown command or option, and 0 for help', async () => {
  expect(await cli(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown command: frobnicate[\s\S]*Usage/) });
  expect((await cli(['user:list', '--bogus'])).code).toBe(2);
  expect(await cli(['help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/apikey:revoke/) });
});

test('exits 1 naming DATABASE_URL when it is invalid', async () => {
  const r = await cli(['user:list'], { DATABASE_URL: 'postgres://u:secret@h/db' });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/DATABASE_URL/);
  expect(r.stderr).not.toMatch(/secret/);
});
