// Every /internal/* and /sync/* request carries a short-lived admin token (src/auth/admin-token.ts).
// Trusted admin keys: the store's admin_keys plus LICENSE_ADMIN_ADMIN_KEYS (comma-separated base64url).
import { timingSafeEqual, createHash } from 'node:crypto';
import { checkAdminToken } from '../auth/admin-token.js';
import { publicJwkFromRaw, publicKeyObject } from '../license/ed25519-key.js';
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { base64urlDecode } from '../verify/base64url.js';
import type { Env } from '../config/paths.js';
import { httpError } from './http-error.js';
import type { RequestContext } from './router.js';

export const ADMIN_KEYS_ENV = 'LICENSE_ADMIN_ADMIN_KEYS';
export const ENROLL_TOKEN_ENV = 'LICENSE_ADMIN_ENROLL_TOKEN';

/** A raw 32-byte Ed25519 public key in base64url → its JWK (with kid), or null if it is not one. */
export function parseAdminPublicKey(text: string): { kid: string; x: string } | null {
  const raw = base64urlDecode(text.trim());
  if (!raw || raw.length !== 32) return null;
  const jwk = publicJwkFromRaw(raw);
  return { kid: jwk.kid, x: jwk.x };
}

export function envAdminKeys(env: Env): { kid: string; x: string }[] {
  return (env[ADMIN_KEYS_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean).flatMap((s) => parseAdminPublicKey(s) ?? []);
}

/** Throws 401 unless the request carries a valid, unused admin token for exactly this request. */
export async function requireAdmin(ctx: RequestContext): Promise<{ kid: string }> {
  const { deps } = ctx;
  const keys = new Map<string, KeyObject>();
  for (const k of [...envAdminKeys(deps.env), ...(await deps.store.adminKeys())]) keys.set(k.kid, publicKeyObject({ kty: 'OKP', crv: 'Ed25519', x: k.x }));
  const now = deps.clock();
  const check = await checkAdminToken(
    ctx.req.headers.authorization,
    { method: ctx.req.method ?? 'GET', path: ctx.url.pathname + ctx.url.search, body: ctx.body },
    {
      verify: (kid, message, signature) => {
        const key = keys.get(kid);
        return key !== undefined && signature.length === 64 && cryptoVerify(null, message, key, signature);
      },
      useNonce: (nonce, expiresAt) => deps.store.useNonce(nonce, expiresAt, Math.floor(now.getTime() / 1000)),
    },
    now,
  );
  if (!check.ok) {
    ctx.log.warn('admin auth rejected', { reason: check.reason, path: ctx.url.pathname });
    throw httpError(401, 'unauthorized', check.reason, { 'www-authenticate': 'LicenseAdmin' });
  }
  return { kid: check.claims.kid };
}

/** Constant-time comparison of a presented secret with the configured one (hashing equalises lengths). */
export function secretMatches(presented: string | undefined | null, expected: string | undefined): boolean {
  if (!expected || !presented) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
