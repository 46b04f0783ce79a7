// Machine fingerprints are stored only as HMAC-SHA256 under a server secret, never raw, and the secret is
// never in the config: LICENSE_ADMIN_FINGERPRINT_SECRET, else a key derived (HKDF) from the signing key's
// Ed25519 signature over a fixed label. Ed25519 signatures are deterministic (RFC 8032), so every replica
// and every backend holding the key (keychain, env, HSM, KMS) derives the same secret, and only a holder of
// the private key can: the key material itself never leaves the signer.
import { createHmac, hkdfSync } from 'node:crypto';
import { asSigner } from '../license/signer.js';
import type { ServerDeps } from './deps.js';

export const FINGERPRINT_SECRET_ENV = 'LICENSE_ADMIN_FINGERPRINT_SECRET';

const FINGERPRINT_LABEL = 'license-admin fingerprint hmac v1';

const secrets = new WeakMap<object, Promise<Buffer>>();

async function secretOf(deps: ServerDeps): Promise<Buffer> {
  const fromEnv = deps.env[FINGERPRINT_SECRET_ENV];
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  const signature = await asSigner(await deps.signer()).sign(Buffer.from(FINGERPRINT_LABEL, 'utf8'));
  return Buffer.from(hkdfSync('sha256', signature, Buffer.alloc(0), FINGERPRINT_LABEL, 32));
}

export async function fingerprintHasher(deps: ServerDeps): Promise<(fingerprint: string) => string> {
  // Keyed by the store: one per app (deps is copied by createApp, the store is not).
  let secret = secrets.get(deps.store);
  if (!secret) {
    secret = secretOf(deps);
    secrets.set(deps.store, secret);
    // A signer that is down now must not leave the failure cached for the life of the process.
    secret.catch(() => secrets.delete(deps.store));
  }
  const key = await secret;
  return (fingerprint) => createHmac('sha256', key).update(fingerprint, 'utf8').digest('base64url');
}
