// The Vault transit signer against a local stand-in for Vault (test/helpers/fake-vault.ts, which follows
// hashicorp/vault's transit API docs and path_import.go; nothing real can run here): BYOK import of the
// existing seed, signatures byte-identical to local signing, and the failure paths — a refused token (403),
// throttling (429) and server errors (5xx) retried with backoff, timeouts, a closed port, a swapped key.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { pinnedSigner, SignerError, SignerUnavailableError } from '../src/license/signer.js';
import type { CallPolicy } from '../src/signers/remote-http.js';
import { parseSignerUri } from '../src/signers/signer-uri.js';
import { openVaultKey } from '../src/signers/vault.js';
import { startFakeVault, type FakeVault } from './helpers/fake-vault.js';

const TOKEN = `hvs.${randomBytes(12).toString('hex')}`;
const seed = randomBytes(32);
const key = signingKeyFromSeed(seed);
const fast: CallPolicy = { timeoutMs: 400, attempts: 3, backoffMs: 10 };
let vault: FakeVault;
const spec = (name: string, base = vault.url) => parseSignerUri(`vault+${base}/transit/keys/${name}`) as Extract<ReturnType<typeof parseSignerUri>, { kind: 'vault' }>;
const open = (name: string, env: Record<string, string> = { VAULT_TOKEN: TOKEN }, policy = fast) => openVaultKey(spec(name), env, policy);
const message = Buffer.from('{"sub":"DT1-PRO-1"}');

