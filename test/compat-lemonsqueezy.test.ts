// The Lemon Squeezy License API on our server, driven by requests written from Lemon Squeezy's own sources,
// not from our code:
// - lmsqueezy/lemonsqueezy.js src/license/types.ts: ActivateLicense / ValidateLicense / DeactivateLicense,
//   LicenseKey { id: number, status: 'inactive'|'active'|'expired'|'disabled', key, activation_limit: number,
//   activation_usage: number, created_at: string, expires_at: string|null, test_mode: boolean }, Instance
//   { id: string, name: string, created_at: string }, Meta { store_id, order_id, order_item_id, product_id:
//   number, product_name: string, variant_id: number, variant_name: string, customer_id: number,
//   customer_name: string, customer_email: string }; src/license/index.ts: the paths and field names.
// - docs.lemonsqueezy.com/api/license-api: form-encoded POSTs with Accept: application/json; 4XX with an
//   `error` string (400 an error, 404 not found, 422 a field invalid or missing); the activate → store
//   instance.id → validate → deactivate flow of docs.lemonsqueezy.com/help/licensing/license-api.
// Error strings as Lemon Squeezy's API answers them: "license_key not found.", "license_key instance not
// found.", "This license key has reached the activation limit.".
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwsFormat } from '../src/license/jws-format.js';
import { localSigner } from '../src/license/signer.js';
import { mintInTransaction } from '../src/usecases/mint.js';
import { revokeLicense } from '../src/usecases/revoke.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase, startTestServer, type TestServer } from './helpers/server-harness.js';

let pgCluster: PostgresInstance;
beforeAll(async () => {
  pgCluster = await startPostgres();
});
afterAll(async () => {
  await pgCluster?.stop();
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const LS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** As the docs' curl: -H "Accept: application/json" -d "license_key=…" -d "instance_name=…". */
async function form(s: TestServer, path: string, fields: Record<string, string>, type = 'application/x-www-form-urlencoded') {
  const body = type === 'application/x-www-form-urlencoded' ? new URLSearchParams(fields).toString() : JSON.stringify(type === 'application/vnd.api+json' ? { data: { attributes: fields } } : fields);
  const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { accept: 'application/json', 'content-type': type }, body });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, json: (await res.json()) as Json };
}

function expectLicenseKey(k: Json, key: string) {
  expect(Object.keys(k).sort()).toEqual(['activation_limit', 'activation_usage', 'created_at', 'expires_at', 'id', 'key', 'status', 'test_mode']);
  expect(Number.isInteger(k.id)).toBe(true);
  expect(['inactive', 'active', 'expired', 'disabled']).toContain(k.status);
  expect(k.key).toBe(key);
  expect(Number.isInteger(k.activation_limit)).toBe(true);
  expect(Number.isInteger(k.activation_usage)).toBe(true);
  expect(k.created_at).toMatch(LS_TIME);
  expect(k.expires_at === null || LS_TIME.test(k.expires_at)).toBe(true);
  expect(typeof k.test_mode).toBe('boolean');
}

function expectMeta(m: Json) {
  expect(Object.keys(m).sort()).toEqual(['customer_email', 'customer_id', 'customer_name', 'order_id', 'order_item_id', 'product_id', 'product_name', 'store_id', 'variant_id', 'variant_name'].sort());
  for (const k of ['store_id', 'order_id', 'order_item_id', 'product_id', 'variant_id', 'customer_id']) expect(Number.isInteger(m[k]), k).toBe(true);
  for (const k of ['product_name', 'variant_name', 'customer_name', 'customer_email']) expect(typeof m[k], k).toBe('string');
}

function expectInstance(i: Json) {
  expect(Object.keys(i).sort()).toEqual(['created_at', 'id', 'name']);
  expect(typeof i.id).toBe('string');
  expect(typeof i.name).toBe('string');
  expect(i.created_at).toMatch(LS_TIME);
}

