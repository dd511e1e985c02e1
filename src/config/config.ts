import os from 'node:os';
import path from 'node:path';
import ms from 'ms';
import { outboundAllowEntryProblem } from '../common/outbound-url';
import { loadWorkflow, type Workflow } from './workflow';

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
  /**
   * This process's temporary files (uploads being received), $DATA_DIR/tmp/<INSTANCE_ID>: emptied at
   * start, so what a killed process left there does not pile up. One per instance, so replicas on
   * one host sharing DATA_DIR never sweep each other's.
   */
  tmpDir: string;
  database: DatabaseConfig;
  /** When set, user `admin` (admin privilege) exists and this key authenticates as it. Never logged. */
  adminApiKey: string | null;
  /** When set (16+ characters), GET /metrics requires `Authorization: Bearer <this>`; unset, /metrics is open. Never logged. */
  metricsToken: string | null;
  logLevel: LogLevel;
  /** JWT bearer tokens; null when neither JWT_SECRET nor JWKS_URL is set (API keys only). */
  jwt: JwtConfig | null;
  /** Origins allowed to call the API from a browser (CORS); empty: no CORS headers, same-origin only. '*': any. */
  corsOrigins: string[];
  /** Request headers browsers may send cross-origin, in addition to the defaults in cors.middleware.ts. */
  corsAllowedHeaders: string[];
  limits: {
    subjectMaxLength: number;
    bodyMaxBytes: number;
    requestBodyMaxBytes: number;
    pageSizeDefault: number;
    pageSizeMax: number;
  };
  files: FilesConfig;
  mail: MailConfig;
  outbox: OutboxConfig;
  workflow: Workflow;
  jobs: JobsConfig;
  /** Base URL of this service as users reach it (links in mail, download links); '' means relative links. */
  publicUrl: string;
  /** ticketCreate with a requester e-mail address no user has creates a requester-only user for it (else NOT_FOUND). */
  requesterAutoCreate: boolean;
  /** redis:// or rediss:// URL; set, subscription events cross replicas through Redis pub/sub. Never logged. */
  redisUrl: string | null;
  /** Prefix of this deployment's Redis keys and channels (several deployments or test runs can share one Redis). */
  redisPrefix: string;
  /** How often an open WebSocket connection's credentials are checked again (revoked or narrowed: closed). */
  subscriptionReauthMs: number;
  /** Caps on WebSocket connections and the operations running on them (README "Limits"). */
  webSocketLimits: WebSocketLimitsConfig;
  queryLimits: QueryLimitsConfig;
  /**
   * OUTBOUND_ALLOW: CIDR ranges, addresses and host names (`*.domain` for its subdomains) that
   * webhooks and http job runners may reach although they are loopback, private or otherwise
   * internal (src/common/outbound-url.ts). Empty: public addresses only.
   */
  outboundAllow: string[];
  /** Observability: OpenTelemetry tracing, on only when an OTLP endpoint is configured. */
  telemetry: TelemetryConfig;
  /**
   * Benchmark-only (DATALOADERS=off): every DataLoader fetches each key with its own statement, to
   * measure the naive N+1 resolvers (bench/, peer B1). Never set it in production.
   */
  dataLoaderBatching: boolean;
  /**
   * GRAPHQL_COMPILE_AFTER (default 2): a query document is compiled by graphql-jit on its n-th use
   * and runs compiled from then on (src/http/compiled-execution.plugin.ts); 0: graphql-js only.
   */
  compileAfterUses: number;
}

export interface JwtConfig {
  /** HS256 shared secret (at least 32 bytes). Never logged. */
  secret: string | null;
  /** JWKS endpoint for RS256/ES256 tokens. */
  jwksUrl: string | null;
  issuer: string;
  audience: string;
  /** The claim that holds the username of an active user. */
  usernameClaim: string;
  clockToleranceSec: number;
}

