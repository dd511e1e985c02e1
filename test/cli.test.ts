import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/config';
import { createApp, type App } from '../src/http/app';
import { runCli } from '../src/cli/main';
import { createTestDatabase, type TestDatabase } from './helpers/test-db';

/**
 * Runs the CLI against one fresh database, in-process through runCli (the bin's entry), and once
 * as the real bin in a child process; the tests build on each other (users, then keys) in file
 * order, as an operator would.
 */
const exec = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const TIMEOUT = 60_000;
let db: TestDatabase;
let dataDir: string;
let app: App | undefined;

jest.setTimeout(TIMEOUT);

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-cli-'));
});

afterAll(async () => {
  // The server shares the database with the CLI: close it before the database goes.
  await app?.close();
  await db.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One CLI invocation, in-process through the same entry the bin runs (runCli). */
async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }, {
    out: (line) => (stdout += `${line}\n`),
    err: (line) => (stderr += `${line}\n`),
  });
  return { code, stdout, stderr };
}

/** Rows of a CLI table as objects keyed by the header (columns are separated by 2+ spaces). */
function parseTable(stdout: string): Record<string, string>[] {
  const [header, ...lines] = stdout.trimEnd().split('\n');
  const columns = header.split(/\s{2,}/);
  return lines.map((line) => Object.fromEntries(line.split(/\s{2,}/).map((cell, i) => [columns[i], cell])));
}

async function viewer(url: string, key: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ viewer { username } }' }),
  });
  return (await res.json()) as { data?: { viewer: { username: string } | null } | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

test('applies the migrations when the database is fresh, and says it is up to date when run again', async () => {
  const first = await cli(['migrate']);
  expect(first).toMatchObject({ code: 0, stderr: '' });
  expect(first.stdout).toMatch(/^Applied: Initial/);
  const second = await cli(['migrate']);
  expect(second).toMatchObject({ code: 0, stdout: 'Database is up to date\n' });
});

test('lists a user as a table and as JSON when user:create has created it', async () => {
  const created = await cli(['user:create', 'ada', '--name', 'Ada Lovelace', '--email', 'ada@example.com', '--privileges', 'create_tickets,edit_tickets']);
  expect(created).toMatchObject({ code: 0, stderr: '' });

  const table = await cli(['user:list']);
  expect(table.code).toBe(0);
  expect(parseTable(table.stdout)).toContainEqual({ USERNAME: 'ada', NAME: 'Ada Lovelace', EMAIL: 'ada@example.com', PRIVILEGES: 'create_tickets,edit_tickets', ACTIVE: 'yes' });

  const json = await cli(['user:list', '--json']);
  expect(json.code).toBe(0);
  const users = JSON.parse(json.stdout) as { username: string; name: string; privileges: string[]; active: boolean; categories: string[] | null }[];
  expect(users).toEqual([expect.objectContaining({ username: 'ada', name: 'Ada Lovelace', privileges: ['create_tickets', 'edit_tickets'], active: true, categories: null, ownTicketsOnly: false })]);
});

test('user:create (and apikey:issue) take --own-tickets-only', async () => {
  expect(await cli(['user:create', 'portal', '--own-tickets-only'])).toMatchObject({ code: 0, stderr: '' });
  const users = JSON.parse((await cli(['user:list', '--json'])).stdout) as { username: string; ownTicketsOnly: boolean }[];
  expect(users.find((u) => u.username === 'portal')?.ownTicketsOnly).toBe(true);
  expect((await cli(['apikey:issue', 'portal', '--name', 'own', '--own-tickets-only'])).code).toBe(0);
});

test('exits 1 naming the privilege when user:create is given an unknown one', async () => {
  const result = await cli(['user:create', 'bob', '--privileges', 'create_tickets,fly']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/Unknown privilege: fly\b/);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect((await cli(['user:list'])).stdout).not.toMatch(/^bob\b/m);
});

test('exits 1 when the username is already taken', async () => {
  const result = await cli(['user:create', 'ada']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/Username ada is taken/);
});

test('restricts a user to a category when category:create has created it', async () => {
  expect(await cli(['category:create', 'database', '--title', 'Databases'])).toMatchObject({ code: 0, stdout: 'Created category database\n' });
  expect((await cli(['tag:create', 'outage'])).code).toBe(0);
  expect((await cli(['user:create', 'dba', '--privileges', 'edit_tickets', '--categories', 'database'])).code).toBe(0);

  const users = JSON.parse((await cli(['user:list', '--json'])).stdout) as { username: string; categories: string[] | null }[];
  expect(users.find((u) => u.username === 'dba')?.categories).toEqual(['database']);

  const unknown = await cli(['user:create', 'carl', '--categories', 'nope']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/Unknown category: nope/);
});

test('authenticates with the issued key until apikey:revoke revokes it by prefix', async () => {
  const issued = await cli(['apikey:issue', 'ada', '--name', 'laptop', '--expires', '30 days']);
  expect(issued.code).toBe(0);
  const lines = issued.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1); // only the secret, so `KEY=$(... apikey:issue ...)` works
  const secret = lines[0];
  expect(secret).toMatch(/^tg_[A-Za-z0-9_-]{40,}$/);
  expect(issued.stderr).toMatch(/shown only once/);

  // Started only now: the CLI has already migrated the shared database.
  app = await createApp(loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
  const url = await app.listen();
  const before = await viewer(url, secret);
  expect(before.errors).toBeUndefined();
  expect(before.data?.viewer?.username).toBe('ada');

  const prefix = secret.slice(0, 10);
  const revoked = await cli(['apikey:revoke', prefix]);
  expect(revoked.code).toBe(0);
  expect(revoked.stdout).toMatch(/^Revoked API key \d+/);

  const after = await viewer(url, secret);
  expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  expect(after.data?.viewer ?? null).toBeNull();

  const listed = await cli(['apikey:list', 'ada']);
  expect(listed.code).toBe(0);
  expect(listed.stdout).not.toContain(secret);
  const rows = parseTable(listed.stdout);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ PREFIX: prefix, NAME: 'laptop', USER: 'ada', REVOKED: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
  expect(new Date(rows[0].EXPIRES).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
});

test('exits 1 with a message when the user, the key or the expiry is unknown', async () => {
  expect(await cli(['apikey:issue', 'ghost'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/Unknown user: ghost/) });
  expect(await cli(['apikey:issue', 'ada', '--privileges', 'delete_tickets'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/does not have DELETE_TICKETS/) });
  expect(await cli(['apikey:issue', 'ada', '--privileges', 'fly'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/Unknown privilege: fly/) });
  const narrowed = await cli(['apikey:issue', 'ada', '--name', 'ci', '--privileges', 'create_tickets']);
  expect(narrowed).toMatchObject({ code: 0, stdout: expect.stringMatching(/^tg_/) });
  expect(await cli(['apikey:issue', 'ada', '--expires', 'whenever'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/--expires/) });
  expect(await cli(['apikey:revoke', 'tg_nothing'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/No API key .*tg_nothing/) });
  expect(await cli(['apikey:revoke', '999999'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/No API key/) });
});

test('exits 2 with the usage when the command or an option is unknown', async () => {
  // Checked before the configuration, so a broken DATABASE_URL does not hide the usage error.
  expect(await cli(['frobnicate'], { DATABASE_URL: 'postgres://x' })).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/Unknown command: frobnicate[\s\S]*Usage:/) });
  expect((await cli(['user:list', '--bogus'])).code).toBe(2);
  expect((await cli(['apikey:issue'])).code).toBe(2);
});

