// Hostile but authenticated input at the server's doors, on SQLite and PostgreSQL: out-of-range dates, deep
// nesting and bad field types are 4xx with the JSON error shape (stored as rejected deliveries where the route
// stores them), never a 500; an admin token without a nonce is refused every time.
import { createHash, randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed, type SigningKey } from '../src/license/ed25519-key.js';
import { base64urlEncode, utf8 } from '../src/verify/base64url.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase, gumroadPing, postGumroad, startTestServer, STRIPE_SECRET, until, type TestServer } from './helpers/server-harness.js';

let pgCluster: PostgresInstance;
const stripe = new Stripe('sk_test_dummy');
beforeAll(async () => {
  pgCluster = await startPostgres();
});
afterAll(async () => pgCluster?.stop());

type ErrorBody = { error: { code: string; message: string; requestId: string } };

/** A token exactly like signAdminToken's, but with the claims given (to leave out or change the nonce). */
function craftedToken(key: SigningKey, claims: Record<string, unknown>): string {
  const payload = base64urlEncode(utf8(JSON.stringify(claims)));
  return `${payload}.${base64urlEncode(key.sign(utf8(payload)))}`;
}

describe.each(['sqlite', 'postgres'] as const)('intake on %s', (kind) => {
  let s: TestServer;
  const adminKey = signingKeyFromSeed(randomBytes(32));

  beforeAll(async () => {
    s = await startTestServer({
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
      env: { LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x },
    });
  });
  afterAll(async () => s?.close());

  const storedRejection = async (res: Response) => {
    const requestId = res.headers.get('x-request-id');
    return (await s.store.listPaymentEvents()).find((e) => e.eventId === `rejected:${requestId}`);
  };
  const postStripe = (event: unknown) => {
    const payload = JSON.stringify(event);
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    return fetch(`${s.url}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': header, 'content-type': 'application/json' }, body: payload });
  };
  const postAdmin = (path: string, body: string, token: string) =>
    fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `LicenseAdmin ${token}`, 'content-type': 'application/json' }, body });

  it('a Gumroad ping with free_trial_ends_at in year 275760 is a stored 422 invalid_field; the next sale still mints', async () => {
    const poison = gumroadPing(`POISON-${kind}`, { subscription_id: `SUB-POISON-${kind}`, recurrence: 'monthly', free_trial_ends_at: '+275760-09-10T00:00:00.000Z' });
    const res = await postGumroad(s.url, poison);
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: 'invalid_field', message: expect.stringMatching(/free_trial_ends_at.*out of range/), requestId: res.headers.get('x-request-id') });
    expect(await storedRejection(res)).toMatchObject({ eventType: 'rejected', processed: true, orderRef: null, error: expect.stringMatching(/^invalid_field: /) });

    const good = `GOOD-AFTER-POISON-${kind}`;
    expect((await postGumroad(s.url, gumroadPing(good))).status).toBe(200);
    await until(() => s.store.getByOrderRef(`gumroad:${good}`), 10_000, 'the valid sale minted');
    expect(await s.store.getByOrderRef(`gumroad:SUB-POISON-${kind}`)).toBeNull();
  });

  it('a signed Stripe invoice.paid with period.end 8640000000000, or created 1e20, is a stored 422, not a 500', async () => {
    const invoice = {
      id: `evt_poison_${kind}`, object: 'event', type: 'invoice.paid', created: Math.floor(Date.now() / 1000), livemode: false,
      data: { object: { id: 'in_1', object: 'invoice', subscription: 'sub_poison', customer_email: 'x@example.com', lines: { data: [{ period: { start: 1795600000, end: 8640000000000 } }] } } },
    };
    const res = await postStripe(invoice);
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_field', message: expect.stringMatching(/period\.end.*out of range/) });
    expect(await storedRejection(res)).toMatchObject({ eventType: 'rejected' });

    const created = await postStripe({ ...invoice, id: `evt_created_${kind}`, created: 1e20 });
    expect(created.status).toBe(422);
    expect(((await created.json()) as ErrorBody).error.code).toBe('invalid_field');
  });

  it('a Gumroad JSON ping nested 5,000 deep is 400 malformed_payload', async () => {
    const body = `{"sale_id":"DEEP","seller_id":"kL0psVL2admJSYRNs-OCMg==","a":${'['.repeat(5000)}1${']'.repeat(5000)}}`;
    const res = await fetch(`${s.url}/webhooks/gumroad?token=gumroad-ping-secret-123`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('malformed_payload');
  });

  it('an admin token without a nonce is refused, the first time and every time after (no 500 on PostgreSQL)', async () => {
    const body = JSON.stringify({ tier: 'pro', email: `nonce-${kind}@example.com` });
    const iat = Math.floor(Date.now() / 1000);
    const claims = { kid: adminKey.kid, m: 'POST', p: '/internal/mint', bh: base64urlEncode(createHash('sha256').update(body).digest()), iat, exp: iat + 60 };
    for (const bad of [claims, { ...claims, n: null }, { ...claims, n: 7 }, { ...claims, n: '' }, { ...claims, n: 'short' }]) {
      const token = craftedToken(adminKey, bad);
      const replies = [await postAdmin('/internal/mint', body, token), await postAdmin('/internal/mint', body, token)];
      expect(replies.map((r) => r.status)).toEqual([401, 401]);
      expect(((await replies[0]!.json()) as ErrorBody).error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/nonce/) });
    }
    expect(await s.store.findByEmail(`nonce-${kind}@example.com`)).toEqual([]);
    // What the CLI sends is still accepted once, and only once.
    const token = signAdminToken({ method: 'POST', path: '/internal/mint', body }, adminKey, new Date());
    expect((await postAdmin('/internal/mint', body, token)).status).toBe(201);
    expect((await postAdmin('/internal/mint', body, token)).status).toBe(401);
  });

  const mintCases: [string, Record<string, unknown>, RegExp][] = [
    ['an expiry in year 275760', { expiresAt: '+275760-09-13T00:00:00.000Z' }, /expiresAt.*out of range/],
    ['an expiry that is not a date', { expiresAt: 'next year' }, /expiresAt.*not an ISO-8601 date/],
    ['updatesUntil in 1900', { updatesUntil: '1900-01-01T00:00:00Z' }, /updatesUntil.*out of range/],
    ['years as text', { years: '3' }, /"years" must be a number/],
    ['years 1e9', { years: 1e9 }, /"years" must be a whole number from 1 to 100/],
    ['seats 2.5', { seats: 2.5 }, /"seats" must be a whole number/],
    ['a 5,000-character name', { name: 'n'.repeat(5000) }, /"name" is longer than/],
    ['200 features', { features: Array.from({ length: 200 }, (_, i) => `f${i}`) }, /"features" may hold at most/],
  ];
  it.each(mintCases)('admin mint with %s → 400 invalid_field', async (_label, extra, message) => {
    const body = JSON.stringify({ tier: 'pro', email: `bad-field-${kind}@example.com`, ...extra });
    const res = await postAdmin('/internal/mint', body, signAdminToken({ method: 'POST', path: '/internal/mint', body }, adminKey, new Date()));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_field', message: expect.stringMatching(message) });
  });

  it('a sync push whose event data is nested 5,000 deep is 400 invalid_json, not a stack overflow', async () => {
    const data = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const body = `{"events":[{"id":"e1","licenseKey":"DT1-X","type":"note_added","at":"2026-01-01T00:00:00Z","actor":"a","source":"s","data":{"note":${data}}}]}`;
    const res = await postAdmin('/sync/push', body, signAdminToken({ method: 'POST', path: '/sync/push', body }, adminKey, new Date()));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('invalid_json');
  });
});
