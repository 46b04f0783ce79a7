// The license key of a remote mint request, derived from its idempotency key, so the server (if the request
// reached it) and the CLI's break-glass mint (if the answer never came back) make the same license, and sync
// meets one license instead of two. The idempotency key is 18 random bytes known only to the CLI and the
// server, so the derived key is as unguessable as a fresh one.
import { createHash } from 'node:crypto';
import { generateLicenseKey } from '../license/license-key.js';

export function licenseKeyForRequest(prefix: string, tier: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`license-admin mint request v1\0${idempotencyKey}`).digest();
  return generateLicenseKey(prefix, tier, (n) => digest.subarray(0, n));
}
