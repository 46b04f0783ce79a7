// The blob format seam: a format turns claims into a blob with a signer we hand in, and back.
// A format never sees the private key; `sign` is all it gets (the same seam a KMS would use).
import type { LicenseClaims } from '../verify/claims.js';

/** What a format signs with: a Signer (signer.ts) or a local key. Signing may be remote: await what sign returns. */
export interface BlobSigner {
  kid: string;
  sign(bytes: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

export interface DecodedBlob {
  claims: LicenseClaims;
  /** Exactly the bytes the signature covers. */
  signedBytes: Uint8Array;
  signature: Uint8Array;
  /** The signing key's id when the format carries one; otherwise every known key is tried. */
  kid?: string;
}

export interface LicenseFormat {
  name: string;
  encode(claims: LicenseClaims, signer: BlobSigner): Promise<string>;
  /** Throws (any error) when the blob is not of this format. */
  decode(blob: string): DecodedBlob;
}
