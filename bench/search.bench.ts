/**
 * Ticket search benchmark: loads 10,000 tickets / 200,000 changes into a fresh database, then times
 * four searches through the real GraphQL endpoint and checks their EXPLAIN plans.
 *
 *   npx ts-node --transpile-only bench/search.bench.ts [sqlite|mysql]
 *
 * Writes bench/results/search-<dialect>.json and appends a section to bench/RESULTS.md. Exits
 * non-zero (after writing the results) when a plan check fails or an answer is wrong.
 */
import 'reflect-metadata';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/config';
import { Category } from '../src/entities/category.entity';
import { Tag } from '../src/entities/tag.entity';
import { TicketStatus } from '../src/entities/ticket.enums';
import { User } from '../src/entities/user.entity';
import { createApp, type App, type RequestInfo } from '../src/http/app';
import { GraphQLClient } from './lib/client';
import { generateDataset, summarize as summarizeDataset, type DatasetSummary, type Label, type Labels } from './lib/dataset';
import { explain, SqlCapture, ticketListStatements, type ExplainedStatement } from './lib/explain';
import { loadDataset, refreshStatistics } from './lib/load';
import { Oracle, type Expected } from './lib/oracle';
import { machineInfo, sourceInfo } from './lib/environment';
import { appendMarkdown, writeJson, type BenchResult, type PlanCheck, type QueryDefinition, type QueryResult } from './lib/report';
import { createScratchDatabase, type Dialect } from './lib/scratch-db';
import { summarize } from './lib/stats';

const SPEC = { tickets: 10_000, changes: 200_000, seed: 20250601 };
const WARMUP_RUNS = 5;
const TIMED_RUNS = 30;
const PAGE_SIZE = 20;
const ADMIN_API_KEY = 'bench-admin-key-0123456789abcdef';
const BENCH_DIR = __dirname;

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar'];
/** Most used first (the generator draws tags with a Zipf distribution in this order). */
const TAGS = [
  'web', 'database', 'network', 'storage', 'security', 'backup', 'monitoring', 'email', 'dns', 'certificates', 'kubernetes', 'ci',
  'vpn', 'ldap', 'hardware', 'printer', 'billing', 'migration', 'performance', 'access', 'vendor', 'audit', 'cloud', 'legacy',
];
const CATEGORIES = ['infra', 'apps', 'network', 'security', 'helpdesk', 'facilities', 'data', 'finance'];
/** The tag of the indexed query: the second most used, on about one ticket in seven. */
const QUERY_TAG = 'database';

const SELECTION = `totalCount edges { node { number subject } }`;
const QUERY_DOCUMENT = `query BenchSearch($query: String!) { tickets(first: ${PAGE_SIZE}, query: $query) { ${SELECTION} } }`;
const FILTER_DOCUMENT = `query BenchFilter($filter: TicketFilter!) { tickets(first: ${PAGE_SIZE}, filter: $filter) { ${SELECTION} } }`;

interface TicketsData {
  tickets: { totalCount: number; edges: { node: { number: number; subject: string } }[] };
}

