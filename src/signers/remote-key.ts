// What each remote backend implements (pkcs11.ts, vault.ts, aws-kms.ts, gcp-kms.ts). open-signer.ts pins it to
// the project's public key and turns it into a Signer; `keys import --to` uses importSeed.
import type { RemoteBackend } from './signer-uri.js';

export interface RemoteKey {
  backend: RemoteBackend;
  /** The backend's raw 32-byte public key, or null when the key does not exist there (yet). */
  publicKey(): Promise<Uint8Array | null>;
  /** Pure Ed25519 over the message: the raw 64-byte signature. */
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** Puts an existing key into the backend, non-exportable (the shipped public key must not change). */
  importSeed?(seed: Uint8Array, publicKey: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export type Env = Record<string, string | undefined>;
