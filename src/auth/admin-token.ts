// Short-lived admin tokens for the server's admin and sync APIs. The creator's CLI signs each request
// with an Ed25519 admin credential (private half in the keychain); the server knows only public halves.
// A token is bound to method, path and body, lives seconds, and its nonce is single-use.
import { createHash, randomBytes } from 'node:crypto';
import { base64urlDecode, base64urlEncode, fromUtf8, utf8 } from '../verify/base64url.js';
import type { SigningKey } from '../license/ed25519-key.js';

export const ADMIN_AUTH_SCHEME = 'LicenseAdmin';
export const MAX_TOKEN_LIFETIME_SEC = 300;

export interface AdminTokenClaims {
  kid: string;
  m: string;
  p: string;
  /** base64url SHA-256 of the exact request body bytes. */
  bh: string;
  iat: number;
  exp: number;
  n: string;
}

export function bodyHash(body: Uint8Array | string): string {
  return base64urlEncode(createHash('sha256').update(typeof body === 'string' ? utf8(body) : body).digest());
}

export function signAdminToken(req: { method: string; path: string; body: Uint8Array | string }, key: SigningKey, now: Date, lifetimeSec = 60): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: AdminTokenClaims = {
    kid: key.kid, m: req.method.toUpperCase(), p: req.path, bh: bodyHash(req.body), iat, exp: iat + lifetimeSec, n: base64urlEncode(randomBytes(16)),
  };
  const payload = base64urlEncode(utf8(JSON.stringify(claims)));
  return `${payload}.${base64urlEncode(key.sign(utf8(payload)))}`;
}

/** What signAdminToken makes (16 random bytes → 22 characters), with room for other clients. */
const NONCE_SHAPE = /^[A-Za-z0-9_-]{16,64}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type AdminTokenCheck = { ok: true; claims: AdminTokenClaims } | { ok: false; reason: string };

export interface AdminTokenVerifier {
  /** Ed25519 verify of `message` by the admin key `kid`; false when the kid is unknown. */
  verify(kid: string, message: Uint8Array, signature: Uint8Array): boolean;
  /** Records a nonce until `expiresAt`; returns false when it was already used (replay). */
  useNonce(nonce: string, expiresAt: number): boolean | Promise<boolean>;
}

export async function checkAdminToken(
  header: string | undefined,
  req: { method: string; path: string; body: Uint8Array | string },
  verifier: AdminTokenVerifier,
  now: Date,
): Promise<AdminTokenCheck> {
  if (!header?.startsWith(`${ADMIN_AUTH_SCHEME} `)) return { ok: false, reason: `missing "Authorization: ${ADMIN_AUTH_SCHEME} <token>"` };
  const [payload, sig, extra] = header.slice(ADMIN_AUTH_SCHEME.length + 1).trim().split('.');
  const signature = sig ? base64urlDecode(sig) : null;
  const json = payload ? fromUtf8(base64urlDecode(payload) ?? new Uint8Array([0xff])) : null;
  if (!payload || !signature || extra !== undefined || json === null) return { ok: false, reason: 'malformed token' };
  let claims: AdminTokenClaims;
  try {
    claims = JSON.parse(json) as AdminTokenClaims;
  } catch {
    return { ok: false, reason: 'malformed token' };
  }
  if (!isPlainObject(claims) || typeof claims.kid !== 'string' || !verifier.verify(claims.kid, utf8(payload), signature)) return { ok: false, reason: 'bad signature or unknown admin key' };
  const nowSec = Math.floor(now.getTime() / 1000);
  if (!(Number.isSafeInteger(claims.exp) && Number.isSafeInteger(claims.iat))) return { ok: false, reason: 'malformed token' };
  if (typeof claims.m !== 'string' || typeof claims.p !== 'string' || typeof claims.bh !== 'string') return { ok: false, reason: 'malformed token' };
  // The nonce is what makes a token single-use: a token without one (or with a guessable one) is refused,
  // never stored as a NULL that would not conflict with the next replay.
  if (typeof claims.n !== 'string' || !NONCE_SHAPE.test(claims.n)) return { ok: false, reason: 'token has no valid nonce (n: 16 to 64 base64url characters)' };
  if (claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SEC) return { ok: false, reason: 'token lifetime too long' };
  if (claims.exp < nowSec || claims.iat > nowSec + 30) return { ok: false, reason: 'token expired (check the clocks of both machines)' };
  if (claims.m !== req.method.toUpperCase() || claims.p !== req.path) return { ok: false, reason: 'token was made for another request' };
  if (claims.bh !== bodyHash(req.body)) return { ok: false, reason: 'token does not match the request body' };
  if (!(await verifier.useNonce(claims.n, claims.exp))) return { ok: false, reason: 'token already used (replay)' };
  return { ok: true, claims };
}
