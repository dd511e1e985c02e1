/**
 * The app alone in a process, for the upload benchmark (upload.bench.ts), which spawns it so that
 * the RSS it samples is the server's and nothing else's. Configuration comes from the environment,
 * as with `npm start`; the bench sets a temporary SQLite database and DATA_DIR, FILE_MAX_BYTES and
 * an ADMIN_API_KEY.
 *
 * Prints one line `{"url":"http://127.0.0.1:<port>","pid":<pid>}` on stdout once it listens, and
 * answers the bench's memory-breakdown requests on the IPC channel (memory-probe.ts). Stops on
 * SIGTERM/SIGINT, and on its own when the parent's IPC channel closes (the bench died), so no
 * server outlives a failed run.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../src/config/config';
import { createApp, type App } from '../../src/http/app';
import { answerMemoryRequests } from './memory-probe';

async function main(): Promise<void> {
  let app: App | null = null;
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 5_000);
    force.unref();
    (app ? app.close() : Promise.resolve()).then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
  process.once('disconnect', () => stop(0));
  answerMemoryRequests();

  try {
    app = await createApp(loadConfig(process.env));
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  }
  const url = await app.listen();
  process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`upload-server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
