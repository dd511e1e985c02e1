import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AppConfig } from '../config/config';
import { Background } from '../common/background';
import { createLogger, type Logger } from '../common/logger';
import { AppMetrics, type PoolUsage } from '../common/metrics';
import { createTracing, type Tracing } from '../common/tracing';
import { traceSql } from '../db/sql-tracing';
import type { DataSource } from 'typeorm';
import { requestScope, type RequestScope } from '../common/request-scope';
import { createDataSource } from '../db/data-source';
import { Database, isDatabaseUnavailable } from '../db/database';
import { AppError, ErrorCode } from '../common/errors';
import { runMigrations } from '../db/migrate';
import type { RequestContext, Viewer } from '../graphql/context';
import { buildAppSchema } from '../graphql/schema';
import type { LoaderOptions } from '../loaders/loaders';
import { createRequestContext } from '../graphql/request-context';
import { createServices, type Services } from '../services/services';
import { createFormatError } from './format-error';
import { corsMiddleware } from './cors.middleware';
import { productionHardeningPlugin } from './production-hardening.plugin';
import { fileDownloadRouter } from './file-download.route';
import { graphiqlRouter } from './graphiql.route';
import { metricsRouter } from './metrics.route';
import { jobCallbackRouter } from './job-callback.route';
import { multipartMiddleware } from './multipart.middleware';
import { OutboxWorker } from '../workers/outbox.worker';
import { startSubscriptionServer } from './subscriptions.server';
import { queryLimitsPlugin } from './query-limits.plugin';
import { DatabaseRateLimitStore, FallbackRateLimitStore, RedisRateLimitStore, type RateLimitStore } from './rate-limit.store';

export interface RequestInfo {
  requestId: string;
  operationName: string | null;
  status: number;
  sqlCount: number;
  durationMs: number;
}

export interface AppOptions {
  logger?: Logger;
  /** Called after every HTTP request with its statistics (tests count SQL statements with it). */
  onRequestComplete?: (info: RequestInfo) => void;
  /** false: no outbox worker in this process (tests that drive it by hand). */
  startWorkers?: boolean;
}

