// The signed revocation list (docs/FORMAT.md, "Revocation lists"): typ "revocations+jwt", a monotonically
// increasing `seq`, `iat`, `exp` and `revoked`, the SHA-256 (base64url) of each revoked license key. An app
// keeps the list with the highest seq it has verified and passes that seq as `minSeq`, so an older list
// (a rollback) is never trusted; an expired list is reported and not trusted.
import type { PublicJwk } from './ed25519.js';
import { isSignableDate } from './claims.js';
import { parseCompact } from './jws.js';
import { sha256Base64url } from './sha256.js';
import { signatureProblem, type KeySet } from './signature.js';

export const REVOCATIONS_TYP = 'revocations+jwt';
export const REVOCATIONS_CLAIM_ORDER = ['v', 'iss', 'seq', 'iat', 'exp', 'revoked'] as const;

export interface RevocationClaims {
  v: number;
  iss: string;
  seq: number;
  iat: number;
  exp: number;
  revoked: string[];
}

export type ListFailure = 'malformed' | 'bad-signature' | 'unknown-key' | 'expired' | 'rolled-back' | 'wrong-product';

export interface VerifiedList {
  product: string;
  seq: number;
  issuedAt: Date;
  expiresAt: Date;
  /** SHA-256 (base64url) of each revoked key. */
  revoked: string[];
}

export type ListResult = { valid: true; list: VerifiedList } | { valid: false; reason: ListFailure; detail: string; list?: VerifiedList };

export interface ListOptions {
  keys: PublicJwk[] | { keys: PublicJwk[] };
  product?: string;
  /** The highest seq this app has verified before: a lower one is a rollback. */
  minSeq?: number;
  now?: Date;
}

function readList(value: unknown): RevocationClaims | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const c = value as Record<string, unknown>;
  const ok = Number.isSafeInteger(c.v) && typeof c.iss === 'string' && Number.isSafeInteger(c.seq) && (c.seq as number) >= 0 && isSignableDate(c.iat) && isSignableDate(c.exp)
    && Array.isArray(c.revoked) && c.revoked.every((r) => typeof r === 'string');
  return ok ? (c as unknown as RevocationClaims) : null;
}

export async function verifyRevocationList(list: string, options: ListOptions): Promise<ListResult> {
  const parsed = parseCompact(list, undefined, REVOCATIONS_TYP, true, readList, 'a v1 revocation list');
  if (!parsed.ok) return { valid: false, reason: 'malformed', detail: parsed.detail };
  const bad = await signatureProblem(parsed.value, options.keys as KeySet);
  if (bad) return { valid: false, ...bad };
  const c = parsed.value.claims;
  const out: VerifiedList = { product: c.iss, seq: c.seq, issuedAt: new Date(c.iat * 1000), expiresAt: new Date(c.exp * 1000), revoked: c.revoked };
  const fail = (reason: ListFailure, detail: string): ListResult => ({ valid: false, reason, detail, list: out });
  if (c.v !== 1) return fail('malformed', `unsupported list version ${c.v}`);
  if (options.product !== undefined && c.iss !== options.product) return fail('wrong-product', `a list for product "${c.iss}", not "${options.product}"`);
  if (options.minSeq !== undefined && c.seq < options.minSeq) return fail('rolled-back', `list ${c.seq} is older than list ${options.minSeq}, which this app has seen`);
  if (c.exp <= Math.floor((options.now ?? new Date()).getTime() / 1000)) return fail('expired', `the list ran out on ${out.expiresAt.toISOString()}; fetch a fresh one`);
  return { valid: true, list: out };
}

/** Whether a (verified) list names this license key. */
export async function listRevokes(list: VerifiedList, licenseKey: string): Promise<boolean> {
  return list.revoked.includes(await sha256Base64url(licenseKey));
}
