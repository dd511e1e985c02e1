import path from 'node:path';
import { ConfigError, loadConfig, parseDuration } from '../../src/config/config';

test('defaults to an embedded SQLite database under ./data on port 4000', () => {
  const c = loadConfig({});
  expect(c.port).toBe(4000);
  expect(c.database).toEqual({ kind: 'sqlite', path: path.resolve('data/tickets.sqlite') });
  expect(c.adminApiKey).toBeNull();
  expect(c.limits.pageSizeDefault).toBe(20);
  expect(c.limits.pageSizeMax).toBe(100);
});

test('reads DATA_DIR, sqlite: and mysql:// URLs', () => {
  expect(loadConfig({ DATA_DIR: '/tmp/x' }).database).toEqual({ kind: 'sqlite', path: '/tmp/x/tickets.sqlite' });
  expect(loadConfig({ DATABASE_URL: 'sqlite:/var/lib/t.db' }).database).toEqual({ kind: 'sqlite', path: '/var/lib/t.db' });
  expect(loadConfig({ DATABASE_URL: 'mysql://u:p@db.local:3307/tickets' }).database).toMatchObject({ kind: 'mysql', host: 'db.local', port: 3307, database: 'tickets' });
  expect(loadConfig({ DATABASE_URL: 'mariadb://u@db/t' }).database).toMatchObject({ kind: 'mysql', url: 'mysql://u@db/t' });
});

test('names every bad variable in one error and never echoes the database password', () => {
  let error: unknown;
  try {
    loadConfig({ PORT: 'eighty', DATABASE_URL: 'postgres://u:secret@h/db', LOG_LEVEL: 'loud', ADMIN_API_KEY: 'short', PAGE_SIZE_MAX: '0' });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'ADMIN_API_KEY', 'PAGE_SIZE_MAX']) expect(message).toContain(name);
  expect(message).not.toContain('secret');
});

test('refuses a MySQL URL without a database name', () => {
  expect(() => loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/' })).toThrow(/must name a database/);
});

test('accepts JWT only with an issuer and an audience, and a long enough secret', () => {
  expect(loadConfig({}).jwt).toBeNull();
  const ok = loadConfig({ JWT_SECRET: 'x'.repeat(32), JWT_ISSUER: 'https://idp', JWT_AUDIENCE: 'tg' }).jwt;
  expect(ok).toEqual({ secret: 'x'.repeat(32), jwksUrl: null, issuer: 'https://idp', audience: 'tg', usernameClaim: 'sub', clockToleranceSec: 30 });
  const bad = (() => { try { loadConfig({ JWT_SECRET: 'short', JWKS_URL: 'ftp://x' }); } catch (e) { return e; } })() as ConfigError;
  expect(bad).toBeInstanceOf(ConfigError);
  expect(bad.problems.join('\n')).toMatch(/JWT_SECRET must be at least 32 bytes/);
  expect(bad.problems.join('\n')).toMatch(/JWKS_URL must be an http\(s\) URL/);
  expect(bad.problems.join('\n')).toMatch(/JWT_ISSUER is required/);
  expect(bad.problems.join('\n')).toMatch(/JWT_AUDIENCE is required/);
  expect(bad.message).not.toContain('short');
});

test('reads CORS_ALLOWED_HEADERS as header names added to the default list', () => {
  expect(loadConfig({}).corsAllowedHeaders).toEqual([]);
  expect(loadConfig({ CORS_ALLOWED_HEADERS: ' X-Tenant ,x-client-build,' }).corsAllowedHeaders).toEqual(['X-Tenant', 'x-client-build']);
  expect(() => loadConfig({ CORS_ALLOWED_HEADERS: 'X-Good, bad header, x:colon' })).toThrow(/CORS_ALLOWED_HEADERS takes header names .*not "bad header", "x:colon"/);
});

test('reads CORS_ORIGINS as an allow-list of origins', () => {
  expect(loadConfig({}).corsOrigins).toEqual([]);
  expect(loadConfig({ CORS_ORIGINS: 'https://Ops.example.com/, http://localhost:3000' }).corsOrigins).toEqual(['https://ops.example.com', 'http://localhost:3000']);
  expect(() => loadConfig({ CORS_ORIGINS: 'ops.example.com,https://x.test/path' })).toThrow(/CORS_ORIGINS takes origins.*ops\.example\.com, https:\/\/x\.test\/path/);
});

test('REDIS_URL: unset means in-process events; a redis(s) URL is taken; anything else is refused without echoing it', () => {
  expect(loadConfig({})).toMatchObject({ redisUrl: null, redisPrefix: 'ticket-gateway:' });
  expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache.local:6380/2', REDIS_PREFIX: 'prod:' })).toMatchObject({ redisUrl: 'rediss://:pw@cache.local:6380/2', redisPrefix: 'prod:' });
  for (const bad of ['http://:hunter2@cache.local', 'redis//hunter2', 'redis://']) {
    expect(() => loadConfig({ REDIS_URL: bad })).toThrow(ConfigError);
    try {
      loadConfig({ REDIS_URL: bad });
    } catch (err) {
      expect((err as Error).message).toContain('REDIS_URL');
      expect((err as Error).message).not.toContain('hunter2');
    }
  }
  expect(() => loadConfig({ REDIS_PREFIX: 'has space' })).toThrow(/REDIS_PREFIX/);
});

test('durations share one grammar (the ms package), plain digits being seconds', () => {
  expect(parseDuration('500ms')).toBe(500);
  expect(parseDuration('90s')).toBe(90_000);
  expect(parseDuration('1.5h')).toBe(5_400_000);
  expect(parseDuration('2 minutes')).toBe(120_000);
  expect(parseDuration('30d')).toBe(30 * 86_400_000);
  expect(parseDuration('30')).toBe(30_000);
  for (const bad of ['soon', '', '0s', '-5s', '5 parsecs']) expect(parseDuration(bad)).toBeNull();
  expect(loadConfig({ REQUEST_TIMEOUT: '750ms', FILE_LINK_TTL: '1.5h', SUBSCRIPTION_REAUTH_INTERVAL: '2 minutes' })).toMatchObject({
    queryLimits: { requestTimeoutMs: 750 },
    files: { linkTtlMs: 5_400_000 },
    subscriptionReauthMs: 120_000,
  });
  const bad = (() => {
    try {
      loadConfig({ REQUEST_TIMEOUT: 'soon', FILE_EXPIRATION: '0s' });
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  })();
  expect(bad).toMatch(/REQUEST_TIMEOUT must be a duration such as 500ms.*\(got "soon"\)/);
  expect(bad).toMatch(/FILE_EXPIRATION must be a duration .*\(got "0s"\)/);
});

test('OUTBOUND_ALLOW takes CIDR ranges, addresses and host names, and names a bad entry', () => {
  expect(loadConfig({}).outboundAllow).toEqual([]);
  expect(loadConfig({ OUTBOUND_ALLOW: ' 10.0.0.0/8, 127.0.0.1 ,fd00::/8,hooks.internal.example,*.corp.example' }).outboundAllow).toEqual(['10.0.0.0/8', '127.0.0.1', 'fd00::/8', 'hooks.internal.example', '*.corp.example']);
  expect(() => loadConfig({ OUTBOUND_ALLOW: '10.0.0.0/8,not a host' })).toThrow(/OUTBOUND_ALLOW: "not a host" is neither/);
  expect(() => loadConfig({ OUTBOUND_ALLOW: '10.0.0.0/33' })).toThrow(/OUTBOUND_ALLOW: "10.0.0.0\/33" is not a CIDR range/);
});
