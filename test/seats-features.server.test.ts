// A subscription renewal on the server re-signs the license: the new blob must keep its seats and features
// (changeExpiryInTx used to sign it without them). A real server on SQLite and on PostgreSQL.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { verifyLicense } from '../src/verify/index.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase, gumroadPing, postGumroad, startTestServer, until, type TestServer } from './helpers/server-harness.js';

let pgCluster: PostgresInstance;
beforeAll(async () => {
  pgCluster = await startPostgres();
});
afterAll(async () => {
  await pgCluster?.stop();
});

describe.each(['sqlite', 'postgres'] as const)('server on %s', (kind) => {
  let s: TestServer;
  const adminKey = signingKeyFromSeed(randomBytes(32));
  beforeAll(async () => {
    s = await startTestServer({
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
      env: { LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x },
    });
  });
  afterAll(async () => s?.close());

  const adminPost = async (path: string, body: unknown) => {
    const text = JSON.stringify(body);
    const token = signAdminToken({ method: 'POST', path, body: text }, adminKey, new Date());
    const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `LicenseAdmin ${token}`, 'content-type': 'application/json' }, body: text });
    return { status: res.status, json: (await res.json()) as { license: Record<string, unknown> & { licenseKey: string; blob: string } } };
  };

  it('a Gumroad subscription renewal keeps seats and features in the row and in the re-signed blob', async () => {
    const subscription = `SUB-SEATS-${kind}`;
    const soon = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const minted = await adminPost('/internal/mint', { tier: 'pro', email: `team-${kind}@example.com`, orderId: subscription, expiresAt: soon, seats: 10, features: ['sso', 'audit'] });
    expect(minted.status).toBe(201);

    const ping = gumroadPing(`RENEWAL-${kind}`, { subscription_id: subscription, is_recurring_charge: 'true', recurrence: 'monthly', sale_timestamp: new Date().toISOString(), email: `team-${kind}@example.com` });
    expect((await postGumroad(s.url, ping)).status).toBe(200);
    const renewed = await until(async () => {
      const row = await s.store.getLicense(minted.json.license.licenseKey);
      return row && row.blob !== minted.json.license.blob ? row : null;
    }, 10_000, 'the renewal');
    expect(Date.parse(renewed.expiresAt!)).toBeGreaterThan(Date.parse(soon));
    const checked = await verifyLicense(renewed.blob, { keys: [s.signer.publicJwk], product: 'dashtool' });
    expect(checked.valid).toBe(true);
    expect(checked.valid && checked.license.claims).toMatchObject({ seats: 10, features: ['sso', 'audit'] });
    expect(minted.json.license).toMatchObject({ seats: 10, features: ['sso', 'audit'] });
    expect(renewed).toMatchObject({ seats: 10, features: ['sso', 'audit'] });

    const revoked = await adminPost('/internal/revoke', { licenseKey: renewed.licenseKey, reason: 'test' });
    expect(revoked.json.license).toMatchObject({ status: 'revoked', seats: 10, features: ['sso', 'audit'] });
  });
});