/** Per-operation limits checked before execution, and the per-subject cost budget (README "Limits"). */
export interface QueryLimitsConfig {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Passed to graphql's parser (parseOptions.maxTokens): longer documents fail to parse. */
  maxTokens: number;
  /**
   * Selections (fields, fragment spreads, inline fragments) a document may hold, counted right
   * after parsing: validation work grows faster than the document, so more is refused before it.
   */
  maxSelections: number;
  maxCost: number;
  /** Cost points a key, user or anonymous IP may spend per minute; 0 turns rate limiting off. */
  rateLimitPerMinute: number;
  /** Key prefix of the rate-limit counters in Redis. */
  rateLimitRedisPrefix: string;
  /** A request running longer than this is answered with 503 REQUEST_TIMEOUT and its open transaction rolled back. */
  requestTimeoutMs: number;
  /** SIGTERM/SIGINT: how long in-flight requests may take to finish before the process exits anyway. */
  shutdownGraceMs: number;
}

/** WebSocket caps: one key must not hold the process's sockets and subscriptions. */
export interface WebSocketLimitsConfig {
  /** Open connections per user (all of the user's keys together). */
  maxConnectionsPerUser: number;
  /** Open connections per client address, counted before authentication. */
  maxConnectionsPerIp: number;
  /** Operations (subscriptions and in-flight queries) running at once on one connection. */
  maxSubscriptionsPerConnection: number;
  /** Operations running at once over all of one user's connections. */
  maxSubscriptionsPerUser: number;
}

export interface TelemetryConfig {
  /** OTEL_EXPORTER_OTLP_ENDPOINT (base URL; traces go to <endpoint>/v1/traces). null: tracing off. */
  otlpEndpoint: string | null;
  serviceName: string;
}

export interface MailConfig {
  /** smtp:// or smtps:// URL with credentials; null writes .eml files to `dir` instead. */
  smtpUrl: string | null;
  from: string;
  dir: string;
  debounceMs: number;
  /** Daily overdue run, server-local "HH:MM". */
  overdueTime: { hour: number; minute: number };
  /** Most bytes of files one ticketForward attaches (all files together). */
  forwardMaxBytes: number;
}

/** The outbox worker (mail, webhooks, job dispatch, failed-job tickets). */
export interface OutboxConfig {
  /** Poll interval. */
  pollMs: number;
  maxAttempts: number;
  /** First retry delay; each further attempt doubles it (at most an hour). */
  retryBaseMs: number;
  /** How long a claimed row is a worker's: one that dies mid-delivery frees its rows after this. */
  leaseMs: number;
}

export interface JobsConfig {
  /** Working directories of local jobs (one per job, removed when it ends). */
  dir: string;
  /** JSON file of event definitions applied at start (created or updated by key); null: none. */
  eventsFile: string | null;
  /** false refuses to run `local` events (replicas that must not execute commands). */
  localRunner: boolean;
  /** Identity of this process for its local jobs; a restart with the same identity fails what was left running. */
  instanceId: string;
  /** Output kept per job (the rest is cut from the middle). */
  logMaxBytes: number;
  /** Timeout of a local run when its event sets none. */
  defaultTimeoutSeconds: number;
  /** Grace between SIGTERM and SIGKILL when a run is stopped. */
  killGraceMs: number;
}

export type FileStorageConfig =
  | { kind: 'local'; dir: string }
  | { kind: 's3'; bucket: string; prefix: string; region: string; endpoint: string | null; forcePathStyle: boolean; accessKeyId: string | null; secretAccessKey: string | null };

export interface FilesConfig {
  storage: FileStorageConfig;
  maxFileBytes: number;
  maxFilesPerRequest: number;
  /** Lower-case MIME types (type/* wildcards) and .extensions; empty means any type not denied. */
  allowedTypes: string[];
  deniedTypes: string[];
  expirationMs: number;
  sweepIntervalMs: number;
  /** Lifetime of the signed token in download links. */
  linkTtlMs: number;
}

/**
 * Types refused unless FILE_DENIED_TYPES says otherwise: markup and scripts a browser would run,
 * and executables. Downloads are always sent as attachments with nosniff; this keeps them out too.
 */
