import crypto from 'node:crypto';
import Redis from 'ioredis';
import { createApp, type App, type RequestInfo } from '../src/http/app';
import { RATE_WINDOW_MS } from '../src/http/rate-limit.store';
import { startTestServer, type TestServer } from './helpers/test-server';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PER_MINUTE = 100;

/** The budget is per wall-clock minute; start a scenario early in a minute so it does not straddle two. */
async function freshWindow(): Promise<void> {
  const left = RATE_WINDOW_MS - (Date.now() % RATE_WINDOW_MS);
  if (left < 15_000) await new Promise((r) => setTimeout(r, left + 50));
}

async function call(url: string, query: string, key: string | null) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as { data?: any; errors?: { message: string; extensions: Record<string, any> }[]; extensions?: Record<string, any> };
  return { status: res.status, retryAfter: res.headers.get('retry-after'), requestId: res.headers.get('x-request-id') ?? '', ...body };
}

const COST_30 = `{ tickets(first: 30) { totalCount } }`;

describe.each(['database', 'redis'] as const)('rate limit with the %s store', (store) => {
  let s: TestServer;
  let replica: App;
  let replicaUrl: string;
  const replicaRequests = new Map<string, RequestInfo>();
  const prefix = `tg-test:${process.pid}:${crypto.randomBytes(4).toString('hex')}:`;
  let redis: Redis | null = null;

  beforeAll(async () => {
    s = await startTestServer({
      RATE_LIMIT_COST_PER_MINUTE: String(PER_MINUTE),
      ...(store === 'redis' ? { REDIS_URL, RATE_LIMIT_REDIS_PREFIX: prefix } : {}),
    });
    // A second replica on the same database (and Redis): budgets must hold across both.
    replica = await createApp(s.app.config, { startWorkers: false, onRequestComplete: (i) => replicaRequests.set(i.requestId, i) });
    replicaUrl = await replica.listen();
    if (store === 'redis') redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    await replica?.close();
    await s?.close();
  });

  test('charges each operation its cost, reports what is left, and refuses with 429 and Retry-After once the minute is spent', async () => {
    const alice = await s.user(`alice${store}`);
    const bob = await s.user(`bob${store}`);
    await freshWindow();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call(s.url, COST_30, alice);
      expect(r.status).toBe(200);
      expect(r.extensions?.cost).toMatchObject({ requested: 30, limit: 10000, perMinute: PER_MINUTE });
      seen.push(r.extensions?.cost.remaining);
    }
    expect(seen).toEqual([70, 40, 10]);

    const refused = await call(s.url, COST_30, alice);
    expect(refused.status).toBe(429);
    expect(refused.errors?.[0].extensions.code).toBe('RATE_LIMITED');
    expect(refused.data).toBeUndefined();
    const retryAfter = Number(refused.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.extensions?.cost).toMatchObject({ requested: 30, remaining: 0 });

    // Another key has its own budget.
    const other = await call(s.url, COST_30, bob);
    expect(other.status).toBe(200);
    expect(other.extensions?.cost.remaining).toBe(70);

    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(await redis.pttl(keys[0])).toBeGreaterThan(0);
    } else {
      const rows = (await s.app.db.manager.query('SELECT subject, points FROM rate_limit_window ORDER BY subject')) as { subject: string; points: number }[];
      expect(rows.map((r) => Number(r.points)).sort((a, b) => a - b)).toEqual(expect.arrayContaining([30, 120]));
    }
  });

  test('shares one budget across replicas', async () => {
    const carol = await s.user(`carol${store}`);
    await freshWindow();
    const a = await call(s.url, COST_30, carol);
    const b = await call(replicaUrl, COST_30, carol);
    const c = await call(s.url, COST_30, carol);
    expect([a.extensions?.cost.remaining, b.extensions?.cost.remaining, c.extensions?.cost.remaining]).toEqual([70, 40, 10]);
    const d = await call(replicaUrl, COST_30, carol);
    expect(d.status).toBe(429);
  });

  test('charges a user, not a key: more keys do not buy more budget', async () => {
    const first = await s.user(`fay${store}`);
    const keys = [first];
    for (let i = 0; i < 2; i++) {
      const issued = await s.gql(`mutation { apiKeyCreate(input: { name: "extra ${i}", username: "fay${store}" }) { secret } }`);
      keys.push(issued.data.apiKeyCreate.secret);
    }
    await freshWindow();
    const remaining: number[] = [];
    for (const key of keys) remaining.push((await call(s.url, COST_30, key)).extensions?.cost.remaining);
    expect(remaining).toEqual([70, 40, 10]);
    const spent = await call(s.url, COST_30, keys[0]);
    expect(spent.status).toBe(429);
  });

  test('charges anonymous requests to the client address', async () => {
    await freshWindow();
    const first = await call(s.url, `{ __typename }`, null);
    const second = await call(replicaUrl, `{ __typename }`, null);
    expect(first.extensions?.cost.requested).toBe(1);
    expect(second.extensions?.cost.remaining).toBe(first.extensions!.cost.remaining - 1);
  });

  test('concurrent charges are counted exactly (atomic upsert / INCRBY)', async () => {
    const dave = await s.user(`dave${store}`);
    await freshWindow();
    const results = await Promise.all(Array.from({ length: 20 }, () => call(s.url, `{ viewer { username } }`, dave)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const remaining = results.map((r) => r.extensions?.cost.remaining as number).sort((x, y) => x - y);
    // Every charge saw a distinct total: 99, 98, ... 80.
    expect(remaining).toEqual(Array.from({ length: 20 }, (_, i) => 80 + i));
  });

  test(`costs ${store === 'database' ? 'exactly one SQL statement' : 'no SQL statement'} per request`, async () => {
    const erin = await s.user(`erin${store}`);
    const off = await createApp({ ...s.app.config, queryLimits: { ...s.app.config.queryLimits, rateLimitPerMinute: 0 } }, { startWorkers: false, onRequestComplete: (i) => replicaRequests.set(i.requestId, i) });
    try {
      const offUrl = await off.listen();
      await call(offUrl, `{ viewer { username } }`, erin); // first use of a key records its last-used time
      // ...without holding up the answer: wait until it is written, or the next request may record it again.
      const recorded = async () => (await s.app.db.manager.query(`SELECT k.last_used_at AS at FROM api_key k JOIN app_user u ON u.id = k.user_id WHERE u.username = ?`, [`erin${store}`]))[0]?.at != null;
      for (let tries = 0; !(await recorded()); tries++) {
        if (tries > 500) throw new Error('the first use of the key was never recorded');
        await new Promise((r) => setTimeout(r, 10));
      }
      const limited = await call(s.url, `{ viewer { username } }`, erin);
      const unlimited = await call(offUrl, `{ viewer { username } }`, erin);
      expect(unlimited.extensions?.cost).toEqual({ requested: 1, limit: 10000 });
      const countOn = s.requests.get(limited.requestId)!.sqlCount;
      const countOff = replicaRequests.get(unlimited.requestId)!.sqlCount;
      expect(countOn - countOff).toBe(store === 'database' ? 1 : 0);
    } finally {
      await off.close();
    }
  });
});

test('while Redis is unreachable the budget is kept in the database, so the API stays up and limited', async () => {
  // Port 1 on localhost refuses connections.
  const s = await startTestServer({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_COST_PER_MINUTE: '3' });
  try {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await s.gql(`{ viewer { username } }`));
    expect(answers.slice(0, 3).map((r) => [r.status, r.extensions?.cost?.remaining])).toEqual([[200, 2], [200, 1], [200, 0]]);
    expect(answers[3].status).toBe(429);
    expect(answers[3].errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    const rows = await s.app.db.manager.query('SELECT COUNT(*) AS n FROM rate_limit_window');
    expect(Number(rows[0].n)).toBe(1);
  } finally {
    await s.close();
  }
});