export interface App {
  config: AppConfig;
  db: Database;
  services: Services;
  /** Where work outside requests starts (workers, sweeps, job completion, stream dispatch). */
  background: Background;
  log: Logger;
  server: http.Server;
  outboxWorker: OutboxWorker;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Wires config, database (migrated), services, Apollo and Express into one server. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config.logLevel);
  const dataSource = createDataSource(config.database, log);
  const tracing = createTracing(config.telemetry, log);
  traceSql(dataSource, tracing, config.database.kind);
  await dataSource.initialize();
  const db = new Database(dataSource);
  try {
    const applied = await runMigrations(dataSource);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  // Built here, at start-up and outside any request: background tasks run in this context.
  const background = new Background(log);
  const services = createServices(db, config, log, background);
  try {
    if (config.adminApiKey) await services.users.ensureAdmin();
    await services.webhooks.refresh();
    await services.events.loadFile();
    await services.jobs.recoverInterrupted();
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }

  const rateLimitStore: RateLimitStore | null =
    config.queryLimits.rateLimitPerMinute === 0 ? null
    : config.redisUrl ? new FallbackRateLimitStore(new RedisRateLimitStore(config.redisUrl, config.queryLimits.rateLimitRedisPrefix), new DatabaseRateLimitStore(db, background, log), log)
    : new DatabaseRateLimitStore(db, background, log);

  const metrics = new AppMetrics({ pool: () => mysqlPoolUsage(dataSource) });
  const loaderOptions: LoaderOptions = { batching: config.dataLoaderBatching, observeBatch: (name, keys, run) => observeBatch(metrics, tracing, name, keys, run) };
  const contextOf = (viewer: Viewer | null) => createRequestContext(db, services, viewer, loaderOptions);
  const formatError = createFormatError(log, () => dataSource.isInitialized);

  const expressApp = express();
  const server = http.createServer(expressApp);
  const schema = await buildAppSchema();
  const subscriptions = await startSubscriptionServer(server, schema, { config, services, log, formatError, contextOf });
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: true,
    allowBatchedHttpRequests: false,
    // Apollo's default, stated because uploads and GET depend on it: a request a browser could send
    // cross-site without a preflight (text/plain, form posts, plain GET) is refused.
    csrfPrevention: true,
    // The token limit lives in the parser, so an over-long document is a 400 before any work is done.
    parseOptions: { maxTokens: config.queryLimits.maxTokens },
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => {
      const out = formatError(formatted, error);
      metrics.recordError(out.extensions?.code);
      return out;
    },
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: config.queryLimits.shutdownGraceMs }),
      subscriptions.plugin,
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      // Federated tracing (ftv1) is for Apollo Studio, which this service does not report to.
      ApolloServerPluginInlineTraceDisabled(),
      operationNamePlugin,
      ...(config.nodeEnv === 'production' ? [productionHardeningPlugin()] : []),
      queryLimitsPlugin(config, rateLimitStore, log),
    ],
  });
  await apollo.start();

  expressApp.disable('x-powered-by');
  expressApp.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.header('x-request-id');
    const scope: RequestScope = {
      requestId: given && REQUEST_ID.test(given) ? given : crypto.randomUUID(),
      sqlCount: 0,
      operationName: null,
      clientIp: req.ip ?? req.socket.remoteAddress,
      deadline: Date.now() + config.queryLimits.requestTimeoutMs,
    };
    const started = process.hrtime.bigint();
    const path = req.originalUrl.split('?')[0];
    res.setHeader('X-Request-Id', scope.requestId);
    // REQUEST_TIMEOUT: answer 503 at the deadline unless a transaction is committing (then its own
    // answer is moments away). Transactions still open after the deadline roll back (Database.transaction).
    let timer: NodeJS.Timeout;
    const expire = () => {
      if (res.headersSent || res.writableEnded) return;
      if ((scope.committing ?? 0) > 0 || scope.committed) {
        timer = setTimeout(expire, 50); // never claim "nothing saved" for a request that saved
        return;
      }
      scope.timedOut = true;
      res.locals.timedOut = true;
      res.status(503).json({
        errors: [{ message: `The request took longer than ${config.queryLimits.requestTimeoutMs} ms and was cancelled; none of its changes were saved`, extensions: { code: 'REQUEST_TIMEOUT', requestId: scope.requestId } }],
      });
    };
    timer = setTimeout(expire, config.queryLimits.requestTimeoutMs);
    res.on('close', () => clearTimeout(timer));
    tracing.request(`${req.method} ${routeLabel(path)}`, { 'http.request.method': req.method, 'url.path': path, 'request.id': scope.requestId }, (span, endSpan) => {
      scope.span = span;
      res.on('finish', () => {
        const info: RequestInfo = {
          requestId: scope.requestId,
          operationName: scope.operationName,
          status: res.statusCode,
          sqlCount: scope.sqlCount,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        };
        const caller = res.locals.caller as Caller | undefined;
        // Who called, never with what: the Authorization header, keys and variables stay out of logs.
        log.info({ ...info, path, userId: caller?.userId, username: caller?.username, apiKeyId: caller?.apiKeyId }, 'request');
        metrics.recordRequest({
          operation: path === '/graphql' ? metrics.operationLabel(scope.operationName) : routeLabel(path),
          status: res.statusCode,
          durationMs: info.durationMs,
          sqlCount: info.sqlCount,
        });
        endSpan({ 'http.response.status_code': res.statusCode, 'db.statement_count': info.sqlCount }, res.statusCode >= 500);
        options.onRequestComplete?.(info);
      });
      requestScope.run(scope, next);
    });
  });

  expressApp.use(corsMiddleware(config.corsOrigins));

  expressApp.get('/healthz', async (_req, res) => {
    const ok = await db.ping();
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database: ok ? 'up' : 'down' });
  });

  const contextFor = async (req: Request, res?: Response): Promise<RequestContext> => {
    const viewer = await services.auth.authenticate(req.headers.authorization).catch((err: unknown) => {
      // Apollo answers a failed context with 500; an unreachable database is a 503 the client may retry.
      if (isDatabaseUnavailable(err) || !dataSource.isInitialized) {
        log.error({ err, requestId: requestScope.getStore()?.requestId }, 'database unavailable');
        throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable; retry shortly');
      }
      throw err;
    });
    if (res && viewer) res.locals.caller = { userId: viewer.user.id, username: viewer.user.username, apiKeyId: viewer.apiKeyId } satisfies Caller;
    return contextOf(viewer);
  };

  // Before Apollo: a browser's GET /graphql gets GraphiQL (Apollo's landing page is disabled).
  expressApp.use(graphiqlRouter({ log }));
  expressApp.use(
    '/graphql',
    ...multipartMiddleware(config),
    express.json({ limit: config.limits.requestBodyMaxBytes }),
    expressMiddleware(apollo, { context: ({ req, res }) => contextFor(req, res) }),
  );
  expressApp.use(fileDownloadRouter(services, contextFor, log));
  expressApp.use(metricsRouter(services, metrics));
  expressApp.use(jobCallbackRouter(services, config.limits.requestBodyMaxBytes, log));

  expressApp.use((_req: Request, res: Response) => {
    res.status(404).json({ errors: [{ message: 'Not found: the API is at /graphql', extensions: { code: 'NOT_FOUND' } }] });
  });
  // Body-parser, upload and other middleware errors answer in JSON, never an HTML page.
  expressApp.use((err: Error & { status?: number; type?: string; expose?: boolean }, req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    const multipart = req.is('multipart/form-data') && err.expose;
    const message =
      multipart ? err.message // graphql-upload's messages name the limit or the malformed part
      : status === 413 ? `Request body is larger than ${config.limits.requestBodyMaxBytes} bytes`
      : status === 400 ? 'The request body is not valid JSON'
      : status < 500 ? 'Bad request'
      : 'Internal server error';
    const code =
      multipart && status === 413 && /max file uploads exceeded/i.test(err.message) ? 'TOO_MANY_FILES'
      : status === 413 ? 'PAYLOAD_TOO_LARGE'
      : status < 500 ? 'BAD_REQUEST'
      : 'INTERNAL_SERVER_ERROR';
    // graphql-upload delays error responses until the request body has ended: let an unread upload drain.
    if (req.is('multipart/form-data') && !req.complete) req.resume();
    // The timeout answered already; this is the abandoned request failing to write its own answer.
    if (res.headersSent && res.locals.timedOut) return;
    if (status >= 500) log.error({ err, requestId: requestScope.getStore()?.requestId }, 'unhandled HTTP error');
    if (res.headersSent) return res.destroy();
    res.status(status).json({ errors: [{ message, extensions: { code, requestId: requestScope.getStore()?.requestId } }] });
  });

  background.every('file sweep', config.files.sweepIntervalMs, () => services.files.sweepExpired());
  background.every('idempotency sweep', 3_600_000, () => services.idempotency.sweep());
  const outboxWorker = new OutboxWorker(services.outbox, services.notifications, services.webhooks, services.jobs, services.origins, config.mail, background, log);
  if (options.startWorkers !== false) {
    outboxWorker.start();
    services.jobs.onQueued(() => outboxWorker.nudge());
  }

  let closed = false;
  return {
    config,
    db,
    services,
    background,
    log,
    server,
    outboxWorker,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          resolve(`http://127.0.0.1:${port}`);
        });
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      // Stop accepting at once and drain in-flight requests (the drain plugins, WebSockets included)
      // while the workers stop; the pool closes only after both.
      const draining = Promise.all([subscriptions.close(), apollo.stop()]);
      await outboxWorker.stop();
      // Local jobs still running are stopped and recorded as failed by the shutdown.
      await services.localRunner.shutdown();
      await background.close();
      await draining;
      await services.eventBus.close();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
      services.mailTransport.close();
      await rateLimitStore?.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await tracing.shutdown();
    },
  };
}

