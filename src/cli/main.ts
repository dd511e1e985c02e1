#!/usr/bin/env node
/**
 * Operator CLI: `ticket-gateway <command>` (or `npm run cli -- <command>`). Reads the same
 * environment as the server and applies pending migrations before any command, so it works on a
 * fresh database.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { In } from 'typeorm';
import { loadConfig, type LogLevel } from '../config/config';
import { Background } from '../common/background';
import { createLogger } from '../common/logger';
import { parseDue } from '../common/due-date';
import { createDataSource } from '../db/data-source';
import { Database } from '../db/database';
import { runMigrations } from '../db/migrate';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import { createServices, type Services } from '../services/services';
import { NEW } from '../services/label.service';
import { RequestContexts } from '../graphql/request-context';
import type { Result } from '../common/result';

const PRIVILEGES: readonly string[] = Object.values(Privilege);

const USAGE = `Usage: ticket-gateway <command> [options]

  migrate                                   apply pending database migrations
  user:create <username> [--name N] [--email E] [--privileges p1,p2] [--categories k1,k2] [--own-tickets-only]
                                            privileges: ${PRIVILEGES.join(', ')}
  user:list [--json]                        list users
  apikey:issue <username> [--name L] [--expires WHEN] [--privileges p1,p2] [--categories k1,k2] [--own-tickets-only]
                                            print a new key (shown once); WHEN: ISO date or "90 days";
                                            privileges/categories narrow the key within the user's own;
                                            --own-tickets-only: only tickets requested, created, assigned, cc
  apikey:list [username]                    list keys (never the secrets)
  apikey:revoke <id|prefix>                 revoke a key at once (prefix: first 10 characters)
  category:create <key> [--title T]         create a category
  tag:create <key> [--title T]              create a tag
  help                                      this text

Configuration comes from the environment (DATABASE_URL, DATA_DIR, LOG_LEVEL, ...), as for the server.
Every command except help applies pending migrations first.
`;

const OPTIONS = {
  name: { type: 'string' },
  email: { type: 'string' },
  privileges: { type: 'string' },
  categories: { type: 'string' },
  expires: { type: 'string' },
  title: { type: 'string' },
  json: { type: 'boolean' },
  'own-tickets-only': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionName = Exclude<keyof typeof OPTIONS, 'help'>;
type Options = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** Bad invocation: usage goes to stderr and the exit code is 2, as is customary. */
class UsageError extends Error {}

interface Context {
  services: Services;
  contexts: RequestContexts;
  db: Database;
  migrated: string[];
  io: CliIo;
}