test('prints every command when asked for help', async () => {
  for (const args of [['help'], [], ['--help']]) {
    const result = await cli(args);
    expect(result.code).toBe(0);
    for (const command of ['migrate', 'user:create', 'user:list', 'apikey:issue', 'apikey:list', 'apikey:revoke', 'category:create', 'tag:create']) {
      expect(result.stdout).toContain(command);
    }
  }
});

test('exits 1 naming DATABASE_URL when it is not a supported URL', async () => {
  const result = await cli(['user:list'], { DATABASE_URL: 'postgres://u:secret@h/db' });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/DATABASE_URL/);
  expect(result.stderr).not.toMatch(/secret/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});

test('the built bin runs as a child process: exit code, stdout and stderr as a shell sees them', async () => {
  // dist is brought up to date by the suite's global setup (test/helpers/global-setup.js).
  const env = { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  const { stdout } = await exec(process.execPath, ['dist/src/cli/main.js', 'user:list', '--json'], { cwd: ROOT, env, timeout: TIMEOUT });
  expect(JSON.parse(stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ username: 'ada' })]));
  const bad = await exec(process.execPath, ['dist/src/cli/main.js', 'frobnicate'], { cwd: ROOT, env, timeout: TIMEOUT }).catch((err: { code: number; stdout: string; stderr: string }) => err);
  expect(bad).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/Unknown command: frobnicate[\s\S]*Usage:/) });
});