export const DEFAULT_DENIED_TYPES = [
  'text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/javascript', 'application/javascript', 'application/ecmascript',
  'application/x-msdownload', 'application/x-msdos-program', 'application/x-executable', 'application/x-sh', 'application/x-bat',
  '.html', '.htm', '.xhtml', '.shtml', '.svg', '.svgz', '.js', '.mjs', '.exe', '.dll', '.com', '.bat', '.cmd', '.scr', '.msi', '.ps1', '.vbs', '.hta',
];

/**
 * Durations in one grammar everywhere, the `ms` package's: "500ms", "90s", "15m", "12h", "30d",
 * "1w", "5y", "1.5h", "2 minutes"; plain digits are seconds, as they always were here.
 */
export function parseDuration(raw: string): number | null {
  const text = raw.trim();
  if (text === '' || text.length > 100) return null; // ms() throws on those
  const value = /^\d{1,9}$/.test(text) ? Number(text) * 1000 : ms(text as ms.StringValue);
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : null;
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

  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const port = int('PORT', 4000, 0, 65535);
  const dataDir = path.resolve(str('DATA_DIR') ?? './data');
  const database = parseDatabaseUrl(str('DATABASE_URL'), dataDir, problems);

  const adminApiKey = str('ADMIN_API_KEY') ?? null;
  if (adminApiKey !== null && adminApiKey.length < 16) {
    problems.push('ADMIN_API_KEY must be at least 16 characters long');
  }

  const metricsToken = str('METRICS_TOKEN') ?? null;
  if (metricsToken !== null && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters long');

  const logLevelRaw = (str('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevelRaw as LogLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevelRaw}")`);
  }

  const otlpEndpoint = str('OTEL_EXPORTER_OTLP_ENDPOINT') ?? null;
  if (otlpEndpoint !== null && !/^https?:\/\/[^/]+/.test(otlpEndpoint)) problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got "${otlpEndpoint}")`);
  const dataLoadersRaw = (str('DATALOADERS') ?? 'on').toLowerCase();
  if (dataLoadersRaw !== 'on' && dataLoadersRaw !== 'off') problems.push(`DATALOADERS must be on or off (got "${dataLoadersRaw}")`);

  const pageSizeMax = int('PAGE_SIZE_MAX', 100, 1, 1000);
  const config: AppConfig = {
    nodeEnv: str('NODE_ENV') ?? 'development',
    port,
    host: str('HOST') ?? '0.0.0.0',
    dataDir,
    tmpDir: path.join(dataDir, 'tmp', (str('INSTANCE_ID') ?? os.hostname()).replace(/[^A-Za-z0-9._-]/g, '_')),
    database,
    adminApiKey,
    metricsToken,
    logLevel: (LOG_LEVELS.includes(logLevelRaw as LogLevel) ? logLevelRaw : 'info') as LogLevel,
    jwt: parseJwt(str, int, problems),
    corsOrigins: parseCorsOrigins(str('CORS_ORIGINS'), problems),
    corsAllowedHeaders: parseCorsAllowedHeaders(str('CORS_ALLOWED_HEADERS'), problems),
    limits: {
      subjectMaxLength: int('SUBJECT_MAX_LENGTH', 300, 1, 300),
      bodyMaxBytes: int('BODY_MAX_BYTES', TEXT_COLUMN_BYTES, 1, TEXT_COLUMN_BYTES),
      requestBodyMaxBytes: int('REQUEST_BODY_MAX_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      pageSizeDefault: int('PAGE_SIZE_DEFAULT', 20, 1, 1000),
      pageSizeMax,
    },
    files: parseFiles(str, int, dataDir, problems),
    mail: parseMail(str, int, dataDir, problems),
    outbox: parseOutbox(int),
    workflow: loadWorkflow(str('WORKFLOW_FILE'), problems),
    jobs: {
      dir: path.resolve(str('JOBS_DIR') ?? path.join(dataDir, 'jobs')),
      eventsFile: str('EVENTS_FILE') ?? null,
      localRunner: bool('LOCAL_RUNNER', true),
      instanceId: str('INSTANCE_ID') ?? os.hostname(),
      logMaxBytes: int('JOB_LOG_MAX_BYTES', 1024 * 1024, 1024, 16 * 1024 * 1024),
      defaultTimeoutSeconds: int('JOB_TIMEOUT_SECONDS', 3600, 1, 7 * 86_400),
      killGraceMs: int('JOB_KILL_GRACE_MS', 5000, 0, 600_000),
    },
    publicUrl: (str('PUBLIC_URL') ?? '').replace(/\/+$/, ''),
    requesterAutoCreate: bool('REQUESTER_AUTO_CREATE', false),
    redisUrl: str('REDIS_URL') ?? null,
    redisPrefix: str('REDIS_PREFIX') ?? 'ticket-gateway:',
    subscriptionReauthMs: durationOf(str, problems, 'SUBSCRIPTION_REAUTH_INTERVAL', '60s'),
    webSocketLimits: {
      maxConnectionsPerUser: int('WS_MAX_CONNECTIONS_PER_USER', 20, 1, 1_000_000),
      maxConnectionsPerIp: int('WS_MAX_CONNECTIONS_PER_IP', 100, 1, 1_000_000),
      maxSubscriptionsPerConnection: int('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 50, 1, 1_000_000),
      maxSubscriptionsPerUser: int('WS_MAX_SUBSCRIPTIONS_PER_USER', 200, 1, 10_000_000),
    },
    queryLimits: parseQueryLimits(str, int, problems),
    outboundAllow: parseOutboundAllow(str('OUTBOUND_ALLOW'), problems),
    telemetry: { otlpEndpoint: otlpEndpoint?.replace(/\/+$/, '') ?? null, serviceName: str('OTEL_SERVICE_NAME') ?? 'ticket-gateway' },
    dataLoaderBatching: dataLoadersRaw !== 'off',
    compileAfterUses: int('GRAPHQL_COMPILE_AFTER', 2, 0, 1_000_000),
  };
  if (config.redisUrl !== null && !isRedisUrl(config.redisUrl)) problems.push('REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (it is never printed)');
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(config.redisPrefix)) problems.push(`REDIS_PREFIX may hold letters, digits and : . _ - (1 to 64 of them; got "${config.redisPrefix}")`);
  if (config.publicUrl && !/^https?:\/\/[^/]+/.test(config.publicUrl)) problems.push('PUBLIC_URL must be an http(s) URL, e.g. https://tickets.example.com');
  if (config.limits.pageSizeDefault > pageSizeMax) {
    problems.push(`PAGE_SIZE_DEFAULT (${config.limits.pageSizeDefault}) must not exceed PAGE_SIZE_MAX (${pageSizeMax})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** A duration setting in milliseconds; a bad value is a problem naming the setting (the default stands in). */
function durationOf(str: (name: string) => string | undefined, problems: string[], name: string, fallback: string): number {
  const raw = str(name) ?? fallback;
  const value = parseDuration(raw);
  if (value === null) problems.push(`${name} must be a duration such as 500ms, 90s, 15m, 12h, 30d or 5y (got "${raw}")`);
  return value ?? (parseDuration(fallback) as number);
}

function parseOutboundAllow(raw: string | undefined, problems: string[]): string[] {
  const entries = (raw ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const entry of entries) {
    const problem = outboundAllowEntryProblem(entry);
    if (problem) problems.push(`OUTBOUND_ALLOW: ${problem} (a comma-separated list, e.g. 10.0.0.0/8,hooks.internal.example)`);
  }
  return entries;
}

function isRedisUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function parseFiles(
  str: (name: string) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  dataDir: string,
  problems: string[],
): FilesConfig {
  const duration = (name: string, fallback: string): number => durationOf(str, problems, name, fallback);
  const list = (name: string, fallback: string[]): string[] => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const items = raw.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
    const bad = items.filter((x) => !/^(\.[a-z0-9]{1,16}|[a-z0-9.+-]+\/([a-z0-9.+-]+|\*))$/.test(x));
    if (bad.length) problems.push(`${name} takes MIME types (image/png, image/*) and extensions (.log), comma-separated; not ${bad.join(', ')}`);
    return items;
  };
  const bucket = str('S3_BUCKET');
  let storage: FileStorageConfig = { kind: 'local', dir: path.resolve(str('FILES_DIR') ?? path.join(dataDir, 'files')) };
  if (bucket) {
    const endpoint = str('S3_ENDPOINT') ?? null;
    if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) problems.push('S3_ENDPOINT must be an http(s) URL, e.g. http://127.0.0.1:9000');
    const accessKeyId = str('S3_ACCESS_KEY_ID') ?? null;
    const secretAccessKey = str('S3_SECRET_ACCESS_KEY') ?? null;
    if ((accessKeyId === null) !== (secretAccessKey === null)) problems.push('Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (to use the AWS default credential chain)');
    storage = {
      kind: 's3',
      bucket,
      prefix: (str('S3_PREFIX') ?? '').replace(/^\/+|\/+$/g, ''),
      region: str('S3_REGION') ?? 'us-east-1',
      endpoint,
      forcePathStyle: (str('S3_FORCE_PATH_STYLE') ?? (endpoint ? 'true' : 'false')).toLowerCase() === 'true',
      accessKeyId,
      secretAccessKey,
    };
  }
  return {
    storage,
    maxFileBytes: int('FILE_MAX_BYTES', 100 * 1024 * 1024, 1, 5 * 1024 * 1024 * 1024),
    maxFilesPerRequest: int('FILE_MAX_COUNT', 20, 1, 1000),
    allowedTypes: list('FILE_ALLOWED_TYPES', []),
    deniedTypes: list('FILE_DENIED_TYPES', DEFAULT_DENIED_TYPES),
    expirationMs: duration('FILE_EXPIRATION', '5y'),
    sweepIntervalMs: duration('FILE_SWEEP_INTERVAL', '1h'),
    linkTtlMs: duration('FILE_LINK_TTL', '15m'),
  };
}

