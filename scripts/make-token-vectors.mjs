// Regenerates fixtures/token-vectors/*.json (leases and revocation lists, docs/FORMAT.md sections 7-8) from
// fixed seeds. A contract like fixtures/vectors: once published, never edited in place.
// Usage: npm run build && node scripts/make-token-vectors.mjs
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { leaseFingerprint, signLease } from '../dist/license/lease.js';
import { revokedEntry, signRevocationList } from '../dist/license/revocation-list.js';
import { signToken } from '../dist/license/sign-token.js';

const seed = (label) => createHash('sha256').update(`license-admin test vector ${label}`).digest();
const keyA = signingKeyFromSeed(seed('A'));
const keyB = signingKeyFromSeed(seed('B'));
const NOW = '2026-06-01T00:00:00Z';
const sec = (iso) => Math.floor(Date.parse(iso) / 1000);
const jwk = (k) => ({ kty: 'OKP', crv: 'Ed25519', x: k.publicJwk.x, kid: k.kid });
const KEY = 'DT1-PRO-7K2M-9QXH-4TZB-W3NAA';
const OTHER = 'DT1-PRO-0000-1111-2222-3333X';
const FINGERPRINT = 'machine-serial-C02XK1ZJJG5H';
const license = { v: 1, iss: 'datatools', sub: KEY, name: 'Jane Doe', email: 'jane@example.com', tier: 'pro', iat: sec('2026-01-15T10:00:00Z'), exp: sec('2027-01-15T10:00:00Z') };
const licenseBlob = await createJwsFormat(undefined).encode(license, keyA);
const lease = { v: 1, iss: 'datatools', sub: KEY, act: 'act_0f3c9a1b2c3d4e5f60718293', fph: leaseFingerprint(FINGERPRINT), iat: sec('2026-05-20T09:00:00Z'), exp: sec('2026-06-19T09:00:00Z') };
const list = { v: 1, iss: 'datatools', seq: 7, iat: sec('2026-05-31T12:00:00Z'), exp: sec('2026-06-07T12:00:00Z'), revoked: [revokedEntry(KEY), revokedEntry(OTHER)].sort() };

const vectors = [];
const base = (kind, description, token, expected, extra = {}) =>
  vectors.push({ kind, description, seedHex: keyA.exportSeed().toString('hex'), publicKeyJwk: jwk(keyA), product: 'datatools', now: NOW, ...extra, token, expected });

const leaseA = await signLease(lease, keyA);
base('lease', 'A 30-day lease for one machine', leaseA, 'valid', { fingerprint: FINGERPRINT, claims: lease });
base('lease', 'The same lease on another machine', leaseA, 'wrong-machine', { fingerprint: 'another-machine' });
const expiredLease = { ...lease, exp: sec('2026-05-31T09:00:00Z') };
base('lease', 'A lease past its exp', await signLease(expiredLease, keyA), 'expired', { fingerprint: FINGERPRINT, claims: expiredLease });
base('lease', 'A license blob given as a lease (typ license+jwt)', licenseBlob, 'malformed', { fingerprint: FINGERPRINT });
base('lease', 'A lease signed by a key the app does not trust', await signLease(lease, keyB), 'unknown-key', { fingerprint: FINGERPRINT });
const [h, p] = leaseA.split('.');
const forged = Buffer.from(JSON.stringify({ ...lease, exp: sec('2030-01-01T00:00:00Z') })).toString('base64url');
base('lease', 'A lease whose exp was extended after signing', `${h}.${forged}.${leaseA.split('.')[2]}`, 'bad-signature', { fingerprint: FINGERPRINT });
base('lease', 'A lease without typ (a lease must say its typ)', (() => {
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: keyA.kid })).toString('base64url');
  const input = `${header}.${p}`;
  return `${input}.${Buffer.from(keyA.sign(Buffer.from(input))).toString('base64url')}`;
})(), 'malformed', { fingerprint: FINGERPRINT });

const listA = await signRevocationList(list, keyA);
base('revocations', 'A revocation list (seq 7) naming two keys', listA, 'valid', { claims: list });
base('revocations', 'The same list when the app has already seen seq 8: a rollback', listA, 'rolled-back', { minSeq: 8 });
base('revocations', 'The same list at the seq the app has seen (a refetch)', listA, 'valid', { minSeq: 7 });
const expiredList = { ...list, exp: sec('2026-05-31T13:00:00Z') };
base('revocations', 'A list past its exp: reported, not trusted', await signRevocationList(expiredList, keyA), 'expired', { claims: expiredList });
base('revocations', 'A lease given as a revocation list', leaseA, 'malformed');
base('revocations', 'A list whose typ was changed to the license typ', await signToken(keyA, 'license+jwt', JSON.stringify(list)), 'malformed');

base('license', 'A valid license on a trusted list: revoked', licenseBlob, 'revoked', { revocations: { list: listA }, claims: license });
const listWithout = { ...list, seq: 8, revoked: [revokedEntry(OTHER)] };
const listB = await signRevocationList(listWithout, keyA);
base('license', 'Reinstated: the newer list (seq 8) no longer names it', licenseBlob, 'valid', { revocations: { list: listB, minSeq: 7 }, expectedRevocations: 'trusted' });
base('license', 'A rolled-back list (seq 7 after 8 was seen) is not trusted: the license stays valid', licenseBlob, 'valid', { revocations: { list: listA, minSeq: 8 }, expectedRevocations: 'rolled-back' });
base('license', 'An expired list is not trusted: the license stays valid', licenseBlob, 'valid', { revocations: { list: await signRevocationList(expiredList, keyA) }, expectedRevocations: 'expired' });
base('license', 'A lease given as a license', leaseA, 'malformed');

mkdirSync(new URL('../fixtures/token-vectors/', import.meta.url), { recursive: true });
vectors.forEach((v, i) => {
  const name = `${String(i + 1).padStart(2, '0')}-${v.kind}-${v.expected}.json`;
  writeFileSync(new URL(`../fixtures/token-vectors/${name}`, import.meta.url), `${JSON.stringify(v, null, 2)}\n`);
});
console.log(`${vectors.length} vectors`);
