// Gumroad pings: real form-encoded bodies from fixtures/webhooks/gumroad, token + seller_id authentication.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { verifyGumroadPing, type GumroadPingRequest } from '../src/server/webhooks/gumroad.js';
import type { PaymentEvent, WebhookResult } from '../src/server/webhooks/normalized.js';

const TOKEN = 'gr-secret-token-4f1c9a';
const SELLER = 'kL0psVL2admJSYRNs-OCMg==';
const FORM = 'application/x-www-form-urlencoded';
const fixture = (name: string) => readFileSync(new URL(`../fixtures/webhooks/gumroad/${name}`, import.meta.url));

function ping(name: string, overrides: Partial<GumroadPingRequest> = {}): WebhookResult {
  return verifyGumroadPing({ query: `token=${TOKEN}`, body: fixture(name), contentType: FORM, ...overrides }, { token: TOKEN, sellerId: SELLER });
}

function only(result: WebhookResult): PaymentEvent {
  if (!result.ok) throw new Error(`rejected: ${result.code} ${result.message}`);
  expect(result.events).toHaveLength(1);
  return result.events[0]!;
}

describe('Gumroad ping → PaymentEvent', () => {
  test.each([
    ['sale.form', 'sale', 'sale:FO8TXN-dbxYaBdahG97Y-Q==', 'gumroad:FO8TXN-dbxYaBdahG97Y-Q=='],
    ['sale-plain-ping.form', 'sale', 'sale:FO8TXN-dbxYaBdahG97Y-Q==', 'gumroad:FO8TXN-dbxYaBdahG97Y-Q=='],
    ['refund.form', 'refund', 'refund:FO8TXN-dbxYaBdahG97Y-Q==', 'gumroad:FO8TXN-dbxYaBdahG97Y-Q=='],
    ['refund-plain-ping.form', 'refund', 'refund:FO8TXN-dbxYaBdahG97Y-Q==', 'gumroad:FO8TXN-dbxYaBdahG97Y-Q=='],
    ['partial-refund.form', 'partial_refund', 'partial_refund:FO8TXN-dbxYaBdahG97Y-Q==', 'gumroad:FO8TXN-dbxYaBdahG97Y-Q=='],
    ['dispute.form', 'dispute', 'dispute:FO8TXN-dbxYaBdahG97Y-Q==', 'gumroad:FO8TXN-dbxYaBdahG97Y-Q=='],
    ['dispute_won.form', 'dispute_won', 'dispute_won:FO8TXN-dbxYaBdahG97Y-Q==', 'gumroad:FO8TXN-dbxYaBdahG97Y-Q=='],
    ['subscription-sale.form', 'sale', 'sale:Sub1Sale-aaaa==', 'gumroad:GDzW4_aBdQc-o7Gbjng7lw=='],
    ['recurring-charge.form', 'subscription_renewed', 'sale:Sub1Charge2-bbbb==', 'gumroad:GDzW4_aBdQc-o7Gbjng7lw=='],
    ['cancellation.form', 'subscription_cancelled', 'cancellation:GDzW4_aBdQc-o7Gbjng7lw==:2026-12-30T10:00:00.000Z', 'gumroad:GDzW4_aBdQc-o7Gbjng7lw=='],
    ['subscription_ended.form', 'subscription_ended', 'subscription_ended:GDzW4_aBdQc-o7Gbjng7lw==:2026-12-30T10:00:00.000Z', 'gumroad:GDzW4_aBdQc-o7Gbjng7lw=='],
    ['subscription_restarted.form', 'subscription_renewed', 'subscription_restarted:GDzW4_aBdQc-o7Gbjng7lw==:2026-12-20T09:00:00.000Z', 'gumroad:GDzW4_aBdQc-o7Gbjng7lw=='],
    ['subscription_updated.form', 'ignored', 'subscription_updated:GDzW4_aBdQc-o7Gbjng7lw==:2026-11-15T12:00:00.000Z', 'gumroad:GDzW4_aBdQc-o7Gbjng7lw=='],
    ['preorder-authorization.form', 'ignored', 'sale:PreAuth-cccc==', 'gumroad:PreAuth-cccc=='],
  ])('%s → %s', (name, kind, eventId, orderRef) => {
    const event = only(ping(name));
    expect(event).toMatchObject({ provider: 'gumroad', kind, eventId, orderRef });
  });

  test('a sale carries what fulfilment and the product mapping need', () => {
    expect(only(ping('sale.form'))).toEqual({
      provider: 'gumroad',
      eventId: 'sale:FO8TXN-dbxYaBdahG97Y-Q==',
      kind: 'sale',
      orderRef: 'gumroad:FO8TXN-dbxYaBdahG97Y-Q==',
      productId: '32-nPAicqbLj8B_WswVlMw==',
      productName: 'DashTool Pro',
      productPermalink: 'dashtool',
      variantName: 'Pro',
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      quantity: 1,
      occurredAt: '2026-11-20T19:38:56.000Z',
      rawType: 'sale',
    });
  });

  test('the JSON form of the same ping gives the same event', () => {
    const json = only(ping('sale.json', { contentType: 'application/json; charset=utf-8' }));
    expect(json).toEqual(only(ping('sale.form')));
  });

  test('a form ping without a Content-Type is read as a form', () => {
    expect(only(ping('sale.form', { contentType: undefined })).kind).toBe('sale');
  });

  test('subscription charges know the period they pay for (recurrence from the charge date, month-end clamped)', () => {
    expect(only(ping('subscription-sale.form')).periodEnd).toBe('2026-11-30T10:00:00.000Z');
    expect(only(ping('recurring-charge.form')).periodEnd).toBe('2026-12-30T10:00:00.000Z');
    expect(only(ping('sale.form')).periodEnd).toBeUndefined();
  });

  test('a cancellation ends access at cancelled_at; it happened when the ping came (Gumroad sends no request time)', () => {
    expect(only(ping('cancellation.form', { receivedAt: '2026-12-05T08:15:00Z' }))).toMatchObject({
      occurredAt: '2026-12-05T08:15:00.000Z', periodEnd: '2026-12-30T10:00:00.000Z', email: 'ada@example.com',
    });
  });

  test('test purchases are flagged, not dropped', () => {
    expect(only(ping('test-sale.form')).test).toBe(true);
  });

  test('redeliveries of one sale, plain ping or resource subscription, share an event id', () => {
    const ids = ['sale.form', 'sale.form', 'sale-plain-ping.form', 'sale.json'].map((n) => only(ping(n, n.endsWith('.json') ? { contentType: 'application/json' } : {})).eventId);
    expect(new Set(ids).size).toBe(1);
  });

  test('the token may come as URLSearchParams or a plain object', () => {
    expect(only(ping('sale.form', { query: new URLSearchParams({ token: TOKEN }) })).kind).toBe('sale');
    expect(only(ping('sale.form', { query: { token: TOKEN } })).kind).toBe('sale');
  });

  test('a ping without sale_timestamp falls back to receivedAt', () => {
    const body = new URLSearchParams(fixture('sale.form').toString());
    body.delete('sale_timestamp');
    expect(only(ping('sale.form', { body: body.toString(), receivedAt: '2026-11-21T00:00:00Z' })).occurredAt).toBe('2026-11-21T00:00:00.000Z');
    expect(ping('sale.form', { body: body.toString() })).toMatchObject({ ok: false, status: 422, code: 'missing_field' });
  });
});

