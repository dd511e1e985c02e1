import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';

/** One file part of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec). */
export interface FilePart {
  /** Where the upload goes in the operation, e.g. "variables.files.0". */
  path: string;
  /** undefined sends a part without a filename parameter at all. */
  filename?: string;
  type?: string;
  content: Buffer | string;
}

export interface MultipartResponse {
  status: number;
  body: any;
}

/** Builds the raw multipart body by hand, so tests control every header and name. */
export function multipartBody(query: string, variables: Record<string, unknown>, files: FilePart[]): { boundary: string; body: Buffer } {
  const boundary = `----tg${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  const field = (name: string, value: string) =>
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  field('operations', JSON.stringify({ query, variables }));
  field('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [f.path]]))));
  files.forEach((f, i) => {
    // Names outside printable ASCII go in RFC 5987 form, as browsers and curl send them.
    const name =
      f.filename === undefined ? ''
      : /^[\x20-\x7e]*$/.test(f.filename) ? `; filename="${f.filename.replace(/"/g, '%22')}"`
      : `; filename*=UTF-8''${encodeURIComponent(f.filename)}`;
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${i}"${name}\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content));
    parts.push(Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { boundary, body: Buffer.concat(parts) };
}

/** Sends a multipart GraphQL request; preflight: false leaves out the CSRF header. */
export async function multipartRequest(
  url: string,
  key: string | null,
  query: string,
  variables: Record<string, unknown>,
  files: FilePart[],
  opts: { preflight?: boolean } = {},
): Promise<MultipartResponse> {
  const { boundary, body } = multipartBody(query, variables, files);
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      ...(opts.preflight === false ? {} : { 'apollo-require-preflight': 'true' }),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text: the test will say what came back
  }
  return { status: res.status, body: parsed };
}

/**
 * Starts a multipart upload, sends `sendBytes` of a file announced as much larger, then destroys
 * the connection, like a client that dies mid-upload.
 */
export function abortedUpload(url: string, key: string, query: string, variables: Record<string, unknown>, path: string, sendBytes: number): Promise<void> {
  const { boundary, body } = multipartBody(query, variables, [{ path, filename: 'big.bin', content: Buffer.alloc(sendBytes * 4, 7) }]);
  const target = new URL(`${url}/graphql`);
  return new Promise((resolve) => {
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': body.length,
        'apollo-require-preflight': 'true',
        authorization: `Bearer ${key}`,
      },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    const cut = body.length - sendBytes * 3;
    req.write(body.subarray(0, cut), () => setTimeout(() => req.destroy(), 100));
  });
}

/** What fetch-process.js reports: the response, or the network error the client saw. */
export type ProcessFetchResult = { status: number; contentType: string | null; text: string } | { error: string; cause: string };

/** fetch() run in a separate Node process (see fetch-process.js for why). */
export function fetchInProcess(url: string, init: { method: string; headers: Record<string, string>; body?: Buffer }): Promise<ProcessFetchResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [path.join(__dirname, 'fetch-process.js')], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`fetch-process.js failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout) as ProcessFetchResult);
    });
    child.stdin!.end(JSON.stringify({ url, method: init.method, headers: init.headers, body: init.body?.toString('base64') }));
  });
}
