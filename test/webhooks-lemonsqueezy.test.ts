// Lemon Squeezy: X-Signature (hex HMAC-SHA256 of the raw body), then order and subscription events.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { handleLemonSqueezyWebhook, parseLemonSqueezyEvent, verifyLemonSqueezySignature } from '../src/server/webhooks/lemonsqueezy.js';
import type { PaymentEvent, WebhookResult } from '../src/server/webhooks/normalized.js';

const SECRET = 'ls-signing-secret-91be2c';
const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/webhooks/lemonsqueezy/${name}`, import.meta.url), 'utf8');
const sign = (body: string | Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('hex');

function only(result: WebhookResult): PaymentEvent {
  if (!result.ok) throw new Error(`rejected: ${result.code} ${result.message}`);
  expect(result.events).toHaveLength(1);
  return result.events[0]!;
}

describe('verifyLemonSqueezySignature', () => {
  const body = fixtureText('order_created.json');
  test.each([
    ['the right signature', sign(body), true, undefined],
    ['the right signature in upper case', sign(body).toUpperCase(), true, undefined],
    ['a signature made with another secret', sign(body, 'other'), false, 'bad_signature'],
    ['the signature of another body', sign(fixtureText('order_refunded.json')), false, 'bad_signature'],
    ['a truncated signature', sign(body).slice(0, 63), false, 'bad_signature'],
    ['a base64 signature', createHmac('sha256', SECRET).update(body).digest('base64'), false, 'bad_signature'],
    ['no signature', undefined, false, 'missing_signature'],
    ['an empty signature', '', false, 'missing_signature'],
  ])('%s', (_label, header, ok, code) => {
    const result = verifyLemonSqueezySignature(body, header, SECRET);
    expect(result.ok).toBe(ok);
    if (!result.ok) {
      expect(result).toMatchObject({ status: 401, code });
      expect(JSON.stringify(result)).not.toContain(SECRET);
    }
  });

  test('one changed byte in the body breaks the signature', () => {
    expect(verifyLemonSqueezySignature(body.replace('"total": 4900', '"total": 4901'), sign(body), SECRET).ok).toBe(false);
  });

  test('a Buffer body verifies like the string', () => {
    expect(verifyLemonSqueezySignature(Buffer.from(body), sign(body), SECRET).ok).toBe(true);
  });

  test('with no secret configured everything is refused', () => {
    expect(verifyLemonSqueezySignature(body, sign(body), undefined)).toMatchObject({ ok: false, code: 'not_configured' });
  });
});

describe('parseLemonSqueezyEvent', () => {
  const parse = (name: string) => only(parseLemonSqueezyEvent(JSON.parse(fixtureText(name))));

  test.each([
    ['order_created.json', 'sale', 'order_created:1234567', undefined],
    ['order_refunded.json', 'refund', 'order_refunded:1234567', undefined],
    ['order_refunded-partial.json', 'partial_refund', 'order_refunded:1234567', undefined],
    ['subscription_cancelled.json', 'subscription_cancelled', 'subscription_cancelled:890123:2026-12-02T12:00:00.000Z', '2026-12-24T10:00:00.000Z'],
    ['subscription_updated.json', 'subscription_renewed', 'subscription_updated:890123:2026-12-24T10:00:05.000Z', '2027-01-24T10:00:00.000Z'],
    ['subscription_expired.json', 'subscription_ended', 'subscription_expired:890123:2026-12-24T10:00:00.000Z', '2026-12-24T10:00:00.000Z'],
    ['license_key_created.json', 'ignored', 'license_key_created:4444:2026-11-24T10:00:02.000Z', undefined],
  ])('%s → %s', (name, kind, eventId, periodEnd) => {
    const event = parse(name);
    expect(event).toMatchObject({ provider: 'lemonsqueezy', kind, eventId, orderRef: 'lemonsqueezy:1234567', test: true });
    expect(event.periodEnd).toBe(periodEnd);
  });

  test('an order carries buyer, product and variant', () => {
    expect(parse('order_created.json')).toEqual({
      provider: 'lemonsqueezy', eventId: 'order_created:1234567', kind: 'sale', orderRef: 'lemonsqueezy:1234567',
      productId: '55555', variantId: '66666', variantName: 'Pro', productName: 'DashTool', email: 'ada@example.com', name: 'Ada Lovelace',
      quantity: 1, occurredAt: '2026-11-24T10:00:00.000Z', rawType: 'order_created', test: true,
    });
  });

  test('a refund happens when refunded_at says', () => {
    expect(parse('order_refunded.json').occurredAt).toBe('2026-11-26T09:30:00.000Z');
  });

  test('an unpaid order is not a sale', () => {
    const json = JSON.parse(fixtureText('order_created.json'));
    json.data.attributes.status = 'pending';
    expect(only(parseLemonSqueezyEvent(json)).kind).toBe('ignored');
  });

  test.each([
    ['not an object', [], 400, 'malformed_payload'],
    ['no meta', { data: { id: '1', attributes: {} } }, 400, 'malformed_payload'],
    ['no event name', { meta: {}, data: { id: '1', attributes: {} } }, 422, 'missing_field'],
    ['an order without created_at', { meta: { event_name: 'order_created' }, data: { id: '1', attributes: {} } }, 422, 'missing_field'],
    ['a cancellation without order_id', { meta: { event_name: 'subscription_cancelled' }, data: { id: '9', attributes: { updated_at: '2026-01-01T00:00:00Z' } } }, 422, 'missing_field'],
  ])('malformed: %s → %i', (_label, json, status, code) => {
    expect(parseLemonSqueezyEvent(json)).toMatchObject({ ok: false, status, code });
  });
});

describe('handleLemonSqueezyWebhook', () => {
  test('right signature → events; wrong signature → 401; signed garbage → 400', () => {
    const body = fixtureText('order_refunded.json');
    expect(only(handleLemonSqueezyWebhook(Buffer.from(body), sign(body), SECRET)).kind).toBe('refund');
    expect(handleLemonSqueezyWebhook(body, sign(body, 'wrong'), SECRET)).toMatchObject({ ok: false, status: 401, code: 'bad_signature' });
    expect(handleLemonSqueezyWebhook('{nope', sign('{nope'), SECRET)).toMatchObject({ ok: false, status: 400, code: 'malformed_payload' });
  });
});
