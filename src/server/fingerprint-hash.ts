// Machine fingerprints are stored only as HMAC-SHA256 under a server secret, never raw, and the secret is
// never in the config: LICENSE_ADMIN_FINGERPRINT_SECRET, else a key derived (HKDF) from the product signing
// key's seed, which lives in the keychain or the env like the key itself. Every replica derives the same.
import { createHmac, hkdfSync } from 'node:crypto';
import type { ServerDeps } from './deps.js';
import { httpError } from './http-error.js';

export const FINGERPRINT_SECRET_ENV = 'LICENSE_ADMIN_FINGERPRINT_SECRET';

const secrets = new WeakMap<object, Promise<Buffer>>();

async function secretOf(deps: ServerDeps): Promise<Buffer> {
  const fromEnv = deps.env[FINGERPRINT_SECRET_ENV];
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const signer = await deps.signer();
  let seed: Buffer;
  try {
    seed = signer.exportSeed();
  } catch {
    throw httpError(503, 'fingerprint_secret_missing', `set ${FINGERPRINT_SECRET_ENV}: the signing key cannot give a secret to hash fingerprints with`);
  }
  return Buffer.from(hkdfSync('sha256', seed, Buffer.alloc(0), 'license-admin fingerprint hmac v1', 32));
}

export async function fingerprintHasher(deps: ServerDeps): Promise<(fingerprint: string) => string> {
  // Keyed by the store: one per app (deps is copied by createApp, the store is not).
  let secret = secrets.get(deps.store);
  if (!secret) {
    secret = secretOf(deps);
    secrets.set(deps.store, secret);
  }
  const key = await secret;
  return (fingerprint) => createHmac('sha256', key).update(fingerprint, 'utf8').digest('base64url');
}
