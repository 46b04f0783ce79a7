// Signing through a real PKCS#11 token (SoftHSM2), with the built binary: the creator's existing seed goes
// onto the token (non-extractable), the public key and kid stay what the shipped app trusts, `mint` and
// `serve` sign through the token with no private key in their environment, and each blob is byte for byte
// the one the same seed signs locally (Ed25519 is deterministic). Then the ways it fails.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { verifyLicense } from '../src/verify/index.js';
import { runCli, tempHome, TRANSCRIPT } from './helpers/cli.js';
import { gumroadPing, postGumroad, until } from './helpers/server-harness.js';
import { setupServeHome, sql, startServe, type ServeProcess } from './helpers/serve-process.js';
import { createSoftHsmToken, SOFTHSM_MODULE, type SoftHsmToken } from './helpers/softhsm.js';
import { signAdminToken } from '../src/auth/admin-token.js';

const SEED = randomBytes(32).toString('hex');
const key = signingKeyFromSeed(Buffer.from(SEED, 'hex'));
const NOW = '2026-11-25T12:00:00.000Z';
let token: SoftHsmToken;
let home: string;
let uri: string;
/** The creator's shell before the move: the key in the environment. */
let localEnv: Record<string, string>;
/** After: the token's PIN and URI, no key. */
let tokenEnv: Record<string, string>;
const cli = (args: string[], env: Record<string, string>) => runCli(args, { home, env: { LICENSE_ADMIN_NOW: NOW, ...env } });
const servers: ServeProcess[] = [];

