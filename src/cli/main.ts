#!/usr/bin/env node
/**
 * Operator CLI: `ticket-gateway <command>` (or `npm run cli -- <command>`). Reads the same
 * environment as the server and applies pending migrations before any command, so it works on a
 * fresh database.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config';
import { createLogger } from '../common/logger';
import { parseDue } from '../common/due-date';
import { createDataSource } from '../db/data-source';
import { Database } from '../db/database';
import { runMigrations } from '../db/migrate';
import { Privilege } from '../entities/ticket.enums';
import { createServices, type Services } from '../services/services';

const USAGE = `Usage: ticket-gateway <command> [options]

  migrate                                   apply pending database migrations
  user:create <username> [--name N] [--email E] [--privileges p1,p2] [--categories k1,k2]
                                            privileges: ${Object.values(Privilege).join(', ')}
  user:list [--json]                        list users
  apikey:issue <username> [--name L] [--expires WHEN]
                                            print a new key (shown once); WHEN: date or "90 days"
  apikey:list [username]                    list keys (never the secrets)
  apikey:revoke <id|prefix>                 revoke a key at once
  category:create <key> [--title T]         create a category
  tag:create <key> [--title T]              create a tag
  help                                      this text

Configuration comes from the environment (DATABASE_URL, DATA_DIR, ...), as for the server.
`;

class UsageError extends Error {}

type Options = Record<string, string | boolean | undefined>;

async function run(command: string, positionals: string[], options: Options, services: Services, migrated: string[]): Promise<void> {
  const arg = (i: number, name: string): string => {
    const v = positionals[i];
    if (!v) throw new UsageError(`${command} needs <${name}>`);
    return v;
  };
  const str = (name: string): string | undefined => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const list = (name: string): string[] | undefined => str(name)?.split(',').map((s) => s.trim()).filter(Boolean);
  const failOn = (errors: { message: string }[]) => {
    if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
  };

  switch (command) {
    case 'migrate':
      console.log(migrated.length ? `Applied: ${migrated.join(', ')}` : 'Database is up to date');
      return;
    case 'user:create': {
      const privileges = list('privileges') ?? [];
      const unknown = privileges.filter((p) => !Object.values(Privilege).includes(p as Privilege));
      if (unknown.length) throw new Error(`Unknown privilege: ${unknown.join(', ')} (known: ${Object.values(Privilege).join(', ')})`);
      const result = await services.users.create(null, { username: arg(0, 'username'), name: str('name'), email: str('email'), privileges: privileges as Privilege[], categories: list('categories') });
      failOn(result.userErrors);
      console.log(`Created user ${result.user?.username}`);
      return;
    }
    case 'user:list': {
      const users = await services.users.all();
      if (options.json) {
        console.log(JSON.stringify(users.map(({ username, name, email, privileges, active, createdAt }) => ({ username, name, email, privileges, active, createdAt })), null, 2));
      } else {
        table(['USERNAME', 'NAME', 'EMAIL', 'PRIVILEGES', 'ACTIVE'], users.map((u) => [u.username, u.name, u.email ?? '', u.privileges.join(',') || '-', u.active ? 'yes' : 'no']));
      }
      return;
    }
    case 'apikey:issue': {
      const user = await services.users.findByUsername(arg(0, 'username'));
      if (!user) throw new Error(`Unknown user: ${positionals[0]}`);
      let expiresAt: Date | null = null;
      const expires = str('expires');
      if (expires) {
        const parsed = parseDue(expires);
        if (!parsed.ok) throw new Error(`--expires: ${parsed.message}`);
        expiresAt = parsed.value;
      }
      const result = await services.apiKeys.issue(null, user, str('name') ?? 'cli', expiresAt);
      failOn(result.userErrors);
      // The secret alone on stdout so scripts can capture it; the note goes to stderr.
      console.log(result.secret);
      console.error(`API key ${result.apiKey?.prefix}… for ${user.username}: store it now, it is not shown again.`);
      return;
    }
    case 'apikey:list': {
      const users = positionals[0] ? [await services.users.findByUsername(positionals[0])] : await services.users.all();
      if (users[0] === null) throw new Error(`Unknown user: ${positionals[0]}`);
      const rows: string[][] = [];
      for (const user of users) {
        if (!user) continue;
        for (const k of await services.apiKeys.listForUser(user.id)) {
          rows.push([String(k.id), k.prefix, k.name, user.username, iso(k.createdAt), iso(k.lastUsedAt), iso(k.expiresAt), iso(k.revokedAt)]);
        }
      }
      table(['ID', 'PREFIX', 'NAME', 'USER', 'CREATED', 'LAST USED', 'EXPIRES', 'REVOKED'], rows);
      return;
    }
    case 'apikey:revoke': {
      const ref = arg(0, 'id|prefix');
      const matches = /^\d+$/.test(ref) ? [{ id: Number(ref) }] : await services.apiKeys.findByPrefix(ref);
      if (matches.length > 1) throw new Error(`Prefix ${ref} matches ${matches.length} keys; revoke by id`);
      const key = matches[0] ? await services.apiKeys.revoke(null, matches[0].id) : null;
      if (!key) throw new Error(`No API key ${ref}`);
      console.log(`Revoked API key ${key.id} (${key.prefix}…)`);
      return;
    }
    case 'category:create':
    case 'tag:create': {
      const key = arg(0, 'key');
      const result = command === 'tag:create' ? await services.labels.createTag(null, key, str('title')) : await services.labels.createCategory(null, key, str('title'));
      failOn(result.userErrors);
      console.log(`Created ${command.split(':')[0]} ${result.label?.key}`);
      return;
    }
    default:
      throw new UsageError(`Unknown command: ${command}`);
  }
}

function iso(d: Date | null): string {
  return d ? d.toISOString() : '-';
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      privileges: { type: 'string' },
      categories: { type: 'string' },
      expires: { type: 'string' },
      title: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || command === 'help' || values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const dataSource = createDataSource(config.database, log);
  await dataSource.initialize();
  try {
    const migrated = await runMigrations(dataSource);
    await run(command, rest, values, createServices(new Database(dataSource), config, log), migrated);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof UsageError || String((err as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`${message}\n`);
    if (process.env.LOG_LEVEL === 'debug' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  },
);
