// Vault / OpenBao transit BYOK: how an existing key is wrapped for POST /v1/<mount>/keys/<name>/import.
// Followed: hashicorp/vault builtin/logical/transit/path_import.go (decryptImportedKey: the first 512 bytes
// are the ephemeral AES-256 key under RSA-OAEP with the mount's RSA-4096 wrapping key, hash_function
// SHA256 by default; the rest is the target key under AES-KWP, RFC 5649), sdk/helper/keysutil/policy.go
// (the target key is PKCS#8 DER), and the docs' "Key wrapping for transit key import" guide.
import { rsaAesWrapEd25519 } from './rsa-aes-key-wrap.js';

/** The base64 `ciphertext` field of the import request. */
export function wrapForTransitImport(wrappingKeyPem: string, seed: Uint8Array): string {
  return rsaAesWrapEd25519(wrappingKeyPem, seed, 4096).toString('base64');
}
