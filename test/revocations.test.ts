// The signed revocation list: GET /api/v1/revocations on SQLite and PostgreSQL (application/jose; seq, iat,
// exp, revoked), revoke / refund put a license on it, reinstate takes it off, seq only grows; the embedded
// verifier rejects a listed license, keeps working with no list, refuses a rolled-back or expired list;
// `revocations export` writes the same list from the CLI's ledger.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJwsFormat } from '../src/license/jws-format.js';
import { localSigner } from '../src/license/signer.js';
import { mintInTransaction } from '../src/usecases/mint.js';
import { reinstateLicense, revokeLicense } from '../src/usecases/revoke.js';
import { verifyLicense, verifyRevocationList } from '../src/verify/index.js';
import { runCli } from './helpers/cli.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { setupServeHome } from './helpers/serve-process.js';
import { freshDatabase, gumroadPing, postGumroad, startTestServer, until, type TestServer } from './helpers/server-harness.js';

let pgCluster: PostgresInstance;
beforeAll(async () => {
  pgCluster = await startPostgres();
});
afterAll(async () => {
  await pgCluster?.stop();
});

const DAY = 86_400_000;
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as { seq: number; iat: number; exp: number; revoked: string[]; iss: string; v: number };

describe.each(['sqlite', 'postgres'] as const)('GET /api/v1/revocations on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}), config: { online: { enabled: true, revocationListDays: 3 } } });
  });
  afterAll(async () => s?.close());

  const fetchList = async () => {
    const res = await fetch(`${s.url}/api/v1/revocations?product=dashtool`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jose');
    return (await res.text()).trim();
  };

  it('revoke and refund put a license on it, reinstate takes it off; seq only grows; the verifier follows it', async () => {
    const ctx = { config: s.app.deps.config, format: createJwsFormat(undefined), signer: localSigner(s.signer), clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
    const { license } = await mintInTransaction(s.store, { tier: 'pro', email: 'r@example.com' }, ctx, { existing: 'error' });
    const keys = [s.signer.publicJwk];
    const empty = await fetchList();
    const p0 = payloadOf(empty);
    expect(p0).toMatchObject({ v: 1, iss: 'dashtool', seq: 0, revoked: [] });
    expect(p0.exp - p0.iat).toBe(3 * 86_400);
    expect(await verifyLicense(license.blob, { keys, revocations: { list: empty } })).toMatchObject({ valid: true, revocations: { trusted: true, seq: 0 } });
    // No list at all: the verifier works as before.
    expect((await verifyLicense(license.blob, { keys })).valid).toBe(true);

    await s.store.transaction((tx) => revokeLicense(tx, license.licenseKey, 'abuse', ctx));
    const revoked = await fetchList();
    expect(payloadOf(revoked)).toMatchObject({ seq: 1 });
    expect(payloadOf(revoked).revoked).toHaveLength(1);
    expect(JSON.stringify(payloadOf(revoked))).not.toContain(license.licenseKey);
    expect(await verifyLicense(license.blob, { keys, revocations: { list: revoked, minSeq: 0 } })).toMatchObject({ valid: false, reason: 'revoked', revocations: { trusted: true, seq: 1 } });

    await s.store.transaction((tx) => reinstateLicense(tx, license.licenseKey, ctx));
    const back = await fetchList();
    expect(payloadOf(back)).toMatchObject({ seq: 2, revoked: [] });
    expect((await verifyLicense(license.blob, { keys, revocations: { list: back, minSeq: 1 } })).valid).toBe(true);
    // The app has seen seq 2: the older list that named the license is a rollback, not trusted.
    expect(await verifyLicense(license.blob, { keys, revocations: { list: revoked, minSeq: 2 } })).toMatchObject({ valid: true, revocations: { trusted: false, reason: 'rolled-back' } });
    // Past its exp a list is reported, not trusted.
    expect(await verifyRevocationList(revoked, { keys, now: new Date(Date.now() + 4 * DAY) })).toMatchObject({ valid: false, reason: 'expired' });
    expect(await verifyLicense(license.blob, { keys, now: new Date(Date.now() + 4 * DAY), revocations: { list: revoked } })).toMatchObject({ valid: true, revocations: { trusted: false, reason: 'expired' } });
    // A list never passes for a license, nor a license for a list.
    expect(await verifyLicense(back, { keys })).toMatchObject({ valid: false, reason: 'malformed' });
    expect(await verifyRevocationList(license.blob, { keys })).toMatchObject({ valid: false, reason: 'malformed' });

    // A Gumroad refund puts its license on the list.
    expect((await postGumroad(s.url, gumroadPing(`REV-${kind}`))).status).toBe(200);
    const sold = await until(async () => s.store.getByOrderRef(`gumroad:REV-${kind}`), 10_000, 'the sale');
    expect((await postGumroad(s.url, gumroadPing(`REV-${kind}`, { refunded: 'true' }))).status).toBe(200);
    await until(async () => (await s.store.getLicense(sold.licenseKey))?.revokedAt, 10_000, 'the refund');
    const afterRefund = await fetchList();
    expect(payloadOf(afterRefund).seq).toBe(3);
    expect(await verifyLicense(sold.blob, { keys, revocations: { list: afterRefund, minSeq: 2 } })).toMatchObject({ valid: false, reason: 'revoked' });
  });

  it('answers 404 for a product whose online API is off, 404 for an unknown product', async () => {
    const off = await startTestServer(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {});
    try {
      expect((await fetch(`${off.url}/api/v1/revocations`)).status).toBe(404);
    } finally {
      await off.close();
    }
    expect((await fetch(`${s.url}/api/v1/revocations?product=nope`)).status).toBe(404);
  });
});

describe('license-admin revocations export', () => {
  it('writes the signed list from the CLI ledger (-o file, --json, stdout)', async () => {
    const home = await setupServeHome();
    const minted = await runCli(['mint', '--tier', 'pro', '--email', 'x@example.com', '--json'], home);
    const key = (minted.json() as { licenseKey: string; blob: string });
    expect((await runCli(['revoke', key.licenseKey, '--reason', 'refund'], home)).exitCode).toBe(0);
    const file = join(home.home, 'revocations.jws');
    const exported = await runCli(['revocations', 'export', '-o', file, '--json'], home);
    expect(exported.exitCode, exported.stderr).toBe(0);
    expect(exported.json()).toMatchObject({ product: 'dashtool', seq: 1, revoked: 1, file });
    const list = readFileSync(file, 'utf8').trim();
    const shown = (await runCli(['keys', 'show', '--json'], home)).json() as { keys: { kid: string; publicKeyHex: string }[] };
    const keys = shown.keys.map((k) => ({ kty: 'OKP' as const, crv: 'Ed25519' as const, kid: k.kid, x: Buffer.from(k.publicKeyHex, 'hex').toString('base64url') }));
    expect(await verifyLicense(key.blob, { keys, revocations: { list } })).toMatchObject({ valid: false, reason: 'revoked' });
    const stdout = await runCli(['revocations', 'export'], home);
    expect(stdout.stdout.trim().split('.')).toHaveLength(3);
  });
});
