// Vault transit with the built binary, against a local stand-in for Vault (test/helpers/fake-vault.ts:
// nothing real can run here; it follows hashicorp/vault's transit API docs and path_import.go, really
// unwraps the imported key and signs with Ed25519): `keys import --to` moves the creator's existing seed in
// by BYOK, `keys show` keeps kid and jwks, `mint` with LICENSE_ADMIN_SIGNER and no private key signs
// byte-identically to local signing, `keys test` reports latency, and `serve` answers 503 and keeps the
// sale queued while Vault is down.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { runCli, tempHome, TRANSCRIPT } from './helpers/cli.js';
import { startFakeVault, type FakeVault } from './helpers/fake-vault.js';
import { gumroadPing, postGumroad, until } from './helpers/server-harness.js';
import { setupServeHome, sql, startServe, type ServeProcess } from './helpers/serve-process.js';

const TOKEN = `hvs.${randomBytes(16).toString('hex')}`;
const SEED = randomBytes(32).toString('hex');
const key = signingKeyFromSeed(Buffer.from(SEED, 'hex'));
const NOW = '2026-11-25T12:00:00.000Z';
let vault: FakeVault;
let home: string;
let uri: string;
const localEnv = { LICENSE_ADMIN_PRIVATE_KEY: SEED };
let vaultEnv: Record<string, string>;
const cli = (args: string[], env: Record<string, string>) => runCli(args, { home, env: { LICENSE_ADMIN_NOW: NOW, ...env } });
const servers: ServeProcess[] = [];

