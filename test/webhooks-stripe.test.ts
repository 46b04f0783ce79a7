// Stripe: our HMAC verifier against the official package's own header helper and constructEvent, then
// every fixture event through parseStripeEvent.
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { describe, expect, test } from 'vitest';
import type { PaymentEvent, WebhookResult } from '../src/server/webhooks/normalized.js';
import { handleStripeWebhook, parseStripeEvent, verifyStripeSignature } from '../src/server/webhooks/stripe.js';

const stripe = new Stripe('sk_test_not_a_real_key');
const SECRET = 'whsec_test_current_5d3f0b7e1a';
const OLD_SECRET = 'whsec_test_previous_a81c44e0';
const NOW = 1_795_600_300;
const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/webhooks/stripe/${name}`, import.meta.url), 'utf8');
const BODY = fixtureText('checkout.session.completed.json');

function header(payload: string, secret: string, timestamp = NOW - 5): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

function v1Of(h: string): string {
  return h.split(',').find((p) => p.startsWith('v1='))!;
}

function stripeAccepts(payload: string, h: string, secret: string): boolean {
  try {
    stripe.webhooks.constructEvent(payload, h, secret, 300, undefined, NOW * 1000);
    return true;
  } catch {
    return false;
  }
}

describe('verifyStripeSignature agrees with stripe.webhooks.constructEvent', () => {
  const rotated = `t=${NOW - 5},${v1Of(header(BODY, OLD_SECRET))},${v1Of(header(BODY, SECRET))}`;
  const cases: [string, string, string, string, boolean, string?][] = [
    ['a valid header', BODY, header(BODY, SECRET), SECRET, true],
    ['a tampered body', BODY.replace('ada@example.com', 'eve@example.com'), header(BODY, SECRET), SECRET, false, 'bad_signature'],
    ['one changed byte of whitespace', `${BODY} `, header(BODY, SECRET), SECRET, false, 'bad_signature'],
    ['the wrong secret', BODY, header(BODY, 'whsec_someone_else'), SECRET, false, 'bad_signature'],
    ['a stale timestamp (301 s)', BODY, header(BODY, SECRET, NOW - 301), SECRET, false, 'stale_signature'],
    ['an old but tolerated timestamp (299 s)', BODY, header(BODY, SECRET, NOW - 299), SECRET, true],
    ['rotation: old and new v1, checked with the new secret', BODY, rotated, SECRET, true],
    ['rotation: old and new v1, checked with the old secret', BODY, rotated, OLD_SECRET, true],
    ['rotation: neither v1 is ours', BODY, rotated, 'whsec_third', false, 'bad_signature'],
    ['a v0 signature only', BODY, header(BODY, SECRET).replace('v1=', 'v0='), SECRET, false, 'bad_signature'],
    ['no timestamp', BODY, v1Of(header(BODY, SECRET)), SECRET, false, 'bad_signature'],
    ['a timestamp moved to an old signature', BODY, header(BODY, SECRET, NOW - 10).replace(`t=${NOW - 10}`, `t=${NOW - 5}`), SECRET, false, 'bad_signature'],
    ['garbage', BODY, 'not a signature header', SECRET, false, 'bad_signature'],
    ['an empty header', BODY, '', SECRET, false, 'missing_signature'],
  ];
  test.each(cases)('%s', (_label, payload, h, secret, valid, code) => {
    const ours = verifyStripeSignature(payload, h, secret, NOW);
    expect(ours.ok).toBe(valid);
    expect(stripeAccepts(payload, h, secret)).toBe(valid);
    if (!ours.ok) expect(ours.code).toBe(code);
  });

  test('a Buffer body verifies like the string', () => {
    expect(verifyStripeSignature(Buffer.from(BODY), header(BODY, SECRET), SECRET, NOW)).toEqual({ ok: true, timestamp: NOW - 5 });
  });

  test('both secrets of a rotation can be configured on our side', () => {
    expect(verifyStripeSignature(BODY, header(BODY, OLD_SECRET), [SECRET, OLD_SECRET], NOW).ok).toBe(true);
  });

  test('a far-future timestamp: Stripe tolerates it, we do not (a replay cannot be pre-dated either)', () => {
    const h = header(BODY, SECRET, NOW + 1000);
    expect(stripeAccepts(BODY, h, SECRET)).toBe(true);
    expect(verifyStripeSignature(BODY, h, SECRET, NOW)).toMatchObject({ ok: false, code: 'stale_signature', message: expect.stringMatching(/1000 s in the future/) });
  });

  test('tolerance 0 turns the age check off, as in Stripe', () => {
    const h = header(BODY, SECRET, NOW - 100_000);
    expect(verifyStripeSignature(BODY, h, SECRET, NOW, 0).ok).toBe(true);
  });

  test('no header, no secret: clear reasons', () => {
    expect(verifyStripeSignature(BODY, undefined, SECRET, NOW)).toMatchObject({ ok: false, status: 401, code: 'missing_signature' });
    expect(verifyStripeSignature(BODY, header(BODY, SECRET), undefined, NOW)).toMatchObject({ ok: false, status: 401, code: 'not_configured' });
    expect(verifyStripeSignature(BODY, header(BODY, SECRET), '', NOW)).toMatchObject({ ok: false, code: 'not_configured' });
    expect(verifyStripeSignature(BODY, `t=${NOW}`, SECRET, NOW)).toMatchObject({ ok: false, message: expect.stringMatching(/no v1=/) });
  });

  test('no message ever contains the secret', () => {
    for (const h of [header(BODY, 'whsec_x'), header(BODY, SECRET, NOW - 9999), '', 'x']) {
      expect(JSON.stringify(verifyStripeSignature(BODY, h, SECRET, NOW))).not.toContain(SECRET);
    }
  });
});

function only(result: WebhookResult): PaymentEvent {
  if (!result.ok) throw new Error(`rejected: ${result.code} ${result.message}`);
  expect(result.events).toHaveLength(1);
  return result.events[0]!;
}

const parse = (name: string) => only(parseStripeEvent(JSON.parse(fixtureText(name))));
const iso = (sec: number) => new Date(sec * 1000).toISOString();
const T = 1_795_600_000;
const P1 = T + 30 * 86_400;
const P2 = T + 61 * 86_400;

describe('parseStripeEvent', () => {
  test.each([
    ['checkout.session.completed.json', 'sale', 'stripe:pi_3QxYzAbCdEfGhIjK0a1b2c3d'],
    ['checkout.session.completed-unpaid.json', 'ignored', 'stripe:cs_test_async1'],
    ['checkout.session.async_payment_succeeded.json', 'sale', 'stripe:pi_3QasyncPay0001'],
    ['checkout.session.completed-expanded.json', 'sale', 'stripe:pi_3Qexpanded'],
    ['checkout.session.completed-subscription.json', 'sale', 'stripe:sub_1QdashCloudA1b2'],
    ['charge.refunded.json', 'refund', 'stripe:pi_3QxYzAbCdEfGhIjK0a1b2c3d'],
    ['charge.refunded-partial.json', 'partial_refund', 'stripe:pi_3QxYzAbCdEfGhIjK0a1b2c3d'],
    ['charge.dispute.created.json', 'dispute', 'stripe:pi_3QxYzAbCdEfGhIjK0a1b2c3d'],
    ['charge.dispute.closed-won.json', 'dispute_won', 'stripe:pi_3QxYzAbCdEfGhIjK0a1b2c3d'],
    ['charge.dispute.closed-lost.json', 'dispute_lost', 'stripe:pi_3QxYzAbCdEfGhIjK0a1b2c3d'],
    ['invoice.paid-first.json', 'subscription_renewed', 'stripe:sub_1QdashCloudA1b2'],
    ['invoice.paid-renewal.json', 'subscription_renewed', 'stripe:sub_1QdashCloudA1b2'],
    ['invoice.payment_succeeded-legacy.json', 'subscription_renewed', 'stripe:sub_1QdashCloudA1b2'],
    ['invoice.paid-no-subscription.json', 'ignored', 'stripe:in_1QoneOff'],
    ['customer.subscription.updated-cancel.json', 'subscription_cancelled', 'stripe:sub_1QdashCloudA1b2'],
    ['customer.subscription.updated-resume.json', 'subscription_renewed', 'stripe:sub_1QdashCloudA1b2'],
    ['customer.subscription.updated-other.json', 'ignored', 'stripe:sub_1QdashCloudA1b2'],
    ['customer.subscription.deleted.json', 'subscription_ended', 'stripe:sub_1QdashCloudA1b2'],
    ['payment_intent.succeeded.json', 'ignored', 'stripe:pi_3QxYzAbCdEfGhIjK0a1b2c3d'],
  ])('%s → %s on %s', (name, kind, orderRef) => {
    const event = parse(name);
    expect(event).toMatchObject({ provider: 'stripe', kind, orderRef, eventId: JSON.parse(fixtureText(name)).id, test: true });
  });

  test('a checkout sale: email and name from customer_details, product ids from metadata', () => {
    expect(parse('checkout.session.completed.json')).toEqual({
      provider: 'stripe', eventId: 'evt_1QcheckoutPaid0001', kind: 'sale', orderRef: 'stripe:pi_3QxYzAbCdEfGhIjK0a1b2c3d',
      productId: 'prod_DashToolPro', priceId: 'price_1QdashtoolPro49', email: 'ada@example.com', name: 'Ada Lovelace',
      occurredAt: iso(T), rawType: 'checkout.session.completed', test: true,
    });
  });

  test('expanded line_items give price, product, name and quantity', () => {
    expect(parse('checkout.session.completed-expanded.json')).toMatchObject({ priceId: 'price_1QexpandedPrice', productId: 'prod_Expanded', productName: 'DashTool Pro', quantity: 2 });
  });

  test('invoices give the paid period end, in the current and the pre-2025 API shapes', () => {
    expect(parse('invoice.paid-first.json')).toMatchObject({ periodEnd: iso(P1), priceId: 'price_1QcloudMonthly', productId: 'prod_DashCloud', email: 'ada@example.com' });
    expect(parse('invoice.paid-renewal.json').periodEnd).toBe(iso(P2));
    expect(parse('invoice.payment_succeeded-legacy.json')).toMatchObject({ periodEnd: iso(P2), priceId: 'price_1QcloudMonthly', productId: 'prod_DashCloud' });
  });

  test('cancel at period end: access ends at cancel_at, decided when canceled_at says', () => {
    expect(parse('customer.subscription.updated-cancel.json')).toMatchObject({ periodEnd: iso(P2), occurredAt: iso(P1 + 86_400) });
    expect(parse('customer.subscription.deleted.json')).toMatchObject({ periodEnd: iso(P2), occurredAt: iso(P2) });
  });

  test.each([
    ['not an object', '"x"', 400, 'malformed_payload'],
    ['no type', JSON.stringify({ id: 'evt_1', created: T, data: { object: {} } }), 422, 'missing_field'],
    ['no data.object', JSON.stringify({ id: 'evt_1', type: 'charge.refunded', created: T, data: {} }), 422, 'missing_field'],
    ['no created', JSON.stringify({ id: 'evt_1', type: 'charge.refunded', data: { object: { id: 'ch_1' } } }), 422, 'missing_field'],
    ['a refund naming no charge', JSON.stringify({ id: 'evt_1', type: 'charge.refunded', created: T, data: { object: { amount: 1, amount_refunded: 1 } } }), 422, 'missing_field'],
  ])('malformed: %s → %i', (_label, body, status, code) => {
    expect(parseStripeEvent(JSON.parse(body))).toMatchObject({ ok: false, status, code });
  });
});

describe('handleStripeWebhook: verify, then parse', () => {
  test('a signed fixture becomes its event', () => {
    const body = fixtureText('charge.refunded.json');
    expect(only(handleStripeWebhook(Buffer.from(body), header(body, SECRET), SECRET, NOW)).kind).toBe('refund');
  });

  test('a forged event is refused before it is read', () => {
    const body = fixtureText('charge.refunded.json');
    expect(handleStripeWebhook(body, header(fixtureText('charge.refunded-partial.json'), SECRET), SECRET, NOW)).toMatchObject({ ok: false, status: 401, code: 'bad_signature' });
  });

  test('a correctly signed body that is not JSON → 400', () => {
    const body = '{"id": "evt_1",';
    expect(handleStripeWebhook(body, header(body, SECRET), SECRET, NOW)).toMatchObject({ ok: false, status: 400, code: 'malformed_payload' });
  });
});