describe.each(['sqlite', 'postgres'] as const)('Lemon Squeezy License API on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
      config: { online: { enabled: true, activations: { limit: 2 }, lemonSqueezy: { storeId: 4321, productId: 98765, variantId: 11223, productName: 'DashTool', variantName: 'Pro' } } },
    });
  });
  afterAll(async () => s?.close());

  const mint = async (email: string) => {
    const ctx = { config: s.app.deps.config, format: createJwsFormat(undefined), signer: localSigner(s.signer), clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
    return (await mintInTransaction(s.store, { tier: 'pro', email, name: 'Ada Lovelace' }, ctx, { existing: 'error' })).license;
  };

  it('the documented app flow: activate, store instance.id, validate, deactivate', async () => {
    const license = await mint(`ls-flow-${kind}@example.com`);
    const activated = await form(s, '/v1/licenses/activate', { license_key: license.licenseKey, instance_name: 'Test' });
    expect(activated.status).toBe(200);
    expect(Object.keys(activated.json).sort()).toEqual(['activated', 'error', 'instance', 'license_key', 'meta']);
    expect(activated.json).toMatchObject({ activated: true, error: null, license_key: { status: 'active', activation_limit: 2, activation_usage: 1 }, instance: { name: 'Test' } });
    expectLicenseKey(activated.json.license_key, license.licenseKey);
    expectInstance(activated.json.instance);
    expectMeta(activated.json.meta);
    expect(activated.json.meta).toMatchObject({ store_id: 4321, product_id: 98765, variant_id: 11223, product_name: 'DashTool', variant_name: 'Pro', customer_name: 'Ada Lovelace', customer_email: license.email });
    const instanceId = activated.json.instance.id as string;

    const validated = await form(s, '/v1/licenses/validate', { license_key: license.licenseKey, instance_id: instanceId });
    expect(validated.status).toBe(200);
    expect(Object.keys(validated.json).sort()).toEqual(['error', 'instance', 'license_key', 'meta', 'valid']);
    expect(validated.json).toMatchObject({ valid: true, error: null, instance: { id: instanceId, name: 'Test' } });
    expectLicenseKey(validated.json.license_key, license.licenseKey);
    expectMeta(validated.json.meta);
    // Without instance_id: "the response will contain "instance": null".
    expect((await form(s, '/v1/licenses/validate', { license_key: license.licenseKey })).json).toMatchObject({ valid: true, instance: null });

    const deactivated = await form(s, '/v1/licenses/deactivate', { license_key: license.licenseKey, instance_id: instanceId });
    expect(deactivated.status).toBe(200);
    expect(Object.keys(deactivated.json).sort()).toEqual(['deactivated', 'error', 'license_key', 'meta']);
    expect(deactivated.json).toMatchObject({ deactivated: true, error: null, license_key: { status: 'inactive', activation_usage: 0 } });
    expectLicenseKey(deactivated.json.license_key, license.licenseKey);

    const gone = await form(s, '/v1/licenses/validate', { license_key: license.licenseKey, instance_id: instanceId });
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ valid: false, error: 'license_key instance not found.' });
    expect((await form(s, '/v1/licenses/deactivate', { license_key: license.licenseKey, instance_id: instanceId })).json).toMatchObject({ deactivated: false, error: 'license_key instance not found.' });
  });

  it('the activation limit, unknown keys, disabled keys and missing fields, with Lemon Squeezy\'s codes and strings', async () => {
    const license = await mint(`ls-limit-${kind}@example.com`);
    for (const type of ['application/json', 'application/vnd.api+json']) {
      expect((await form(s, '/v1/licenses/activate', { license_key: license.licenseKey, instance_name: type }, type)).json.activated).toBe(true);
    }
    const before = (await s.store.counts()).events;
    const third = await form(s, '/v1/licenses/activate', { license_key: license.licenseKey, instance_name: 'Third' });
    expect(third.status).toBe(400);
    expect(third.json).toMatchObject({ activated: false, error: 'This license key has reached the activation limit.', license_key: { activation_limit: 2, activation_usage: 2 } });
    expect((await s.store.counts()).events).toBe(before);

    for (const key of ['38b1460a-5104-4067-a91d-77b872934d51', 'DT1-PRO-0000-0000-0000-00000']) {
      const missing = await form(s, '/v1/licenses/validate', { license_key: key });
      expect(missing.status).toBe(404);
      expect(missing.json).toMatchObject({ valid: false, error: 'license_key not found.' });
      expect((await form(s, '/v1/licenses/activate', { license_key: key, instance_name: 'x' })).json).toMatchObject({ activated: false, error: 'license_key not found.' });
    }
    const required = await form(s, '/v1/licenses/activate', { license_key: license.licenseKey });
    expect(required.status).toBe(422);
    expect(typeof required.json.error).toBe('string');

    const ctx = { clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
    await s.store.transaction((tx) => revokeLicense(tx, license.licenseKey, 'abuse', ctx));
    const disabled = await form(s, '/v1/licenses/validate', { license_key: license.licenseKey });
    expect(disabled.status).toBe(400);
    expect(disabled.json).toMatchObject({ valid: false, license_key: { status: 'disabled' } });
  });

  it('answers 404 when the online API is off', async () => {
    const off = await startTestServer(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {});
    try {
      expect((await fetch(`${off.url}/v1/licenses/validate`, { method: 'POST', body: 'license_key=x' })).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
