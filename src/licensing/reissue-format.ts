// migrate-format: re-sign active licenses in another blob format (same license key, same claims, same
// expiry) as `reissued` events, all in one transaction. Licenses already in the target format are left
// alone, so a second run finds nothing to do.
import { buildClaims } from '../license/build-claims.js';
import type { LicenseFormat } from '../license/format.js';
import { listLicenses } from '../ledger/queries.js';
import { entitlementClaims } from '../ledger/entitlements.js';
import type { Ledger } from '../ledger/ledger.js';
import type { LicenseRow } from '../ledger/project.js';
import type { LicenseClaims } from '../verify/claims.js';
import { makeEvent, type OpsContext, type SigningContext } from './context.js';

export interface ReissueItem {
  licenseKey: string;
  email: string;
  tier: string;
  expiresAt: string | null;
  from: string;
  to: string;
}

export interface ReissueSkip {
  licenseKey: string;
  from: string;
  reason: string;
}

export interface ReissuePlan {
  to: string;
  items: ReissueItem[];
  skipped: ReissueSkip[];
  rows: LicenseRow[];
}

/** Pure: which of the active licenses need a new blob in `to`, and which cannot be re-signed. */
export function planReissue(active: readonly LicenseRow[], to: string): ReissuePlan {
  const plan: ReissuePlan = { to, items: [], skipped: [], rows: [] };
  for (const row of active) {
    if (row.forgottenAt || row.blob === '' || row.format === to) continue;
    if (!row.verified) {
      // Signing an unverified imported blob would turn an unchecked claim into a valid license.
      plan.skipped.push({ licenseKey: row.licenseKey, from: row.format, reason: 'unverified legacy blob: not re-signed (check it with "license-admin verify" first)' });
      continue;
    }
    plan.rows.push(row);
    plan.items.push({ licenseKey: row.licenseKey, email: row.email, tier: row.tier, expiresAt: row.expiresAt, from: row.format, to });
  }
  return plan;
}

export function planReissueFromLedger(ledger: Ledger, to: string, now: Date): ReissuePlan {
  return planReissue(listLicenses(ledger, { status: 'active' }, now), to);
}

/**
 * The claims the license was signed with: decoded from its blob when a format can read it, else rebuilt
 * from the ledger. Expiry, seats and features are the ledger's (a blob re-signed by an older server lacks them).
 */
export function claimsOf(row: LicenseRow, readers: readonly LicenseFormat[]): LicenseClaims {
  for (const format of readers) {
    if (format.name !== row.format) continue;
    try {
      const { claims } = format.decode(row.blob);
      if (claims.sub === row.licenseKey) {
        const { seats: _seats, features: _features, ...rest } = claims;
        return { ...rest, ...expiryOf(row), ...entitlementClaims(row) };
      }
    } catch {
      // fall back to the ledger's record below
    }
  }
  return buildClaims({
    product: row.product, licenseKey: row.licenseKey, name: row.name, email: row.email, tier: row.tier,
    issuedAt: new Date(row.issuedAt), expiresAt: row.expiresAt ? new Date(row.expiresAt) : null,
    ...(row.updatesUntil ? { updatesUntil: new Date(row.updatesUntil) } : {}),
    ...entitlementClaims(row),
  });
}

function expiryOf(row: LicenseRow): Pick<LicenseClaims, 'exp'> {
  return row.expiresAt ? { exp: Math.floor(Date.parse(row.expiresAt) / 1000) } : {};
}

export interface ReissueResult {
  plan: ReissuePlan;
  licenses: LicenseRow[];
}

/** Plans and re-signs inside one transaction: any failure (a plugin error, a crash) leaves the ledger as it was. */
export function reissueLicenses(target: LicenseFormat, readers: readonly LicenseFormat[], ctx: SigningContext, inTransaction?: (licenses: LicenseRow[]) => void): ReissueResult {
  return ctx.ledger.transaction(() => {
    const plan = planReissueFromLedger(ctx.ledger, target.name, ctx.clock());
    const events = plan.rows.map((row) => {
      const blob = target.encode(claimsOf(row, readers), ctx.signer);
      return makeEvent(ctx as OpsContext, 'reissued', row.licenseKey, { blob, kid: ctx.signer.kid, format: target.name, previousFormat: row.format, reason: 'migrate-format' });
    });
    ctx.ledger.applyEventsInTransaction(events);
    const licenses = plan.rows.map((row) => ctx.ledger.getLicense(row.licenseKey)!);
    inTransaction?.(licenses);
    return { plan, licenses };
  });
}