function parseJwt(str: (name: string) => string | undefined, int: (name: string, fallback: number, min: number, max: number) => number, problems: string[]): JwtConfig | null {
  const secret = str('JWT_SECRET') ?? null;
  const jwksUrl = str('JWKS_URL') ?? null;
  const issuer = str('JWT_ISSUER');
  const audience = str('JWT_AUDIENCE');
  if (secret === null && jwksUrl === null) {
    if (issuer || audience) problems.push('JWT_ISSUER/JWT_AUDIENCE are set but neither JWT_SECRET nor JWKS_URL is: set one to accept JWT bearer tokens');
    return null;
  }
  if (secret !== null && Buffer.byteLength(secret, 'utf8') < 32) problems.push('JWT_SECRET must be at least 32 bytes (256 bits) for HS256');
  if (jwksUrl !== null && !/^https?:\/\/[^/]+/.test(jwksUrl)) problems.push('JWKS_URL must be an http(s) URL, e.g. https://idp.example.com/.well-known/jwks.json');
  // Without both checks a token minted by the same issuer for another service (or by another
  // tenant of a shared identity provider) would be accepted here.
  if (!issuer) problems.push('JWT_ISSUER is required when JWT_SECRET or JWKS_URL is set (the expected "iss" claim)');
  if (!audience) problems.push('JWT_AUDIENCE is required when JWT_SECRET or JWKS_URL is set (the expected "aud" claim, e.g. ticket-gateway)');
  const usernameClaim = str('JWT_USERNAME_CLAIM') ?? 'sub';
  if (!/^[A-Za-z0-9_:./-]{1,100}$/.test(usernameClaim)) problems.push(`JWT_USERNAME_CLAIM must be a claim name such as sub or preferred_username (got "${usernameClaim}")`);
  return { secret, jwksUrl, issuer: issuer ?? '', audience: audience ?? '', usernameClaim, clockToleranceSec: int('JWT_CLOCK_TOLERANCE_SECONDS', 30, 0, 300) };
}

