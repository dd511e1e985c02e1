import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Distinct operation names kept as label values; later names share one series so a client cannot grow the registry. */
const MAX_OPERATION_NAMES = 100;
const MAX_ERROR_CODES = 30;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface PoolUsage {
  all: number;
  free: number;
  waiting: number;
  limit: number;
}

/**
 * The app's Prometheus series, one registry per app instance (tests run several apps in one
 * process). Request-level series are recorded when a response finishes; gauges that need the
 * database or the pool are read at scrape time by the /metrics route.
 */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly operationNames = new Set<string>();
  private readonly errorCodes = new Set<string>();

  readonly requests = new Counter({
    name: 'tg_http_requests_total',
    help: 'HTTP requests by GraphQL operation name (or route for non-GraphQL requests) and status code',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'tg_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being sent, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'tg_graphql_errors_total',
    help: 'Top-level GraphQL errors by extensions.code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly compiledQueries = new Counter({
    name: 'tg_graphql_compiled_queries_total',
    help: 'Queries run compiled by graphql-jit (GRAPHQL_COMPILE_AFTER), by outcome: answered (the compiled answer was sent) or rerun (it reported errors, so graphql-js ran the query again)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly sqlStatements = new Histogram({
    name: 'tg_sql_statements_per_request',
    help: 'SQL statements one request ran (BEGIN and COMMIT included), by operation',
    labelNames: ['operation'] as const,
    buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50, 100, 500, 1000],
    registers: [this.registry],
  });
  readonly loaderBatch = new Histogram({
    name: 'tg_dataloader_batch_size',
    help: 'Keys per DataLoader batch (one SQL statement each), by loader',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });

  constructor(options: { pool?: () => PoolUsage | null } = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'tg_' });
    const poolFn = options.pool;
    if (poolFn) {
      new Gauge({
        name: 'tg_db_pool_connections',
        help: 'Database connection pool: open (all), idle (free), requests waiting for one (waiting), and the limit',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          const p = poolFn();
          if (!p) return;
          this.set({ state: 'all' }, p.all);
          this.set({ state: 'free' }, p.free);
          this.set({ state: 'waiting' }, p.waiting);
          this.set({ state: 'limit' }, p.limit);
        },
      });
    }
  }

  /**
   * A bounded label for an operation: "anonymous" for unnamed operations, the name for the first
   * MAX_OPERATION_NAMES valid names seen, "other" after that or for odd names.
   */
  operationLabel(name: string | null): string {
    if (name === null || name === '') return 'anonymous';
    if (this.operationNames.has(name)) return name;
    if (!NAME.test(name) || this.operationNames.size >= MAX_OPERATION_NAMES) return 'other';
    this.operationNames.add(name);
    return name;
  }

  recordRequest(info: { operation: string; status: number; durationMs: number; sqlCount: number }): void {
    this.requests.inc({ operation: info.operation, status: String(info.status) });
    this.duration.observe({ operation: info.operation }, info.durationMs / 1000);
    this.sqlStatements.observe({ operation: info.operation }, info.sqlCount);
  }

  recordError(code: unknown): void {
    let label = typeof code === 'string' && NAME.test(code) ? code : 'UNKNOWN';
    if (!this.errorCodes.has(label)) {
      if (this.errorCodes.size >= MAX_ERROR_CODES) label = 'OTHER';
      else this.errorCodes.add(label);
    }
    this.errors.inc({ code: label });
  }
}
