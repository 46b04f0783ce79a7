// Gumroad pings are not signed: a secret token in the ping URL plus the seller_id are the only proof.
// Deliveries repeat and arrive out of order, so every ping becomes a self-contained PaymentEvent.
import { constantTimeEqual } from './constant-time.js';
import {
  field, flag, flattenJsonFields, parseFormFields, periodEndFor, PingTooDeepError, shortPermalink, variantName, withoutCustomFieldShadows, type PingFields,
} from './gumroad-fields.js';
import { accept, compact, quantityOf, reject, rejectingInvalidFields, toIso, type PaymentEvent, type PaymentEventKind, type WebhookResult, renewsKey } from './normalized.js';

export interface GumroadPingRequest {
  /** The request's query string: `?token=…` (URLSearchParams, "token=…", or a plain object). */
  query: URLSearchParams | string | Record<string, string | undefined>;
  body: Buffer | string;
  contentType: string | undefined;
  /** ISO time the server received the ping: stands in for timestamps a ping lacks. */
  receivedAt?: string;
}

export interface GumroadSecrets {
  /** LICENSE_ADMIN_GUMROAD_TOKEN. Without it every ping is refused. */
  token: string | undefined;
  /** LICENSE_ADMIN_GUMROAD_SELLER_ID. When set, a ping for another seller is refused. */
  sellerId?: string | undefined;
}

const SALE_RESOURCES = new Set(['sale', 'refund', 'dispute', 'dispute_won']);

export function verifyGumroadPing(req: GumroadPingRequest, secrets: GumroadSecrets): WebhookResult {
  if (!secrets.token) return reject(401, 'not_configured', 'Gumroad webhooks are not enabled on this server: set LICENSE_ADMIN_GUMROAD_TOKEN');
  const token = queryParam(req.query, 'token');
  if (!token) return reject(401, 'missing_token', 'the ping URL has no ?token= parameter (use https://<host>/webhooks/gumroad?token=<LICENSE_ADMIN_GUMROAD_TOKEN>)');
  if (!constantTimeEqual(token, secrets.token)) return reject(401, 'bad_token', 'the ?token= in the ping URL does not match LICENSE_ADMIN_GUMROAD_TOKEN');

  const fields = readFields(req.body, req.contentType);
  if ('ok' in fields) return fields;
  const resource = field(fields, 'resource_name') ?? 'sale';

  const sellerId = field(fields, 'seller_id');
  if (secrets.sellerId) {
    if (sellerId !== undefined && !constantTimeEqual(sellerId, secrets.sellerId)) return reject(401, 'wrong_seller', 'the ping\'s seller_id is not LICENSE_ADMIN_GUMROAD_SELLER_ID');
    // Subscription pings may omit seller_id; sale-shaped pings always carry it.
    if (sellerId === undefined && SALE_RESOURCES.has(resource)) return reject(401, 'wrong_seller', 'the ping has no seller_id field');
  }

  const event = rejectingInvalidFields(`the Gumroad ${resource} ping`, () =>
    SALE_RESOURCES.has(resource) ? saleEvent(fields, resource, req.receivedAt) : subscriptionEvent(fields, resource, req.receivedAt));
  return 'ok' in event ? event : accept(event);
}

