// Google Cloud KMS with the built binary: @google-cloud/kms (REST transport) pointed by
// LICENSE_ADMIN_GCP_KMS_ENDPOINT at a local stand-in for the Cloud KMS REST API (test/helpers/fake-gcp-kms.ts;
// nothing real can run here), an access token from GOOGLE_OAUTH_ACCESS_TOKEN. A key version created in KMS
// becomes the signing key by rotation; the existing key goes in through an import job; either way `mint`
// signs through KMS with no private key anywhere.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { runCli, tempHome, TRANSCRIPT } from './helpers/cli.js';
import { startFakeGcpKms, type FakeGcpKms } from './helpers/fake-gcp-kms.js';

const NAME = 'projects/acme/locations/europe-west1/keyRings/licenses/cryptoKeys/signing/cryptoKeyVersions/1';
const URI = `gcpkms:${NAME}`;
const TOKEN = `ya29.fake-${randomBytes(12).toString('hex')}`;
const kmsSeed = randomBytes(32);
const kmsKey = signingKeyFromSeed(kmsSeed);
const NOW = '2026-11-25T12:00:00.000Z';
let gcp: FakeGcpKms;
let home: string;
let gcpEnv: Record<string, string>;
const cli = (args: string[], env: Record<string, string>) => runCli(args, { home, env: { LICENSE_ADMIN_NOW: NOW, ...env } });

beforeAll(async () => {
  gcp = await startFakeGcpKms(TOKEN);
  gcp.addEd25519Version(NAME, kmsSeed);
  gcpEnv = { LICENSE_ADMIN_GCP_KMS_ENDPOINT: gcp.url, GOOGLE_OAUTH_ACCESS_TOKEN: TOKEN };
  home = await tempHome();
  const init = await cli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--blob-tag', 'DTLIC3', '--key-storage', 'plaintext-file'], {});
  expect(init.exitCode, init.stderr).toBe(0);
}, 60_000);
afterAll(() => gcp?.close());

describe('Google Cloud KMS through the built binary', () => {
  test('keys rotate --to gcpkms:… (active at once), then mint signs through KMS byte-identically; keys test reports latency', async () => {
    const rotated = await cli(['keys', 'rotate', '--to', URI, '--json'], gcpEnv);
    expect(rotated.exitCode, rotated.stderr).toBe(0);
    expect(rotated.json()).toMatchObject({ kid: kmsKey.kid, active: true, backend: 'gcp-kms', signer: URI });
    const minted = await cli(['mint', '--tier', 'pro', '--email', 'ada@example.com', '--json'], { ...gcpEnv, LICENSE_ADMIN_SIGNER: URI });
    expect(minted.exitCode, minted.stderr).toBe(0);
    const { blob } = minted.json<{ blob: string }>();
    const format = createJwsFormat('DTLIC3');
    expect(blob).toBe(await format.encode(format.decode(blob).claims, kmsKey));
    const tested = await cli(['keys', 'test', '--json'], { ...gcpEnv, LICENSE_ADMIN_SIGNER: URI });
    expect(tested.exitCode, tested.stderr).toBe(0);
    expect(tested.json()).toMatchObject({ ok: true, kid: kmsKey.kid, backend: 'gcp-kms', latencyMs: expect.any(Number) });
  }, 60_000);

  test('keys import --to gcpkms: moves the existing key in through an import job; keys show keeps kid and jwks; mint signs through it', async () => {
    const seed = randomBytes(32).toString('hex');
    const existing = signingKeyFromSeed(Buffer.from(seed, 'hex'));
    const importHome = await tempHome();
    const run = (args: string[], env: Record<string, string>) => runCli(args, { home: importHome, env: { LICENSE_ADMIN_NOW: NOW, ...env } });
    expect((await run(['init', '--yes', '--product', 'datatools', '--blob-tag', 'DTLIC3', '--key-storage', 'plaintext-file'], { LICENSE_ADMIN_PRIVATE_KEY: seed })).exitCode).toBe(0);
    const before = (await run(['keys', 'show', '--json'], { LICENSE_ADMIN_PRIVATE_KEY: seed })).json<{ kid: string; jwks: unknown }>();
    const cryptoKey = NAME.replace('/signing/cryptoKeyVersions/1', '/imported');
    gcp.addImportOnlyKey(cryptoKey);
    const target = `gcpkms:${cryptoKey}/cryptoKeyVersions/1`;
    const imported = await run(['keys', 'import', '--to', target, '--json'], { ...gcpEnv, LICENSE_ADMIN_PRIVATE_KEY: seed });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.json()).toMatchObject({ kid: existing.kid, backend: 'gcp-kms', signer: target, imported: true });
    const after = (await run(['keys', 'show', '--json'], {})).json<{ kid: string; jwks: unknown }>();
    expect(after.kid).toBe(before.kid);
    expect(after.jwks).toEqual(before.jwks);
    const minted = await run(['mint', '--tier', 'pro', '--email', 'imp@example.com', '--json'], { ...gcpEnv, LICENSE_ADMIN_SIGNER: target });
    expect(minted.exitCode, minted.stderr).toBe(0);
    const format = createJwsFormat('DTLIC3');
    const { blob } = minted.json<{ blob: string }>();
    expect(blob).toBe(await format.encode(format.decode(blob).claims, existing));
    expect(readFileSync(TRANSCRIPT, 'utf8')).not.toContain(seed);
  }, 60_000);

  test('a revoked token is refused clearly', async () => {
    const refused = await cli(['mint', '--tier', 'pro', '--email', 'bob@example.com', '--json'], { ...gcpEnv, GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.revoked', LICENSE_ADMIN_SIGNER: URI });
    expect(refused.exitCode).toBe(1);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/Google refused the credentials/);
    expect(readFileSync(TRANSCRIPT, 'utf8')).not.toContain(TOKEN);
  }, 60_000);
});
