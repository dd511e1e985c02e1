import crypto from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec) with
 * one file whose bytes are generated while they are sent: the body is never in memory, only the
 * chunk being written. The same framing as test/helpers/multipart.ts: `operations`, `map`, then the
 * file part. Its Content-Length is known up front: framing plus file size.
 */
export class StreamedMultipart {
  readonly boundary = `----tgbench${crypto.randomBytes(12).toString('hex')}`;
  readonly preamble: Buffer;
  readonly epilogue: Buffer;

  constructor(query: string, variables: Record<string, unknown>, filePath: string, filename: string, contentType: string, readonly fileBytes: number) {
    const field = (name: string, value: string) => `--${this.boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    this.preamble = Buffer.from(
      field('operations', JSON.stringify({ query, variables })) +
        field('map', JSON.stringify({ 0: [filePath] })) +
        `--${this.boundary}\r\nContent-Disposition: form-data; name="0"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    );
    this.epilogue = Buffer.from(`\r\n--${this.boundary}--\r\n`);
  }

  get contentLength(): number {
    return this.preamble.length + this.fileBytes + this.epilogue.length;
  }
}

/**
 * File content made on the fly: chunks of `chunkBytes` copied from one random block, each stamped
 * with its index in its first 8 bytes, so no two chunks are equal and nothing is precomputed.
 */
export class GeneratedContent {
  private readonly block: Buffer;

  constructor(
    readonly chunkBytes: number,
    /** Checked never to appear in the content (the multipart delimiter). */
    forbidden: string,
  ) {
    for (;;) {
      this.block = crypto.randomBytes(chunkBytes);
      // A delimiter inside the file would end the part early; with random bytes this never happens.
      if (!Buffer.concat([this.block, this.block]).includes(forbidden)) break;
    }
  }

  chunk(index: number, length: number): Buffer {
    const c = Buffer.allocUnsafe(length);
    this.block.copy(c, 0, 0, length);
    if (length >= 8) c.writeBigUInt64BE(BigInt(index), 0);
    return c;
  }
}

const YIELD_BYTES = 2 * 1024 * 1024;

export interface StreamedResponse {
  status: number;
  body: string;
  /** Request start to the end of the response body. */
  ms: number;
  /** Bytes of the whole request body written, and of the file among them. */
  requestBytes: number;
  fileBytes: number;
  /** Hex SHA-256 of the file bytes sent, computed while sending. */
  sha256: string;
}

/**
 * POSTs the multipart body with http.request and an exact Content-Length, writing chunk by chunk
 * and waiting for 'drain' whenever the socket buffer is full, so the client holds at most a few
 * chunks whatever the file size.
 */
export function sendStreamed(url: string, headers: Record<string, string>, body: StreamedMultipart, content: GeneratedContent): Promise<StreamedResponse> {
  const target = new URL(url);
  const hash = crypto.createHash('sha256');
  return new Promise((resolve, reject) => {
    let settled = false;
    let responded = false;
    let requestBytes = 0;
    let fileSent = 0;
    let index = 0;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const started = performance.now();
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      method: 'POST',
      headers: { ...headers, 'content-type': `multipart/form-data; boundary=${body.boundary}`, 'content-length': String(body.contentLength) },
    });
    req.on('error', fail);
    req.on('response', (res) => {
      responded = true;
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', fail);
      res.on('end', () => {
        const ms = performance.now() - started;
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), ms, requestBytes, fileBytes: fileSent, sha256: hash.digest('hex') });
      });
    });
    const write = (b: Buffer): boolean => {
      requestBytes += b.length;
      return req.write(b);
    };
    const pump = () => {
      let sinceYield = 0;
      while (fileSent < body.fileBytes) {
        // The server answered early (a refusal): stop sending, the response says why.
        if (responded || settled) return;
        const n = Math.min(content.chunkBytes, body.fileBytes - fileSent);
        const chunk = content.chunk(index++, n);
        hash.update(chunk);
        fileSent += n;
        if (!write(chunk)) {
          req.once('drain', pump);
          return;
        }
        // Loopback sockets often take a chunk at once, so write() keeps returning true: let the
        // event loop (the RSS sampler's timer) run every YIELD_BYTES instead of looping for seconds.
        if ((sinceYield += n) >= YIELD_BYTES) {
          setImmediate(pump);
          return;
        }
      }
      requestBytes += body.epilogue.length;
      req.end(body.epilogue);
    };
    write(body.preamble);
    pump();
  });
}
