// Issuing a lease (the verifier side is src/verify/lease.ts): pure but for the signature.
import { createHash } from 'node:crypto';
import type { SigningKey } from './ed25519-key.js';
import { orderedJson, signToken } from './sign-token.js';
import type { Signer } from './signer.js';
import { LEASE_CLAIM_ORDER, LEASE_TYP, LEASE_VERSION, type LeaseClaims } from '../verify/lease.js';

/** What a lease binds a machine by: base64url(SHA-256(fingerprint)), computable by the app offline. */
export function leaseFingerprint(fingerprint: string): string {
  return createHash('sha256').update(fingerprint, 'utf8').digest('base64url');
}

export interface LeaseInput {
  product: string;
  licenseKey: string;
  activationId: string;
  fingerprint: string;
  now: Date;
  days: number;
  /** The license's own expiry: a lease never outlives it. */
  licenseExpiresAt: string | null;
}

export function leaseClaims(input: LeaseInput): LeaseClaims {
  const iat = Math.floor(input.now.getTime() / 1000);
  let exp = iat + input.days * 86_400;
  if (input.licenseExpiresAt) exp = Math.min(exp, Math.floor(Date.parse(input.licenseExpiresAt) / 1000));
  return { v: LEASE_VERSION, iss: input.product, sub: input.licenseKey, act: input.activationId, fph: leaseFingerprint(input.fingerprint), iat, exp };
}

export function signLease(claims: LeaseClaims, signer: Signer | SigningKey): Promise<string> {
  return signToken(signer, LEASE_TYP, orderedJson(claims as unknown as Record<string, unknown>, LEASE_CLAIM_ORDER));
}
