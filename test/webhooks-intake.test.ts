// Where deliveries enter: Gumroad's ping as Gumroad really builds it (fixtures from make-fixtures.mjs, after
// antiwork/gumroad), and every date, count and nesting level from outside checked where it is parsed.
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { describe, expect, test } from 'vitest';
import { verifyGumroadPing, type GumroadPingRequest } from '../src/server/webhooks/gumroad.js';
import { handleLemonSqueezyWebhook, parseLemonSqueezyEvent } from '../src/server/webhooks/lemonsqueezy.js';
import type { PaymentEvent, WebhookResult } from '../src/server/webhooks/normalized.js';
import { handleStripeWebhook, parseStripeEvent } from '../src/server/webhooks/stripe.js';
import { createHmac } from 'node:crypto';

const TOKEN = 'intake-token';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const gumroadFixture = (name: string) => readFileSync(new URL(`../fixtures/webhooks/gumroad/${name}`, import.meta.url), 'utf8');
const stripeFixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/webhooks/stripe/${name}`, import.meta.url), 'utf8')) as Record<string, any>;
const lemonFixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/webhooks/lemonsqueezy/${name}`, import.meta.url), 'utf8')) as Record<string, any>;

function ping(body: string, contentType = FORM, extra: Partial<GumroadPingRequest> = {}): WebhookResult {
  return verifyGumroadPing({ query: `token=${TOKEN}`, body, contentType, ...extra }, { token: TOKEN });
}
function event(result: WebhookResult): PaymentEvent {
  if (!result.ok) throw new Error(`rejected: ${result.code} ${result.message}`);
  return result.events[0]!;
}
function withField(name: string, key: string, value: string): string {
  const body = new URLSearchParams(gumroadFixture(name));
  body.set(key, value);
  return body.toString();
}

describe('the Gumroad ping, field by field against antiwork/gumroad', () => {
  test('card, url_params and custom_fields nest; card\'s empty legacy fields are harmless', () => {
    expect(event(ping(gumroadFixture('sale.form')))).toMatchObject({ kind: 'sale', variantName: 'Pro', email: 'ada@example.com', quantity: 1, occurredAt: '2026-11-20T19:38:56.000Z' });
    expect(event(ping(gumroadFixture('sale.json'), JSON_TYPE))).toEqual(event(ping(gumroadFixture('sale.form'))));
  });

  test('a refund ping with refunded=false is a partial refund (Gumroad sends the refund ping for both)', () => {
    expect(event(ping(gumroadFixture('partial-refund.form')))).toMatchObject({ kind: 'partial_refund', rawType: 'refund' });
    expect(event(ping(gumroadFixture('refund.form')))).toMatchObject({ kind: 'refund' });
  });

  test('a preorder authorisation charges nothing: stored, not a sale', () => {
    expect(event(ping(gumroadFixture('preorder-authorization.form')))).toMatchObject({ kind: 'ignored' });
  });

  test('a custom field named "email" never becomes the buyer\'s email', () => {
    // The worker stringifies the keys, so the custom value replaced the buyer's: the email is unknown.
    expect(event(ping(gumroadFixture('custom-field-email.form'))).email).toBeUndefined();
    expect(event(ping(gumroadFixture('custom-field-email.json'), JSON_TYPE)).email).toBeUndefined();
    // The settings-page test ping keeps both keys: the buyer's comes first and is the one used.
    expect(event(ping(gumroadFixture('custom-field-email-test-ping.form'))).email).toBe('ada@example.com');
  });

  test('custom fields named like ping flags or ids do not turn a sale into a renewal of a buyer-chosen order', () => {
    const e = event(ping(gumroadFixture('custom-field-flags.form')));
    expect(e).toMatchObject({ kind: 'sale', orderRef: 'gumroad:FO8TXN-dbxYaBdahG97Y-Q==' });
    expect(e.subscriptionId).toBeUndefined();
  });

  test('a custom field whose name holds brackets cannot pose as a variant (JSON endpoint)', () => {
    expect(event(ping(gumroadFixture('custom-field-brackets.json'), JSON_TYPE)).variantName).toBeUndefined();
  });

  test('subscription_updated is dated by effective_as_of, so two plan changes are two events', () => {
    const a = event(ping(gumroadFixture('subscription_updated.form')));
    const b = event(ping(withField('subscription_updated.form', 'effective_as_of', '2026-12-15T12:00:00.000Z')));
    expect(a.eventId).not.toBe(b.eventId);
  });
});

