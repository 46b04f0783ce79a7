// Issuing a signed revocation list (the verifier side is src/verify/revocations.ts): pure but for the signature.
import { createHash } from 'node:crypto';
import type { SigningKey } from './ed25519-key.js';
import { orderedJson, signToken } from './sign-token.js';
import type { Signer } from './signer.js';
import { REVOCATIONS_CLAIM_ORDER, REVOCATIONS_TYP, type RevocationClaims } from '../verify/revocations.js';

/** How a list names a license: base64url(SHA-256(the license key)), so the list reveals no working key. */
export function revokedEntry(licenseKey: string): string {
  return createHash('sha256').update(licenseKey, 'utf8').digest('base64url');
}

export interface ListInput {
  product: string;
  seq: number;
  now: Date;
  /** How long an app may trust the list before it must fetch a newer one. */
  validDays: number;
  revokedKeys: readonly string[];
}

export function revocationClaims(input: ListInput): RevocationClaims {
  const iat = Math.floor(input.now.getTime() / 1000);
  return { v: 1, iss: input.product, seq: input.seq, iat, exp: iat + input.validDays * 86_400, revoked: input.revokedKeys.map(revokedEntry).sort() };
}

export function signRevocationList(claims: RevocationClaims, signer: Signer | SigningKey): Promise<string> {
  return signToken(signer, REVOCATIONS_TYP, orderedJson(claims as unknown as Record<string, unknown>, REVOCATIONS_CLAIM_ORDER));
}
