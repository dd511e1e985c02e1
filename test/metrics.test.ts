import { loadConfig } from '../src/config/config';
import { COMMENT_ADD, CREATE } from './helpers/documents';
import { startTestServer, type TestServer } from './helpers/test-server';

/** The value of one series in a Prometheus text exposition, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const pair of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) got[pair[1]] = pair[2];
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

async function scrape(s: TestServer): Promise<string> {
  const res = await fetch(`${s.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

const NESTED = `query BenchNested { tickets(first: 10) { edges { node { number assignees { username } changes(last: 5) { edges { node { type author { username } } } } } } } }`;

describe('GET /metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await s.user('mia');
    for (let i = 0; i < 6; i++) {
      const t = (await s.gql(CREATE, { input: { subject: `Metrics ${i}`, assignees: ['mia'] } })).data.ticketCreate.ticket;
      await s.gql(COMMENT_ADD, { input: { ticketId: t.id, body: `note ${i}` } });
    }
  });
  afterAll(() => s?.close());

  test('counts requests, latency and SQL statements per operation name', async () => {
    for (let i = 0; i < 3; i++) expect((await s.gql(NESTED)).errors).toBeUndefined();
    const sqlCounts = [...s.requests.values()].filter((r) => r.operationName === 'BenchNested').map((r) => r.sqlCount);
    expect(sqlCounts).toHaveLength(3);
    const text = await scrape(s);
    expect(sample(text, 'tg_http_requests_total', { operation: 'BenchNested', status: '200' })).toBe(3);
    expect(sample(text, 'tg_http_request_duration_seconds_count', { operation: 'BenchNested' })).toBe(3);
    expect(sample(text, 'tg_sql_statements_per_request_count', { operation: 'BenchNested' })).toBe(3);
    expect(sample(text, 'tg_sql_statements_per_request_sum', { operation: 'BenchNested' })).toBe(sqlCounts.reduce((a, b) => a + b, 0));
    // Unnamed documents (the helpers' CREATE) share one series.
    expect(sample(text, 'tg_http_requests_total', { operation: 'anonymous', status: '200' })).toBeGreaterThanOrEqual(12);
  });

  test('records DataLoader batch sizes by loader: one batch for the assignees of every ticket on the page', async () => {
    const before = await scrape(s);
    await s.gql(NESTED);
    const after = await scrape(s);
    const delta = (name: string, labels: Record<string, string>) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
    expect(delta('tg_dataloader_batch_size_count', { loader: 'ticketUsers' })).toBe(1);
    expect(delta('tg_dataloader_batch_size_sum', { loader: 'ticketUsers' })).toBe(6); // the six tickets there are
    expect(delta('tg_dataloader_batch_size_count', { loader: 'changePage' })).toBe(1);
  });

  test('counts top-level errors by extensions.code', async () => {
    const before = sample(await scrape(s), 'tg_graphql_errors_total', { code: 'UNAUTHENTICATED' }) ?? 0;
    expect((await s.gql(`{ tickets(first: 1) { totalCount } }`, {}, 'not-a-key')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await s.gql(`{ tickets(first: 1) { totalCount } }`, {}, 'still-not-a-key')).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const text = await scrape(s);
    expect(sample(text, 'tg_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(before + 2);
  });

  test('caps operation-name labels: odd names become "other", nothing unbounded', async () => {
    await s.gql(`query ${'x'.repeat(70)} { tickets(first: 1) { totalCount } }`);
    const text = await scrape(s);
    expect(sample(text, 'tg_http_requests_total', { operation: 'other', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('x'.repeat(70));
  });

  test('reports the outbox backlog, its age and (on MariaDB/MySQL) the connection pool', async () => {
    const text = await scrape(s);
    expect(sample(text, 'tg_outbox_messages', { status: 'pending' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'tg_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(0);
    if (s.app.db.dialect === 'mysql') {
      expect(sample(text, 'tg_db_pool_connections', { state: 'limit' })).toBe(10);
      const all = sample(text, 'tg_db_pool_connections', { state: 'all' }) ?? -1;
      expect(all).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'tg_db_pool_connections', { state: 'free' })).toBeLessThanOrEqual(all);
    } else {
      expect(sample(text, 'tg_db_pool_connections', { state: 'all' })).toBeUndefined();
    }
    expect(sample(text, 'tg_process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('METRICS_TOKEN', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => s?.close());

  test('when set, /metrics answers only Authorization: Bearer <token>; anything else is a 401', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: 'Bearer short' }, { authorization: `Basic ${TOKEN}` }] as Record<string, string>[]) {
      const res = await fetch(`${s.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]).toEqual({ message: expect.stringContaining('METRICS_TOKEN'), extensions: { code: 'UNAUTHENTICATED' } });
    }
    const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('tg_http_requests_total');
  });

  test('is validated: at least 16 characters', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16 characters/);
    expect(loadConfig({}).metricsToken).toBeNull();
  });
});

describe('DATALOADERS=off (benchmark-only switch)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ DATALOADERS: 'off' });
    await s.user('noah');
    for (let i = 0; i < 4; i++) await s.gql(CREATE, { input: { subject: `Naive ${i}`, assignees: ['noah'] } });
  });
  afterAll(() => s?.close());

  test('fetches every key with its own statement: N+1 statements, batches of one', async () => {
    const q = (n: number) => `query Naive { tickets(first: ${n}) { edges { node { number assignees { username } } } } }`;
    const before = sample(await scrape(s), 'tg_dataloader_batch_size_count', { loader: 'ticketUsers' }) ?? 0;
    const beforeSum = sample(await scrape(s), 'tg_dataloader_batch_size_sum', { loader: 'ticketUsers' }) ?? 0;
    const two = await s.gql(q(2));
    const four = await s.gql(q(4));
    expect(four.data.tickets.edges.map((e: { node: { assignees: unknown[] } }) => e.node.assignees)).toEqual(Array(4).fill([{ username: 'noah' }]));
    // One assignee statement per ticket: two more tickets, two more statements.
    expect(s.requests.get(four.requestId)!.sqlCount - s.requests.get(two.requestId)!.sqlCount).toBe(2);
    const text = await scrape(s);
    // Six tickets resolved, six batches of one key each.
    expect((sample(text, 'tg_dataloader_batch_size_count', { loader: 'ticketUsers' }) ?? 0) - before).toBe(6);
    expect((sample(text, 'tg_dataloader_batch_size_sum', { loader: 'ticketUsers' }) ?? 0) - beforeSum).toBe(6);
  });

  test('is validated: anything but on/off is a configuration error', async () => {
    expect(() => loadConfig({ DATALOADERS: 'maybe' })).toThrow(/DATALOADERS must be on or off/);
    expect(loadConfig({ DATALOADERS: 'off' }).dataLoaderBatching).toBe(false);
    expect(loadConfig({}).dataLoaderBatching).toBe(true);
  });
});
