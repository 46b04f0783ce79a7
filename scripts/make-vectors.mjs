// Regenerates fixtures/vectors/*.json from fixed seeds. The vectors are a contract: once published,
// a change here that alters a committed blob is a format change (bump the version, don't edit).
// Usage: npm run build && node scripts/make-vectors.mjs
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat, jwsHeader } from '../dist/license/jws-format.js';
import { base64urlEncode, utf8 } from '../dist/verify/base64url.js';
import { serializeClaims } from '../dist/verify/claims.js';

const seed = (label) => createHash('sha256').update(`license-admin test vector ${label}`).digest();
const keyA = signingKeyFromSeed(seed('A'));
const keyB = signingKeyFromSeed(seed('B'));
const NOW = '2026-06-01T00:00:00Z';
const sec = (iso) => Math.floor(Date.parse(iso) / 1000);
const base = {
  v: 1, iss: 'datatools', sub: 'DT1-PRO-7K2M-9QXH-4TZB-W3NAA', name: 'Jane Doe', email: 'jane@example.com', tier: 'pro',
  iat: sec('2026-01-15T10:00:00Z'), exp: sec('2027-01-15T10:00:00Z'),
};
const jwk = (k) => ({ kty: 'OKP', crv: 'Ed25519', x: k.publicJwk.x, kid: k.kid });
const b64json = (o) => base64urlEncode(utf8(typeof o === 'string' ? o : JSON.stringify(o)));
const sign = (k, input) => base64urlEncode(k.sign(utf8(input)));

/** A JWS with an arbitrary header, signed by `k` (for the pitfall vectors). */
function custom(header, claims, k, tag = 'DTLIC3') {
  const input = `${b64json(header)}.${b64json(serializeClaims(claims))}`;
  return `${tag}:${input}.${sign(k, input)}`;
}

const vectors = [];
function add(name, v) {
  vectors.push([name, { description: v.description, seedHex: v.seedHex, publicKeyJwk: v.publicKeyJwk ?? jwk(keyA), tag: v.tag === undefined ? 'DTLIC3' : v.tag, product: v.product ?? 'datatools', now: NOW, ...(v.claims ? { claims: v.claims } : {}), blob: v.blob, expected: v.expected }]);
}
async function signed(name, description, claims, expected, { tag = 'DTLIC3', key = keyA, product } = {}) {
  const blob = await createJwsFormat(tag ?? undefined).encode(claims, key);
  add(name, { description, seedHex: key.exportSeed().toString('hex'), publicKeyJwk: jwk(key), tag, claims, blob, expected, ...(product ? { product } : {}) });
  return blob;
}

const valid = await signed('01-valid', 'A one-year pro license behind the DTLIC3 tag', base, 'valid');
await signed('02-valid-lifetime', 'A lifetime license (no exp) with seats, features and updates_until', { ...base, sub: 'DT1-ENTERPRISE-0000-1111-2222-3333A', tier: 'enterprise', exp: undefined, updates_until: sec('2028-01-01T00:00:00Z'), seats: 5, features: ['export', 'sync'] }, 'valid');
await signed('03-valid-untagged', 'A bare JWS (no tag), non-ASCII name', { ...base, name: 'Zoë Ångström 李' }, 'valid', { tag: null });
await signed('04-expired', 'Expired on 2026-01-15, checked on 2026-06-01', { ...base, iat: sec('2025-01-15T10:00:00Z'), exp: sec('2026-01-15T10:00:00Z') }, 'expired');
await signed('05-not-yet-valid', 'Issued in the future (iat after now + 300 s)', { ...base, iat: sec('2026-07-01T00:00:00Z'), exp: sec('2027-07-01T00:00:00Z') }, 'not-yet-valid');
await signed('06-wrong-product', 'Issued for another product id', { ...base, iss: 'othertool' }, 'wrong-product');

const [tagged, rest] = [valid.slice(0, 7), valid.slice(7)];
const [h, p, s] = rest.split('.');
const forgedPayload = b64json(serializeClaims({ ...base, tier: 'enterprise' }));
add('07-tampered-payload', { description: 'tier changed to enterprise, signature kept', blob: `${tagged}${h}.${forgedPayload}.${s}`, expected: 'bad-signature' });
const sigBytes = Buffer.from(s, 'base64url');
sigBytes[10] ^= 0x01;
add('08-tampered-signature', { description: 'one bit of the signature flipped', blob: `${tagged}${h}.${p}.${sigBytes.toString('base64url')}`, expected: 'bad-signature' });
add('09-wrong-key', { description: 'signed by another key, whose kid the app does not trust', seedHex: keyB.exportSeed().toString('hex'), claims: base, blob: await createJwsFormat('DTLIC3').encode(base, keyB), expected: 'unknown-key' });
add('10-forged-kid', { description: "signed by another key but claiming the trusted key's kid", seedHex: keyB.exportSeed().toString('hex'), claims: base, blob: custom({ alg: 'EdDSA', typ: 'license+jwt', kid: keyA.kid }, base, keyB), expected: 'bad-signature' });
const unsigned = `${b64json({ alg: 'none', typ: 'license+jwt', kid: keyA.kid })}.${b64json(serializeClaims(base))}`;
add('11-alg-none', { description: 'alg "none" with an empty signature (the classic JWT pitfall)', blob: `DTLIC3:${unsigned}.`, expected: 'malformed' });
const hsInput = `${b64json({ alg: 'HS256', typ: 'license+jwt', kid: keyA.kid })}.${b64json(serializeClaims(base))}`;
const { createHmac } = await import('node:crypto');
add('12-alg-hs256', { description: 'HS256 keyed with the public key bytes (algorithm confusion)', blob: `DTLIC3:${hsInput}.${createHmac('sha256', Buffer.from(keyA.publicJwk.x, 'base64url')).update(hsInput).digest('base64url')}`, expected: 'malformed' });
add('13-extra-header', { description: 'an unexpected header parameter (jku) is rejected even though the signature is good', blob: custom({ alg: 'EdDSA', typ: 'license+jwt', kid: keyA.kid, jku: 'https://evil.example/jwks' }, base, keyA), expected: 'malformed' });
add('14-wrong-tag', { description: 'the right JWS behind another tag', blob: `DTLIC2:${rest}`, expected: 'malformed' });
add('15-garbage', { description: 'not a JWS at all', blob: 'DTLIC3:hello.world', expected: 'malformed' });

mkdirSync('fixtures/vectors', { recursive: true });
for (const [name, v] of vectors) writeFileSync(`fixtures/vectors/${name}.json`, `${JSON.stringify(v, (k, val) => (val === undefined ? undefined : val), 2)}\n`);
console.log(`wrote ${vectors.length} vectors; header example: ${jwsHeader(keyA.kid)}`);
