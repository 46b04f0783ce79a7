// Format plugins below the CLI: the pure checks as tables, and the worker wrapper (built dist/, since the
// worker is a compiled file) for what is awkward end to end: timeouts, async plugins, console output,
// batched decodes, and the key staying out of the plugin's reach.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadPluginFormat, type PluginFormat } from '../dist/license/plugin-format.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { blobProblem, claimsDifference, readDecoded, signatureProblem } from '../src/license/plugin-checks.js';
import { isSecretEnvName, pluginEnv } from '../src/license/plugin-protocol.js';
import type { LicenseClaims } from '../src/verify/claims.js';
import { EXAMPLE_PLUGIN, pluginSource, SEED_HEX } from './format-plugin-fixtures.js';

const CLAIMS: LicenseClaims = { v: 1, iss: 'datatools', sub: 'DT1-PRO-AAAA', name: 'Jane', email: 'jane@example.com', tier: 'pro', iat: 1_700_000_000, exp: 1_900_000_000 };
const key = signingKeyFromSeed(Buffer.from(SEED_HEX, 'hex'));
const bytes = (...b: number[]) => new Uint8Array(b);

describe('blobProblem', () => {
  test.each([
    ['DTLIC2:abc.def', null],
    [42, 'encode() returned a number, not a string blob'],
    [undefined, 'encode() returned nothing, not a string blob'],
    [null, 'encode() returned null, not a string blob'],
    [{ blob: 'x' }, 'encode() returned an object, not a string blob'],
    [bytes(1), 'encode() returned bytes, not a string blob'],
    ['   ', 'encode() returned an empty blob'],
    ['a\nb', 'encode() returned a blob with line breaks or control characters'],
    ['x'.repeat(70_000), 'encode() returned a 70000-character blob (more than 65536)'],
  ])('%# -> %s', (value, expected) => expect(blobProblem(value)).toBe(expected));
});

describe('readDecoded', () => {
  const good = { claims: CLAIMS, signedBytes: bytes(1), signature: bytes(2) };
  test.each([
    [good, null],
    [{ ...good, kid: 'k1' }, null],
    ['str', 'decode() returned a string, not { claims, signedBytes, signature }'],
    [{ ...good, claims: { ...CLAIMS, iat: '2024' } }, 'decode() returned claims without the required v, iss, sub, name, email, tier, iat (or with wrong types)'],
    [{ ...good, signedBytes: 'AAEC' }, 'decode() returned signedBytes as a string, not a Uint8Array'],
    [{ ...good, signature: [1, 2] }, 'decode() returned signature as an array, not a Uint8Array'],
    [{ ...good, kid: 7 }, 'decode() returned kid as a number, not a string'],
  ])('%#', (value, problem) => {
    const result = readDecoded(value);
    if (problem === null) expect(typeof result).toBe('object');
    else expect(result).toBe(problem);
  });
});

describe('claimsDifference', () => {
  test.each([
    [CLAIMS, null],
    [{ ...CLAIMS, tier: 'lite' }, 'claim "tier" came back as "lite" instead of "pro"'],
    [{ ...CLAIMS, exp: undefined }, 'claim "exp" came back as nothing instead of 1900000000'],
    [{ ...CLAIMS, seats: 2 }, 'claim "seats" came back as 2 instead of nothing'],
    [{ ...CLAIMS, extra: 'ignored' }, null],
  ])('%#', (received, expected) => expect(claimsDifference(CLAIMS, received as LicenseClaims)).toBe(expected));
});

describe('signatureProblem', () => {
  const made = [{ bytes: bytes(1, 2), signature: bytes(9, 9) }];
  const decoded = (signedBytes: Uint8Array, signature: Uint8Array, kid?: string) => ({ claims: CLAIMS, signedBytes, signature, ...(kid ? { kid } : {}) });
  test.each([
    [decoded(bytes(1, 2), bytes(9, 9)), made, null],
    [decoded(bytes(1, 2), bytes(9, 9), 'k1'), made, null],
    [decoded(bytes(1, 2), bytes(9, 9)), [], 'encode() never called sign()'],
    [decoded(bytes(1, 2), bytes(9, 8)), made, 'the signature in the blob is not one that sign() returned'],
    [decoded(bytes(1, 3), bytes(9, 9)), made, 'decode() reports signed bytes that differ from the bytes encode() signed'],
    [decoded(bytes(1, 2), bytes(9, 9), 'other'), made, 'the blob names key other, but it was signed with k1'],
    [decoded(bytes(1, 2), bytes(9, 9)), [...made, { bytes: bytes(6), signature: bytes(6, 6) }], 'encode() had sign() sign bytes that are not the ones in the blob'],
  ])('%#', (d, m, expected) => expect(signatureProblem(d, m, 'k1')).toBe(expected));
});

describe('the environment a plugin starts with', () => {
  test.each([
    ['LICENSE_ADMIN_PRIVATE_KEY', true], ['LICENSE_ADMIN_KEY_PASSPHRASE', true], ['LICENSE_ADMIN_HOME', true], ['LICENSE_ADMIN_SMTP_URL', true],
    ['STRIPE_WEBHOOK_SECRET', true], ['GITHUB_TOKEN', true], ['DB_PASSWORD', true], ['OPENAI_API_KEY', true],
    ['PATH', false], ['HOME', false], ['LANG', false], ['TZ', false],
  ])('%s secret: %s', (name, secret) => expect(isSecretEnvName(name)).toBe(secret));

  test('pluginEnv keeps the harmless and drops the secret', () => {
    expect(pluginEnv({ PATH: '/bin', LICENSE_ADMIN_PRIVATE_KEY: SEED_HEX, API_TOKEN: 't', TZ: 'UTC', EMPTY: undefined })).toEqual({ PATH: '/bin', TZ: 'UTC' });
  });
});

