// Stripe-Signature: "t=<unix>,v1=<hex>,v1=<hex>,…" — HMAC-SHA256 over "<t>.<raw body>". Stripe adds one v1 per
// active endpoint secret while a secret is being rolled, so any match is enough.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { reject, type WebhookRejection } from './normalized.js';

export interface StripeSignatureOk {
  ok: true;
  timestamp: number;
}

export const STRIPE_TOLERANCE_SEC = 300;

export function verifyStripeSignature(
  rawBody: Buffer | string,
  header: string | undefined,
  secret: string | readonly string[] | undefined,
  nowSec: number,
  toleranceSec = STRIPE_TOLERANCE_SEC,
): StripeSignatureOk | WebhookRejection {
  const secrets = (typeof secret === 'string' ? [secret] : secret ?? []).filter((s) => s.length > 0);
  if (secrets.length === 0) return reject(401, 'not_configured', 'Stripe webhooks are not enabled on this server: set LICENSE_ADMIN_STRIPE_WEBHOOK_SECRET');
  if (!header || header.trim() === '') return reject(401, 'missing_signature', 'the request has no Stripe-Signature header');

  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined) return reject(401, 'bad_signature', 'the Stripe-Signature header has no t= timestamp');
  if (signatures.length === 0) return reject(401, 'bad_signature', 'the Stripe-Signature header has no v1= signature');

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  let matched = false;
  for (const s of secrets) {
    const expected = createHmac('sha256', s).update(`${timestamp}.`).update(body).digest();
    // No early exit: every candidate is compared, so timing says nothing about which one matched.
    for (const candidate of signatures) if (timingSafeEqual(expected, candidate)) matched = true;
  }
  if (!matched) return reject(401, 'bad_signature', 'the Stripe-Signature does not match the body (wrong endpoint secret, or the body was altered)');
  // Stripe's own check only rejects old timestamps; a far-future one is as suspicious, so both are refused.
  if (toleranceSec > 0 && Math.abs(nowSec - timestamp) > toleranceSec) {
    const age = Math.round(nowSec - timestamp);
    const when = age > 0 ? `${age} s old` : `${-age} s in the future`;
    return reject(401, 'stale_signature', `the Stripe-Signature timestamp is ${when} (tolerance ${toleranceSec} s): a replay, or a wrong clock`);
  }
  return { ok: true, timestamp };
}
