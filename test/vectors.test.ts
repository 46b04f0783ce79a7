// The published test vectors, checked byte for byte and verdict for verdict by every verifier we ship:
// the embedded one (WebCrypto and the noble fallback), the CLI's node:crypto one, and the Python recipe.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkBlob } from '../src/license/check-blob.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { verifyLicense, FAILURE_REASONS } from '../src/verify/index.js';
import type { LicenseClaims } from '../src/verify/claims.js';
import { findPythonWithCryptography } from './helpers/python.js';

interface Vector {
  description: string;
  seedHex?: string;
  publicKeyJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string };
  tag: string | null;
  product: string;
  now: string;
  claims?: LicenseClaims;
  blob: string;
  expected: string;
}

const dir = join(import.meta.dirname, '..', 'fixtures', 'vectors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const vectors = files.map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vector] as const);

test('there are vectors for every verdict', () => {
  const verdicts = new Set(vectors.map(([, v]) => v.expected));
  for (const reason of ['valid', ...FAILURE_REASONS]) expect(verdicts, reason).toContain(reason);
});

describe.each(vectors)('%s', (_file, v) => {
  const options = { keys: [v.publicKeyJwk], product: v.product, now: new Date(v.now), ...(v.tag ? { tag: v.tag } : {}) };

  test('has the documented fields', () => {
    expect(typeof v.description).toBe('string');
    expect(v.publicKeyJwk.kty).toBe('OKP');
    expect([...FAILURE_REASONS, 'valid']).toContain(v.expected);
  });

  test('the embedded verifier gives the expected verdict', async () => {
    const result = await verifyLicense(v.blob, options);
    expect(result.valid ? 'valid' : result.reason).toBe(v.expected);
  });

  test('the CLI verifier gives the expected verdict', () => {
    const result = checkBlob(v.blob, createJwsFormat(v.tag ?? undefined), { ...options, keys: [v.publicKeyJwk] });
    expect(result.valid ? 'valid' : result.reason).toBe(v.expected);
  });

});

const reproducible = vectors.filter(([f, v]) => v.seedHex !== undefined && v.claims !== undefined && !/forged|extra-header/.test(f));

test.each(reproducible)('%s: signing the claims reproduces the blob byte for byte', async (_file, v) => {
  const key = signingKeyFromSeed(Buffer.from(v.seedHex!, 'hex'));
  expect(await createJwsFormat(v.tag ?? undefined).encode(v.claims!, key)).toBe(v.blob);
});

test('the Python recipe in docs/ agrees with every vector', async () => {
  const python = await findPythonWithCryptography();
  const out = execFileSync(python, [join(import.meta.dirname, '..', 'docs', 'verify_license.py'), ...files.map((f) => join(dir, f))], { encoding: 'utf8' });
  const results = out.trim().split('\n').map((l) => JSON.parse(l) as { expected: string; actual: string });
  expect(results).toHaveLength(files.length);
  for (const r of results) expect(r.actual).toBe(r.expected);
});

test('the noble fallback (WebCrypto without Ed25519, as in older browsers) agrees with every vector', () => {
  const script = `
    const subtle = globalThis.crypto.subtle;
    const importKey = subtle.importKey.bind(subtle);
    let refused = 0;
    subtle.importKey = (fmt, key, alg, ...rest) => {
      if ((alg?.name ?? alg) === 'Ed25519') { refused++; return Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError')); }
      return importKey(fmt, key, alg, ...rest);
    };
    const { verifyLicense } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'verify', 'index.js'))});
    const fs = await import('node:fs');
    const out = [];
    for (const f of ${JSON.stringify(files.map((f) => join(dir, f)))}) {
      const v = JSON.parse(fs.readFileSync(f, 'utf8'));
      const r = await verifyLicense(v.blob, { keys: [v.publicKeyJwk], product: v.product, now: new Date(v.now), ...(v.tag ? { tag: v.tag } : {}) });
      out.push({ expected: v.expected, actual: r.valid ? 'valid' : r.reason });
    }
    if (refused === 0) throw new Error('the WebCrypto path was not refused');
    console.log(JSON.stringify(out));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { expected: string; actual: string }[];
  expect(out).toHaveLength(files.length);
  for (const r of out) expect(r.actual).toBe(r.expected);
});

// Issue 13, item 5: with no crypto.subtle at all (a page on plain http, some Electron contexts), noble's async
// API had no SHA-512 and every valid license came out bad-signature. It gets SHA-512 from @noble/hashes now.
test.each([
  ['crypto.subtle removed (crypto.getRandomValues kept, as on a plain-http page)', "Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined });"],
  ['globalThis.crypto removed altogether', "Object.defineProperty(globalThis, 'crypto', { value: undefined });"],
])('the fallback works with %s: every vector gets its verdict', (_label, removeWebCrypto) => {
  const script = `
    ${removeWebCrypto}
    const { verifyLicense } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'verify', 'index.js'))});
    const fs = await import('node:fs');
    const out = [];
    for (const f of ${JSON.stringify(files.map((f) => join(dir, f)))}) {
      const v = JSON.parse(fs.readFileSync(f, 'utf8'));
      const r = await verifyLicense(v.blob, { keys: [v.publicKeyJwk], product: v.product, now: new Date(v.now), ...(v.tag ? { tag: v.tag } : {}) });
      out.push({ expected: v.expected, actual: r.valid ? 'valid' : r.reason });
    }
    console.log(JSON.stringify({ subtle: typeof globalThis.crypto?.subtle, out }));`;
  const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { subtle: string; out: { expected: string; actual: string }[] };
  expect(result.subtle).toBe('undefined');
  expect(result.out).toHaveLength(files.length);
  expect(result.out.filter((r) => r.expected === 'valid').length).toBeGreaterThanOrEqual(3);
  for (const r of result.out) expect(r.actual).toBe(r.expected);
});