/** Records the operation name in the request scope for logs and metrics. */
const operationNamePlugin: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operationName }) {
        const scope = requestScope.getStore();
        if (!scope) return;
        scope.operationName = operationName ?? null;
        scope.span?.updateName(`graphql ${operationName ?? 'anonymous'}`);
      },
    };
  },
};

/** Who made a request, for the request log. */
interface Caller {
  userId: number;
  username: string;
  apiKeyId: number | null;
}

/** A bounded route label for non-GraphQL requests (metrics, span names): never the raw path. */
function routeLabel(path: string): string {
  if (path === '/graphql' || path === '/healthz' || path === '/metrics') return path;
  if (path.startsWith('/files/')) return '/files/:id/:filename';
  return 'other';
}

function observeBatch<T>(metrics: AppMetrics, tracing: Tracing, loader: string, keys: number, run: () => Promise<T>): Promise<T> {
  metrics.loaderBatch.observe({ loader }, keys);
  return tracing.span(`dataloader ${loader}`, { 'dataloader.name': loader, 'dataloader.keys': keys }, run);
}

/** mysql2 pool figures (its internal queues; no public API exposes them). null for SQLite: one connection, no pool. */
function mysqlPoolUsage(dataSource: DataSource): PoolUsage | null {
  if (!dataSource.isInitialized || dataSource.options.type !== 'mysql') return null;
  const pool = (dataSource.driver as unknown as { pool?: { _allConnections?: { length: number }; _freeConnections?: { length: number }; _connectionQueue?: { length: number }; config?: { connectionLimit?: number } } }).pool;
  if (!pool?._allConnections) return null;
  return {
    all: pool._allConnections.length,
    free: pool._freeConnections?.length ?? 0,
    waiting: pool._connectionQueue?.length ?? 0,
    limit: pool.config?.connectionLimit ?? 0,
  };
}