beforeAll(async () => {
  token = createSoftHsmToken();
  uri = token.uri('license-signing');
  home = await tempHome();
  localEnv = { LICENSE_ADMIN_PRIVATE_KEY: SEED };
  tokenEnv = { ...token.env, LICENSE_ADMIN_SIGNER: uri };
  const init = await cli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--blob-tag', 'DTLIC3', '--key-storage', 'plaintext-file'], localEnv);
  expect(init.exitCode, init.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  token?.remove();
});

/** What the same seed signs locally for these claims: the JWS format is deterministic. */
async function signedLocally(blob: string): Promise<string> {
  const decoded = createJwsFormat('DTLIC3').decode(blob);
  return createJwsFormat('DTLIC3').encode(decoded.claims, key);
}

describe('PKCS#11 through SoftHSM', () => {
  test('keys import --to puts the seed on the token as a sensitive, non-extractable key; keys show prints the same kid and jwks', async () => {
    const before = (await cli(['keys', 'show', '--json'], localEnv)).json<{ kid: string; jwks: unknown }>();
    const imported = await cli(['keys', 'import', '--to', uri, '--json'], { ...localEnv, ...token.env });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.json()).toMatchObject({ kid: key.kid, backend: 'pkcs11', signer: `pkcs11:token=${token.label};object=license-signing`, imported: true });
    const after = (await cli(['keys', 'show', '--json'], {})).json<{ kid: string; jwks: unknown }>();
    expect(after.kid).toBe(before.kid);
    expect(after.jwks).toEqual(before.jwks);
    expect(JSON.parse(readFileSync(join(home, '.license-admin', 'keys.json'), 'utf8')).keys).toEqual([expect.objectContaining({ kid: key.kid, storage: 'remote' })]);

    // On the token: a private key object that will not give its value up.
    const p = createRequire(import.meta.url)('pkcs11js');
    process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
    const mod = new p.PKCS11();
    mod.load(SOFTHSM_MODULE);
    mod.C_Initialize();
    try {
      const slot = mod.C_GetSlotList(true).find((s: Buffer) => mod.C_GetTokenInfo(s).label.trim() === token.label);
      const session = mod.C_OpenSession(slot, p.CKF_SERIAL_SESSION);
      mod.C_Login(session, p.CKU_USER, token.pin);
      mod.C_FindObjectsInit(session, [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }, { type: p.CKA_LABEL, value: 'license-signing' }]);
      const [handle] = mod.C_FindObjects(session, 2);
      mod.C_FindObjectsFinal(session);
      const [sensitive, extractable] = mod.C_GetAttributeValue(session, handle, [{ type: p.CKA_SENSITIVE }, { type: p.CKA_EXTRACTABLE }]);
      expect([sensitive.value[0], extractable.value[0]]).toEqual([1, 0]);
      expect(() => mod.C_GetAttributeValue(session, handle, [{ type: p.CKA_VALUE }])).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
    } finally {
      mod.C_Finalize();
    }
  }, 60_000);

  test('mint through the token: the blob is byte for byte the locally signed one; the event records kid and backend', async () => {
    const minted = await cli(['mint', '--tier', 'pro', '--email', 'ada@example.com', '--name', 'Ada', '--json'], tokenEnv);
    expect(minted.exitCode, minted.stderr).toBe(0);
    const { blob, licenseKey } = minted.json<{ blob: string; licenseKey: string }>();
    expect(blob).toBe(await signedLocally(blob));
    expect(await verifyLicense(blob, { keys: [key.publicJwk], product: 'datatools', tag: 'DTLIC3', now: new Date(NOW) })).toMatchObject({ valid: true });
    const [event] = await sql<{ data: string }>({ home }, "SELECT data FROM events WHERE type = 'minted' AND license_key = ?", [licenseKey]);
    expect(JSON.parse(event!.data)).toMatchObject({ kid: key.kid, signer: 'pkcs11' });

    // renew re-signs through the token as well
    const renewed = await cli(['renew', licenseKey, '--json'], tokenEnv);
    expect(renewed.exitCode, renewed.stderr).toBe(0);
    expect(renewed.json<{ blob: string }>().blob).toBe(await signedLocally(renewed.json<{ blob: string }>().blob));
  }, 60_000);

  test('keys test signs and verifies a probe through the token and reports the latency', async () => {
    const r = await cli(['keys', 'test', '--json'], tokenEnv);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.json<{ ok: boolean; kid: string; backend: string; latencyMs: number }>();
    expect(out).toMatchObject({ ok: true, kid: key.kid, backend: 'pkcs11' });
    expect(out.latencyMs).toBeGreaterThan(0);
  }, 30_000);

  test('a wrong PIN, a missing token, a bad URI, or a key left in the environment: clear errors, nothing minted', async () => {
    const count = async () => (await cli(['list', '--json'], {})).json<unknown[]>().length;
    const before = await count();
    const wrongPin = 'not-the-pin-31337';
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...tokenEnv, LICENSE_ADMIN_PKCS11_PIN: wrongPin }, /refused the PIN in LICENSE_ADMIN_PKCS11_PIN/],
      [{ ...tokenEnv, LICENSE_ADMIN_SIGNER: uri.replace(`token=${token.label}`, 'token=gone') }, /PKCS#11 token "gone" is not present/],
      [{ ...tokenEnv, LICENSE_ADMIN_SIGNER: uri.replace('object=license-signing', 'object=nothing-here') }, /has no private key labelled "nothing-here"/],
      [{ ...tokenEnv, LICENSE_ADMIN_SIGNER: `pkcs11:token=${token.label};object=x?pin-value=1234&module-path=${SOFTHSM_MODULE}` }, /the PIN does not go in the URI/],
      [{ ...tokenEnv, LICENSE_ADMIN_SIGNER: 'vault+https://vault.example:8200/transit/license' }, /path is \/<mount>\/keys\/<key name>/],
      [{ ...tokenEnv, LICENSE_ADMIN_PKCS11_PIN: '' }, /set LICENSE_ADMIN_PKCS11_PIN/],
      [{ ...tokenEnv, ...localEnv }, /both LICENSE_ADMIN_SIGNER .* and LICENSE_ADMIN_PRIVATE_KEY .* are set/],
    ];
    for (const [env, message] of cases) {
      const r = await cli(['mint', '--tier', 'pro', '--email', 'bob@example.com', '--json'], env);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.json<{ error: { message: string } }>().error.message).toMatch(message);
      for (const secret of [token.pin, wrongPin, SEED]) expect(r.stdout + r.stderr).not.toContain(secret);
    }
    expect(await count()).toBe(before);
  }, 60_000);

  test('a token key that is not the pinned key fails naming the backend; nothing is minted', async () => {
    const other = await tempHome();
    const otherSeed = randomBytes(32).toString('hex');
    expect((await runCli(['init', '--yes', '--product', 'datatools', '--key-storage', 'plaintext-file'], { home: other, env: { LICENSE_ADMIN_PRIVATE_KEY: otherSeed } })).exitCode).toBe(0);
    const imported = await runCli(['keys', 'import', '--to', token.uri('someone-else'), '--json'], { home: other, env: { LICENSE_ADMIN_PRIVATE_KEY: otherSeed, ...token.env } });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const before = (await cli(['list', '--json'], {})).json<unknown[]>().length;
    const swapped = { ...tokenEnv, LICENSE_ADMIN_SIGNER: token.uri('someone-else') };
    const r = await cli(['mint', '--tier', 'pro', '--email', 'eve@example.com', '--json'], swapped);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.json<{ error: { message: string } }>().error.message).toMatch(new RegExp(`the pkcs11 signer pkcs11:token=${token.label};object=someone-else returned a signature that does not verify against ${key.kid}.*nothing was minted`));
    expect((await cli(['list', '--json'], {})).json<unknown[]>().length).toBe(before);
    const test = await cli(['keys', 'test', '--json'], swapped);
    expect(test.exitCode).toBe(1);
    expect(test.json<{ error: { message: string } }>().error.message).toMatch(/holds a different public key/);
  }, 60_000);

  test('no key anywhere in the secrets: the transcript of every run never shows the PIN or the seed', () => {
    const transcript = readFileSync(TRANSCRIPT, 'utf8');
    expect(transcript).not.toContain(token.pin);
    expect(transcript).not.toContain(SEED);
  });
});

