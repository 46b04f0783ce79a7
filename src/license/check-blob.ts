// Node-side verification of a blob of any format (CLI `verify`, import, server): decode with the
// format, then the same checks and reasons as the embedded verifier, with node:crypto's verify.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { FORMAT_VERSION, type LicenseClaims } from '../verify/claims.js';
import type { PublicJwk } from '../verify/ed25519.js';
import type { FailureReason } from '../verify/index.js';
import { UserError } from '../errors.js';
import type { LicenseFormat } from './format.js';
import { publicKeyObject } from './ed25519-key.js';

export interface CheckedBlob {
  valid: boolean;
  reason?: FailureReason;
  detail?: string;
  claims?: LicenseClaims;
  kid?: string;
  /** What a blob whose signature could not be checked (unknown key) or failed claims: shown for support, never trusted. */
  untrustedClaims?: unknown;
}

export interface CheckOptions {
  keys: (PublicJwk & { kid: string })[];
  product?: string;
  now?: Date;
  clockToleranceSec?: number;
}

const keyObjects = new WeakMap<object, KeyObject>();
function keyObjectFor(jwk: PublicJwk): KeyObject {
  let key = keyObjects.get(jwk);
  if (!key) {
    key = publicKeyObject(jwk);
    keyObjects.set(jwk, key);
  }
  return key;
}

export function checkBlob(blob: string, format: LicenseFormat, options: CheckOptions): CheckedBlob {
  let decoded;
  try {
    decoded = format.decode(blob);
  } catch (error) {
    // A plugin that was refused (it tried to read a secret, timed out…) is a fatal error, not a bad blob.
    if (error instanceof UserError) throw error;
    return { valid: false, reason: 'malformed', detail: `not a ${format.name} blob: ${(error as Error).message}` };
  }
  const candidates = decoded.kid ? options.keys.filter((k) => k.kid === decoded.kid) : options.keys;
  if (candidates.length === 0) {
    return { valid: false, reason: 'unknown-key', detail: `signed by key ${decoded.kid}, which is not among the known keys`, kid: decoded.kid, untrustedClaims: decoded.claims };
  }
  const signer = candidates.find((jwk) => safeVerify(decoded.signedBytes, jwk, decoded.signature));
  if (!signer) {
    return { valid: false, reason: 'bad-signature', detail: 'the signature does not match the content (tampered or signed by another key)', kid: decoded.kid, untrustedClaims: decoded.claims };
  }
  const claims = decoded.claims;
  const base = { claims, kid: signer.kid };
  if (claims.v !== FORMAT_VERSION && format.name === 'jws') return { ...base, valid: false, reason: 'malformed', detail: `unsupported format version ${claims.v}` };
  if (options.product !== undefined && claims.iss !== options.product) {
    return { ...base, valid: false, reason: 'wrong-product', detail: `issued for product "${claims.iss}", not "${options.product}"` };
  }
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (claims.iat > nowSec + (options.clockToleranceSec ?? 300)) return { ...base, valid: false, reason: 'not-yet-valid', detail: 'issued in the future' };
  if (claims.exp !== undefined && claims.exp <= nowSec) {
    return { ...base, valid: false, reason: 'expired', detail: `expired on ${new Date(claims.exp * 1000).toISOString()}` };
  }
  return { ...base, valid: true };
}

function safeVerify(message: Uint8Array, jwk: PublicJwk, signature: Uint8Array): boolean {
  try {
    return cryptoVerify(null, message, keyObjectFor(jwk), signature);
  } catch {
    return false;
  }
}