describe('every date from outside is checked where it is parsed', () => {
  const huge = '+275760-09-10T00:00:00.000Z';
  test.each([
    ['free_trial_ends_at past the window', withField('subscription-sale.form', 'free_trial_ends_at', huge), /free_trial_ends_at.*out of range/],
    ['sale_timestamp past the window', withField('sale.form', 'sale_timestamp', huge), /sale_timestamp.*out of range/],
    ['sale_timestamp before 2000', withField('sale.form', 'sale_timestamp', '1970-01-01T00:00:00Z'), /sale_timestamp.*out of range/],
    ['sale_timestamp that is not a date', withField('sale.form', 'sale_timestamp', 'soon'), /sale_timestamp.*not an ISO-8601 date/],
    ['a bare number as a date', withField('sale.form', 'sale_timestamp', '5'), /sale_timestamp.*not an ISO-8601 date/],
    ['cancelled_at past the window', withField('cancellation.form', 'cancelled_at', huge), /cancelled_at.*out of range/],
    ['ended_at past the window', withField('subscription_ended.form', 'ended_at', '9999-12-31T00:00:00Z'), /ended_at.*out of range/],
    ['restarted_at past the window', withField('subscription_restarted.form', 'restarted_at', huge), /restarted_at/],
    ['a quantity that is not a count', withField('sale.form', 'quantity', '1e9'), /quantity/],
    ['a quantity of zero', withField('sale.form', 'quantity', '0'), /quantity/],
  ])('Gumroad: %s → 422 invalid_field', (_label, body, message) => {
    const result = ping(body);
    expect(result).toMatchObject({ ok: false, status: 422, code: 'invalid_field' });
    if (!result.ok) expect(result.message).toMatch(message);
  });

  test('the edges of the window: 2000-01-01 is in, 2200-01-01 is out', () => {
    expect(event(ping(withField('sale.form', 'sale_timestamp', '2000-01-01T00:00:00Z'))).occurredAt).toBe('2000-01-01T00:00:00.000Z');
    expect(ping(withField('sale.form', 'sale_timestamp', '2200-01-01T00:00:00Z'))).toMatchObject({ ok: false, code: 'invalid_field' });
  });

  const stripeCases: [string, (e: Record<string, any>) => void, RegExp][] = [
    ['created: 1e20', (e) => void (e.created = 1e20), /"created" is out of range/],
    ['created as a string', (e) => void (e.created = '1795600000'), /"created" must be Unix seconds/],
    ['created with a fraction', (e) => void (e.created = 1795600000.5), /"created" is not a whole number/],
    ['invoice period.end 8640000000000', (e) => void (e.data.object.lines.data[0].period.end = 8640000000000), /period\.end.*out of range/],
  ];
  test.each(stripeCases)('Stripe invoice.paid with %s → 422 invalid_field', (_label, mutate, message) => {
    const e = stripeFixture('invoice.paid-renewal.json');
    mutate(e);
    const result = parseStripeEvent(e);
    expect(result).toMatchObject({ ok: false, status: 422, code: 'invalid_field' });
    if (!result.ok) expect(result.message).toMatch(message);
  });

  test('Stripe: a signed event with created: 1e20 is a rejection, not an exception', () => {
    const secret = 'whsec_intake';
    const stripe = new Stripe('sk_test_not_a_real_key');
    const e = stripeFixture('checkout.session.completed.json');
    e.created = 1e20;
    const payload = JSON.stringify(e);
    const now = Math.floor(Date.now() / 1000);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: now });
    expect(handleStripeWebhook(payload, header, secret, now)).toMatchObject({ ok: false, status: 422, code: 'invalid_field' });
  });

  test.each([
    ['subscription_updated renews_at', 'subscription_updated.json', (a: Record<string, any>) => void (a.renews_at = '+275760-09-10T00:00:00.000000Z'), /renews_at.*out of range/],
    ['subscription_cancelled ends_at', 'subscription_cancelled.json', (a: Record<string, any>) => void (a.ends_at = '3000-01-01T00:00:00.000000Z'), /ends_at.*out of range/],
    ['order_created created_at', 'order_created.json', (a: Record<string, any>) => void (a.created_at = 'yesterday'), /created_at.*not an ISO-8601/],
    ['order_created quantity', 'order_created.json', (a: Record<string, any>) => void (a.first_order_item.quantity = -3), /quantity/],
  ])('Lemon Squeezy %s → 422 invalid_field', (_label, name, mutate, message) => {
    const body = lemonFixture(name);
    mutate(body.data.attributes);
    const result = parseLemonSqueezyEvent(body);
    expect(result).toMatchObject({ ok: false, status: 422, code: 'invalid_field' });
    if (!result.ok) expect(result.message).toMatch(message);
    // Signed, through the handler the route calls.
    const raw = JSON.stringify(body);
    const signature = createHmac('sha256', 'lemon').update(raw).digest('hex');
    expect(handleLemonSqueezyWebhook(raw, signature, 'lemon')).toMatchObject({ ok: false, code: 'invalid_field' });
  });

  test('Lemon Squeezy microsecond timestamps are read', () => {
    const body = lemonFixture('subscription_updated.json');
    body.data.attributes.renews_at = '2027-01-17T09:45:53.000000Z';
    expect(event(parseLemonSqueezyEvent(body)).periodEnd).toBe('2027-01-17T09:45:53.000Z');
  });
});

describe('nesting is bounded', () => {
  test('a Gumroad JSON ping nested 5,000 deep is 400 malformed_payload, not a stack overflow', () => {
    const body = `{"sale_id":"X","sale_timestamp":"2026-01-01T00:00:00Z","a":${'['.repeat(5000)}1${']'.repeat(5000)}}`;
    const result = ping(body, JSON_TYPE);
    expect(result).toMatchObject({ ok: false, status: 400, code: 'malformed_payload' });
    if (!result.ok) expect(result.message).toMatch(/nested deeper than/);
  });

  test('Gumroad\'s own deepest shape (subscription_updated new_plan[tier][name]) still parses as JSON', () => {
    const form = new URLSearchParams(gumroadFixture('subscription_updated.form'));
    const json = { subscription_id: form.get('subscription_id'), resource_name: 'subscription_updated', effective_as_of: form.get('effective_as_of'), new_plan: { tier: { id: 't', name: 'Pro' } } };
    expect(event(ping(JSON.stringify(json), JSON_TYPE))).toMatchObject({ kind: 'ignored', rawType: 'subscription_updated' });
  });
});
