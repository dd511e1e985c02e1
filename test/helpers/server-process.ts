/**
 * The app alone in a child process, configured from its environment like `npm start`, for tests
 * that need a real separate process (OpenTelemetry's exporter loads node:http with a dynamic
 * import(), which Jest's module sandbox cannot run). Prints `{"url": ...}` once listening; on
 * SIGTERM closes the app (flushing what it buffers) and exits.
 */
import 'reflect-metadata';
import { loadConfig } from '../../src/config/config';
import { createApp } from '../../src/http/app';

async function main(): Promise<void> {
  const app = await createApp(loadConfig(process.env), { startWorkers: false });
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
  process.stdout.write(`${JSON.stringify({ url: await app.listen() })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`server-process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
