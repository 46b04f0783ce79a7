// One server for several products (issue 21): each Gumroad sale lands on the product whose product map names
// it, with that product's prefix, tiers and format; a refund revokes with the license's own product; an admin
// mint names its product. A second product with its own key signs with that key. SQLite and a real PostgreSQL.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { verifyLicense } from '../src/verify/index.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import Stripe from 'stripe';
import { freshDatabase, gumroadPing, postGumroad, startTestServer, STRIPE_SECRET, until, type TestServer } from './helpers/server-harness.js';

let pgCluster: PostgresInstance;
beforeAll(async () => {
  pgCluster = await startPostgres();
});
afterAll(async () => pgCluster?.stop());

const stripe = new Stripe('sk_test_dummy');
const studioKey = signingKeyFromSeed(randomBytes(32));
const studio = {
  id: 'studio', name: 'Studio', prefix: 'ST1', tiers: ['solo', 'team'], defaultYears: 1 as const, blobTag: 'STLIC1', format: 'jws',
  signingKid: studioKey.kid,
  productMap: [{ provider: 'gumroad' as const, match: 'studio-id', tier: 'team' }, { provider: 'stripe' as const, match: 'price_studio_solo', tier: 'solo' }],
};
const studioSale = (saleId: string, over: Record<string, string> = {}) => gumroadPing(saleId, { product_id: 'studio-id', product_name: 'Studio', permalink: 'studio', ...over });

describe.each(['sqlite', 'postgres'] as const)('a server selling two products on %s', (kind) => {
  let s: TestServer;
  const adminKey = signingKeyFromSeed(randomBytes(32));

  beforeAll(async () => {
    s = await startTestServer({
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
      config: { productMap: [{ provider: 'gumroad', match: '32-nPAicqbLj8B_WswVlMw==', tier: 'pro' }, { provider: 'stripe', match: 'price_dash_core', tier: 'core' }], products: [studio] },
      env: { LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x },
      signerFor: async (kid) => {
        if (kid !== studioKey.kid) throw new Error(`no key ${kid}`);
        return studioKey;
      },
    });
  });
  afterAll(async () => s?.close());

  it('a sale is minted for the product whose map names it, with its prefix, tier, tag and key; the other product is unchanged', async () => {
    expect((await postGumroad(s.url, studioSale(`ST-${kind}`))).status).toBe(200);
    expect((await postGumroad(s.url, gumroadPing(`DT-${kind}`))).status).toBe(200);
    const st = await until(() => s.store.getByOrderRef(`gumroad:ST-${kind}`), 10_000, 'studio license');
    const dt = await until(() => s.store.getByOrderRef(`gumroad:DT-${kind}`), 10_000, 'dashtool license');
    expect(st).toMatchObject({ product: 'studio', tier: 'team' });
    expect(st.licenseKey).toMatch(/^ST1-TEAM-/);
    expect(st.blob.startsWith('STLIC1:')).toBe(true);
    expect(await verifyLicense(st.blob, { keys: [studioKey.publicJwk], product: 'studio', tag: 'STLIC1' })).toMatchObject({ valid: true });
    expect(dt).toMatchObject({ product: 'dashtool', tier: 'pro' });
    expect(await verifyLicense(dt.blob, { keys: [s.signer.publicJwk], product: 'dashtool' })).toMatchObject({ valid: true });
  });

  it('Stripe checkouts (signed by the stripe package) land on the product whose map names their price', async () => {
    const checkout = async (n: string, priceId: string) => {
      const payload = JSON.stringify({
        id: `evt_${kind}_${n}`, object: 'event', type: 'checkout.session.completed', created: Math.floor(Date.now() / 1000), livemode: false,
        data: { object: { id: `cs_${kind}_${n}`, object: 'checkout.session', mode: 'payment', payment_status: 'paid', payment_intent: `pi_${kind}_${n}`,
          customer_details: { email: `stripe-${n}-${kind}@example.com`, name: 'Grace Hopper' }, metadata: { price_id: priceId } } },
      });
      const header = stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_SECRET });
      const res = await fetch(`${s.url}/webhooks/stripe`, { method: 'POST', headers: { 'stripe-signature': header, 'content-type': 'application/json' }, body: payload });
      expect(res.status).toBe(200);
      return until(() => s.store.getByOrderRef(`stripe:pi_${kind}_${n}`), 10_000, `stripe license ${n}`);
    };
    const st = await checkout('st', 'price_studio_solo');
    const dt = await checkout('dt', 'price_dash_core');
    expect(st).toMatchObject({ product: 'studio', tier: 'solo' });
    expect(st.licenseKey).toMatch(/^ST1-SOLO-/);
    expect(await verifyLicense(st.blob, { keys: [studioKey.publicJwk], product: 'studio', tag: 'STLIC1' })).toMatchObject({ valid: true });
    expect(dt).toMatchObject({ product: 'dashtool', tier: 'core' });
  });

  it('a refund revokes the studio license (its own product\'s context)', async () => {
    expect((await postGumroad(s.url, studioSale(`ST-${kind}`, { resource_name: 'refund', refunded: 'true' }))).status).toBe(200);
    const revoked = await until(async () => {
      const l = await s.store.getByOrderRef(`gumroad:ST-${kind}`);
      return l?.revokedAt ? l : null;
    }, 10_000, 'revoked');
    expect(revoked.revokeReason).toBe('payment refunded');
  });

  it('an admin mint names its product; an unknown product is 422', async () => {
    const post = (body: unknown) => {
      const text = JSON.stringify(body);
      const token = signAdminToken({ method: 'POST', path: '/internal/mint', body: text }, adminKey, new Date());
      return fetch(`${s.url}/internal/mint`, { method: 'POST', headers: { authorization: `LicenseAdmin ${token}`, 'content-type': 'application/json' }, body: text });
    };
    const res = await post({ tier: 'solo', email: `admin-${kind}@example.com`, product: 'studio' });
    expect(res.status).toBe(201);
    const { license } = (await res.json()) as { license: { licenseKey: string; product: string; blob: string } };
    expect(license.product).toBe('studio');
    expect(license.licenseKey).toMatch(/^ST1-SOLO-/);
    expect(await verifyLicense(license.blob, { keys: [studioKey.publicJwk], product: 'studio', tag: 'STLIC1' })).toMatchObject({ valid: true });
    expect((await post({ tier: 'solo', email: 'x@example.com', product: 'nosuch' })).status).toBe(422);
    expect((await post({ tier: 'solo', email: 'x@example.com' })).status).toBe(422); // solo is not a tier of the first product
  });
});

it('a product whose own key the server cannot load is not signed with another key: the sale fails visibly', async () => {
  const s = await startTestServer({ config: { products: [studio] } }); // no signerFor: the studio key is not here
  try {
    expect((await postGumroad(s.url, studioSale('NOKEY-1'))).status).toBe(200);
    const [event] = await until(async () => {
      const evs = await s.store.listPaymentEvents({ orderRef: 'gumroad:NOKEY-1' });
      return evs[0]?.processed || (evs[0]?.attempts ?? 0) > 0 ? evs : null;
    }, 10_000, 'the sale tried');
    expect(event!.error).toMatch(/product studio signs with key .*, which this server cannot load/);
    expect(await s.store.getByOrderRef('gumroad:NOKEY-1')).toBeNull();
  } finally {
    await s.close();
  }
});
