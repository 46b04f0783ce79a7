// The signing seam: whatever holds the private key (this process, an HSM, Vault, a cloud KMS) is a Signer.
// Formats, use cases and the server only ever see this shape, never key material.
import { verify as cryptoVerify } from 'node:crypto';
import { UserError } from '../errors.js';
import type { PublicJwk } from '../verify/ed25519.js';
import { publicKeyObject, type SigningKey } from './ed25519-key.js';

export type SignerBackend = 'local' | 'pkcs11' | 'vault' | 'aws-kms' | 'gcp-kms';

export interface Signer {
  kid: string;
  publicJwk: PublicJwk & { kid: string };
  backend: SignerBackend;
  /** Pure Ed25519 (RFC 8032) over exactly these bytes: 64 bytes. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/**
 * The signer failed: nothing was signed, so nothing is written. The server keeps the sale queued and answers
 * 503 rather than recording a failure against the order. `transient`: down, throttled or timed out (it passes).
 */
export class SignerError extends UserError {
  override name = 'SignerError';
  readonly transient: boolean;
  constructor(message: string, options: { transient?: boolean; cause?: unknown } = {}) {
    super(message, { code: 'unavailable', ...(options.cause !== undefined ? { cause: options.cause } : {}) });
    this.transient = options.transient ?? false;
  }
}

/** The backend could not be reached or refused for now (down, throttled, timed out): try again later. */
export class SignerUnavailableError extends SignerError {
  override name = 'SignerUnavailableError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { transient: true, ...options });
  }
}

/** A key held in this process: its public key is derived from the seed, so there is nothing to pin. */
export function localSigner(key: SigningKey): Signer {
  return { kid: key.kid, publicJwk: key.publicJwk, backend: 'local', sign: async (message) => key.sign(message) };
}

/**
 * A remote signer held to the public key the project already ships: every signature it returns must verify
 * against that key before anything is written (a swapped or misconfigured backend key fails here, naming
 * the backend, and nothing is minted).
 */
export function pinnedSigner(inner: Pick<Signer, 'backend' | 'sign'>, pinned: PublicJwk & { kid: string }, label: string): Signer {
  const key = publicKeyObject(pinned);
  return {
    kid: pinned.kid,
    publicJwk: pinned,
    backend: inner.backend,
    async sign(message) {
      const signature = await inner.sign(message);
      if (signature.length !== 64 || !cryptoVerify(null, message, key, signature)) {
        throw new SignerError(`the ${inner.backend} signer ${label} returned a signature that does not verify against ${pinned.kid}, the key this project signs with; nothing was minted. Is ${label} the right key?`);
      }
      return signature;
    },
  };
}

/** The backend's own public key against the pinned one (when the backend can tell). */
export function backendKeyProblem(backend: SignerBackend, label: string, backendX: string | null, pinned: PublicJwk & { kid: string }): string | null {
  if (backendX === null || backendX === pinned.x) return null;
  return `the ${backend} signer ${label} holds a different public key than ${pinned.kid}, the key this project signs with; nothing was signed. Check the key named in LICENSE_ADMIN_SIGNER`;
}

/** A key or a signer as a Signer (tests and older callers hand in a SigningKey). */
export function asSigner(key: Signer | SigningKey): Signer {
  return 'backend' in key ? key : localSigner(key);
}