function parseCorsOrigins(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined) return [];
  const origins = raw.split(',').map((o) => o.trim().toLowerCase().replace(/\/+$/, '')).filter(Boolean);
  const bad = origins.filter((o) => o !== '*' && !/^https?:\/\/[^/\s?#]+$/.test(o));
  if (bad.length) problems.push(`CORS_ORIGINS takes origins such as https://ops.example.com (scheme, host, optional port; comma-separated) or *; not ${bad.join(', ')}`);
  return origins;
}

/** Header names are RFC 9110 tokens; anything else would make the preflight answer malformed. */
function parseCorsAllowedHeaders(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined) return [];
  const names = raw.split(',').map((h) => h.trim()).filter(Boolean);
  const bad = names.filter((h) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h));
  if (bad.length) problems.push(`CORS_ALLOWED_HEADERS takes header names such as X-Tenant (comma-separated); not ${bad.map((h) => JSON.stringify(h)).join(', ')}`);
  return names;
}

function parseQueryLimits(
  str: (name: string) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): QueryLimitsConfig {
  const duration = (name: string, fallback: string): number => durationOf(str, problems, name, fallback);
  return {
    maxDepth: int('MAX_QUERY_DEPTH', 10, 1, 1000),
    maxAliases: int('MAX_QUERY_ALIASES', 30, 0, 100_000),
    maxDirectives: int('MAX_QUERY_DIRECTIVES', 50, 0, 100_000),
    maxTokens: int('MAX_QUERY_TOKENS', 5000, 100, 1_000_000),
    maxSelections: int('MAX_QUERY_SELECTIONS', 1000, 10, 1_000_000),
    maxCost: int('MAX_QUERY_COST', 10_000, 1, 100_000_000),
    rateLimitPerMinute: int('RATE_LIMIT_COST_PER_MINUTE', 100_000, 0, 1_000_000_000),
    rateLimitRedisPrefix: str('RATE_LIMIT_REDIS_PREFIX') ?? 'tg:rate:',
    requestTimeoutMs: duration('REQUEST_TIMEOUT', '30s'),
    shutdownGraceMs: duration('SHUTDOWN_GRACE_PERIOD', '10s'),
  };
}