describe('serve through the token', () => {
  const adminKey = signingKeyFromSeed(randomBytes(32));
  const adminMint = (url: string, body: Record<string, unknown>) => {
    const text = JSON.stringify(body);
    const t = signAdminToken({ method: 'POST', path: '/internal/mint', body: text }, adminKey, new Date());
    return fetch(`${url}/internal/mint`, { method: 'POST', headers: { authorization: `LicenseAdmin ${t}`, 'content-type': 'application/json' }, body: text });
  };

  /** A serve home whose key went onto the token; the server's environment has the PIN and the URI, no key. */
  async function tokenServeHome(object: string) {
    const serveHome = await setupServeHome({ LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x, LICENSE_ADMIN_FULFILMENT_RETRY_MS: '200' });
    const seed = serveHome.env.LICENSE_ADMIN_PRIVATE_KEY!;
    const imported = await runCli(['keys', 'import', '--to', token.uri(object), '--json'], { home: serveHome.home, env: { ...serveHome.env, ...token.env } });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const { LICENSE_ADMIN_PRIVATE_KEY: _gone, ...env } = serveHome.env;
    return { home: serveHome.home, env: { ...env, ...token.env, LICENSE_ADMIN_SIGNER: token.uri(object) }, key: signingKeyFromSeed(Buffer.from(seed, 'hex')) };
  }

  test('a Gumroad sale is minted through the token with no private key in the server environment', async () => {
    const s = await tokenServeHome('serve-key');
    const server = startServe(s);
    servers.push(server);
    const { url } = await server.ready;
    expect((await postGumroad(url, gumroadPing('PKCS-SALE-1'))).status).toBe(200);
    const [row] = await until(async () => {
      const rows = await sql<{ blob: string; license_key: string }>(s, "SELECT blob, license_key FROM licenses WHERE order_ref = 'gumroad:PKCS-SALE-1'");
      return rows.length ? rows : null;
    }, 20_000, 'the sale minted');
    const decoded = createJwsFormat(undefined).decode(row!.blob);
    expect(row!.blob).toBe(await createJwsFormat(undefined).encode(decoded.claims, s.key));
    const [event] = await sql<{ data: string }>(s, "SELECT data FROM events WHERE type = 'minted' AND license_key = ?", [row!.license_key]);
    expect(JSON.parse(event!.data)).toMatchObject({ kid: s.key.kid, signer: 'pkcs11' });
    expect(server.stderr()).not.toContain(token.pin);
    await server.stop();
  }, 90_000);

  test('serve refuses a local key and a remote signer together unless LICENSE_ADMIN_SIGNER_USE says which', async () => {
    const s = await tokenServeHome('serve-both');
    const both = { ...s, env: { ...s.env, LICENSE_ADMIN_PRIVATE_KEY: randomBytes(32).toString('hex') } };
    const refused = await runCli(['serve', '--port', '0', '--json'], { home: s.home, env: both.env });
    expect(refused.exitCode).toBe(1);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/LICENSE_ADMIN_SIGNER_USE=remote/);
    const told = startServe({ home: s.home, env: { ...both.env, LICENSE_ADMIN_SIGNER_USE: 'remote' } });
    servers.push(told);
    await told.ready;
    expect(told.stderr()).toMatch(/"signer":"pkcs11"/);
    await told.stop();
  }, 90_000);

  test('token gone: mints answer 503, the sale stays queued, and it is minted when the token is back', async () => {
    const s = await tokenServeHome('serve-down');
    const away = `${token.tokenDir}.away`;
    renameSync(token.tokenDir, away);
    mkdirSync(token.tokenDir);
    const server = startServe(s);
    servers.push(server);
    try {
      const { url } = await server.ready;
      const mint = await adminMint(url, { tier: 'pro', email: 'down@example.com' });
      expect(mint.status).toBe(503);
      expect(((await mint.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'signer_unavailable', message: expect.stringMatching(/not present/) });
      expect((await postGumroad(url, gumroadPing('PKCS-DOWN-1'))).status).toBe(200);
      await until(async () => {
        const rows = await sql<{ error: string | null; processed: number }>(s, "SELECT error, processed FROM payment_events WHERE order_ref = 'gumroad:PKCS-DOWN-1'");
        return rows.length > 0 && rows.every((r) => r.processed === 0 && /not present/.test(r.error ?? ''));
      }, 15_000, 'the failed attempt recorded, still queued');
      expect(await sql(s, "SELECT 1 FROM licenses WHERE order_ref = 'gumroad:PKCS-DOWN-1'")).toEqual([]);
    } finally {
      rmSync(token.tokenDir, { recursive: true, force: true });
      renameSync(away, token.tokenDir);
    }
    await until(async () => (await sql(s, "SELECT 1 FROM licenses WHERE order_ref = 'gumroad:PKCS-DOWN-1'")).length === 1, 30_000, 'minted once the token is back');
    const back = await adminMint((await server.ready).url, { tier: 'pro', email: 'back@example.com' });
    expect(back.status).toBe(201);
    await server.stop();
  }, 120_000);
});