interface Command {
  /** Positional arguments, `<required>` or `[optional]`, checked before the database is opened. */
  args: string[];
  options: OptionName[];
  run(ctx: Context, args: string[], opts: Options): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  migrate: {
    args: [],
    options: [],
    run: async ({ migrated, io }) => io.out(migrated.length ? `Applied: ${migrated.join(', ')}` : 'Database is up to date'),
  },
  'user:create': {
    args: ['<username>'],
    options: ['name', 'email', 'privileges', 'categories', 'own-tickets-only'],
    run: async ({ services, io }, [username], opts) => {
      const privileges = (list(opts.privileges) ?? []).map((p) => p.toLowerCase());
      const unknown = privileges.filter((p) => !PRIVILEGES.includes(p));
      if (unknown.length) throw new Error(`Unknown privilege: ${unknown.join(', ')} (known: ${PRIVILEGES.join(', ')})`);
      const user = valueOf(await services.users.create({ username, name: opts.name, email: opts.email, privileges: privileges as Privilege[], categories: list(opts.categories), ownTicketsOnly: opts['own-tickets-only'] === true }));
      io.out(`Created user ${user.username}`);
    },
  },
  'user:list': {
    args: [],
    options: ['json'],
    run: async ({ services, db, io }, _args, opts) => {
      const users = await services.users.all();
      if (opts.json) {
        // Category keys, not row ids: keys are what operators pass to --categories.
        const ids = [...new Set(users.flatMap((u) => u.categoryIds ?? []))];
        const keys = new Map((ids.length ? await db.manager.findBy(Category, { id: In(ids) }) : []).map((c) => [c.id, c.key]));
        const out = users.map((u) => ({
          username: u.username, name: u.name, email: u.email, privileges: u.privileges, active: u.active,
          categories: u.categoryIds?.map((id) => keys.get(id) ?? String(id)) ?? null, ownTicketsOnly: u.ownTicketsOnly, createdAt: u.createdAt,
        }));
        io.out(JSON.stringify(out, null, 2));
        return;
      }
      table(io, ['USERNAME', 'NAME', 'EMAIL', 'PRIVILEGES', 'ACTIVE'], users.map((u) => [u.username, u.name, u.email ?? '-', u.privileges.join(',') || '-', u.active ? 'yes' : 'no']));
    },
  },
  'apikey:issue': {
    args: ['<username>'],
    options: ['name', 'expires', 'privileges', 'categories', 'own-tickets-only'],
    run: async ({ services, io }, [username], opts) => {
      const privileges = list(opts.privileges)?.map((p) => p.toLowerCase()) ?? null;
      const unknown = (privileges ?? []).filter((p) => !PRIVILEGES.includes(p));
      if (unknown.length) throw new Error(`Unknown privilege: ${unknown.join(', ')} (known: ${PRIVILEGES.join(', ')})`);
      const user = await services.users.findByUsername(username);
      if (!user) throw new Error(`Unknown user: ${username}`);
      let expiresAt: Date | null = null;
      if (opts.expires !== undefined) {
        const parsed = parseDue(opts.expires);
        if (!parsed.ok) throw new Error(`--expires: ${parsed.message}`);
        expiresAt = parsed.value;
      }
      const { apiKey, secret } = valueOf(await services.apiKeys.issue(null, user, opts.name ?? 'cli', expiresAt, { privileges: privileges as Privilege[] | null, categories: list(opts.categories) ?? null, ownTicketsOnly: opts['own-tickets-only'] === true }));
      // The secret alone on stdout so scripts can capture it; everything else goes to stderr.
      io.out(secret);
      io.err(`API key ${apiKey.prefix} (id ${apiKey.id}) for ${user.username}: store it now, it is shown only once.`);
    },
  },
  'apikey:list': {
    args: ['[username]'],
    options: [],
    run: async ({ services, io }, [username]) => {
      const one = username === undefined ? null : await services.users.findByUsername(username);
      if (username !== undefined && !one) throw new Error(`Unknown user: ${username}`);
      const users = one ? [one] : await services.users.all();
      const rows: [number, string[]][] = [];
      for (const user of users) {
        for (const k of await services.apiKeys.listForUser(user.id)) {
          rows.push([k.id, [String(k.id), k.prefix, k.name, user.username, iso(k.createdAt), iso(k.lastUsedAt), iso(k.expiresAt), iso(k.revokedAt)]]);
        }
      }
      rows.sort((a, b) => a[0] - b[0]);
      table(io, ['ID', 'PREFIX', 'NAME', 'USER', 'CREATED', 'LAST USED', 'EXPIRES', 'REVOKED'], rows.map(([, r]) => r));
    },
  },
  'apikey:revoke': {
    args: ['<id|prefix>'],
    options: [],
    run: async ({ services, io }, [ref]) => {
      let id: number | null = null;
      if (/^\d+$/.test(ref)) {
        id = Number.isSafeInteger(Number(ref)) ? Number(ref) : null;
      } else {
        const matches = await services.apiKeys.findByPrefix(ref);
        if (matches.length > 1) throw new Error(`Prefix ${ref} matches ${matches.length} keys (ids ${matches.map((k) => k.id).join(', ')}); revoke by id`);
        id = matches[0]?.id ?? null;
      }
      const started = Date.now();
      const key = id === null ? null : await services.apiKeys.revoke(null, id);
      if (!key) throw new Error(`No API key with id or prefix ${ref}`);
      // Revoking twice is harmless (scripts may retry), but say so.
      const already = key.revokedAt !== null && key.revokedAt.getTime() < started;
      io.out(`${already ? 'API key was already revoked' : 'Revoked API key'} ${key.id} (${key.prefix}) at ${iso(key.revokedAt)}`);
    },
  },
  'category:create': { args: ['<key>'], options: ['title'], run: (ctx, [key], opts) => createLabel(ctx, 'category', key, opts.title) },
  'tag:create': { args: ['<key>'], options: ['title'], run: (ctx, [key], opts) => createLabel(ctx, 'tag', key, opts.title) },
};

