/**
 * The baseline of the upload benchmark (upload.bench.ts): a plain Node HTTP server that writes each
 * request body, as it arrives, to a new file under BASELINE_DIR with
 * stream.pipeline(req, fs.createWriteStream(file)), and answers {"bytes":<written>,"file":"<path>"}
 * once the file is closed. No parsing, no hashing, no database: the cost of moving bytes from a
 * socket to disk in Node, which the app's upload path is compared against.
 *
 * Prints one line `{"url":"http://127.0.0.1:<port>","pid":<pid>}` on stdout once it listens and
 * answers memory-breakdown requests like upload-server.ts; stops on SIGTERM/SIGINT or when the
 * parent's IPC channel closes.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { answerMemoryRequests } from './memory-probe';

const dir = process.env.BASELINE_DIR;
if (!dir) {
  process.stderr.write('BASELINE_DIR is not set\n');
  process.exit(1);
}
fs.mkdirSync(dir, { recursive: true });

let counter = 0;
const server = http.createServer((req, res) => {
  const file = path.join(dir, `upload-${++counter}.bin`);
  const out = fs.createWriteStream(file, { flags: 'wx' });
  pipeline(req, out).then(
    () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ bytes: out.bytesWritten, file }));
    },
    (err: Error) => {
      fs.rm(file, { force: true }, () => undefined);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: err.message }));
      }
    },
  );
});

const stop = () => {
  setTimeout(() => process.exit(0), 2_000).unref();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
answerMemoryRequests();

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);
});
