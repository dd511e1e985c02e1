import http from 'node:http';
import https from 'node:https';
import type { OutboundPolicy } from './outbound-url';

/**
 * POSTs a body to an admin-entered URL under the outbound policy and answers the response status.
 * node:http rather than fetch, because only it takes a `lookup`: the socket connects to the very
 * addresses the policy checked. Redirects are never followed (a 3xx is just a status); the response
 * body is not read. Throws OutboundBlockedError (permanent) for a refused target, else the
 * connection's error.
 */
export async function postOutbound(policy: OutboundPolicy, url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  policy.assertAllowed(url);
  const target = new URL(url);
  const request = target.protocol === 'https:' ? https.request : http.request;
  return await new Promise<number>((resolve, reject) => {
    const req = request(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: policy.lookup,
      agent: false, // a fresh connection each time: every request goes through lookup
      signal: AbortSignal.timeout(timeoutMs),
    });
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', reject);
    req.end(body);
  });
}