describe('Gumroad ping rejections', () => {
  test.each([
    ['no token in the URL', { query: '' }, 401, 'missing_token', /\?token=/],
    ['a wrong token', { query: 'token=guess' }, 401, 'bad_token', /does not match/],
    ['a token that is a prefix of the real one', { query: `token=${TOKEN.slice(0, -1)}` }, 401, 'bad_token', /does not match/],
    ['another seller', { body: fixture('wrong-seller.form') }, 401, 'wrong_seller', /seller_id/],
    ['no sale_id', { body: fixture('missing-sale-id.form') }, 422, 'missing_field', /sale_id/],
    ['an XML body', { contentType: 'text/xml' }, 400, 'unsupported_content_type', /text\/xml/],
    ['broken JSON', { contentType: 'application/json', body: '{"sale_id":' }, 400, 'malformed_payload', /JSON/],
    ['a JSON array', { contentType: 'application/json', body: '[1,2]' }, 400, 'malformed_payload', /not an object/],
  ] as const)('%s → %i %s', (_label, overrides, status, code, message) => {
    const result = ping('sale.form', overrides as Partial<GumroadPingRequest>);
    expect(result).toMatchObject({ ok: false, status, code });
    if (!result.ok) expect(result.message).toMatch(message);
  });

  test('a sale ping missing seller_id is refused when a seller id is configured', () => {
    const body = new URLSearchParams(fixture('sale.form').toString());
    body.delete('seller_id');
    expect(ping('sale.form', { body: body.toString() })).toMatchObject({ ok: false, code: 'wrong_seller' });
  });

  test('without a seller id configured, any seller passes the token check', () => {
    const result = verifyGumroadPing({ query: `token=${TOKEN}`, body: fixture('wrong-seller.form'), contentType: FORM }, { token: TOKEN });
    expect(result.ok).toBe(true);
  });

  test('with no token configured every ping is refused', () => {
    expect(verifyGumroadPing({ query: 'token=', body: fixture('sale.form'), contentType: FORM }, { token: undefined })).toMatchObject({ ok: false, code: 'not_configured' });
    expect(verifyGumroadPing({ query: 'token=', body: fixture('sale.form'), contentType: FORM }, { token: '' })).toMatchObject({ ok: false, code: 'not_configured' });
  });

  test('no rejection message contains the secrets', () => {
    for (const overrides of [{ query: 'token=guess' }, { query: '' }, { body: fixture('wrong-seller.form') }]) {
      const result = ping('sale.form', overrides);
      expect(JSON.stringify(result)).not.toContain(TOKEN);
      expect(JSON.stringify(result)).not.toContain(SELLER);
    }
  });
});
