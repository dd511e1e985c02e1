import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './common/logger';
import { useOwnTempDir } from './common/temp-dir';
import { createApp } from './http/app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  useOwnTempDir(config.tmpDir);
  const app = await createApp(config, { logger: log });
  const url = await app.listen();
  log.info({ url: `${url.replace('127.0.0.1', config.host === '0.0.0.0' ? 'localhost' : config.host)}/graphql`, database: config.database.kind }, 'ticket-gateway listening');

  // SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (up to
  // SHUTDOWN_GRACE_PERIOD; the drain then cuts the stragglers' connections), stop the workers,
  // close the pool, exit 0. A second signal, or a close that hangs past the grace, exits 1 at once.
  const grace = config.queryLimits.shutdownGraceMs;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal during shutdown; exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, graceMs: grace }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown did not complete within the grace period; exiting');
      process.exit(1);
    }, grace + 5_000);
    force.unref();
    app.close().then(
      () => {
        log.info('stopped: requests drained, workers stopped, database pool closed');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ticket-gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
