// Vault / OpenBao transit BYOK: how an existing key is wrapped for POST /v1/<mount>/keys/<name>/import.
// Followed: hashicorp/vault builtin/logical/transit/path_import.go (decryptImportedKey: the first 512 bytes
// are the ephemeral AES-256 key under RSA-OAEP with the mount's RSA-4096 wrapping key, hash_function
// SHA256 by default; the rest is the target key under AES-KWP, RFC 5649), sdk/helper/keysutil/policy.go
// (the target key is PKCS#8 DER), and the docs' "Key wrapping for transit key import" guide.
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';

/** PKCS#8 DER of an Ed25519 private key is this prefix and the 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** RFC 5649's alternative initial value, what `id-aes256-wrap-pad` expects as its IV. */
const KWP_IV = Buffer.from('a65959a6', 'hex');
const WRAPPED_AES_KEY_BYTES = 512;

export function ed25519Pkcs8(seed: Uint8Array): Buffer {
  if (seed.length !== 32) throw new Error('an Ed25519 seed has 32 bytes');
  return Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
}

export function aesKeyWrapPad(kek: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('id-aes256-wrap-pad', kek, KWP_IV);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** The base64 `ciphertext` field: RSA-OAEP-SHA256(ephemeral AES key) || AES-KWP(PKCS#8 of the seed). */
export function wrapForTransitImport(wrappingKeyPem: string, seed: Uint8Array): string {
  const wrappingKey = createPublicKey(wrappingKeyPem);
  if (wrappingKey.asymmetricKeyType !== 'rsa' || wrappingKey.asymmetricKeyDetails?.modulusLength !== 4096) {
    throw new Error('the transit wrapping key is not an RSA-4096 public key');
  }
  const ephemeral = randomBytes(32);
  try {
    const wrappedKey = publicEncrypt({ key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ephemeral);
    if (wrappedKey.length !== WRAPPED_AES_KEY_BYTES) throw new Error('the wrapped AES key is not 512 bytes');
    const pkcs8 = ed25519Pkcs8(seed);
    try {
      return Buffer.concat([wrappedKey, aesKeyWrapPad(ephemeral, pkcs8)]).toString('base64');
    } finally {
      pkcs8.fill(0);
    }
  } finally {
    ephemeral.fill(0);
  }
}