function parseMail(
  str: (name: string) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  dataDir: string,
  problems: string[],
): MailConfig {
  const smtpUrl = str('SMTP_URL') ?? null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^/]+/.test(smtpUrl)) problems.push('SMTP_URL must be smtp://user:pass@host:port or smtps://... (it is never printed)');
  const from = str('MAIL_FROM') ?? 'ticket-gateway <tickets@localhost>';
  if (/[\r\n]/.test(from) || !/@/.test(from)) problems.push('MAIL_FROM must be one address, e.g. "Tickets <tickets@example.com>"');
  const time = str('OVERDUE_TIME') ?? '04:30';
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) problems.push(`OVERDUE_TIME must be HH:MM in server time (got "${time}")`);
  return {
    smtpUrl,
    from,
    dir: path.resolve(str('MAIL_DIR') ?? path.join(dataDir, 'mail')),
    debounceMs: int('NOTIFY_DEBOUNCE_SECONDS', 30, 0, 86_400) * 1000,
    overdueTime: m ? { hour: Number(m[1]), minute: Number(m[2]) } : { hour: 4, minute: 30 },
    // 10 MiB: what common mail servers accept whole once base64 has grown it by a third (many cap at 20-25 MB).
    forwardMaxBytes: int('MAIL_FORWARD_MAX_BYTES', 10 * 1024 * 1024, 1, 50 * 1024 * 1024),
  };
}

function parseOutbox(int: (name: string, fallback: number, min: number, max: number) => number): OutboxConfig {
  return {
    pollMs: int('OUTBOX_POLL_MS', 1000, 10, 600_000),
    maxAttempts: int('OUTBOX_MAX_ATTEMPTS', 10, 1, 100),
    retryBaseMs: int('OUTBOX_RETRY_BASE_MS', 5000, 10, 3_600_000),
    leaseMs: int('OUTBOX_LEASE_MS', 120_000, 1000, 3_600_000),
  };
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
