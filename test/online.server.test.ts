// The online API (issue 16) through a real server on SQLite and on PostgreSQL: off means 404; validate answers
// in words; activations hold their limit, replace the oldest, free a seat on deactivate; leases verify offline
// for this machine only and never pass for a license (nor a license for a lease); a refused request writes nothing.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwsFormat } from '../src/license/jws-format.js';
import { localSigner } from '../src/license/signer.js';
import { mintInTransaction, type MintRequest } from '../src/usecases/mint.js';
import { revokeLicense } from '../src/usecases/revoke.js';
import { LEASE_TYP, verifyLease, verifyLicense } from '../src/verify/index.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase, startTestServer, TEST_CONFIG, type TestServer, type TestServerOptions } from './helpers/server-harness.js';

let pgCluster: PostgresInstance;
beforeAll(async () => {
  pgCluster = await startPostgres();
});
afterAll(async () => {
  await pgCluster?.stop();
});

const DAY = 86_400_000;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function post(s: TestServer, path: string, body: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Json };
}

async function mint(s: TestServer, req: MintRequest) {
  const ctx = { config: s.app.deps.config, format: createJwsFormat(undefined), signer: localSigner(s.signer), clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
  return (await mintInTransaction(s.store, req, ctx, { existing: 'error' })).license;
}

const eventCount = async (s: TestServer) => (await s.store.counts()).events;

describe.each(['sqlite', 'postgres'] as const)('online API on %s', (kind) => {
  let s: TestServer;
  let ledgerFile: string | undefined;
  const start = async (o: Partial<TestServerOptions>) => {
    const databaseUrl = kind === 'postgres' ? await freshDatabase(pgCluster.url) : undefined;
    ledgerFile = kind === 'sqlite' ? `/tmp/la-online-${process.pid}-${randomBytes(4).toString('hex')}.sqlite` : undefined;
    return startTestServer({ ...(databaseUrl ? { databaseUrl } : { ledgerFile }), ...o });
  };

  describe('turned on in the config (limit 1, refuse)', () => {
    beforeAll(async () => {
      s = await start({ config: { online: { enabled: true, activations: { limit: 1, onLimit: 'refuse' }, leaseDays: 30 } } });
    });
    afterAll(async () => s?.close());

    it('validate answers the status in words, the check character first', async () => {
      const license = await mint(s, { tier: 'pro', email: 'Ada@Example.com', seats: undefined, features: ['sync'] });
      const valid = await post(s, '/api/v1/licenses/validate', { key: license.licenseKey });
      expect(valid.status).toBe(200);
      expect(valid.json).toMatchObject({ status: 'valid', valid: true, license: { key: license.licenseKey, product: 'dashtool', tier: 'pro', features: ['sync'], seats: null, activations: { used: 0, limit: 1 } }, activation: null });
      expect(typeof valid.json.license.expiresAt).toBe('string');
      // Milk's email + code: the right email in any case; a wrong one is exactly an unknown key.
      expect((await post(s, '/api/v1/licenses/validate', { key: license.licenseKey.toLowerCase(), email: 'ada@example.com' })).json.status).toBe('valid');
      const wrongEmail = await post(s, '/api/v1/licenses/validate', { key: license.licenseKey, email: 'eve@example.com' });
      expect(wrongEmail.json).toEqual({ status: 'unknown', valid: false, license: null, activation: null });
      // One character changed: caught by the check character, before any lookup.
      const last = license.licenseKey.at(-1)!;
      const typo = `${license.licenseKey.slice(0, -1)}${last === '0' ? '1' : '0'}`;
      expect((await post(s, '/api/v1/licenses/validate', { key: typo })).json).toMatchObject({ status: 'invalid_key', valid: false, license: null });
      const stranger = 'DT1-PRO-0000-0000-0000-0000';
      const { generateLicenseKey } = await import('../src/license/license-key.js');
      const unknown = generateLicenseKey('DT1', 'pro', (n) => randomBytes(n));
      expect((await post(s, '/api/v1/licenses/validate', { key: unknown })).json).toEqual({ status: 'unknown', valid: false, license: null, activation: null });
      expect((await post(s, '/api/v1/licenses/validate', { key: stranger })).json.status).toBe('invalid_key');
      // By blob: the signature is checked, then the ledger.
      expect((await post(s, '/api/v1/licenses/validate', { blob: license.blob })).json).toMatchObject({ status: 'valid', license: { key: license.licenseKey } });
      const parts = license.blob.split('.');
      const tampered = `${parts[0]}.${parts[1]}.${parts[2]!.slice(0, -2)}AA`;
      expect((await post(s, '/api/v1/licenses/validate', { blob: tampered })).json).toMatchObject({ status: 'invalid', valid: false, reason: 'bad-signature' });
      // Revoked and expired.
      const ctx = { clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
      await s.store.transaction((tx) => revokeLicense(tx, license.licenseKey, 'refund', ctx));
      expect((await post(s, '/api/v1/licenses/validate', { key: license.licenseKey })).json).toMatchObject({ status: 'revoked', valid: false });
      const old = await mint(s, { tier: 'core', email: 'old@example.com', expiresAt: new Date(Date.now() + 1000) });
      await new Promise((r) => setTimeout(r, 1100));
      expect((await post(s, '/api/v1/licenses/validate', { key: old.licenseKey })).json).toMatchObject({ status: 'expired', valid: false });
      // Bad input is a 400 in the usual shape.
      const bad = await post(s, '/api/v1/licenses/validate', { key: 42 });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatchObject({ code: 'invalid_field' });
    });

    it('limit 1: a second machine is refused (and nothing is written), the same machine gets a fresh lease, deactivate frees the seat', async () => {
      const license = await mint(s, { tier: 'pro', email: 'one@example.com' });
      const first = await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'machine-A-serial-123', label: "Ada's MacBook" });
      expect(first.status).toBe(201);
      expect(first.json).toMatchObject({ status: 'activated', created: true, replaced: [], activation: { label: "Ada's MacBook" }, license: { activations: { used: 1, limit: 1 } } });
      expect(first.json.activation.id).toMatch(/^act_[0-9a-f]{24}$/);
      const before = await eventCount(s);
      const second = await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'machine-B', label: 'B' });
      expect(second.status).toBe(409);
      expect(second.json).toMatchObject({ status: 'too_many_machines', error: { code: 'too_many_machines' } });
      expect(await eventCount(s)).toBe(before);
      const again = await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'machine-A-serial-123' });
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ status: 'activated', created: false, activation: { id: first.json.activation.id } });
      expect(await eventCount(s)).toBe(before);
      // This machine validates as itself; another as machine_unknown.
      expect((await post(s, '/api/v1/licenses/validate', { key: license.licenseKey, fingerprint: 'machine-A-serial-123' })).json).toMatchObject({ status: 'valid', activation: { id: first.json.activation.id } });
      expect((await post(s, '/api/v1/licenses/validate', { key: license.licenseKey, fingerprint: 'machine-B' })).json).toMatchObject({ status: 'machine_unknown', valid: false });
      // Deactivate (by id) frees the seat for machine B.
      const off = await post(s, '/api/v1/licenses/deactivate', { key: license.licenseKey, activationId: first.json.activation.id });
      expect(off).toMatchObject({ status: 200, json: { status: 'deactivated', activation: { id: first.json.activation.id } } });
      expect((await post(s, '/api/v1/licenses/deactivate', { key: license.licenseKey, activationId: first.json.activation.id })).status).toBe(404);
      const b = await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'machine-B' });
      expect(b.status).toBe(201);
      // ... and by fingerprint.
      expect((await post(s, '/api/v1/licenses/deactivate', { key: license.licenseKey, fingerprint: 'machine-B' })).json.status).toBe('deactivated');
      // A revoked license activates nothing.
      const ctx = { clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
      await s.store.transaction((tx) => revokeLicense(tx, license.licenseKey, 'refund', ctx));
      const n = await eventCount(s);
      expect((await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'machine-C' }))).toMatchObject({ status: 403, json: { status: 'revoked' } });
      expect(await eventCount(s)).toBe(n);
    });

    it('seats in the license override the limit', async () => {
      const team = await mint(s, { tier: 'pro', email: 'team@example.com', seats: 3 });
      const results = [];
      for (const m of ['m1', 'm2', 'm3', 'm4']) results.push((await post(s, '/api/v1/licenses/activate', { key: team.licenseKey, fingerprint: m })).status);
      expect(results).toEqual([201, 201, 201, 409]);
    });

    it('20 concurrent activations of one key with limit 1: exactly one wins', async () => {
      const license = await mint(s, { tier: 'pro', email: 'race@example.com' });
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: `racer-${i}` })));
      expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
      expect(replies.filter((r) => r.status === 409)).toHaveLength(19);
      expect((await post(s, '/api/v1/licenses/validate', { key: license.licenseKey })).json.license.activations.used).toBe(1);
    });

    it('the lease verifies offline for this machine until exp, and never passes for a license (nor a license for a lease)', async () => {
      const license = await mint(s, { tier: 'pro', email: 'lease@example.com' });
      const { json } = await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'fp-lease-1' });
      const keys = [s.signer.publicJwk];
      const header = JSON.parse(Buffer.from(json.lease.split('.')[0], 'base64url').toString()) as Json;
      expect(header).toEqual({ alg: 'EdDSA', typ: LEASE_TYP, kid: s.signer.kid });
      const ok = await verifyLease(json.lease, { keys, fingerprint: 'fp-lease-1', product: 'dashtool' });
      expect(ok).toMatchObject({ valid: true, lease: { key: license.licenseKey, product: 'dashtool', activationId: json.activation.id } });
      expect(ok.valid && ok.lease.expiresAt.toISOString()).toBe(json.leaseExpiresAt);
      expect(Math.abs(Date.parse(json.leaseExpiresAt) - Date.now() - 30 * DAY)).toBeLessThan(60_000);
      expect(await verifyLease(json.lease, { keys, fingerprint: 'fp-lease-2' })).toMatchObject({ valid: false, reason: 'wrong-machine' });
      expect(await verifyLease(json.lease, { keys, fingerprint: 'fp-lease-1', now: new Date(Date.now() + 31 * DAY) })).toMatchObject({ valid: false, reason: 'expired' });
      expect(await verifyLicense(json.lease, { keys })).toMatchObject({ valid: false, reason: 'malformed' });
      expect(await verifyLease(license.blob, { keys, fingerprint: 'fp-lease-1' })).toMatchObject({ valid: false, reason: 'malformed' });
    });

    it('fingerprints are stored only as a keyed hash', async () => {
      const license = await mint(s, { tier: 'pro', email: 'hash@example.com' });
      const fingerprint = `raw-fingerprint-${randomBytes(6).toString('hex')}`;
      expect((await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint })).status).toBe(201);
      const events = await s.store.eventsSince(0, 100_000);
      const text = JSON.stringify(events);
      expect(text).not.toContain(fingerprint);
      const { createHash } = await import('node:crypto');
      expect(text).not.toContain(createHash('sha256').update(fingerprint).digest('base64url'));
      expect(events.find((e) => e.type === 'activated' && e.licenseKey === license.licenseKey)!.data.fingerprintHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      if (ledgerFile) expect(readFileSync(ledgerFile).includes(fingerprint)).toBe(false);
    });
  });

  describe('replace-oldest, turned on by env for every product', () => {
    beforeAll(async () => {
      s = await start({ config: { online: { enabled: false, activations: { limit: 5, onLimit: 'replace-oldest' } } }, env: { LICENSE_ADMIN_ONLINE: '1', LICENSE_ADMIN_ACTIVATION_LIMIT: '2' } });
    });
    afterAll(async () => s?.close());

    it('the third machine replaces the oldest', async () => {
      const license = await mint(s, { tier: 'pro', email: 'rep@example.com' });
      const a = await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'a' });
      await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'b' });
      const c = await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'c' });
      expect(c).toMatchObject({ status: 201, json: { replaced: [a.json.activation.id], license: { activations: { used: 2, limit: 2 } } } });
      expect((await post(s, '/api/v1/licenses/validate', { key: license.licenseKey, fingerprint: 'a' })).json.status).toBe('machine_unknown');
      expect((await post(s, '/api/v1/licenses/validate', { key: license.licenseKey, fingerprint: 'c' })).json.status).toBe('valid');
    });
  });

  describe('safety: rate limits per key and per IP, no enumeration by timing', () => {
    beforeAll(async () => {
      s = await start({ config: { online: { enabled: true } }, env: { LICENSE_ADMIN_ONLINE_KEY_PER_MINUTE: '3', LICENSE_ADMIN_ONLINE_IP_PER_MINUTE: '7' } });
    });
    afterAll(async () => s?.close());

    it('a key is limited on its own, then the IP; a limited request writes nothing', async () => {
      const license = await mint(s, { tier: 'pro', email: 'rl@example.com' });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: `m${i}` })).status);
      expect(statuses).toEqual([201, 409, 409]);
      const before = await eventCount(s);
      const limited = await fetch(`${s.url}/api/v1/licenses/validate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: license.licenseKey.toLowerCase() }) });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as Json).error.code).toBe('rate_limited');
      // The compatible routes share the key's limit.
      expect((await fetch(`${s.url}/v1/licenses/validate`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `license_key=${license.licenseKey}` })).status).toBe(429);
      expect(await eventCount(s)).toBe(before);
      // Another key still answers until the IP's 7 a minute are used up (every request counts, limited ones too).
      const { generateLicenseKey } = await import('../src/license/license-key.js');
      const other = generateLicenseKey('DT1', 'pro', (n) => randomBytes(n));
      expect((await post(s, '/api/v1/licenses/validate', { key: other })).status).toBe(200);
      expect((await post(s, '/api/v1/licenses/validate', { key: other })).status).toBe(200);
      expect((await post(s, '/api/v1/licenses/validate', { key: `${other.slice(0, -1)}Z` })).status).toBe(429);
    });
  });

  describe('no enumeration: an unknown key costs what a known one costs', () => {
    beforeAll(async () => {
      s = await start({ config: { online: { enabled: true } }, env: { LICENSE_ADMIN_ONLINE_KEY_PER_MINUTE: '100000', LICENSE_ADMIN_ONLINE_IP_PER_MINUTE: '100000' } });
    });
    afterAll(async () => s?.close());

    it('validate: the medians of known and unknown keys are within 35% (measured, interleaved)', async () => {
      const { generateLicenseKey } = await import('../src/license/license-key.js');
      const license = await mint(s, { tier: 'pro', email: 'timing@example.com' });
      await post(s, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: 'timing' });
      const time = async (key: string) => {
        const t = performance.now();
        await post(s, '/api/v1/licenses/validate', { key });
        return performance.now() - t;
      };
      for (let i = 0; i < 30; i++) await time(i % 2 ? license.licenseKey : generateLicenseKey('DT1', 'pro', (n) => randomBytes(n)));
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 200; i++) {
        known.push(await time(license.licenseKey));
        unknown.push(await time(generateLicenseKey('DT1', 'pro', (n) => randomBytes(n))));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const ratio = median(unknown) / median(known);
      console.log(`validate median: known ${median(known).toFixed(3)} ms, unknown ${median(unknown).toFixed(3)} ms, ratio ${ratio.toFixed(2)}`);
      expect(ratio).toBeGreaterThan(0.65);
      expect(ratio).toBeLessThan(1.35);
    });
  });

  describe('off (the default)', () => {
    beforeAll(async () => {
      s = await start({});
    });
    afterAll(async () => s?.close());

    it('every online route answers 404', async () => {
      expect(TEST_CONFIG.online).toBeUndefined();
      for (const path of ['/api/v1/licenses/validate', '/api/v1/licenses/activate', '/api/v1/licenses/deactivate']) {
        const r = await post(s, path, { key: 'DT1-PRO-0000-0000-0000-00000', fingerprint: 'x' });
        expect(r.status, path).toBe(404);
        expect(r.json.error.code).toBe('not_found');
      }
    });
  });
});
