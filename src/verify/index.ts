// The offline verifier that desktop apps embed: `import { verifyLicense } from 'license-admin/verify'`.
// No Node-only APIs: WebCrypto Ed25519 where present, @noble/ed25519 (+ @noble/hashes SHA-512) as the portable fallback.
import { FORMAT_VERSION, type LicenseClaims } from './claims.js';
import { verifierFor, type PublicJwk } from './ed25519.js';
import { parseJws } from './jws.js';

export type { LicenseClaims } from './claims.js';
export type { PublicJwk } from './ed25519.js';

export type FailureReason = 'malformed' | 'bad-signature' | 'unknown-key' | 'expired' | 'not-yet-valid' | 'wrong-product';
export const FAILURE_REASONS: readonly FailureReason[] = ['malformed', 'bad-signature', 'unknown-key', 'expired', 'not-yet-valid', 'wrong-product'];

export interface VerifiedLicense {
  key: string;
  product: string;
  name: string;
  email: string;
  tier: string;
  issuedAt: Date;
  expiresAt: Date | null;
  updatesUntil: Date | null;
  seats?: number;
  features?: string[];
  kid: string;
  claims: LicenseClaims;
}

export type VerifyResult = { valid: true; license: VerifiedLicense } | { valid: false; reason: FailureReason; detail: string; license?: VerifiedLicense };

export interface VerifyOptions {
  /** The public keys the app trusts: JWKs with kid (as `license-admin keys show --json` prints), or a JWKS. */
  keys: PublicJwk[] | { keys: PublicJwk[] };
  /** When given, the license must have been issued for this product id (`iss`). */
  product?: string;
  /** The tag the blobs carry, e.g. "DTLIC3" for "DTLIC3:eyJ...". Omit for bare JWS blobs. */
  tag?: string;
  now?: Date;
  /** Seconds of clock skew tolerated for iat in the future. Default 300. */
  clockToleranceSec?: number;
}

export async function verifyLicense(blob: string, options: VerifyOptions): Promise<VerifyResult> {
  const parsed = parseJws(blob, options.tag);
  if (!parsed.ok) return { valid: false, reason: 'malformed', detail: parsed.detail };
  const { header, claims, signingInput, signature } = parsed.value;
  const keys = Array.isArray(options.keys) ? options.keys : options.keys.keys;
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) return { valid: false, reason: 'unknown-key', detail: `signed by key ${header.kid}, which is not among the trusted keys` };
  let signatureOk = false;
  try {
    signatureOk = await (await verifierFor(jwk))(signature, signingInput);
  } catch {
    signatureOk = false;
  }
  if (!signatureOk) return { valid: false, reason: 'bad-signature', detail: 'the signature does not match the content (tampered or wrong key)' };
  const license = toLicense(claims, header.kid);
  if (claims.v !== FORMAT_VERSION) return { valid: false, reason: 'malformed', detail: `unsupported format version ${claims.v}`, license };
  if (options.product !== undefined && claims.iss !== options.product) {
    return { valid: false, reason: 'wrong-product', detail: `issued for product "${claims.iss}", not "${options.product}"`, license };
  }
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (claims.iat > nowSec + (options.clockToleranceSec ?? 300)) {
    return { valid: false, reason: 'not-yet-valid', detail: `issued in the future (${license.issuedAt.toISOString()})`, license };
  }
  if (claims.exp !== undefined && claims.exp <= nowSec) {
    return { valid: false, reason: 'expired', detail: `expired on ${license.expiresAt!.toISOString()}`, license };
  }
  return { valid: true, license };
}

function toLicense(c: LicenseClaims, kid: string): VerifiedLicense {
  const date = (sec: number | undefined) => (sec === undefined ? null : new Date(sec * 1000));
  return {
    key: c.sub,
    product: c.iss,
    name: c.name,
    email: c.email,
    tier: c.tier,
    issuedAt: new Date(c.iat * 1000),
    expiresAt: date(c.exp),
    updatesUntil: date(c.updates_until),
    ...(c.seats !== undefined ? { seats: c.seats } : {}),
    ...(c.features !== undefined ? { features: c.features } : {}),
    kid,
    claims: c,
  };
}
