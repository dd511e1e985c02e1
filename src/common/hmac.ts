import crypto from 'node:crypto';

/**
 * The signature scheme of everything this service signs over HTTP (webhooks, job dispatches and
 * job callbacks): hex HMAC-SHA256 of "<unix seconds>.<raw body>", sent as "sha256=<hex>" beside
 * the timestamp, so a receiver can reject replays of old requests.
 */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Checks a signature made by signBody, in constant time, within `toleranceSeconds` of now. */
export function verifyBody(secret: string, timestampHeader: string | undefined, signatureHeader: string | undefined, body: string, toleranceSeconds = 300): boolean {
  if (!timestampHeader || !signatureHeader || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const timestamp = Number(timestampHeader);
  if (Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signBody(secret, timestamp, body));
  const given = Buffer.from(signatureHeader);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
