// Ed25519 key material: parsing the forms creators have (raw seed hex/base64, PKCS#8 PEM), JWKs and kids.
import { createHash, createPrivateKey, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { base64urlEncode } from '../verify/base64url.js';
import type { PublicJwk } from '../verify/ed25519.js';

const PKCS8_SEED_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface SigningKey {
  kid: string;
  publicJwk: PublicJwk & { kid: string };
  sign(message: Uint8Array): Uint8Array;
  /** The 32-byte seed, for storing in the keychain. Never print it. */
  exportSeed(): Buffer;
}

export class KeyFormatError extends Error {}

/** Accepts a 32-byte seed as hex or base64(url), or a PKCS#8 PEM ("BEGIN PRIVATE KEY"). */
export function parsePrivateKey(text: string): SigningKey {
  const input = text.trim();
  if (input.includes('-----BEGIN')) {
    if (input.includes('ENCRYPTED')) throw new KeyFormatError('the PEM is passphrase-encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)');
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: input, format: 'pem' });
    } catch {
      throw new KeyFormatError('the PEM could not be read as a private key');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new KeyFormatError(`the PEM holds a ${key.asymmetricKeyType} key; an Ed25519 key is needed`);
    const der = key.export({ format: 'der', type: 'pkcs8' });
    return signingKeyFromSeed(der.subarray(der.length - 32));
  }
  const seed = decodeSeed(input);
  if (!seed) throw new KeyFormatError('expected a 32-byte Ed25519 seed as 64 hex characters or base64, or a PKCS#8 PEM');
  return signingKeyFromSeed(seed);
}

function decodeSeed(input: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(input)) return Buffer.from(input, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(input)) {
    const bytes = Buffer.from(input.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  return null;
}

export function signingKeyFromSeed(seed: Uint8Array): SigningKey {
  if (seed.length !== 32) throw new KeyFormatError('an Ed25519 seed is 32 bytes');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_SEED_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x as string;
  const kid = jwkThumbprint(x);
  const seedCopy = Buffer.from(seed);
  return {
    kid,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x, kid },
    sign: (message) => cryptoSign(null, message, privateKey),
    exportSeed: () => Buffer.from(seedCopy),
  };
}

/** RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order. */
export function jwkThumbprint(x: string): string {
  const canonical = `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`;
  return base64urlEncode(createHash('sha256').update(canonical).digest());
}

export function publicJwkFromRaw(raw: Uint8Array): PublicJwk & { kid: string } {
  const x = base64urlEncode(raw);
  return { kty: 'OKP', crv: 'Ed25519', x, kid: jwkThumbprint(x) };
}

export function publicKeyObject(jwk: PublicJwk): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
}

export function publicKeyPem(jwk: PublicJwk): string {
  return publicKeyObject(jwk).export({ format: 'pem', type: 'spki' }).toString();
}

export function publicKeyHex(jwk: PublicJwk): string {
  return Buffer.from(jwk.x, 'base64url').toString('hex');
}
