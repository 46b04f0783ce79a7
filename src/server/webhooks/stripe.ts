// Stripe events → PaymentEvents. Orders are keyed so a refund finds its sale: one-time payments by
// PaymentIntent (what charge.refunded and disputes carry), subscriptions by subscription id (what invoices carry).
import { accept, compact, quantityOf, reject, rejectingInvalidFields, unixToIso, type PaymentEvent, type PaymentEventKind, type WebhookResult, renewsKey } from './normalized.js';
import { verifyStripeSignature } from './stripe-signature.js';

export { verifyStripeSignature, STRIPE_TOLERANCE_SEC, type StripeSignatureOk } from './stripe-signature.js';

type Obj = Record<string, unknown>;

/** Verify the Stripe-Signature header, then parse: what the route calls. */
export function handleStripeWebhook(rawBody: Buffer | string, header: string | undefined, secret: string | readonly string[] | undefined, nowSec: number): WebhookResult {
  const verified = verifyStripeSignature(rawBody, header, secret, nowSec);
  if (!verified.ok) return verified;
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch (error) {
    return reject(400, 'malformed_payload', `the Stripe event body does not parse as JSON: ${(error as Error).message}`);
  }
  return parseStripeEvent(json);
}

export function parseStripeEvent(json: unknown): WebhookResult {
  const id = isObj(json) ? str(json.id) : undefined;
  return rejectingInvalidFields(`the Stripe event${id ? ` ${id}` : ''}`, () => parseChecked(json));
}

function parseChecked(json: unknown): WebhookResult {
  if (!isObj(json)) return reject(400, 'malformed_payload', 'the Stripe event is not a JSON object');
  const id = str(json.id);
  const type = str(json.type);
  const object = isObj(json.data) && isObj(json.data.object) ? json.data.object : undefined;
  if (!id || !type || !object) return reject(422, 'missing_field', 'the Stripe event lacks id, type or data.object');
  const occurredAt = unixToIso(json.created, 'created');
  if (!occurredAt) return reject(422, 'missing_field', `the Stripe event ${id} has no created timestamp`);
  const base = { provider: 'stripe' as const, eventId: id, rawType: type, occurredAt, test: json.livemode === false || undefined };
  const mapped = mapObject(type, object, json, occurredAt);
  if (!mapped) return accept(compact(base, { kind: 'ignored', orderRef: `stripe:${str(object.id) ?? id}` }));
  if (mapped.orderRef === 'stripe:undefined') return reject(422, 'missing_field', `the Stripe ${type} event ${id} names no order (no payment_intent, subscription or id)`);
  return accept(compact(base, mapped, { occurredAt: mapped.occurredAt ?? occurredAt }));
}

type Mapped = Omit<PaymentEvent, 'provider' | 'eventId' | 'rawType' | 'test' | 'occurredAt'> & { occurredAt?: string };

function mapObject(type: string, o: Obj, event: Obj, occurredAt: string): Mapped | null {
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return checkoutSale(o);
    case 'charge.refunded': {
      const amount = num(o.amount);
      const refunded = num(o.amount_refunded);
      const full = o.refunded === true || (amount !== undefined && refunded !== undefined && refunded >= amount);
      const billing = isObj(o.billing_details) ? o.billing_details : {};
      return { kind: full ? 'refund' : 'partial_refund', orderRef: `stripe:${str(o.payment_intent) ?? str(o.id)}`, email: str(billing.email) ?? str(o.receipt_email) };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return { kind: disputeKind(type, str(o.status)), orderRef: `stripe:${str(o.payment_intent) ?? str(o.charge)}` };
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
      return invoiceRenewal(o);
    case 'customer.subscription.deleted':
      return {
        kind: 'subscription_ended', orderRef: `stripe:${str(o.id)}`, subscriptionId: str(o.id),
        periodEnd: unixToIso(o.ended_at, 'data.object.ended_at') ?? unixToIso(o.canceled_at, 'data.object.canceled_at') ?? occurredAt,
      };
    case 'customer.subscription.updated':
      return subscriptionUpdate(o, event, occurredAt);
    default:
      return null;
  }
}

