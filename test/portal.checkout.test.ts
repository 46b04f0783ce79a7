// Renewal by checkout: the portal sends the buyer to the product's checkout with the license key in the
// field the provider hands back, and the provider's sale webhook (signed as the provider signs it) extends
// that license instead of minting another. One test per provider, through a real server on SQLite.
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutUrl } from '../src/portal/checkout-url.js';
import { verifyLicense } from '../src/verify/index.js';
import { formsOf, linksIn, PortalClient } from './helpers/portal-client.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { gumroadPing, LEMON_SECRET, postGumroad, startTestServer, STRIPE_SECRET, until, type TestServer } from './helpers/server-harness.js';

const stripe = new Stripe('sk_test_dummy');

describe('checkout URLs carry the license key in the provider\'s own field', () => {
  it.each([
    ['gumroad', 'https://creator.gumroad.com/l/dashtool', 'https://creator.gumroad.com/l/dashtool?renews=DT1-PRO-AAAA-BBBB'],
    ['stripe', 'https://buy.stripe.com/test_abc', 'https://buy.stripe.com/test_abc?client_reference_id=DT1-PRO-AAAA-BBBB'],
    ['lemonsqueezy', 'https://shop.lemonsqueezy.com/buy/123?x=1', 'https://shop.lemonsqueezy.com/buy/123?x=1&checkout%5Bcustom%5D%5Brenews%5D=DT1-PRO-AAAA-BBBB'],
  ] as const)('%s', (provider, url, expected) => {
    expect(checkoutUrl({ provider, url }, 'DT1-PRO-AAAA-BBBB')).toBe(expected);
  });
});

describe('a checkout renewal extends the same license', () => {
  let smtp: SmtpInstance;
  let s: TestServer;
  beforeAll(async () => {
    smtp = await startSmtp();
    s = await startTestServer({
      smtpPort: smtp.port,
      config: { portal: { enabled: true, products: { dashtool: { renewal: 'checkout', checkout: { provider: 'gumroad', url: 'https://creator.gumroad.com/l/dashtool' } } } } },
    });
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  async function buy(saleId: string) {
    expect((await postGumroad(s.url, gumroadPing(saleId))).status).toBe(200);
    await s.app.drain();
    const row = (await s.store.getByOrderRef(`gumroad:${saleId}`))!;
    return row;
  }

  async function expectExtended(before: { licenseKey: string; expiresAt: string | null; email: string }) {
    await s.app.drain();
    const after = (await s.store.getLicense(before.licenseKey))!;
    expect(Date.parse(after.expiresAt!) - Date.parse(before.expiresAt!)).toBeGreaterThan(364 * 86_400_000);
    expect((await s.store.findByEmail(before.email))).toHaveLength(1);
    const verified = await verifyLicense(after.blob, { keys: [s.signer.publicJwk], product: 'dashtool' });
    expect(verified.valid && verified.license.expiresAt!.getTime()).toBe(Math.floor(Date.parse(after.expiresAt!) / 1000) * 1000);
    return after;
  }

  it('Gumroad: the portal\'s Renew goes to the product URL with ?renews=<key>; the ping\'s url_params[renews] extends that license', async () => {
    const license = await buy('CHK-GUM-1');
    const b = new PortalClient(s.url);
    const form = await b.get('/portal');
    await b.submit(form.html, '/portal', { email: license.email });
    await s.app.drain();
    const mail = await until(async () => smtp.inbox.find((m) => m.envelope.rcptTo.includes(license.email) && m.subject?.startsWith('Sign in')), 10_000, 'sign-in mail');
    const page = await b.get(linksIn(mail).text[0]!.slice(s.url.length));
    const signedIn = await b.submit(page.html, '/portal/continue');
    expect(formsOf(signedIn.html).some((f) => f.action === '/portal/renew')).toBe(true);
    const renew = await b.submit(signedIn.html, '/portal/renew');
    expect(renew.res.status).toBe(303);
    const location = new URL(renew.res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://creator.gumroad.com/l/dashtool');
    expect(location.searchParams.get('renews')).toBe(license.licenseKey);
    // What Gumroad then pings: a new sale, with the URL's parameters in url_params.
    expect((await postGumroad(s.url, gumroadPing('CHK-GUM-2', { email: license.email, 'url_params[renews]': license.licenseKey }))).status).toBe(200);
    await expectExtended(license);
    expect(await s.store.getByOrderRef('gumroad:CHK-GUM-2')).toBeNull();
  });

  it('Stripe: checkout.session.completed with client_reference_id extends that license', async () => {
    const license = await buy('CHK-STR-1');
    const payload = JSON.stringify({
      id: 'evt_chk_1', object: 'event', type: 'checkout.session.completed', created: Math.floor(Date.now() / 1000), livemode: false,
      data: { object: { id: 'cs_chk_1', object: 'checkout.session', mode: 'payment', payment_status: 'paid', payment_intent: 'pi_chk_1',
        client_reference_id: license.licenseKey, customer_details: { email: license.email, name: 'Ada Lovelace' }, metadata: {} } },
    });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
    expect((await fetch(`${s.url}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': header, 'content-type': 'application/json' }, body: payload })).status).toBe(200);
    await expectExtended(license);
  });

  it('Lemon Squeezy: order_created with meta.custom_data.renews extends that license', async () => {
    const license = await buy('CHK-LS-1');
    const body = JSON.stringify({
      meta: { event_name: 'order_created', test_mode: true, custom_data: { renews: license.licenseKey } },
      data: { type: 'orders', id: '7007', attributes: { user_email: license.email, user_name: 'Ada', status: 'paid', created_at: new Date().toISOString(),
        first_order_item: { product_id: 77, variant_id: 88, product_name: 'DashTool' } } },
    });
    const signature = createHmac('sha256', LEMON_SECRET).update(body).digest('hex');
    expect((await fetch(`${s.url}/webhooks/lemonsqueezy`, { method: 'POST', headers: { 'x-signature': signature, 'content-type': 'application/json' }, body })).status).toBe(200);
    await expectExtended(license);
  });

  it('a key that is not a license of this product (unknown, or revoked) still gets the buyer a new license', async () => {
    const email = 'stranger-key@example.com';
    expect((await postGumroad(s.url, gumroadPing('CHK-GUM-9', { email, 'url_params[renews]': 'DT1-PRO-ZZZZ-ZZZZ-ZZZZ' }))).status).toBe(200);
    await s.app.drain();
    expect(await s.store.getByOrderRef('gumroad:CHK-GUM-9')).toMatchObject({ email });
  });
});

describe('cookies behind an https public URL', () => {
  it('are Secure (and still HttpOnly, SameSite=Lax, scoped to /portal)', async () => {
    const s = await startTestServer({ config: { portal: { enabled: true } }, env: { LICENSE_ADMIN_PUBLIC_URL: 'https://licenses.example.com/' } });
    try {
      const res = await fetch(`${s.url}/portal`);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('la_portal_form='))!;
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).toMatch(/Path=\/portal/);
    } finally {
      await s.close();
    }
  });

  it('a server without portal.enabled answers 404 on /portal', async () => {
    const s = await startTestServer({});
    try {
      expect((await fetch(`${s.url}/portal`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});
