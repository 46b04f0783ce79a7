// The portable Ed25519 verifier, loaded only where WebCrypto has no Ed25519 or no crypto.subtle at all (a page
// on plain http, some Electron contexts). noble's async API hashes with crypto.subtle, which is exactly what
// is missing there, so it gets SHA-512 from @noble/hashes (its README's documented way) and verifies
// synchronously. One module with static imports, so a bundler keeps only sha512 of @noble/hashes.
import { hashes, verify } from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

export { sha256 };

hashes.sha512 ??= sha512;

/** zip215: false is RFC 8032's strict check, the one OpenSSL makes (Node's WebCrypto, Python's cryptography). */
export function nobleVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