function checkoutSale(session: Obj): Mapped | null {
  const paid = session.payment_status === 'paid' || session.payment_status === 'no_payment_required';
  // Delayed payment methods complete the session unpaid; checkout.session.async_payment_succeeded follows.
  if (!paid || session.mode === 'setup') return null;
  const subscriptionId = idOf(session.subscription);
  const order = subscriptionId ?? idOf(session.payment_intent) ?? str(session.id);
  const details = isObj(session.customer_details) ? session.customer_details : {};
  const metadata = isObj(session.metadata) ? session.metadata : {};
  const item = firstLineItem(session);
  const price = item && isObj(item.price) ? item.price : undefined;
  return {
    kind: 'sale',
    orderRef: `stripe:${order}`,
    subscriptionId,
    productId: str(metadata.product_id) ?? idOf(price?.product),
    priceId: str(metadata.price_id) ?? str(price?.id),
    variantId: str(metadata.variant),
    productName: str(metadata.product_name) ?? str(item?.description),
    email: str(details.email) ?? str(session.customer_email),
    name: str(details.name),
    quantity: quantityOf(item?.quantity, 'line_items.data[0].quantity'),
    // A Payment Link's ?client_reference_id= comes back on the session.
    renews: renewsKey(session.client_reference_id),
  };
}

function invoiceRenewal(invoice: Obj): Mapped | null {
  const parent = isObj(invoice.parent) && isObj(invoice.parent.subscription_details) ? invoice.parent.subscription_details : {};
  // API versions before 2025-03-31 put the subscription on the invoice itself.
  const subscriptionId = idOf(invoice.subscription) ?? idOf(parent.subscription);
  if (!subscriptionId) return null;
  const line = firstOf(isObj(invoice.lines) ? invoice.lines.data : undefined);
  const period = line && isObj(line.period) ? line.period : {};
  const price = line && isObj(line.price) ? line.price : undefined;
  const pricing = line && isObj(line.pricing) && isObj(line.pricing.price_details) ? line.pricing.price_details : {};
  return {
    kind: 'subscription_renewed',
    orderRef: `stripe:${subscriptionId}`,
    subscriptionId,
    periodEnd: unixToIso(period.end, 'lines.data[0].period.end'),
    priceId: str(price?.id) ?? str(pricing.price),
    productId: idOf(price?.product) ?? str(pricing.product),
    email: str(invoice.customer_email),
    name: str(invoice.customer_name),
  };
}

function subscriptionUpdate(sub: Obj, event: Obj, occurredAt: string): Mapped | null {
  const subscriptionId = str(sub.id);
  const item = firstOf(isObj(sub.items) ? sub.items.data : undefined);
  const periodEnd = unixToIso(sub.current_period_end, 'data.object.current_period_end') ?? unixToIso(item?.current_period_end, 'items.data[0].current_period_end');
  if (sub.cancel_at_period_end === true || typeof sub.cancel_at === 'number') {
    return {
      kind: 'subscription_cancelled', orderRef: `stripe:${subscriptionId}`, subscriptionId,
      periodEnd: unixToIso(sub.cancel_at, 'data.object.cancel_at') ?? periodEnd, occurredAt: unixToIso(sub.canceled_at, 'data.object.canceled_at') ?? occurredAt,
    };
  }
  const previous = isObj(event.data) && isObj(event.data.previous_attributes) ? event.data.previous_attributes : {};
  // Un-cancelling supersedes the cancellation: a renewal with no new period end.
  if (previous.cancel_at_period_end === true || typeof previous.cancel_at === 'number') {
    return { kind: 'subscription_renewed', orderRef: `stripe:${subscriptionId}`, subscriptionId };
  }
  return null;
}

function disputeKind(type: string, status: string | undefined): PaymentEventKind {
  if (type === 'charge.dispute.created') return 'dispute';
  if (status === 'lost') return 'dispute_lost';
  // "warning_closed": an inquiry that never became a chargeback.
  return status === 'won' || status === 'warning_closed' ? 'dispute_won' : 'ignored';
}

function firstLineItem(session: Obj): Obj | undefined {
  return firstOf(isObj(session.line_items) ? session.line_items.data : undefined);
}

function firstOf(list: unknown): Obj | undefined {
  return Array.isArray(list) && isObj(list[0]) ? list[0] : undefined;
}

/** An id whether Stripe sent it bare ("sub_1") or expanded ({ id: "sub_1", … }). */
function idOf(value: unknown): string | undefined {
  return isObj(value) ? str(value.id) : str(value);
}

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