describe('the worker wrapper', () => {
  const dir = mkdtempSync(join(tmpdir(), 'la-plugins-'));
  const opened: PluginFormat[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((f) => f.close()));
  });
  async function load(file: string, source: string, timeoutMs = 5_000): Promise<PluginFormat> {
    writeFileSync(join(dir, file), source);
    const format = await loadPluginFormat({ path: join(dir, file), label: file, protectedPaths: [join(dir, 'keys')], env: { ...process.env, LICENSE_ADMIN_PRIVATE_KEY: SEED_HEX }, timeoutMs });
    opened.push(format);
    return format;
  }

  test('the example round-trips, and a batched decode answers like single ones', async () => {
    const format = await loadPluginFormat({ path: EXAMPLE_PLUGIN, label: 'example', protectedPaths: [], env: process.env });
    opened.push(format);
    expect(format.name).toBe('dtlic2');
    const blobs = await Promise.all(Array.from({ length: 2_500 }, (_, i) => format.encode({ ...CLAIMS, sub: `DT1-PRO-${i}` }, key)));
    format.prefetch([...blobs, 'garbage']);
    expect(blobs.map((b) => format.decode(b).claims.sub)).toEqual(blobs.map((_, i) => `DT1-PRO-${i}`));
    expect(() => format.decode('garbage')).toThrow('does not start with DTLIC2:');
  });

  test('async encode/decode are awaited in the worker', async () => {
    const format = await load('async.mjs', pluginSource(`async encode(c, s) { console.log('encoding', c.sub); await new Promise((r) => setTimeout(r, 5)); return example.encode(c, s); }, async decode(b) { return example.decode(b); }`));
    const blob = await format.encode(CLAIMS, key);
    expect(format.decode(blob).claims).toEqual(CLAIMS);
  });

  test('an endless loop times out with the plugin named, and the plugin stays refused', async () => {
    const format = await load('loop.mjs', pluginSource('encode() { for (;;) {} }'), 300);
    await expect(format.encode(CLAIMS, key)).rejects.toThrow('format plugin "loop.mjs" did not answer encode() within 300 ms (an endless loop?); nothing was written');
    expect(() => format.decode('x')).toThrow('did not answer encode() within 300 ms');
  });

  test('sign() outside encode() fails; a failing signer is reported, not hidden', async () => {
    const format = await load('sign-in-decode.mjs', pluginSource(`decode(b) { globalThis.savedSign?.(new Uint8Array([1])); return example.decode(b); }, encode(c, s) { globalThis.savedSign = s.sign; return example.encode(c, s); }`));
    await expect(format.encode(CLAIMS, key)).rejects.toThrow('fails the round trip (encode, then decode): it cannot read back the blob it just made: decode() threw: sign() is only available inside encode()');
    const example = await load('plain.mjs', pluginSource(''));
    const broken = { kid: key.kid, sign: () => { throw new Error('KMS unreachable'); } };
    await expect(example.encode(CLAIMS, broken)).rejects.toThrow('format plugin "plain.mjs" failed in encode(): signing failed: KMS unreachable');
  });

  test('process.env inside the plugin has no secret, and asking for one is refused even if the plugin swallows the error', async () => {
    const format = await load('peek.mjs', pluginSource(`encode(c, s) { try { 'LICENSE_ADMIN_PRIVATE_KEY' in process.env; } catch {} return example.encode(c, s); }`));
    await expect(format.encode(CLAIMS, key)).rejects.toThrow(/format plugin "peek.mjs" tried to read LICENSE_ADMIN_PRIVATE_KEY from the environment, which a format plugin may not do: it never gets the signing key/);
    expect(() => format.decode('x')).toThrow(/tried to read LICENSE_ADMIN_PRIVATE_KEY/);
  });

  test('no network: a plugin cannot send what it signed elsewhere', async () => {
    const format = await load('phone-home.mjs', pluginSource(`encode(c, s) { try { connect(9, '127.0.0.1').on('error', () => {}); } catch {} return example.encode(c, s); }`, `import { connect } from 'node:net';`));
    await expect(format.encode(CLAIMS, key)).rejects.toThrow(/tried to open a network connection, which a format plugin may not do/);
    const fetcher = await load('fetch.mjs', pluginSource(`async encode(c, s) { await fetch('http://127.0.0.1:9/').catch(() => {}); return example.encode(c, s); }`));
    await expect(fetcher.encode(CLAIMS, key)).rejects.toThrow(/tried to open a network connection \(fetch\)/);
  });

  test('a symlink to the key directory is still the key directory', async () => {
    const format = await load('link.mjs', pluginSource(`encode(c, s) { try { symlinkSync(${JSON.stringify(join(dir, 'keys'))}, ${JSON.stringify(join(dir, 'innocent'))}); } catch {} return example.encode(c, s); }`, `import { symlinkSync } from 'node:fs';`));
    await expect(format.encode(CLAIMS, key)).rejects.toThrow(/tried to open .*keys/);
  });
});
