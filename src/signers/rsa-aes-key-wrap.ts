// CKM_RSA_AES_KEY_WRAP (PKCS#11) with OAEP SHA-256, the way Vault transit BYOK and Cloud KMS import jobs
// (RSA_OAEP_*_SHA256_AES_256) take an existing key: an ephemeral AES-256 key under RSA-OAEP (SHA-256, MGF1
// SHA-256, empty label), followed by the PKCS#8 DER private key under AES key wrap with padding (RFC 5649).
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';

/** PKCS#8 DER of an Ed25519 private key is this prefix and the 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** RFC 5649's alternative initial value, what `id-aes256-wrap-pad` expects as its IV. */
const KWP_IV = Buffer.from('a65959a6', 'hex');

export function ed25519Pkcs8(seed: Uint8Array): Buffer {
  if (seed.length !== 32) throw new Error('an Ed25519 seed has 32 bytes');
  return Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
}

export function aesKeyWrapPad(kek: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('id-aes256-wrap-pad', kek, KWP_IV);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** RSA-OAEP-SHA256(ephemeral AES key) || AES-KWP(PKCS#8 of the seed), for an RSA wrapping key of `bits` bits. */
export function rsaAesWrapEd25519(wrappingKeyPem: string, seed: Uint8Array, bits: 3072 | 4096): Buffer {
  const wrappingKey = createPublicKey(wrappingKeyPem);
  if (wrappingKey.asymmetricKeyType !== 'rsa' || wrappingKey.asymmetricKeyDetails?.modulusLength !== bits) {
    throw new Error(`the wrapping key is not an RSA-${bits} public key`);
  }
  const ephemeral = randomBytes(32);
  const pkcs8 = ed25519Pkcs8(seed);
  try {
    const wrappedKey = publicEncrypt({ key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, ephemeral);
    return Buffer.concat([wrappedKey, aesKeyWrapPad(ephemeral, pkcs8)]);
  } finally {
    ephemeral.fill(0);
    pkcs8.fill(0);
  }
}