beforeAll(async () => {
  vault = await startFakeVault(TOKEN);
  uri = `vault+${vault.url}/transit/keys/license-signing`;
  vaultEnv = { VAULT_TOKEN: TOKEN, LICENSE_ADMIN_SIGNER: uri };
  home = await tempHome();
  const init = await cli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--blob-tag', 'DTLIC3', '--key-storage', 'plaintext-file'], localEnv);
  expect(init.exitCode, init.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await vault?.close();
});

describe('Vault transit through the built binary', () => {
  test('keys import --to vault+http://… puts the existing key into transit by BYOK; keys show prints the same kid and jwks', async () => {
    const before = (await cli(['keys', 'show', '--json'], localEnv)).json<{ kid: string; jwks: unknown }>();
    const imported = await cli(['keys', 'import', '--to', uri, '--json'], { ...localEnv, VAULT_TOKEN: TOKEN });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.json()).toMatchObject({ kid: key.kid, backend: 'vault', signer: uri, imported: true });
    expect(vault.keys.get('transit/license-signing')).toMatchObject({ type: 'ed25519', imported: true });
    expect(vault.requests.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['GET /v1/transit/wrapping_key', 'POST /v1/transit/keys/license-signing/import']));
    const after = (await cli(['keys', 'show', '--json'], {})).json<{ kid: string; jwks: unknown }>();
    expect(after.kid).toBe(before.kid);
    expect(after.jwks).toEqual(before.jwks);
    expect(JSON.parse(readFileSync(join(home, '.license-admin', 'keys.json'), 'utf8')).keys).toEqual([expect.objectContaining({ kid: key.kid, storage: 'remote' })]);
  }, 60_000);

  test('keys import --to with a key stored here keeps the copy unless --delete-local; with it the file is gone and minting goes through Vault', async () => {
    const own = await tempHome();
    const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { home: own, env: { LICENSE_ADMIN_NOW: NOW, ...env } });
    const init = await run(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--key-storage', 'plaintext-file', '--json']);
    expect(init.exitCode, init.stderr).toBe(0);
    const kid = init.json<{ kid: string }>().kid;
    const seedFile = join(own, '.license-admin', 'keys', `${kid}.seed`);
    expect(existsSync(seedFile)).toBe(true);
    const registry = () => JSON.parse(readFileSync(join(own, '.license-admin', 'keys.json'), 'utf8')).keys as { kid: string; storage: string }[];

    const kept = await run(['keys', 'import', seedFile, '--to', `vault+${vault.url}/transit/keys/kept-${kid.slice(0, 6)}`], { VAULT_TOKEN: TOKEN });
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stderr).toMatch(/A local copy is still kept \(plaintext-file\).*--delete-local/s);
    expect(existsSync(seedFile)).toBe(true);

    const target = `vault+${vault.url}/transit/keys/moved-${kid.slice(0, 6)}`;
    const moved = await run(['keys', 'import', seedFile, '--to', target, '--delete-local', '--json'], { VAULT_TOKEN: TOKEN });
    expect(moved.exitCode, moved.stderr).toBe(0);
    expect(moved.json()).toMatchObject({ kid, localCopy: null, localCopyRemoved: 'plaintext-file' });
    expect(existsSync(seedFile)).toBe(false);
    expect(registry()).toEqual([expect.objectContaining({ kid, storage: 'remote' })]);
    const noKey = await run(['mint', '--tier', 'pro', '--email', 'x@example.com']);
    expect(noKey.exitCode).toBe(1);
    expect(noKey.stderr).toMatch(/lives only in .*LICENSE_ADMIN_SIGNER/);
    const minted = await run(['mint', '--tier', 'pro', '--email', 'moved@example.com', '--json'], { VAULT_TOKEN: TOKEN, LICENSE_ADMIN_SIGNER: target });
    expect(minted.exitCode, minted.stderr).toBe(0);
    expect(minted.json<{ kid: string }>().kid).toBe(kid);
  }, 60_000);

  test('mint with LICENSE_ADMIN_SIGNER and no private key: the blob is byte for byte the locally signed one', async () => {
    const minted = await cli(['mint', '--tier', 'pro', '--email', 'ada@example.com', '--name', 'Ada', '--json'], vaultEnv);
    expect(minted.exitCode, minted.stderr).toBe(0);
    const { blob, licenseKey } = minted.json<{ blob: string; licenseKey: string }>();
    const format = createJwsFormat('DTLIC3');
    expect(blob).toBe(await format.encode(format.decode(blob).claims, key));
    const [event] = await sql<{ data: string }>({ home }, "SELECT data FROM events WHERE type = 'minted' AND license_key = ?", [licenseKey]);
    expect(JSON.parse(event!.data)).toMatchObject({ kid: key.kid, signer: 'vault' });
  }, 60_000);

  test('config signer { kind: vault, uri } signs without LICENSE_ADMIN_SIGNER; the variable overrides it', async () => {
    const file = join(home, '.license-admin', 'config.json');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(original), signer: { kind: 'vault', uri } }, null, 2));
    try {
      const minted = await cli(['mint', '--tier', 'pro', '--email', 'cfg@example.com', '--json'], { VAULT_TOKEN: TOKEN });
      expect(minted.exitCode, minted.stderr).toBe(0);
      const { blob, licenseKey } = minted.json<{ blob: string; licenseKey: string }>();
      const format = createJwsFormat('DTLIC3');
      expect(blob).toBe(await format.encode(format.decode(blob).claims, key));
      const [event] = await sql<{ data: string }>({ home }, "SELECT data FROM events WHERE type = 'minted' AND license_key = ?", [licenseKey]);
      expect(JSON.parse(event!.data)).toMatchObject({ signer: 'vault' });
      const elsewhere = `vault+${vault.url}/transit/keys/not-there`;
      const overridden = await cli(['mint', '--tier', 'pro', '--email', 'cfg2@example.com', '--json'], { VAULT_TOKEN: TOKEN, LICENSE_ADMIN_SIGNER: elsewhere });
      expect(overridden.exitCode).toBe(1);
      expect(overridden.json<{ error: { message: string } }>().error.message).toContain('transit/keys/not-there does not exist');
    } finally {
      writeFileSync(file, original);
    }
  }, 60_000);

  test('keys test signs a probe through Vault and reports the latency', async () => {
    vault.delayMs = 30;
    try {
      const r = await cli(['keys', 'test', '--json'], vaultEnv);
      expect(r.exitCode, r.stderr).toBe(0);
      const out = r.json<{ ok: boolean; backend: string; signer: string; latencyMs: number }>();
      expect(out).toMatchObject({ ok: true, backend: 'vault', signer: uri });
      expect(out.latencyMs).toBeGreaterThanOrEqual(30);
    } finally {
      vault.delayMs = 0;
    }
  }, 30_000);

  test('a refused token, Vault down, no token: clear errors, nothing minted, the token never shown', async () => {
    const count = async () => (await cli(['list', '--json'], {})).json<unknown[]>().length;
    const before = await count();
    const badToken = `hvs.revoked-${randomBytes(6).toString('hex')}`;
    const cases: [Record<string, string>, RegExp, () => void][] = [
      [{ ...vaultEnv, VAULT_TOKEN: badToken }, /Vault refused the token in VAULT_TOKEN \(403/, () => {}],
      [{ ...vaultEnv, LICENSE_ADMIN_SIGNER_ATTEMPTS: '2', LICENSE_ADMIN_SIGNER_BACKOFF_MS: '10' }, /is not available: answered 503 after 2 attempts/, () => vault.fail(503, 2)],
      [{ ...vaultEnv, VAULT_TOKEN: '' }, /set VAULT_TOKEN/, () => {}],
    ];
    for (const [env, message, arrange] of cases) {
      arrange();
      const r = await cli(['mint', '--tier', 'pro', '--email', 'bob@example.com', '--json'], env);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.json<{ error: { message: string } }>().error.message).toMatch(message);
      for (const secret of [TOKEN, badToken, SEED]) expect(r.stdout + r.stderr).not.toContain(secret);
    }
    vault.heal();
    expect(await count()).toBe(before);
  }, 60_000);

  test('the transcript of every run never shows the token or the seed', () => {
    const transcript = readFileSync(TRANSCRIPT, 'utf8');
    expect(transcript).not.toContain(TOKEN);
    expect(transcript).not.toContain(SEED);
  });
});