function readFields(body: Buffer | string, contentType: string | undefined): PingFields | ReturnType<typeof reject> {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const type = (contentType ?? 'application/x-www-form-urlencoded').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return withoutCustomFieldShadows(parseFormFields(text));
  if (type !== 'application/json') return reject(400, 'unsupported_content_type', `Content-Type ${type} is not a Gumroad ping (expected application/x-www-form-urlencoded or application/json)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return reject(400, 'malformed_payload', `the JSON ping body does not parse: ${(error as Error).message}`);
  }
  try {
    const fields = flattenJsonFields(json);
    return fields ? withoutCustomFieldShadows(fields) : reject(400, 'malformed_payload', 'the JSON ping body is not an object');
  } catch (error) {
    if (error instanceof PingTooDeepError) return reject(400, 'malformed_payload', error.message);
    throw error;
  }
}

function saleKind(fields: PingFields, resource: string): PaymentEventKind {
  // Gumroad sends the refund ping for partial refunds too, with refunded=false (purchase/refundable.rb).
  if (resource === 'refund') return flag(fields, 'refunded') ? 'refund' : 'partial_refund';
  if (resource === 'dispute') return 'dispute';
  if (resource === 'dispute_won') return 'dispute_won';
  // The plain settings-page ping has no resource_name: its flags say what happened to the sale.
  if (flag(fields, 'refunded')) return 'refund';
  if (flag(fields, 'dispute_won')) return 'dispute_won';
  if (flag(fields, 'disputed')) return 'dispute';
  // A preorder's authorisation charges nothing; the charge on release day is a new sale with its own ping.
  if (flag(fields, 'is_preorder_authorization')) return 'ignored';
  return flag(fields, 'is_recurring_charge') ? 'subscription_renewed' : 'sale';
}

function saleEvent(fields: PingFields, resource: string, receivedAt: string | undefined): PaymentEvent | ReturnType<typeof reject> {
  const saleId = field(fields, 'sale_id');
  if (!saleId) return reject(422, 'missing_field', `the Gumroad ${resource} ping has no sale_id`);
  const occurredAt = toIso(field(fields, 'sale_timestamp'), 'sale_timestamp') ?? toIso(receivedAt, 'receivedAt');
  if (!occurredAt) return reject(422, 'missing_field', `the Gumroad ${resource} ping has no usable sale_timestamp`);
  const kind = saleKind(fields, resource);
  const subscriptionId = field(fields, 'subscription_id');
  const paysForPeriod = kind === 'sale' || kind === 'subscription_renewed';
  return compact({
    provider: 'gumroad',
    eventId: `${kind === 'subscription_renewed' || kind === 'sale' || kind === 'ignored' ? 'sale' : kind}:${saleId}`,
    kind,
    orderRef: `gumroad:${subscriptionId ?? saleId}`,
    productId: field(fields, 'product_id', 'short_product_id'),
    productName: field(fields, 'product_name'),
    productPermalink: shortPermalink(field(fields, 'product_permalink', 'permalink')),
    variantName: variantName(fields),
    subscriptionId,
    email: field(fields, 'email', 'purchase_email'),
    name: field(fields, 'full_name'),
    quantity: quantityOf(field(fields, 'quantity'), 'quantity'),
    occurredAt,
    periodEnd: paysForPeriod && subscriptionId
      ? toIso(field(fields, 'free_trial_ends_at'), 'free_trial_ends_at') ?? periodEndFor(occurredAt, field(fields, 'recurrence'))
      : undefined,
    rawType: resource,
    test: flag(fields, 'test') || undefined,
    // Gumroad hands the product URL's query parameters back in `url_params` (Purchase::PingNotification).
    renews: kind === 'sale' ? renewsKey(field(fields, 'url_params[renews]')) : undefined,
  });
}

function subscriptionEvent(fields: PingFields, resource: string, receivedAt: string | undefined): PaymentEvent | ReturnType<typeof reject> {
  const subscriptionId = field(fields, 'subscription_id');
  if (!subscriptionId) return reject(422, 'missing_field', `the Gumroad ${resource} ping has no subscription_id`);
  const cancelledAt = toIso(field(fields, 'cancelled_at'), 'cancelled_at');
  const endedAt = toIso(field(fields, 'ended_at'), 'ended_at');
  const received = toIso(receivedAt, 'receivedAt');
  let kind: PaymentEventKind = 'ignored';
  let occurredAt: string | undefined;
  let periodEnd: string | undefined;
  if (resource === 'cancellation') {
    kind = 'subscription_cancelled';
    occurredAt = toIso(field(fields, 'user_requested_cancellation_at'), 'user_requested_cancellation_at') ?? received ?? cancelledAt;
    periodEnd = cancelledAt ?? endedAt;
  } else if (resource === 'subscription_ended') {
    kind = 'subscription_ended';
    occurredAt = endedAt ?? received;
    periodEnd = endedAt ?? occurredAt;
  } else if (resource === 'subscription_restarted') {
    // Restarting undoes an earlier cancellation: a renewal without a new period end.
    kind = 'subscription_renewed';
    occurredAt = toIso(field(fields, 'restarted_at'), 'restarted_at') ?? received;
  } else {
    // subscription_updated carries effective_as_of (when the plan change applies); created_at is the subscription's.
    occurredAt = toIso(field(fields, 'effective_as_of'), 'effective_as_of') ?? toIso(field(fields, 'updated_at'), 'updated_at')
      ?? toIso(field(fields, 'created_at'), 'created_at') ?? received;
  }
  if (!occurredAt) return reject(422, 'missing_field', `the Gumroad ${resource} ping has no timestamp`);
  return compact({
    provider: 'gumroad',
    eventId: `${resource}:${subscriptionId}:${periodEnd ?? occurredAt}`,
    kind,
    orderRef: `gumroad:${subscriptionId}`,
    productId: field(fields, 'product_id'),
    productName: field(fields, 'product_name'),
    subscriptionId,
    email: field(fields, 'user_email', 'email'),
    occurredAt,
    periodEnd,
    rawType: resource,
  });
}

function queryParam(query: GumroadPingRequest['query'], name: string): string | undefined {
  if (query instanceof URLSearchParams) return query.get(name) ?? undefined;
  if (typeof query === 'string') return new URLSearchParams(query).get(name) ?? undefined;
  return query[name];
}
