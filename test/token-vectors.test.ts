// Leases and revocation lists (docs/FORMAT.md sections 7-8): fixtures/token-vectors/*.json checked verdict for
// verdict by the embedded verifier (WebCrypto, and with no crypto.subtle at all), byte for byte against the
// signer, and by the Python recipe in docs/.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { signLease } from '../src/license/lease.js';
import { signRevocationList } from '../src/license/revocation-list.js';
import type { LeaseClaims } from '../src/verify/lease.js';
import type { RevocationClaims } from '../src/verify/revocations.js';
import { verifyLease, verifyLicense, verifyRevocationList, type PublicJwk } from '../src/verify/index.js';
import { findPythonWithCryptography } from './helpers/python.js';

interface TokenVector {
  kind: 'lease' | 'revocations' | 'license';
  description: string;
  seedHex: string;
  publicKeyJwk: PublicJwk & { kid: string };
  product: string;
  now: string;
  token: string;
  expected: string;
  claims?: Record<string, unknown>;
  fingerprint?: string;
  minSeq?: number;
  revocations?: { list: string; minSeq?: number };
  expectedRevocations?: string;
}

const dir = join(import.meta.dirname, '..', 'fixtures', 'token-vectors');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const vectors = files.map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as TokenVector] as const);

/** The verdict and (for a license with a list) what became of the list; the same code runs in the fallback test. */
async function verdict(v: TokenVector, verify = { verifyLease, verifyLicense, verifyRevocationList }): Promise<string> {
  const base = { keys: [v.publicKeyJwk], product: v.product, now: new Date(v.now) };
  if (v.kind === 'lease') {
    const r = await verify.verifyLease(v.token, { ...base, fingerprint: v.fingerprint! });
    return r.valid ? 'valid' : r.reason;
  }
  if (v.kind === 'revocations') {
    const r = await verify.verifyRevocationList(v.token, { ...base, ...(v.minSeq !== undefined ? { minSeq: v.minSeq } : {}) });
    return r.valid ? 'valid' : r.reason;
  }
  const r = await verify.verifyLicense(v.token, { ...base, ...(v.revocations ? { revocations: v.revocations } : {}) });
  const used = r.revocations ? (r.revocations.trusted ? 'trusted' : r.revocations.reason) : null;
  const actual = r.valid ? 'valid' : r.reason;
  return v.expectedRevocations !== undefined && used !== v.expectedRevocations ? `${actual} (revocation list: ${used})` : actual;
}

test('every kind has a valid vector and the failures the spec names', () => {
  const seen = new Set(vectors.map(([, v]) => `${v.kind}:${v.expected}`));
  for (const k of ['lease:valid', 'lease:wrong-machine', 'lease:expired', 'lease:malformed', 'revocations:valid', 'revocations:rolled-back', 'revocations:expired', 'license:revoked']) expect(seen, k).toContain(k);
});

describe.each(vectors)('%s', (_file, v) => {
  test('the embedded verifier gives the expected verdict', async () => {
    expect(await verdict(v)).toBe(v.expected);
  });
});

const signed = vectors.filter(([, v]) => v.claims && v.kind !== 'license');
test.each(signed)('%s: signing the claims reproduces the token byte for byte', async (_file, v) => {
  const key = signingKeyFromSeed(Buffer.from(v.seedHex, 'hex'));
  const token = await (v.kind === 'lease' ? signLease(v.claims as unknown as LeaseClaims, key) : signRevocationList(v.claims as unknown as RevocationClaims, key));
  expect(token).toBe(v.token);
});

test('the typ headers are the documented ones', () => {
  const typ = (t: string) => (JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()) as { typ?: string }).typ;
  expect(typ(vectors.find(([, v]) => v.kind === 'lease' && v.expected === 'valid')![1].token)).toBe('lease+jwt');
  expect(typ(vectors.find(([, v]) => v.kind === 'revocations' && v.expected === 'valid')![1].token)).toBe('revocations+jwt');
});

test('the Python recipe in docs/ agrees with every token vector', async () => {
  const python = await findPythonWithCryptography();
  const out = execFileSync(python, [join(import.meta.dirname, '..', 'docs', 'verify_license.py'), ...files.map((f) => join(dir, f))], { encoding: 'utf8' });
  const results = out.trim().split('\n').map((l) => JSON.parse(l) as { expected: string; actual: string });
  expect(results).toHaveLength(files.length);
  for (const r of results) expect(r.actual).toBe(r.expected);
});

test('with no crypto.subtle at all (the noble fallback, SHA-256 included) every token vector gets its verdict', () => {
  const script = `
    Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined });
    const verify = await import(${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'verify', 'index.js'))});
    const fs = await import('node:fs');
    const verdict = ${verdict.toString().replace(/verify = \{[^}]*\}/, 'verify')};
    const out = [];
    for (const f of ${JSON.stringify(files.map((f) => join(dir, f)))}) {
      const v = JSON.parse(fs.readFileSync(f, 'utf8'));
      out.push({ expected: v.expected, actual: await verdict(v, verify) });
    }
    console.log(JSON.stringify({ subtle: typeof globalThis.crypto?.subtle, out }));`;
  const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { subtle: string; out: { expected: string; actual: string }[] };
  expect(result.subtle).toBe('undefined');
  expect(result.out).toHaveLength(files.length);
  for (const r of result.out) expect(r.actual).toBe(r.expected);
});
