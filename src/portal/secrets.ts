// Sign-in tokens and session ids: 32 random bytes, handed to the buyer as base64url; only their SHA-256
// is stored, so a copy of the database signs nobody in. Pure (random is passed in).
import { createHash } from 'node:crypto';

export const SIGN_IN_PURPOSE = 'portal-sign-in';

export function newSecret(random: (n: number) => Uint8Array): string {
  return Buffer.from(random(32)).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A token or session id we could have issued: 43 base64url characters (32 bytes). */
export function looksLikeSecret(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}
