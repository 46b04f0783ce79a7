// The webhook + admin API suite, run on the SQLite ledger and on a real PostgreSQL.
import { createHmac, randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { verifyLicense } from '../src/verify/index.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import {
  freshDatabase, gumroadPing, LEMON_SECRET, postGumroad, startTestServer, STRIPE_SECRET, until, type TestServer,
} from './helpers/server-harness.js';

let pgCluster: PostgresInstance;
let smtp: SmtpInstance;
const stripe = new Stripe('sk_test_dummy');

beforeAll(async () => {
  [pgCluster, smtp] = await Promise.all([startPostgres(), startSmtp()]);
});
afterAll(async () => {
  await smtp?.close();
  await pgCluster?.stop();
});

describe.each(['sqlite', 'postgres'] as const)('server on %s', (kind) => {
  let s: TestServer;
  const adminKey = signingKeyFromSeed(randomBytes(32));

  beforeAll(async () => {
    s = await startTestServer({
      smtpPort: smtp.port,
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
      env: { LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x, LICENSE_ADMIN_ENROLL_TOKEN: 'enroll-me-please' },
    });
  });
  afterAll(async () => s?.close());

  const mailsTo = (to: string) => smtp.inbox.filter((m) => m.envelope.rcptTo.includes(to));
  const admin = (path: string, body: unknown, key = adminKey) => {
    const text = JSON.stringify(body);
    const token = signAdminToken({ method: 'POST', path, body: text }, key, new Date());
    return { token, send: (t = token) => fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `LicenseAdmin ${t}`, 'content-type': 'application/json' }, body: text }) };
  };

  it('GET /health checks the database; GET /.well-known/jwks.json serves the signing key', async () => {
    const health = await fetch(`${s.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: kind });
    const jwks = (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; x: string }[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: s.signer.kid, x: s.signer.publicJwk.x, alg: 'EdDSA' })]);
  });

  it('a Gumroad sale (delivered three times) mints one license and sends one mail whose blob verifies', async () => {
    const sale = `SALE-${kind}-1`;
    const email = `buyer-${sale.toLowerCase()}@example.com`;
    const replies = await Promise.all([1, 2, 3].map(() => postGumroad(s.url, gumroadPing(sale))));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    const license = await until(() => s.store.getByOrderRef(`gumroad:${sale}`), 10_000, 'license');
    expect(license).toMatchObject({ email, tier: 'pro', gumroadOrderId: sale, name: 'Ada Lovelace', revokedAt: null });
    const [mail] = await until(async () => (mailsTo(email).length ? mailsTo(email) : null), 10_000, 'mail');
    const attachment = mail!.attachments.find((a) => a.filename === `${license.licenseKey}.lic`);
    expect(attachment).toBeDefined();
    const blob = attachment!.content.toString('utf8').trim();
    expect(blob).toBe(license.blob);
    const verified = await verifyLicense(blob, { keys: [s.signer.publicJwk], product: 'dashtool' });
    expect(verified.valid).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(email)).toHaveLength(1);
    const events = await s.store.listPaymentEvents({ orderRef: `gumroad:${sale}` });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ processed: true, error: null, eventType: 'sale' });
  });

  it('a refund that arrives before its sale: never minted, both events stored and processed', async () => {
    const sale = `SALE-${kind}-REFUND-FIRST`;
    expect((await postGumroad(s.url, gumroadPing(sale, { resource_name: 'refund', refunded: 'true' }))).status).toBe(200);
    expect((await postGumroad(s.url, gumroadPing(sale))).status).toBe(200);
    await until(async () => {
      const evs = await s.store.listPaymentEvents({ orderRef: `gumroad:${sale}` });
      return evs.length === 2 && evs.every((e) => e.processed);
    }, 10_000, 'both processed');
    expect(await s.store.getByOrderRef(`gumroad:${sale}`)).toBeNull();
  });

  it('a refund after the sale revokes the license', async () => {
    const sale = `SALE-${kind}-REFUND-LATER`;
    await postGumroad(s.url, gumroadPing(sale));
    await until(() => s.store.getByOrderRef(`gumroad:${sale}`), 10_000, 'license');
    await postGumroad(s.url, gumroadPing(sale, { resource_name: 'refund', refunded: 'true' }));
    const revoked = await until(async () => {
      const l = await s.store.getByOrderRef(`gumroad:${sale}`);
      return l?.revokedAt ? l : null;
    }, 10_000, 'revocation');
    expect(revoked.revokeReason).toBe('payment refunded');
  });

  it('Gumroad: a wrong seller_id or a missing or wrong URL token is 401 and stores nothing', async () => {
    const before = (await s.store.listPaymentEvents()).length;
    const wrongSeller = await postGumroad(s.url, gumroadPing(`SALE-${kind}-X`, { seller_id: 'someone-else' }));
    expect(wrongSeller.status).toBe(401);
    expect(((await wrongSeller.json()) as { error: { code: string; requestId: string } }).error).toMatchObject({ code: 'wrong_seller', requestId: expect.any(String) });
    expect((await postGumroad(s.url, gumroadPing(`SALE-${kind}-Y`), null)).status).toBe(401);
    expect((await postGumroad(s.url, gumroadPing(`SALE-${kind}-Z`), 'guess')).status).toBe(401);
    expect((await s.store.listPaymentEvents()).length).toBe(before);
  });

  it('an unmapped product with no default tier is stored as a failed event and not minted', async () => {
    const strict = await startTestServer({
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
      env: { LICENSE_ADMIN_DEFAULT_TIER: '' },
      config: { productMap: [{ provider: 'gumroad', match: 'other-product', tier: 'core' }] },
    });
    try {
      expect((await postGumroad(strict.url, gumroadPing('SALE-UNMAPPED'))).status).toBe(200);
      const [event] = await until(async () => {
        const evs = await strict.store.listPaymentEvents({ orderRef: 'gumroad:SALE-UNMAPPED' });
        return evs[0]?.processed ? evs : null;
      }, 10_000, 'processed');
      expect(event!.error).toMatch(/unmapped product/);
      expect(await strict.store.getByOrderRef('gumroad:SALE-UNMAPPED')).toBeNull();
      expect((await strict.store.counts()).licenses).toBe(0);
    } finally {
      await strict.close();
    }
  });

  it('a malformed ping (token right, no sale_id) is a 422 stored as a failed event; an oversized body is 413', async () => {
    const res = await postGumroad(s.url, gumroadPing('', { sale_id: '' }));
    expect(res.status).toBe(422);
    const requestId = res.headers.get('x-request-id');
    const stored = (await s.store.listPaymentEvents()).find((e) => e.eventId === `rejected:${requestId}`);
    expect(stored).toMatchObject({ eventType: 'rejected', processed: true, error: expect.stringMatching(/sale_id/) });
    const big = await postGumroad(s.url, gumroadPing('SALE-BIG', { padding: 'x'.repeat(100 * 1024) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(await s.store.getByOrderRef('gumroad:SALE-BIG')).toBeNull();
  });

  it('Stripe: checkout.session.completed signed by the stripe package mints; a bad or stale signature is 401', async () => {
    const pi = `pi_${kind}_1`;
    const email = `stripe-${kind}@example.com`;
    const payload = JSON.stringify({
      id: `evt_${kind}_1`, object: 'event', type: 'checkout.session.completed', created: Math.floor(Date.now() / 1000), livemode: false,
      data: { object: { id: `cs_${kind}_1`, object: 'checkout.session', mode: 'payment', payment_status: 'paid', payment_intent: pi,
        customer_details: { email, name: 'Grace Hopper' }, metadata: {} } },
    });
    const post = (header: string) => fetch(`${s.url}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': header, 'content-type': 'application/json' }, body: payload });
    const stale = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect((await post(stale)).status).toBe(401);
    const forged = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrong' });
    expect((await post(forged)).status).toBe(401);
    const good = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    expect((await post(good)).status).toBe(200);
    expect((await post(good)).status).toBe(200);
    const license = await until(() => s.store.getByOrderRef(`stripe:${pi}`), 10_000, 'stripe license');
    expect(license).toMatchObject({ email, tier: 'pro' });
    await until(async () => mailsTo(email).length === 1, 10_000, 'stripe mail');
  });

  it('Lemon Squeezy: order_created with the right X-Signature mints; a wrong signature is 401', async () => {
    const email = `lemon-${kind}@example.com`;
    const body = JSON.stringify({
      meta: { event_name: 'order_created', test_mode: true },
      data: { type: 'orders', id: `${kind === 'sqlite' ? 1001 : 2002}`, attributes: { user_email: email, user_name: 'Ada', status: 'paid',
        created_at: new Date().toISOString(), first_order_item: { product_id: 77, variant_id: 88, product_name: 'DashTool' } } },
    });
    const sig = createHmac('sha256', LEMON_SECRET).update(body).digest('hex');
    const post = (signature: string) => fetch(`${s.url}/webhooks/lemonsqueezy`, { method: 'POST', headers: { 'x-signature': signature, 'content-type': 'application/json' }, body });
    expect((await post(createHmac('sha256', 'nope').update(body).digest('hex'))).status).toBe(401);
    expect((await post(sig)).status).toBe(200);
    const license = await until(() => s.store.getByOrderRef(`lemonsqueezy:${kind === 'sqlite' ? 1001 : 2002}`), 10_000, 'lemon license');
    expect(license.email).toBe(email);
  });

  it('admin API: mint and revoke with a request-bound token; replay, wrong body and unknown key are 401', async () => {
    const body = { tier: 'core', email: `admin-${kind}@example.com`, name: 'Admin Mint', years: 2, orderId: `ADMIN-${kind}` };
    const mint = admin('/internal/mint', body);
    const res = await mint.send();
    expect(res.status).toBe(201);
    const { license, events } = (await res.json()) as { license: { licenseKey: string; tier: string; status: string; blob: string }; events: unknown[] };
    expect(license).toMatchObject({ tier: 'core', status: 'active' });
    expect(events).toHaveLength(1);
    expect((await verifyLicense(license.blob, { keys: [s.signer.publicJwk] })).valid).toBe(true);
    expect((await mint.send()).status).toBe(401); // replayed nonce
    const tampered = await fetch(`${s.url}/internal/mint`, {
      method: 'POST', headers: { authorization: `LicenseAdmin ${admin('/internal/mint', body).token}` }, body: JSON.stringify({ ...body, tier: 'enterprise' }),
    });
    expect(tampered.status).toBe(401);
    const stranger = signingKeyFromSeed(randomBytes(32));
    expect((await admin('/internal/mint', body, stranger).send()).status).toBe(401);
    const again = await admin('/internal/mint', body).send();
    expect(again.status).toBe(200);
    expect(((await again.json()) as { license: { licenseKey: string } }).license.licenseKey).toBe(license.licenseKey);
    const revoke = await admin('/internal/revoke', { licenseKey: license.licenseKey, reason: 'chargeback' }).send();
    expect(revoke.status).toBe(200);
    expect(await revoke.json()).toMatchObject({ changed: true, license: { status: 'revoked', revokeReason: 'chargeback' } });
    const bad = await admin('/internal/mint', { tier: 'platinum', email: 'x@example.com' }).send();
    expect(bad.status).toBe(422);
  });

  it('admin API: enrol a key with the enrolment token (constant-time checked), then use it', async () => {
    const newKey = signingKeyFromSeed(randomBytes(32));
    const enroll = (token: string) => fetch(`${s.url}/internal/enroll`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ publicKey: newKey.publicJwk.x }) });
    expect((await enroll('wrong')).status).toBe(401);
    expect((await admin('/internal/mint', { tier: 'lite', email: 'e@example.com' }, newKey).send()).status).toBe(401);
    expect((await enroll('enroll-me-please')).status).toBe(201);
    expect((await admin('/internal/mint', { tier: 'lite', email: `e-${kind}@example.com` }, newKey).send()).status).toBe(201);
  });

  it('unknown routes are 404 and wrong methods 405, in the one error shape; logs carry no email or token', async () => {
    const nf = await fetch(`${s.url}/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ error: { code: 'not_found', message: expect.any(String), requestId: nf.headers.get('x-request-id') } });
    expect((await fetch(`${s.url}/webhooks/gumroad`)).status).toBe(405);
    const logs = s.logLines.join('');
    expect(logs).toContain('"msg":"order fulfilled"');
    expect(logs).not.toMatch(/@example\.com/);
    expect(logs).not.toContain('gumroad-ping-secret');
    expect(logs).not.toContain('Ada Lovelace');
  });
});

it('the JWKS names the products each key signs: the active key signs every product without a key of its own', async () => {
  const product = (id: string, prefix: string, signingKid?: string) => ({ id, name: id, prefix, tiers: ['solo'], defaultYears: 1 as const, blobTag: null, format: 'jws', ...(signingKid ? { signingKid } : {}) });
  const s = await startTestServer({ config: { products: [product('studio', 'ST1'), product('other', 'OT1', 'a-key-of-its-own')] } });
  try {
    const jwks = (await (await fetch(`${s.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; products: string[] }[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: s.signer.kid, products: ['dashtool', 'studio'] })]);
  } finally {
    await s.close();
  }
});
