import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { checkCharacter, generateLicenseKey, parseLicenseKey } from '../src/license/license-key.js';
import { parsePrivateKey, signingKeyFromSeed, jwkThumbprint } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { base64urlDecode, base64urlEncode } from '../src/verify/base64url.js';
import { verifyLicense } from '../src/verify/index.js';
import { addYears, buildClaims } from '../src/license/build-claims.js';

const seed = Buffer.alloc(32, 7);
const key = signingKeyFromSeed(seed);
const claims = buildClaims({
  product: 'datatools', licenseKey: 'DT1-PRO-AAAA-BBBB-CCCC-DDDDE', name: 'Jane', email: 'jane@example.com', tier: 'pro',
  issuedAt: new Date('2026-01-01T00:00:00Z'), expiresAt: new Date('2027-01-01T00:00:00Z'),
});
const format = createJwsFormat('DTLIC3');
const blob = await format.encode(claims, key);
const options = { keys: [key.publicJwk], product: 'datatools', tag: 'DTLIC3', now: new Date('2026-06-01T00:00:00Z') };

describe('license keys', () => {
  const bytes = (fill: number) => () => new Uint8Array(10).fill(fill);
  test.each([
    ['DT1', 'pro', bytes(0), /^DT1-PRO-0000-0000-0000-0000[0-9A-Z]$/],
    ['DT1', 'enterprise', bytes(255), /^DT1-ENTERPRISE-ZZZZ-ZZZZ-ZZZZ-ZZZZ[0-9A-Z]$/],
    ['AB', 'lite', bytes(1), /^AB-LITE-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}$/],
  ])('%s %s has the documented shape', (prefix, tier, random, shape) => {
    expect(generateLicenseKey(prefix, tier, random)).toMatch(shape);
  });

  test('80 random bits: 10 bytes of CSPRNG output are all used', () => {
    const a = generateLicenseKey('DT1', 'pro', () => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    const b = generateLicenseKey('DT1', 'pro', () => new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 11]));
    expect(a).not.toBe(b);
  });

  test('every single-character typo in a generated key is caught by the check character', () => {
    const k = generateLicenseKey('DT1', 'pro', (n) => new Uint8Array(n).map((_, i) => i * 37));
    expect(parseLicenseKey(k).ok).toBe(true);
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    for (let i = 8; i < k.length; i++) {
      if (k[i] === '-') continue;
      for (const ch of alphabet) {
        if (ch === k[i]) continue;
        const typo = k.slice(0, i) + ch + k.slice(i + 1);
        expect(parseLicenseKey(typo).ok, typo).toBe(false);
      }
    }
  });

  test.each([
    ['dt1-pro-0000-0000-0000-0000X', false],
    [' dt1-pro-oooo-0000-0000-0000' + checkCharacter('DT1-PRO', '0000000000000000') + ' ', true],
    ['DT1-PRO-ab12-cd34', true],
    ['DT1-PRO-ab12', false],
    ['hello', false],
  ])('parse %j -> ok=%s', (input, ok) => {
    expect(parseLicenseKey(input).ok).toBe(ok);
  });

  test('legacy keys keep their spelling; Crockford look-alikes normalise', () => {
    expect(parseLicenseKey('DT1-PRO-ab12-cd34')).toMatchObject({ ok: true, value: { key: 'DT1-PRO-ab12-cd34', shape: 'legacy' } });
    const good = generateLicenseKey('DT1', 'pro', () => new Uint8Array(10));
    expect(parseLicenseKey(good.toLowerCase().replace(/0/g, 'o'))).toMatchObject({ ok: true, value: { key: good } });
  });
});

describe('the JWS blob', () => {
  test('verifies, and the same key and claims give the same bytes', async () => {
    expect(await verifyLicense(blob, options)).toMatchObject({ valid: true, license: { key: claims.sub, tier: 'pro' } });
    expect(await format.encode(claims, signingKeyFromSeed(seed))).toBe(blob);
  });

  test('every single-byte change to a valid blob is rejected', async () => {
    const replacements = ['A', 'z', '_', '.', ':', ' '];
    let tried = 0;
    for (let i = 0; i < blob.length; i++) {
      for (const r of replacements) {
        if (r === blob[i] || (r === ' ' && (i === 0 || i === blob.length - 1))) continue;
        const mutated = blob.slice(0, i) + r + blob.slice(i + 1);
        const result = await verifyLicense(mutated, options);
        expect(result.valid, `position ${i} -> ${JSON.stringify(r)}`).toBe(false);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(blob.length * 4);
  });

  test('a blob signed by an imported PKCS#8 PEM equals the one signed by the same raw seed', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const fromPem = parsePrivateKey(pem);
    const fromSeedHex = parsePrivateKey(der.subarray(der.length - 32).toString('hex'));
    const fromSeedB64 = parsePrivateKey(der.subarray(der.length - 32).toString('base64'));
    expect(fromPem.kid).toBe(fromSeedHex.kid);
    expect(await format.encode(claims, fromPem)).toBe(await format.encode(claims, fromSeedHex));
    expect(await format.encode(claims, fromSeedB64)).toBe(await format.encode(claims, fromSeedHex));
  });

  test('kid is the RFC 7638 thumbprint (RFC 8037 appendix A.3 example)', () => {
    expect(jwkThumbprint('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo')).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  test('mail clients that wrap long lines do not break a blob', async () => {
    const wrapped = blob.match(/.{1,76}/g)!.join('\r\n');
    expect((await verifyLicense(wrapped, options)).valid).toBe(true);
  });

  test.each([
    ['not a key', 'hello', /expected a 32-byte/],
    ['short hex', 'abcd', /expected a 32-byte/],
    ['rsa pem', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), /rsa key/],
  ])('parsePrivateKey rejects %s clearly', (_name, input, message) => {
    expect(() => parsePrivateKey(input)).toThrow(message);
  });
});

describe('helpers', () => {
  test.each([
    [new Uint8Array([]), ''],
    [new Uint8Array([0xff]), '_w'],
    [new Uint8Array([0xfb, 0xff]), '-_8'],
    [new Uint8Array([1, 2, 3]), 'AQID'],
  ])('base64url %j <-> %s', (bytes, text) => {
    expect(base64urlEncode(bytes)).toBe(text);
    expect(base64urlDecode(text)).toEqual(bytes);
  });

  test.each(['_x', 'A', 'AQI=', 'AQ+D'])('base64url rejects non-canonical %s', (text) => {
    expect(base64urlDecode(text)).toBeNull();
  });

  test.each([
    ['2024-02-29T00:00:00Z', 1, '2025-02-28T00:00:00.000Z'],
    ['2026-11-25T10:00:00Z', 2, '2028-11-25T10:00:00.000Z'],
  ])('addYears(%s, %i) = %s', (from, years, expected) => {
    expect(addYears(new Date(from), years).toISOString()).toBe(expected);
  });
});
