// Lemon Squeezy: X-Signature is the hex HMAC-SHA256 of the raw body with the webhook's signing secret.
// Payloads carry no event id, so "<event>:<object id>[:<time>]" is the idempotency key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { accept, compact, quantityOf, reject, rejectingInvalidFields, toIso, type PaymentEvent, type WebhookRejection, type WebhookResult, renewsKey } from './normalized.js';

type Obj = Record<string, unknown>;

export function verifyLemonSqueezySignature(rawBody: Buffer | string, header: string | undefined, secret: string | undefined): { ok: true } | WebhookRejection {
  if (!secret) return reject(401, 'not_configured', 'Lemon Squeezy webhooks are not enabled on this server: set LICENSE_ADMIN_LEMONSQUEEZY_SECRET');
  if (!header || header.trim() === '') return reject(401, 'missing_signature', 'the request has no X-Signature header');
  const given = header.trim();
  if (!/^[0-9a-f]{64}$/i.test(given)) return reject(401, 'bad_signature', 'the X-Signature header is not a 64-digit hex HMAC-SHA256');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return reject(401, 'bad_signature', 'the X-Signature does not match the body (wrong signing secret, or the body was altered)');
  return { ok: true };
}

/** Verify X-Signature, then parse: what the route calls. */
export function handleLemonSqueezyWebhook(rawBody: Buffer | string, header: string | undefined, secret: string | undefined): WebhookResult {
  const verified = verifyLemonSqueezySignature(rawBody, header, secret);
  if (!verified.ok) return verified;
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch (error) {
    return reject(400, 'malformed_payload', `the Lemon Squeezy body does not parse as JSON: ${(error as Error).message}`);
  }
  return parseLemonSqueezyEvent(json);
}

export function parseLemonSqueezyEvent(json: unknown): WebhookResult {
  return rejectingInvalidFields('the Lemon Squeezy event', () => parseChecked(json));
}

function parseChecked(json: unknown): WebhookResult {
  if (!isObj(json) || !isObj(json.meta) || !isObj(json.data)) return reject(400, 'malformed_payload', 'the Lemon Squeezy body has no meta or data object');
  const eventName = str(json.meta.event_name);
  const id = str(json.data.id) ?? (typeof json.data.id === 'number' ? String(json.data.id) : undefined);
  const a = isObj(json.data.attributes) ? json.data.attributes : undefined;
  if (!eventName || !id || !a) return reject(422, 'missing_field', 'the Lemon Squeezy body lacks meta.event_name, data.id or data.attributes');
  const test = json.meta.test_mode === true || a.test_mode === true || undefined;
  const event = eventName.startsWith('order_') ? orderEvent(eventName, id, a) : subscriptionEvent(eventName, id, a);
  if ('ok' in event) return event;
  // checkout[custom][renews] comes back as meta.custom_data.renews.
  const custom = isObj(json.meta.custom_data) ? json.meta.custom_data : {};
  const renews = event.kind === 'sale' ? renewsKey(custom.renews) : undefined;
  return accept(compact(event, { test, renews }));
}

function orderEvent(eventName: string, id: string, a: Obj): PaymentEvent | WebhookRejection {
  const occurredAt = eventName === 'order_refunded'
    ? toIso(a.refunded_at, 'data.attributes.refunded_at') ?? toIso(a.updated_at, 'data.attributes.updated_at')
    : toIso(a.created_at, 'data.attributes.created_at') ?? toIso(a.updated_at, 'data.attributes.updated_at');
  if (!occurredAt) return reject(422, 'missing_field', `the Lemon Squeezy ${eventName} order ${id} has no created_at`);
  const item = isObj(a.first_order_item) ? a.first_order_item : {};
  let kind: PaymentEvent['kind'] = 'ignored';
  if (eventName === 'order_created' && (a.status === undefined || a.status === 'paid')) kind = 'sale';
  if (eventName === 'order_refunded') kind = a.refunded === true || a.status === 'refunded' ? 'refund' : 'partial_refund';
  return {
    provider: 'lemonsqueezy',
    eventId: `${eventName}:${id}`,
    kind,
    orderRef: `lemonsqueezy:${id}`,
    productId: idString(item.product_id),
    variantId: idString(item.variant_id),
    variantName: str(item.variant_name),
    productName: str(item.product_name),
    email: str(a.user_email),
    name: str(a.user_name),
    quantity: quantityOf(item.quantity, 'first_order_item.quantity'),
    occurredAt,
    rawType: eventName,
  };
}

const SUBSCRIPTION_EVENTS = new Set(['subscription_cancelled', 'subscription_expired', 'subscription_updated', 'subscription_resumed']);

/** Subscriptions point back at the order that started them, so they share its orderRef. */
function subscriptionEvent(eventName: string, id: string, a: Obj): PaymentEvent | WebhookRejection {
  const orderId = idString(a.order_id);
  const occurredAt = toIso(a.updated_at, 'data.attributes.updated_at') ?? toIso(a.created_at, 'data.attributes.created_at');
  if (!occurredAt) return reject(422, 'missing_field', `the Lemon Squeezy ${eventName} ${id} has no updated_at or created_at`);
  if (!orderId) {
    if (SUBSCRIPTION_EVENTS.has(eventName)) return reject(422, 'missing_field', `the Lemon Squeezy ${eventName} ${id} has no order_id`);
    return { provider: 'lemonsqueezy', eventId: `${eventName}:${id}:${occurredAt}`, kind: 'ignored', orderRef: `lemonsqueezy:${id}`, occurredAt, rawType: eventName };
  }
  let kind: PaymentEvent['kind'] = 'ignored';
  let periodEnd: string | undefined;
  if (eventName === 'subscription_cancelled') [kind, periodEnd] = ['subscription_cancelled', toIso(a.ends_at, 'data.attributes.ends_at')];
  else if (eventName === 'subscription_expired') [kind, periodEnd] = ['subscription_ended', toIso(a.ends_at, 'data.attributes.ends_at') ?? occurredAt];
  else if ((eventName === 'subscription_updated' || eventName === 'subscription_resumed') && a.status === 'active') [kind, periodEnd] = ['subscription_renewed', toIso(a.renews_at, 'data.attributes.renews_at')];
  return {
    provider: 'lemonsqueezy',
    eventId: `${eventName}:${id}:${occurredAt}`,
    kind,
    orderRef: `lemonsqueezy:${orderId}`,
    subscriptionId: id,
    productId: idString(a.product_id),
    variantId: idString(a.variant_id),
    variantName: str(a.variant_name),
    productName: str(a.product_name),
    email: str(a.user_email),
    name: str(a.user_name),
    occurredAt,
    periodEnd,
    rawType: eventName,
  };
}

function idString(value: unknown): string | undefined {
  return typeof value === 'number' ? String(value) : str(value);
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