beforeAll(async () => {
  vault = await startFakeVault(TOKEN);
  await open('license').importSeed!(seed, Buffer.from(key.publicJwk.x, 'base64url'));
}, 30_000);
afterAll(() => vault?.close());

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('Vault transit', () => {
  test('BYOK import: Vault unwraps the existing seed; its public key and signatures are the local key\'s', async () => {
    expect(vault.keys.get('transit/license')).toMatchObject({ type: 'ed25519', imported: true });
    const remote = open('license');
    expect(Buffer.from((await remote.publicKey())!).toString('base64url')).toBe(key.publicJwk.x);
    expect(Buffer.from(await remote.sign(message))).toEqual(Buffer.from(key.sign(message)));
    expect(vault.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(expect.arrayContaining(['/v1/transit/keys/license/import', '/v1/transit/sign/license']));
  });

  test('a key Vault does not have: publicKey is null, signing names the import command', async () => {
    expect(await open('nothing').publicKey()).toBeNull();
    expect((await rejection(open('nothing').sign(message))).message).toMatch(/does not exist; put the key there with "license-admin keys import --to <uri>"/);
  });

  test('403: the token is refused at once (not retried), and the message never shows it', async () => {
    const before = vault.requests.length;
    const error = await rejection(open('license', { VAULT_TOKEN: 'hvs.expired-token-1234' }).sign(message));
    expect(error).toBeInstanceOf(SignerError);
    expect(error).not.toBeInstanceOf(SignerUnavailableError);
    expect(error.message).toMatch(/Vault refused the token in VAULT_TOKEN \(403 permission denied\)/);
    expect(error.message).not.toContain('expired-token-1234');
    expect(vault.requests.length - before).toBe(1);
  });

  test('no VAULT_TOKEN: a clear error before any request', async () => {
    const before = vault.requests.length;
    expect((await rejection(open('license', {}).sign(message))).message).toMatch(/set VAULT_TOKEN/);
    expect(vault.requests.length).toBe(before);
  });

  test.each([[429], [500], [503]])('%i twice, then an answer: retried with backoff, the signature arrives', async (status) => {
    vault.fail(status, 2, /\/sign\//);
    const before = vault.requests.length;
    expect(Buffer.from(await open('license').sign(message))).toEqual(Buffer.from(key.sign(message)));
    expect(vault.requests.length - before).toBe(3);
  });

  test('throttled on every attempt: a SignerUnavailableError after the attempts, saying so', async () => {
    vault.fail(429, 3, /\/sign\//);
    const error = await rejection(open('license').sign(message));
    expect(error).toBeInstanceOf(SignerUnavailableError);
    expect(error.message).toMatch(/is not available: throttled \(429\) after 3 attempts; nothing was signed/);
  });

  test('the backoff grows between attempts', async () => {
    vault.fail(503, 3, /\/sign\//);
    const started = performance.now();
    await rejection(open('license', { VAULT_TOKEN: TOKEN }, { timeoutMs: 400, attempts: 3, backoffMs: 100 }).sign(message));
    // 100 ms then 200 ms (±25 %) between the three attempts
    expect(performance.now() - started).toBeGreaterThanOrEqual(220);
  });

  test('no answer in time: a timeout on each attempt, then SignerUnavailableError', async () => {
    vault.delayMs = 300;
    try {
      const error = await rejection(open('license', { VAULT_TOKEN: TOKEN }, { timeoutMs: 100, attempts: 2, backoffMs: 10 }).sign(message));
      expect(error).toBeInstanceOf(SignerUnavailableError);
      expect(error.message).toMatch(/no answer within 100 ms after 2 attempts/);
    } finally {
      vault.delayMs = 0;
    }
  });

  test('nothing listening: unreachable, SignerUnavailableError', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const error = await rejection(openVaultKey(spec('license', `http://127.0.0.1:${port}`), { VAULT_TOKEN: TOKEN }, fast).sign(message));
    expect(error).toBeInstanceOf(SignerUnavailableError);
    expect(error.message).toMatch(/unreachable \(ECONNREFUSED\)/);
  });

  test('a Vault key that is not the pinned key: the signature is refused, naming the backend', async () => {
    vault.createKey('transit', 'someone-else');
    const swapped = pinnedSigner(open('someone-else'), key.publicJwk, spec('someone-else').label);
    expect((await rejection(swapped.sign(message))).message).toMatch(/the vault signer vault\+http:\/\/127\.0\.0\.1:\d+\/transit\/keys\/someone-else returned a signature that does not verify/);
  });

  test('a key of another type is refused when its public key is read', async () => {
    vault.createKey('transit', 'p256', 'ecdsa-p256');
    expect((await rejection(open('p256').publicKey())).message).toMatch(/is of type ecdsa-p256; licenses are signed with an ed25519 key/);
  });

  test('importing over an existing key is refused by Vault and reported', async () => {
    expect((await rejection(open('license').importSeed!(seed, new Uint8Array(32)))).message).toMatch(/importing the key failed \(400: the import path cannot be used with an existing key/);
  });

  test('AppRole: logs in once with VAULT_ROLE_ID / VAULT_SECRET_ID, again when the token expires; a refused login names the variables, never the secret', async () => {
    const secretId = `sid-${randomBytes(8).toString('hex')}`;
    vault.appRole = { roleId: 'license-signer-role', secretId };
    const logins = () => vault.requests.filter((r) => r.path === '/v1/auth/approle/login').length;
    try {
      const before = logins();
      const remote = open('license', { VAULT_ROLE_ID: 'license-signer-role', VAULT_SECRET_ID: secretId });
      expect(Buffer.from(await remote.sign(message))).toEqual(Buffer.from(key.sign(message)));
      expect(Buffer.from(await remote.sign(message))).toEqual(Buffer.from(key.sign(message)));
      expect(logins() - before).toBe(1);
      const oldToken = vault.token;
      vault.token = `hvs.${randomBytes(12).toString('hex')}`; // the first token's TTL ran out
      try {
        expect(Buffer.from(await remote.sign(message))).toEqual(Buffer.from(key.sign(message)));
        expect(logins() - before).toBe(2);
      } finally {
        vault.token = oldToken;
      }

      const refused = await rejection(open('license', { VAULT_ROLE_ID: 'license-signer-role', VAULT_SECRET_ID: 'sid-wrong-0000' }).sign(message));
      expect(refused).toBeInstanceOf(SignerError);
      expect(refused.message).toMatch(/refused the AppRole login with VAULT_ROLE_ID \/ VAULT_SECRET_ID \(400 invalid role or secret ID\)/);
      expect(refused.message).not.toContain('sid-wrong-0000');
      const none = await rejection(open('license', {}).sign(message));
      expect(none.message).toMatch(/set VAULT_TOKEN .* or VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole/);
    } finally {
      vault.appRole = null;
    }
  });
});
