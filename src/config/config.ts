import path from 'node:path';

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'mysql'; url: string; host: string; port: number; database: string };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The whole runtime configuration, read from the environment once and validated at start. */
export interface AppConfig {
  nodeEnv: string;
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  /** When set, user `admin` (admin privilege) exists and this key authenticates as it. Never logged. */
  adminApiKey: string | null;
  logLevel: LogLevel;
  limits: {
    subjectMaxLength: number;
    bodyMaxBytes: number;
    requestBodyMaxBytes: number;
    pageSizeDefault: number;
    pageSizeMax: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
// MySQL's TEXT column holds 65,535 bytes; GitHub caps issue bodies at the same size.
const TEXT_COLUMN_BYTES = 65535;

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; collects every problem before failing so one restart fixes them all. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };

  const port = int('PORT', 4000, 0, 65535);
  const dataDir = path.resolve(str('DATA_DIR') ?? './data');
  const database = parseDatabaseUrl(str('DATABASE_URL'), dataDir, problems);

  const adminApiKey = str('ADMIN_API_KEY') ?? null;
  if (adminApiKey !== null && adminApiKey.length < 16) {
    problems.push('ADMIN_API_KEY must be at least 16 characters long');
  }

  const logLevelRaw = (str('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevelRaw as LogLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevelRaw}")`);
  }

  const pageSizeMax = int('PAGE_SIZE_MAX', 100, 1, 1000);
  const config: AppConfig = {
    nodeEnv: str('NODE_ENV') ?? 'development',
    port,
    host: str('HOST') ?? '0.0.0.0',
    dataDir,
    database,
    adminApiKey,
    logLevel: (LOG_LEVELS.includes(logLevelRaw as LogLevel) ? logLevelRaw : 'info') as LogLevel,
    limits: {
      subjectMaxLength: int('SUBJECT_MAX_LENGTH', 300, 1, 300),
      bodyMaxBytes: int('BODY_MAX_BYTES', TEXT_COLUMN_BYTES, 1, TEXT_COLUMN_BYTES),
      requestBodyMaxBytes: int('REQUEST_BODY_MAX_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      pageSizeDefault: int('PAGE_SIZE_DEFAULT', 20, 1, 1000),
      pageSizeMax,
    },
  };
  if (config.limits.pageSizeDefault > pageSizeMax) {
    problems.push(`PAGE_SIZE_DEFAULT (${config.limits.pageSizeDefault}) must not exceed PAGE_SIZE_MAX (${pageSizeMax})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function parseDatabaseUrl(raw: string | undefined, dataDir: string, problems: string[]): DatabaseConfig {
  if (raw === undefined) return { kind: 'sqlite', path: path.join(dataDir, 'tickets.sqlite') };
  if (raw.startsWith('sqlite:')) {
    const file = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (file === '') {
      problems.push('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/tickets.sqlite');
      return { kind: 'sqlite', path: path.join(dataDir, 'tickets.sqlite') };
    }
    return { kind: 'sqlite', path: file === ':memory:' ? file : path.resolve(file) };
  }
  if (raw.startsWith('mysql:') || raw.startsWith('mariadb:')) {
    try {
      const url = new URL(raw);
      const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
      if (!url.hostname) problems.push('DATABASE_URL must name a host, e.g. mysql://user:pass@127.0.0.1:3306/tickets');
      if (!database) problems.push('DATABASE_URL must name a database, e.g. mysql://user:pass@127.0.0.1:3306/tickets');
      return {
        kind: 'mysql',
        url: raw.replace(/^mariadb:/, 'mysql:'),
        host: url.hostname,
        port: url.port ? Number(url.port) : 3306,
        database,
      };
    } catch {
      // Never echo the URL itself: it carries the password.
      problems.push('DATABASE_URL is not a valid URL (expected mysql://user:pass@host:port/db)');
    }
  } else {
    problems.push('DATABASE_URL must start with sqlite: or mysql:// (mariadb:// is accepted too)');
  }
  return { kind: 'sqlite', path: path.join(dataDir, 'tickets.sqlite') };
}
