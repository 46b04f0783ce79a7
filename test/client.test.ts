// license-admin/client against a real server: activate keeps the lease, validate asks the server and falls
// back to the lease when the server is gone (until it expires), a revoke seen online drops the lease,
// deactivate frees the seat. The client uses fetch only; this runs it on Node's.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLicenseClient } from '../src/client/index.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { localSigner } from '../src/license/signer.js';
import { mintInTransaction } from '../src/usecases/mint.js';
import { revokeLicense } from '../src/usecases/revoke.js';
import { startTestServer, type TestServer } from './helpers/server-harness.js';

const DAY = 86_400_000;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ config: { online: { enabled: true, activations: { limit: 1 }, leaseDays: 10 } } });
});
afterAll(async () => s?.close());

const mint = async (email: string) => {
  const ctx = { config: s.app.deps.config, format: createJwsFormat(undefined), signer: localSigner(s.signer), clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
  return (await mintInTransaction(s.store, { tier: 'pro', email }, ctx, { existing: 'error' })).license;
};

describe('license-admin/client', () => {
  it('activate keeps the lease; offline, validate falls back to it until it expires', async () => {
    const license = await mint('client@example.com');
    const stored = new Map<string, string>();
    const storage = { get: (n: string) => stored.get(n) ?? null, set: (n: string, v: string | null) => void (v === null ? stored.delete(n) : stored.set(n, v)) };
    let now = new Date();
    let online = true;
    const fetchThroughCable: typeof fetch = (input, init) => (online ? fetch(input, init) : Promise.reject(new TypeError('fetch failed')));
    const client = createLicenseClient({ baseUrl: s.url, keys: [s.signer.publicJwk], fingerprint: 'machine-42', product: 'dashtool', storage, fetch: fetchThroughCable, now: () => now });
    const activated = await client.activate(license.licenseKey, 'Laptop');
    expect(activated).toMatchObject({ ok: true, status: 'activated', offline: false });
    expect(stored.size).toBe(1);
    expect(await client.validate(license.licenseKey)).toMatchObject({ ok: true, status: 'valid', offline: false });

    online = false;
    const fallback = await client.validate(license.licenseKey);
    expect(fallback).toMatchObject({ ok: true, status: 'valid', offline: true });
    now = new Date(Date.now() + 11 * DAY);
    expect(await client.validate(license.licenseKey)).toMatchObject({ ok: false, status: 'expired', offline: true });
    // Another machine's client cannot use this lease, nor can another key.
    const other = createLicenseClient({ baseUrl: s.url, keys: [s.signer.publicJwk], fingerprint: 'machine-43', storage, fetch: fetchThroughCable });
    expect(await other.validate(license.licenseKey)).toMatchObject({ ok: false, status: 'wrong-machine', offline: true });
    expect(await client.validate('DT1-PRO-0000-0000-0000-00000')).toMatchObject({ ok: false, status: 'offline_no_lease' });

    online = true;
    now = new Date();
    expect(await other.activate(license.licenseKey)).toMatchObject({ ok: false, status: 'too_many_machines' });
    expect(await client.deactivate(license.licenseKey)).toMatchObject({ ok: true, status: 'deactivated' });
    expect(stored.size).toBe(0);
    expect(await other.activate(license.licenseKey)).toMatchObject({ ok: true });
  });

  it('a revoke seen online drops the lease, so the app is not valid offline afterwards', async () => {
    const license = await mint('revoked-client@example.com');
    let online = true;
    const client = createLicenseClient({ baseUrl: s.url, keys: [s.signer.publicJwk], fingerprint: 'm', fetch: (i, init) => (online ? fetch(i, init) : Promise.reject(new TypeError('offline'))) });
    expect((await client.activate(license.licenseKey)).ok).toBe(true);
    const ctx = { clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
    await s.store.transaction((tx) => revokeLicense(tx, license.licenseKey, 'refund', ctx));
    expect(await client.validate(license.licenseKey)).toMatchObject({ ok: false, status: 'revoked', offline: false });
    online = false;
    expect(await client.validate(license.licenseKey)).toMatchObject({ ok: false, status: 'offline_no_lease' });
  });

  it('imports nothing of Node: the bundle for the browser builds from the package export', async () => {
    const { build } = await import('esbuild');
    const { join } = await import('node:path');
    const result = await build({ stdin: { contents: "export { createLicenseClient } from 'license-admin/client';", resolveDir: join(import.meta.dirname, '..'), loader: 'js' }, bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent', splitting: true, outdir: '/v' });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles.map((f) => f.text).join('')).not.toMatch(/from ["']node:/);
  });
});
