// Ed25519 verification: WebCrypto where the platform has it (native speed), @noble/ed25519 otherwise.
import { base64urlDecode } from './base64url.js';

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid?: string;
}

type Verifier = (signature: Uint8Array, message: Uint8Array) => Promise<boolean>;

const cache = new Map<string, Promise<Verifier>>();

export function verifierFor(jwk: PublicJwk): Promise<Verifier> {
  let verifier = cache.get(jwk.x);
  if (!verifier) {
    verifier = createVerifier(jwk);
    cache.set(jwk.x, verifier);
  }
  return verifier;
}

async function createVerifier(jwk: PublicJwk): Promise<Verifier> {
  const raw = base64urlDecode(jwk.x);
  if (!raw || raw.length !== 32) throw new Error('public key is not 32 bytes');
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    try {
      const key = await subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify']);
      return (signature, message) => subtle.verify({ name: 'Ed25519' }, key, signature as BufferSource, message as BufferSource);
    } catch {
      // The platform has WebCrypto but not Ed25519 in it: fall through to noble.
    }
  }
  const { nobleVerify } = await import('./noble-fallback.js');
  return async (signature, message) => nobleVerify(signature, message, raw);
}