describe('serve through Vault', () => {
  test('Vault down: mints answer 503, the sale stays queued, and it is minted byte-identically when Vault is back', async () => {
    const adminKey = signingKeyFromSeed(randomBytes(32));
    const s = await setupServeHome({ LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x, LICENSE_ADMIN_FULFILMENT_RETRY_MS: '200' });
    const seed = s.env.LICENSE_ADMIN_PRIVATE_KEY!;
    const serveUri = `vault+${vault.url}/transit/keys/serve-key`;
    const imported = await runCli(['keys', 'import', '--to', serveUri, '--json'], { home: s.home, env: { ...s.env, VAULT_TOKEN: TOKEN } });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const { LICENSE_ADMIN_PRIVATE_KEY: _gone, ...env } = s.env;
    const serveEnv = { ...env, VAULT_TOKEN: TOKEN, LICENSE_ADMIN_SIGNER: serveUri, LICENSE_ADMIN_SIGNER_ATTEMPTS: '1' };
    vault.fail(503, 1_000_000, /serve-key/);
    const server = startServe({ home: s.home, env: serveEnv });
    servers.push(server);
    const { url } = await server.ready;
    const body = JSON.stringify({ tier: 'pro', email: 'down@example.com' });
    const adminMint = () => fetch(`${url}/internal/mint`, { method: 'POST', headers: { authorization: `LicenseAdmin ${signAdminToken({ method: 'POST', path: '/internal/mint', body }, adminKey, new Date())}`, 'content-type': 'application/json' }, body });
    const mint = await adminMint();
    expect(mint.status).toBe(503);
    expect(((await mint.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'signer_unavailable', message: expect.stringMatching(/answered 503/) });
    expect((await postGumroad(url, gumroadPing('VAULT-DOWN-1'))).status).toBe(200);
    await until(async () => {
      const rows = await sql<{ error: string | null; processed: number }>(s, "SELECT error, processed FROM payment_events WHERE order_ref = 'gumroad:VAULT-DOWN-1'");
      return rows.length > 0 && rows.every((r) => r.processed === 0 && /answered 503/.test(r.error ?? ''));
    }, 15_000, 'the failed attempt recorded, still queued');
    expect(await sql(s, "SELECT 1 FROM licenses WHERE order_ref = 'gumroad:VAULT-DOWN-1'")).toEqual([]);

    vault.heal();
    const [row] = await until(async () => {
      const rows = await sql<{ blob: string }>(s, "SELECT blob FROM licenses WHERE order_ref = 'gumroad:VAULT-DOWN-1'");
      return rows.length ? rows : null;
    }, 30_000, 'minted once Vault is back');
    const format = createJwsFormat(undefined);
    expect(row!.blob).toBe(await format.encode(format.decode(row!.blob).claims, signingKeyFromSeed(Buffer.from(seed, 'hex'))));
    expect((await adminMint()).status).toBe(201);
    expect(server.stderr()).not.toContain(TOKEN);
    await server.stop();
  }, 120_000);
});