interface QuerySpec extends QueryDefinition {
  expected: Expected;
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

function parseDialect(arg: string | undefined): Dialect {
  if (arg === undefined || arg === 'sqlite') return 'sqlite';
  if (arg === 'mysql' || arg === 'mariadb') return 'mysql';
  throw new Error(`Unknown database "${arg}": use sqlite or mysql`);
}

async function main(): Promise<void> {
  const dialect = parseDialect(process.argv[2]);
  const startedAt = new Date().toISOString();
  const scratch = await createScratchDatabase(dialect);
  log(`${dialect}: scratch database ${scratch.location}`);
  let app: App | null = null;
  try {
    const requests = new Map<string, RequestInfo>();
    const config = loadConfig({
      DATABASE_URL: scratch.url,
      DATA_DIR: scratch.dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
      // Load generators would exhaust any per-key budget; the limiter's own cost (one upsert with the
      // database store, none with Redis) is stated in RESULTS.md.
      RATE_LIMIT_COST_PER_MINUTE: '0',
    });
    app = await createApp(config, { onRequestComplete: (info) => requests.set(info.requestId, info) });
    const capture = SqlCapture.install(app.db.dataSource);
    const client = new GraphQLClient(await app.listen(), ADMIN_API_KEY);

    log('creating users, tags and categories through GraphQL');
    const labels = await createLabels(app, client);

    const { summary, oracle, loadSeconds } = await loadData(app, labels);
    log(`loaded in ${loadSeconds} s`);

    const results: QueryResult[] = [];
    for (const q of chooseQueries(oracle)) results.push(await runQuery(app, client, capture, requests, q));

    const result: BenchResult = {
      benchmark: 'ticket-search',
      dialect,
      startedAt,
      finishedAt: new Date().toISOString(),
      source: sourceInfo(path.resolve(BENCH_DIR, '..')),
      machine: machineInfo(),
      database: await databaseInfo(app),
      dataset: { ...summary, seed: SPEC.seed, loadSeconds },
      method: {
        warmupRuns: WARMUP_RUNS,
        timedRuns: TIMED_RUNS,
        pageSize: PAGE_SIZE,
        timing:
          'client round trip of POST /graphql on 127.0.0.1 with the admin API key (fetch to parsed JSON); ' +
          'median and nearest-rank p95 over the timed runs; server duration from the app\'s request hook.',
      },
      queries: results,
      pass: results.every((r) => r.check.pass && r.totalCount === r.expectedTotalCount),
    };
    const json = writeJson(path.join(BENCH_DIR, 'results'), result);
    appendMarkdown(path.join(BENCH_DIR, 'RESULTS.md'), result);
    log(`wrote ${path.relative(process.cwd(), json)} and appended to bench/RESULTS.md`);
    if (!result.pass) {
      for (const r of results.filter((x) => !x.check.pass)) log(`FAIL ${r.label}: ${r.check.detail}`);
      process.exitCode = 1;
    } else log('all EXPLAIN checks passed');
  } finally {
    await app?.close();
    if (process.env.BENCH_KEEP_DATABASE) log(`kept the scratch database ${scratch.location} (BENCH_KEEP_DATABASE)`);
    else await scratch.drop();
  }
}

/**
 * One search: an untimed request whose answer is verified and whose SQL is captured and explained,
 * then the warm-up and the timed requests.
 */
async function runQuery(app: App, client: GraphQLClient, capture: SqlCapture, requests: Map<string, RequestInfo>, q: QuerySpec): Promise<QueryResult> {
  const requestId = `bench-explain-${q.id}`;
  capture.watch(requestId);
  const answer = await client.request<TicketsData>(q.document, q.variables, requestId);
  verifyAnswer(q, answer.data);
  const statements = ticketListStatements(capture.take(requestId));
  const plans = { page: await explain(app.db, statements.page), count: await explain(app.db, statements.count) };
  const check = checkPlans(q.kind, plans.page, plans.count);
  log(`${q.label}: totalCount ${answer.data.tickets.totalCount}; EXPLAIN ${check.pass ? 'PASS' : 'FAIL'}: ${check.detail}`);
  for (const note of check.notes) log(`  note: ${note}`);

  for (let run = 0; run < WARMUP_RUNS; run++) await client.request<TicketsData>(q.document, q.variables);
  const roundTrips: number[] = [];
  const requestIds: string[] = [];
  for (let run = 0; run < TIMED_RUNS; run++) {
    const r = await client.request<TicketsData>(q.document, q.variables, `bench-${q.id}-${run}`);
    roundTrips.push(r.ms);
    requestIds.push(r.requestId);
  }
  const served = requestIds.map((id) => requests.get(id) ?? missingRequest(id));
  const { expected, ...spec } = q;
  const result: QueryResult = {
    ...spec,
    totalCount: answer.data.tickets.totalCount,
    expectedTotalCount: expected.totalCount,
    clientMs: summarize(roundTrips),
    serverMs: summarize(served.map((info) => info.durationMs)),
    sqlStatementsPerRequest: Math.max(...served.map((info) => info.sqlCount)),
    explain: plans,
    check,
  };
  log(`${q.label}: median ${result.clientMs.medianMs} ms, p95 ${result.clientMs.p95Ms} ms (server median ${result.serverMs.medianMs} ms)`);
  return result;
}

function missingRequest(id: string): never {
  throw new Error(`The app reported no statistics for request ${id}`);
}

async function createLabels(app: App, client: GraphQLClient): Promise<Labels> {
  type Payload = Record<string, { userErrors: { message: string }[] }>;
  const run = async (mutation: string, inputType: string, input: Record<string, unknown>) => {
    const { data } = await client.request<Payload>(`mutation($input: ${inputType}!) { ${mutation}(input: $input) { userErrors { message } } }`, { input });
    const errors = data[mutation].userErrors;
    if (errors.length > 0) throw new Error(`${mutation}: ${errors.map((e) => e.message).join('; ')}`);
  };
  for (const username of USERS) {
    await run('userCreate', 'UserCreateInput', { username, name: username[0].toUpperCase() + username.slice(1), email: `${username}@example.com`, privileges: ['CREATE_TICKETS', 'EDIT_TICKETS'] });
  }
  for (const key of TAGS) await run('tagCreate', 'TagCreateInput', { key, title: key });
  for (const key of CATEGORIES) await run('categoryCreate', 'CategoryCreateInput', { key, title: key });

  const inOrder = (names: string[], rows: Label[]): Label[] => names.map((name) => rows.find((r) => r.key === name) ?? missing(name));
  const missing = (name: string): never => {
    throw new Error(`${name} was not created`);
  };
  const em = app.db.manager;
  return {
    users: inOrder(USERS, (await em.find(User)).map((u) => ({ id: u.id, key: u.username }))),
    tags: inOrder(TAGS, (await em.find(Tag)).map((t) => ({ id: t.id, key: t.key }))),
    categories: inOrder(CATEGORIES, (await em.find(Category)).map((c) => ({ id: c.id, key: c.key }))),
  };
}

/**
 * Generates and bulk-loads the dataset. Only its summary and the oracle's compact index outlive
 * this function, so the timed requests do not run next to a heap full of generated rows.
 */
async function loadData(app: App, labels: Labels): Promise<{ summary: DatasetSummary; oracle: Oracle; loadSeconds: number }> {
  log(`generating ${SPEC.tickets} tickets and ${SPEC.changes} changes (seed ${SPEC.seed})`);
  const data = generateDataset(SPEC, labels);
  log('bulk-loading with SQL');
  const started = performance.now();
  await loadDataset(app.db, data);
  await refreshStatistics(app.db);
  const loadSeconds = Math.round((performance.now() - started) / 100) / 10;
  await verifyRowCounts(app, data.tickets.length, data.changes.length);
  return { summary: summarizeDataset(data), oracle: new Oracle(data), loadSeconds };
}

async function verifyRowCounts(app: App, tickets: number, changes: number): Promise<void> {
  const count = async (table: string) => Number(((await app.db.manager.query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number | string }[])[0].n);
  const actual = { ticket: await count('ticket'), ticket_change: await count('ticket_change'), ticket_search: await count('ticket_search') };
  if (actual.ticket !== tickets || actual.ticket_change !== changes || actual.ticket_search !== tickets) {
    throw new Error(`Loaded row counts ${JSON.stringify(actual)} differ from the dataset (${tickets} tickets, ${changes} changes)`);
  }
}

/** The four searches; the words are picked by how common they are in the generated text. */
function chooseQueries(oracle: Oracle): QuerySpec[] {
  const first = oracle.wordWithShare(0.3, 'text', []);
  const second = oracle.wordWithShare(0.15, 'text', [first.word]);
  const comment = oracle.wordWithShare(0.1, 'comments', [first.word, second.word]);
  const pct = (share: number) => `${Math.round(share * 1000) / 10}%`;
  const indexed = oracle.expect((t) => t.status === TicketStatus.OPEN && oracle.hasTag(t, QUERY_TAG), PAGE_SIZE);
  const indexedRationale = `Tag "${QUERY_TAG}" is the second most used tag; ${indexed.totalCount} visible open tickets carry it.`;
  const words = `${first.word} ${second.word}`;
  return [
    {
      id: 'a-indexed-query',
      label: '(a) indexed, query',
      kind: 'indexed',
      call: `tickets(first: ${PAGE_SIZE}, query: "status:open tags:${QUERY_TAG}")`,
      document: QUERY_DOCUMENT,
      variables: { query: `status:open tags:${QUERY_TAG}` },
      rationale: indexedRationale,
      expected: indexed,
    },
    {
      id: 'b-full-text',
      label: '(b) full-text',
      kind: 'full-text',
      call: `tickets(first: ${PAGE_SIZE}, query: "${words}")`,
      document: QUERY_DOCUMENT,
      variables: { query: words },
      rationale: `Two common words: "${first.word}" is in ${pct(first.share)} and "${second.word}" in ${pct(second.share)} of visible tickets (subject, body or comments).`,
      expected: oracle.expect((t) => oracle.hasWords(t, [first.word, second.word]), PAGE_SIZE),
    },
    {
      id: 'c-comments',
      label: '(c) comment text',
      kind: 'full-text',
      call: `tickets(first: ${PAGE_SIZE}, query: "changes:${comment.word}")`,
      document: QUERY_DOCUMENT,
      variables: { query: `changes:${comment.word}` },
      rationale: `"${comment.word}" appears in the comments of ${pct(comment.share)} of visible tickets.`,
      expected: oracle.expect((t) => oracle.commentsHave(t, comment.word), PAGE_SIZE),
    },
    {
      id: 'd-indexed-filter',
      label: '(d) indexed, filter',
      kind: 'indexed',
      call: `tickets(first: ${PAGE_SIZE}, filter: { status: { eq: OPEN }, tags: { eq: "${QUERY_TAG}" } })`,
      document: FILTER_DOCUMENT,
      variables: { filter: { status: { eq: 'OPEN' }, tags: { eq: QUERY_TAG } } },
      rationale: `The same search as (a) through the typed filter. ${indexedRationale}`,
      expected: indexed,
    },
  ];
}

function verifyAnswer(q: QuerySpec, data: TicketsData): void {
  const numbers = data.tickets.edges.map((e) => e.node.number);
  if (data.tickets.totalCount !== q.expected.totalCount || numbers.join() !== q.expected.firstPage.join()) {
    throw new Error(
      `${q.label} answered totalCount ${data.tickets.totalCount}, first page [${numbers.join(', ')}]; ` +
        `the generated data says ${q.expected.totalCount}, [${q.expected.firstPage.join(', ')}]`,
    );
  }
}

/**
 * Indexed searches must not read the whole ticket table (SQLite: a "SCAN t" without an index;
 * MySQL: type ALL on t). Full-text searches must look their words up in the full-text index.
 */
function checkPlans(kind: QuerySpec['kind'], page: ExplainedStatement, count: ExplainedStatement): PlanCheck {
  const statements = [['page', page], ['count', count]] as const;
  const notes = statements.flatMap(([name, s]) => [
    ...s.ticketIndexScans.map((line) => `${name} query reads a whole index of ticket: ${line}`),
    ...s.otherTableScans.map((line) => `${name} query reads a whole table other than ticket: ${line}`),
  ]);
  const tableScans = statements.flatMap(([name, s]) => s.ticketTableScans.map((line) => `${name} query: ${line}`));
  if (kind === 'indexed') {
    return {
      requirement: 'no full scan of the ticket table in the page or count plan',
      pass: tableScans.length === 0,
      detail: tableScans.length === 0 ? 'No plan reads the whole ticket table.' : `FULL SCAN of ticket: ${tableScans.join('; ')}`,
      notes,
    };
  }
  const withoutIndex = statements.filter(([, s]) => !s.usesFullTextIndex).map(([name]) => name);
  return {
    requirement: 'the page and count plans use the full-text index of ticket_search',
    pass: withoutIndex.length === 0,
    detail: withoutIndex.length === 0 ? 'Both plans look the words up in the full-text index.' : `No full-text index use in the ${withoutIndex.join(' and ')} plan.`,
    notes: [...notes, ...tableScans.map((line) => `full scan of ticket: ${line}`)],
  };
}

async function databaseInfo(app: App): Promise<BenchResult['database']> {
  if (app.db.dialect === 'sqlite') {
    const [row] = (await app.db.manager.query('SELECT sqlite_version() AS v')) as { v: string }[];
    return { engine: 'SQLite', version: row.v, statistics: 'none: the app never runs ANALYZE, so the planner uses its built-in estimates as in production' };
  }
  const [row] = (await app.db.manager.query('SELECT VERSION() AS v')) as { v: string }[];
  return { engine: /mariadb/i.test(row.v) ? 'MariaDB' : 'MySQL', version: row.v, statistics: 'ANALYZE TABLE after the load (InnoDB would recalculate them in the background anyway)' };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
