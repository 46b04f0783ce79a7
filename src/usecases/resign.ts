// Re-signing a license (renew, edit): the claims it has now, with what changed, in a fresh blob. Every
// claim the license carries (seats, features, updates-until) is kept unless the change replaces it.
import { UserError } from '../errors.js';
import { buildClaims } from '../license/build-claims.js';
import { entitlementClaims } from '../ledger/entitlements.js';
import type { LicenseRow } from '../ledger/project.js';
import type { SigningContext } from './context.js';

export interface ClaimChanges {
  name?: string;
  email?: string;
  tier?: string;
  /** undefined keeps the current expiry; null makes it a lifetime license. */
  expiresAt?: Date | null;
}

/** Refuses what must not be re-signed: a forgotten person, or an imported blob nobody could verify. */
export function checkResignable(row: LicenseRow, what: string, acceptUnverified: boolean): void {
  if (row.forgottenAt) throw new UserError(`${row.licenseKey} belongs to a forgotten person; mint a new license instead`);
  if (!row.verified && !acceptUnverified) {
    // Signing an unchecked imported claim would turn it into a license every app accepts.
    throw new UserError(`${row.licenseKey} holds an imported blob that could not be verified (format ${row.format}); ${what} would sign its claims as they are. Check it with "license-admin verify", then add --accept-unverified if it is genuine`);
  }
}

export async function resignedBlob(row: LicenseRow, changes: ClaimChanges, ctx: SigningContext): Promise<string> {
  const expiresAt = changes.expiresAt !== undefined ? changes.expiresAt : row.expiresAt ? new Date(row.expiresAt) : null;
  return ctx.format.encode(
    buildClaims({
      product: row.product, licenseKey: row.licenseKey, issuedAt: ctx.clock(), expiresAt,
      name: changes.name ?? row.name, email: changes.email ?? row.email, tier: changes.tier ?? row.tier,
      ...(row.updatesUntil ? { updatesUntil: new Date(row.updatesUntil) } : {}),
      ...entitlementClaims(row),
    }),
    ctx.signer,
  );
}