async function createLabel({ services, contexts, io }: Context, kind: 'category' | 'tag', key: string, title: string | undefined): Promise<void> {
  const ctx = contexts.system('cli');
  const label = valueOf(kind === 'tag' ? await services.labels.saveTag(ctx, NEW, { key, title }) : await services.labels.saveCategory(ctx, NEW, { key, title }));
  io.out(`Created ${kind} ${label.key}`);
}

/** A service's value, or its refusals as the command's error (one line each). */
function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(result.refusals.map((r) => r.message).join('\n'));
  return result.value;
}

function list(value: string | undefined): string[] | undefined {
  return value?.split(',').map((s) => s.trim()).filter(Boolean);
}

function iso(d: Date | null): string {
  return d ? d.toISOString() : '-';
}

function table(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) io.out(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

/** Parses argv and checks the command and its arguments, all before any database work. */
function parseCommandLine(argv: string[]): { command: Command; args: string[]; opts: Options } | null {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { help, ...opts } = parsed.values;
  const [name, ...args] = parsed.positionals;
  if (!name || name === 'help' || help) return null;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UsageError(`Unknown command: ${name}`);
  const required = command.args.filter((a) => a.startsWith('<')).length;
  if (args.length < required) throw new UsageError(`${name} needs ${command.args.slice(args.length, required).join(' ')}`);
  if (args.length > command.args.length) throw new UsageError(`${name}: unexpected argument ${args[command.args.length]}`);
  const stray = (Object.keys(opts) as OptionName[]).filter((o) => !command.options.includes(o));
  if (stray.length) throw new UsageError(`${name} does not take ${stray.map((o) => `--${o}`).join(', ')}`);
  return { command, args, opts };
}

/** Where a command writes: its result on stdout (scripts capture it), everything else on stderr. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const PROCESS_IO: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs one command line and answers its exit code: 0 done, 1 failed (the reason on stderr), 2 bad
 * invocation (with the usage). The bin below calls it; tests call it in-process.
 */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env, io: CliIo = PROCESS_IO): Promise<number> {
  try {
    return await run(argv, env, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${USAGE.trimEnd()}`);
      return 2;
    }
    io.err(describe(err));
    const level = env.LOG_LEVEL?.trim().toLowerCase();
    if ((level === 'debug' || level === 'trace') && err instanceof Error && err.stack) io.err(err.stack);
    return 1;
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (!parsed) {
    io.out(USAGE.trimEnd());
    return 0;
  }
  const config = loadConfig(env);
  // Logs go to stderr so stdout stays machine-readable; the server's default (info) is chatty for a CLI.
  const level: LogLevel = env.LOG_LEVEL?.trim() ? config.logLevel : 'warn';
  const log = createLogger(level, pino.destination({ fd: 2, sync: true }));
  const dataSource = createDataSource(config.database, log);
  try {
    await dataSource.initialize();
    const migrated = await runMigrations(dataSource);
    const db = new Database(dataSource);
    const background = new Background(log);
    try {
      const contexts = new RequestContexts(db);
      await parsed.command.run({ services: createServices(db, config, log, background, contexts), contexts, db, migrated, io }, parsed.args, parsed.opts);
    } finally {
      await background.close();
    }
    return 0;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}

/** A one-line description; some driver errors (AggregateError from connect) have an empty message. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message) return err.message;
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(describe).join('; ');
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : err.name;
}

function exit(code: number): void {
  process.exitCode = code;
  // Pipes are asynchronous on some platforms: let pending output drain before exiting.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

if (require.main === module) void runCli(process.argv.slice(2)).then(exit);
