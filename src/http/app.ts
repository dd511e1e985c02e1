import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { AppConfig } from '../config/config';
import { Background } from '../common/background';
import { AppError, ErrorCode } from '../common/errors';
import { createLogger, type Logger } from '../common/logger';
import { AppMetrics } from '../common/metrics';
import { createTracing, type Tracing } from '../common/tracing';
import { createDataSource } from '../db/data-source';
import { Database } from '../db/database';
import { runMigrations } from '../db/migrate';
import { mysqlPoolUsage } from '../db/pool-usage';
import { traceSql } from '../db/sql-tracing';
import { RequestContexts } from '../graphql/request-context';
import { buildAppSchema } from '../graphql/schema';
import type { LoaderOptions } from '../loaders/loaders';
import { createServices, type Services } from '../services/services';
import type { OutboxWorker } from '../workers/outbox.worker';
import { createApolloServer } from './apollo.server';
import { authErrorStatus } from './auth-status.plugin';
import { authenticator } from './authenticate';
import { corsMiddleware } from './cors.middleware';
import { errorHandler, notFound } from './error.middleware';
import { fileDownloadRouter } from './file-download.route';
import { createFormatError } from './format-error';
import { graphiqlRouter } from './graphiql.route';
import { jobCallbackRouter } from './job-callback.route';
import { metricsRouter } from './metrics.route';
import { multipartMiddleware } from './multipart.middleware';
import { OperationGuard, rateSubject } from './query-limits.plugin';
import { createRateLimitStore } from './rate-limit.store';
import { requestScopeMiddleware, type RequestInfo } from './request-scope.middleware';
import { startSubscriptionServer } from './subscriptions.server';

export type { RequestInfo };

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
  /** Makes request and system contexts (tests drive services with them). */
  contexts: RequestContexts;
  /** Where work outside requests starts (workers, sweeps, job completion, stream dispatch). */
  background: Background;
  log: Logger;
  server: http.Server;
  outboxWorker: OutboxWorker;
  /** Starts listening; resolves with the base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Wires config, database (migrated), services, Apollo and Express into one server: the process's
 * composition root (services.ts builds the services; this adds the edges that serve them).
 */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<App> {
  const log = options.logger ?? createLogger(config.logLevel);
  const dataSource = createDataSource(config.database, log);
  const tracing = createTracing(config.telemetry, log);
  traceSql(dataSource, tracing, config.database.kind);
  await dataSource.initialize();
  const db = new Database(dataSource);
  const databaseOpen = () => dataSource.isInitialized;
  // Built here, at start-up and outside any request: background tasks run in this context.
  const background = new Background(log);
  const metrics = new AppMetrics({ pool: () => mysqlPoolUsage(db) });
  const loaderOptions: LoaderOptions = { batching: config.dataLoaderBatching, observeBatch: (name, keys, run) => observeBatch(metrics, tracing, name, keys, run) };
  const contexts = new RequestContexts(db, loaderOptions);
  let services: Services;
  try {
    const applied = await runMigrations(dataSource);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
    services = createServices(db, config, log, background, contexts);
    if (config.adminApiKey) await services.users.ensureAdmin();
    await services.webhooks.refresh();
    await services.customFields.refresh();
    await services.events.loadFile();
    await services.jobs.recoverInterrupted();
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }

  const rateLimitStore = createRateLimitStore(config, db, background, log);
  const formatError = createFormatError(log, databaseOpen);
  const contextFor = authenticator(services.auth, contexts, databaseOpen, log);

  const expressApp = express();
  const server = http.createServer(expressApp);
  const schema = await buildAppSchema(services);
  // One guard for both transports: the same limits and the same per-minute budget.
  const guard = new OperationGuard(config, rateLimitStore, log);
  const subscriptions = await startSubscriptionServer(server, schema, { config, services, guard, log, formatError, contextOf: (viewer) => contexts.create(viewer) });
  const apollo = createApolloServer({ schema, httpServer: server, config, metrics, formatError, guard, subscriptionsPlugin: subscriptions.plugin });
  await apollo.start();

  expressApp.disable('x-powered-by');
  // Express hashes every response body for a weak ETag: for GraphQL answers (POST, never
  // revalidated) that was 3% of a small query's CPU (bench/RESULTS.md, issue 21). File downloads set their own.
  expressApp.set('etag', false);
  expressApp.use(requestScopeMiddleware({ limits: config.queryLimits, tracing, metrics, log, onRequestComplete: options.onRequestComplete }));
  expressApp.use(corsMiddleware(config.corsOrigins, config.corsAllowedHeaders));
  expressApp.get('/healthz', async (_req, res) => {
    const ok = await db.ping();
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', database: ok ? 'up' : 'down' });
  });
  // Before Apollo: a browser's GET /graphql gets GraphiQL (Apollo's landing page is disabled).
  expressApp.use(graphiqlRouter({ log }));
  expressApp.use(
    '/graphql',
    ...multipartMiddleware(config),
    express.json({ limit: config.limits.requestBodyMaxBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        let ctx;
        try {
          ctx = await contextFor(req, res);
        } catch (err) {
          // A bad key fails here, before any plugin runs: give it the status its media type calls for (auth-status.plugin.ts).
          if (err instanceof AppError && err.extensions.code === ErrorCode.UNAUTHENTICATED) {
            throw new AppError(ErrorCode.UNAUTHENTICATED, err.message, { status: authErrorStatus(req.headers.accept) });
          }
          throw err;
        }
        // Before Apollo validates: a document over the selection limit is refused (and charged) here.
        const body: unknown = req.method === 'GET' ? req.query : req.body;
        await guard.checkQuery(body && typeof body === 'object' && !Array.isArray(body) ? (body as { query?: unknown }).query : undefined, rateSubject(ctx));
        return ctx;
      },
    }),
  );
  expressApp.use(fileDownloadRouter(services, contextFor, log));
  expressApp.use(metricsRouter(services, metrics, config.metricsToken));
  expressApp.use(jobCallbackRouter(services.jobs, contexts, config.limits.requestBodyMaxBytes, log));
  expressApp.use(notFound);
  expressApp.use(errorHandler(config.limits.requestBodyMaxBytes, log));

  background.every('file sweep', config.files.sweepIntervalMs, () => services.fileSweeper.sweepExpired());
  background.every('idempotency sweep', 3_600_000, () => services.idempotency.sweep());
  const { outboxWorker } = services;
  if (options.startWorkers !== false) outboxWorker.start();

  let closed = false;
  return {
    config,
    db,
    services,
    contexts,
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

function observeBatch<T>(metrics: AppMetrics, tracing: Tracing, loader: string, keys: number, run: () => Promise<T>): Promise<T> {
  metrics.loaderBatch.observe({ loader }, keys);
  return tracing.span(`dataloader ${loader}`, { 'dataloader.name': loader, 'dataloader.keys': keys }, run);
}
