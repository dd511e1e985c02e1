/**
 * The app alone in a child process, configured from its environment like `npm start`, for tests
 * that need a real separate process (OpenTelemetry's exporter loads node:http with a dynamic
 * import(), which Jest's module sandbox cannot run). Runs the compiled server (dist/, brought up to
 * date by the suite's global setup). Prints `{"url": ...}` once listening; on SIGTERM closes the app
 * (flushing what it buffers) and exits.
 */
require('reflect-metadata');
const { loadConfig } = require('../../dist/src/config/config');
const { createApp } = require('../../dist/src/http/app');

async function main() {
  const app = await createApp(loadConfig(process.env), { startWorkers: false });
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
  process.stdout.write(`${JSON.stringify({ url: await app.listen() })}\n`);
}

main().catch((err) => {
  process.stderr.write(`server-process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
