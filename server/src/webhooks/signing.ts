import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Qiao-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with `X-Qiao-Timestamp: <unix seconds>`.
 * Signing the timestamp with the body lets receivers refuse replays older than a few minutes.
 */
export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receiver-side check (what an integrator implements), also used by the tests' receivers. */
export function verifySignature(secret: string, timestamp: string, body: string, signature: string, toleranceSec = 300, nowSec = Math.floor(Date.now() / 1000)): boolean {
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSec - Number(timestamp)) > toleranceSec) return false;
  const expected = Buffer.from(signatureOf(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
