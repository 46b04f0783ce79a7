// Gumroad's POST /v2/licenses/verify on our server, driven by requests written from Gumroad's own sources,
// not from our code: antiwork/gumroad app/controllers/api/v2/licenses_controller.rb (params product_id, the
// legacy product_permalink / id / link_id, license_key, increment_uses_count; "That license does not exist
// for the provided product." 404; "This license key has been disabled." 404; "The 'license_key' parameter
// must be a string." 400) and spec/controllers/api/v2/licenses_controller_spec.rb ("returns the correct json
// when a valid product and license key are provided": success, uses, and the purchase's fields).
// The app flow is Gumroad's documented one: curl https://api.gumroad.com/v2/licenses/verify
//   -d "product_id=…" -d "license_key=…" (form-encoded), then check success and purchase.refunded/chargebacked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase, gumroadPing, postGumroad, startTestServer, until, type TestServer } from './helpers/server-harness.js';

let pgCluster: PostgresInstance;
beforeAll(async () => {
  pgCluster = await startPostgres();
});
afterAll(async () => {
  await pgCluster?.stop();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const PING_PRODUCT_ID = '32-nPAicqbLj8B_WswVlMw=='; // the product_id gumroadPing() sends

async function verify(s: TestServer, fields: Record<string, string>) {
  const res = await fetch(`${s.url}/v2/licenses/verify`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  return { status: res.status, json: (await res.json()) as Json };
}

/** The keys and types of the spec's expected purchase (licenses_controller_spec.rb). */
const PURCHASE_TYPES: Record<string, string> = {
  id: 'string', product_name: 'string', created_at: 'string', variants: 'string', custom_fields: 'array', quantity: 'number', refunded: 'boolean',
  chargebacked: 'boolean', email: 'string', seller_id: 'string', product_id: 'string', permalink: 'string', product_permalink: 'string',
  short_product_id: 'string', price: 'number', currency: 'string', order_number: 'number', sale_id: 'string', sale_timestamp: 'string',
  license_key: 'string', is_multiseat_license: 'boolean', is_gift_receiver_purchase: 'boolean', disputed: 'boolean', dispute_won: 'boolean',
  gumroad_fee: 'number', discover_fee_charged: 'boolean', can_contact: 'boolean', referrer: 'string', card: 'object',
};
const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

describe.each(['sqlite', 'postgres'] as const)('Gumroad /v2/licenses/verify on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
      config: { online: { enabled: true, gumroad: { productId: 'configured-product-id==' } } },
    });
  });
  afterAll(async () => s?.close());

  const licenseFromPing = async (saleId: string) => {
    expect((await postGumroad(s.url, gumroadPing(saleId))).status).toBe(200);
    return until(async () => s.store.getByOrderRef(`gumroad:${saleId}`), 10_000, 'the license');
  };

  it('a license minted from a ping verifies for that ping\'s product_id, counting uses as Gumroad does', async () => {
    const license = await licenseFromPing(`GRV-${kind}-1`);
    const first = await verify(s, { product_id: PING_PRODUCT_ID, license_key: license.licenseKey });
    expect(first.status).toBe(200);
    expect(Object.keys(first.json).sort()).toEqual(['purchase', 'success', 'uses']);
    expect(first.json).toMatchObject({ success: true, uses: 1 });
    const purchase = first.json.purchase as Json;
    expect(Object.keys(purchase).sort()).toEqual(Object.keys(PURCHASE_TYPES).sort());
    for (const [k, t] of Object.entries(PURCHASE_TYPES)) expect(typeOf(purchase[k]), k).toBe(t);
    expect(Object.keys(purchase.card).sort()).toEqual(['bin', 'expiry_month', 'expiry_year', 'type', 'visual']);
    expect(purchase).toMatchObject({ license_key: license.licenseKey, product_id: PING_PRODUCT_ID, email: license.email, refunded: false, chargebacked: false, sale_id: `GRV-${kind}-1`, quantity: 1 });

    // The legacy product_permalink (short or full), then increment_uses_count=false leaves the count.
    expect((await verify(s, { product_permalink: 'dashtool', license_key: license.licenseKey })).json.uses).toBe(2);
    expect((await verify(s, { product_permalink: 'https://creator.gumroad.com/l/dashtool', license_key: license.licenseKey, increment_uses_count: 'false' })).json.uses).toBe(2);
    // Any license answers for the product id in the config.
    expect((await verify(s, { product_id: 'configured-product-id==', license_key: license.licenseKey })).json).toMatchObject({ success: true, uses: 3 });
  });

  it('Gumroad\'s 404s and 400, and a refunded purchase that still verifies with refunded: true', async () => {
    const license = await licenseFromPing(`GRV-${kind}-2`);
    const before = (await s.store.counts()).events;
    const misses: Record<string, string>[] = [{ product_id: 'another-product==', license_key: license.licenseKey }, { product_id: PING_PRODUCT_ID, license_key: 'Does not exist' }, { product_permalink: 'other', license_key: license.licenseKey }];
    for (const fields of misses) {
      expect(await verify(s, fields)).toEqual({ status: 404, json: { success: false, message: 'That license does not exist for the provided product.' } });
    }
    const bad = await fetch(`${s.url}/v2/licenses/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ product_id: PING_PRODUCT_ID, license_key: 42 }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ success: false, message: "The 'license_key' parameter must be a string." });
    expect((await s.store.counts()).events).toBe(before);

    expect((await postGumroad(s.url, gumroadPing(`GRV-${kind}-2`, { refunded: 'true' }))).status).toBe(200);
    await until(async () => (await s.store.getLicense(license.licenseKey))?.revokedAt, 10_000, 'the refund');
    const refunded = await verify(s, { product_id: PING_PRODUCT_ID, license_key: license.licenseKey });
    expect(refunded).toMatchObject({ status: 200, json: { success: true, purchase: { refunded: true } } });
  });
});
