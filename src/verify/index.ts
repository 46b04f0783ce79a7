// The offline verifier that desktop apps embed: `import { verifyLicense } from 'license-admin/verify'`.
// No Node-only APIs: WebCrypto Ed25519 where present, @noble/ed25519 (+ @noble/hashes SHA-512) as the portable fallback.
import { FORMAT_VERSION, type LicenseClaims } from './claims.js';
import type { PublicJwk } from './ed25519.js';
import { parseJws } from './jws.js';
import { listRevokes, verifyRevocationList, type ListFailure } from './revocations.js';
import { signatureProblem } from './signature.js';

export type { LicenseClaims } from './claims.js';
export type { PublicJwk } from './ed25519.js';
export { verifyLease, LEASE_TYP, type LeaseOptions, type LeaseResult, type LeaseFailure, type VerifiedLease } from './lease.js';
export { verifyRevocationList, REVOCATIONS_TYP, type ListOptions, type ListResult, type ListFailure, type VerifiedList } from './revocations.js';

/** `revoked`: on the signed revocation list given in `revocations` (never without one). */
export type FailureReason = BlobFailureReason | 'revoked';
/** The verdicts a blob alone can get (without a revocation list): docs/FORMAT.md section 3. */
export type BlobFailureReason = 'malformed' | 'bad-signature' | 'unknown-key' | 'expired' | 'not-yet-valid' | 'wrong-product';
export const FAILURE_REASONS: readonly BlobFailureReason[] = ['malformed', 'bad-signature', 'unknown-key', 'expired', 'not-yet-valid', 'wrong-product'];

/** What became of the revocation list given: trusted (its seq, to keep), or why it was not. */
export type RevocationsUsed = { trusted: true; seq: number } | { trusted: false; reason: ListFailure; detail: string };

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

export type VerifyResult =
  | { valid: true; license: VerifiedLicense; revocations?: RevocationsUsed }
  | { valid: false; reason: FailureReason; detail: string; license?: VerifiedLicense; revocations?: RevocationsUsed };

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
  /**
   * The signed revocation list (GET /api/v1/revocations) and the highest seq this app has trusted before.
   * The app stores the list whose result says `trusted: true` and its seq; a list with a lower seq, or an
   * expired one, is reported in `revocations` and not used.
   */
  revocations?: { list: string; minSeq?: number };
}

export async function verifyLicense(blob: string, options: VerifyOptions): Promise<VerifyResult> {
  const parsed = parseJws(blob, options.tag);
  if (!parsed.ok) return { valid: false, reason: 'malformed', detail: parsed.detail };
  const { header, claims } = parsed.value;
  const bad = await signatureProblem(parsed.value, options.keys);
  if (bad) return { valid: false, ...bad };
  const license = toLicense(claims, header.kid);
  const result = await checkClaims(license, options);
  if (!options.revocations) return result;
  const checked = await verifyRevocationList(options.revocations.list, { keys: options.keys, product: claims.iss, now: options.now ?? new Date(), ...(options.revocations.minSeq !== undefined ? { minSeq: options.revocations.minSeq } : {}) });
  if (!checked.valid) return { ...result, revocations: { trusted: false, reason: checked.reason, detail: checked.detail } };
  const revocations: RevocationsUsed = { trusted: true, seq: checked.list.seq };
  if (result.valid && (await listRevokes(checked.list, claims.sub))) {
    return { valid: false, reason: 'revoked', detail: `revoked (revocation list ${checked.list.seq})`, license, revocations };
  }
  return { ...result, revocations };
}

async function checkClaims(license: VerifiedLicense, options: VerifyOptions): Promise<VerifyResult> {
  const claims = license.claims;
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
