// The fingerprint HMAC secret: from LICENSE_ADMIN_FINGERPRINT_SECRET, else derived from the signing key
// through the Signer seam, so a key that never leaves its HSM/KMS gives the same secret as the same key held
// locally (every replica, every backend), another key gives another, and a signer that is down is retried.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { localSigner, SignerUnavailableError, type Signer } from '../src/license/signer.js';
import { fingerprintHasher, FINGERPRINT_SECRET_ENV } from '../src/server/fingerprint-hash.js';
import type { ServerDeps } from '../src/server/deps.js';

const keyA = signingKeyFromSeed(Buffer.alloc(32, 1));
const keyB = signingKeyFromSeed(Buffer.alloc(32, 2));

/** A signer with no seed to export, like a token or a KMS: only its sign() reaches the key. */
function remoteOf(key: typeof keyA, failFirst = 0): Signer & { calls: number } {
  let failures = failFirst;
  const signer = {
    kid: key.kid,
    publicJwk: key.publicJwk,
    backend: 'pkcs11' as const,
    calls: 0,
    async sign(message: Uint8Array) {
      signer.calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failures-- > 0) throw new SignerUnavailableError('the token is not there');
      return key.sign(message);
    },
  };
  return signer;
}

const depsWith = (signer: () => Promise<unknown>, env: Record<string, string> = {}) => ({ env, signer, store: {} }) as unknown as ServerDeps;

describe('fingerprint hashing', () => {
  it('uses the env secret when it is set, and never the raw fingerprint', async () => {
    const hash = await fingerprintHasher(depsWith(async () => localSigner(keyA), { [FINGERPRINT_SECRET_ENV]: 'a shared secret' }));
    expect(hash('machine-1')).toBe(createHmac('sha256', 'a shared secret').update('machine-1').digest('base64url'));
    expect(hash('machine-1')).not.toContain('machine-1');
  });

  it('derives the same secret from the same key held locally or behind a remote signer, another from another key', async () => {
    const local = await fingerprintHasher(depsWith(async () => localSigner(keyA)));
    const rawKey = await fingerprintHasher(depsWith(async () => keyA));
    const remote = await fingerprintHasher(depsWith(async () => remoteOf(keyA)));
    const other = await fingerprintHasher(depsWith(async () => localSigner(keyB)));
    expect(remote('machine-1')).toBe(local('machine-1'));
    expect(rawKey('machine-1')).toBe(local('machine-1'));
    expect(local('machine-2')).not.toBe(local('machine-1'));
    expect(other('machine-1')).not.toBe(local('machine-1'));
    const withoutEnvSecret = createHmac('sha256', Buffer.alloc(32)).update('machine-1').digest('base64url');
    expect(local('machine-1')).not.toBe(withoutEnvSecret);
  });

  it('asks the signer once per server, and asks again after it failed', async () => {
    const signer = remoteOf(keyA, 1);
    const deps = depsWith(async () => signer);
    await expect(fingerprintHasher(deps)).rejects.toThrow(/not there/);
    const first = await fingerprintHasher(deps);
    const again = await fingerprintHasher(deps);
    expect(again('m')).toBe(first('m'));
    expect(signer.calls).toBe(2);
    expect(first('m')).toBe((await fingerprintHasher(depsWith(async () => localSigner(keyA))))('m'));
  });
});
