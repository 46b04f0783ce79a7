// Leases: what an online activation answers (docs/FORMAT.md, "Leases"). A JWS signed by the product's key,
// typ "lease+jwt", binding a license key and one machine (SHA-256 of its fingerprint) until `exp`; the app
// stores it and works offline until then. Never accepted as a license, nor a license as a lease.
import type { PublicJwk } from './ed25519.js';
import { isSignableDate } from './claims.js';
import { parseCompact } from './jws.js';
import { sha256Base64url } from './sha256.js';
import { signatureProblem, type KeySet } from './signature.js';

export const LEASE_TYP = 'lease+jwt';
export const LEASE_VERSION = 1;
export const LEASE_CLAIM_ORDER = ['v', 'iss', 'sub', 'act', 'fph', 'iat', 'exp'] as const;

export interface LeaseClaims {
  v: number;
  /** The product id. */
  iss: string;
  /** The license key. */
  sub: string;
  /** The activation id (what deactivate takes). */
  act: string;
  /** base64url(SHA-256(fingerprint as UTF-8)). */
  fph: string;
  iat: number;
  exp: number;
}

export type LeaseFailure = 'malformed' | 'bad-signature' | 'unknown-key' | 'expired' | 'not-yet-valid' | 'wrong-product' | 'wrong-machine';

export interface VerifiedLease {
  key: string;
  product: string;
  activationId: string;
  issuedAt: Date;
  expiresAt: Date;
  kid: string;
}

export type LeaseResult = { valid: true; lease: VerifiedLease } | { valid: false; reason: LeaseFailure; detail: string; lease?: VerifiedLease };

export interface LeaseOptions {
  keys: PublicJwk[] | { keys: PublicJwk[] };
  /** This machine's fingerprint, exactly as the app sent it to activate. */
  fingerprint: string;
  product?: string;
  now?: Date;
  clockToleranceSec?: number;
}

function readLease(value: unknown): LeaseClaims | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const c = value as Record<string, unknown>;
  const str = (k: string) => typeof c[k] === 'string' && c[k] !== '';
  return Number.isSafeInteger(c.v) && str('iss') && str('sub') && str('act') && str('fph') && isSignableDate(c.iat) && isSignableDate(c.exp) ? (c as unknown as LeaseClaims) : null;
}

export async function verifyLease(lease: string, options: LeaseOptions): Promise<LeaseResult> {
  const parsed = parseCompact(lease, undefined, LEASE_TYP, true, readLease, 'a v1 lease');
  if (!parsed.ok) return { valid: false, reason: 'malformed', detail: parsed.detail };
  const bad = await signatureProblem(parsed.value, options.keys as KeySet);
  if (bad) return { valid: false, ...bad };
  const c = parsed.value.claims;
  const out: VerifiedLease = { key: c.sub, product: c.iss, activationId: c.act, issuedAt: new Date(c.iat * 1000), expiresAt: new Date(c.exp * 1000), kid: parsed.value.header.kid };
  const fail = (reason: LeaseFailure, detail: string): LeaseResult => ({ valid: false, reason, detail, lease: out });
  if (c.v !== LEASE_VERSION) return fail('malformed', `unsupported lease version ${c.v}`);
  if (options.product !== undefined && c.iss !== options.product) return fail('wrong-product', `issued for product "${c.iss}", not "${options.product}"`);
  if (typeof options.fingerprint !== 'string' || (await sha256Base64url(options.fingerprint)) !== c.fph) return fail('wrong-machine', 'the lease was issued to another machine');
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (c.iat > nowSec + (options.clockToleranceSec ?? 300)) return fail('not-yet-valid', `issued in the future (${out.issuedAt.toISOString()})`);
  if (c.exp <= nowSec) return fail('expired', `the lease ran out on ${out.expiresAt.toISOString()}; activate or validate online to renew it`);
  return { valid: true, lease: out };
}
