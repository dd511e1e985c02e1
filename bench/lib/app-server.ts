/**
 * The gateway alone in a process, for the gateway benchmark (gateway.bench.ts, peers B1 and B2):
 * `loadConfig(process.env)` and `createApp` as `npm start` does, except that the outbox worker does
 * not run (BENCH_WORKERS=on runs it): the baseline has no worker, and the worker's polling would
 * add statements to the database's counters while a workload is measured.
 *
 * Prints `{"url": ..., "pid": ...}` once listening (child-server.ts protocol) and stops on
 * SIGTERM/SIGINT or when the bench's IPC channel closes.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createApp, type App } from '../../src/http/app';

async function main(): Promise<void> {
  let app: App | null = null;
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), 5_000).unref();
    (app ? app.close() : Promise.resolve()).then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
  process.once('disconnect', () => stop(0));
  try {
    app = await createApp(loadConfig(process.env), { startWorkers: process.env.BENCH_WORKERS === 'on' });
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ url: await app.listen(), pid: process.pid })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`app-server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
