// migrate-format: re-sign active licenses in another blob format (same license key, same claims, same
// expiry) as `reissued` events, all in one transaction. Licenses already in the target format are left
// alone, so a second run finds nothing to do.
import { buildClaims } from '../license/build-claims.js';
import type { LicenseFormat } from '../license/format.js';
import { entitlementClaims } from '../ledger/entitlements.js';
import type { LicenseRow } from '../ledger/project.js';
import type { EnqueueResult } from '../mail/outbox.js';
import type { LicenseClaims } from '../verify/claims.js';
import { eventAfter, type LicenseMail, type SigningContext } from './context.js';
import { mapBounded, signingConcurrency } from './bounded-map.js';
import type { LedgerTx } from './ledger-port.js';

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

export async function planReissueIn(tx: LedgerTx, to: string, now: Date): Promise<ReissuePlan> {
  return planReissue(await tx.activeLicenses(now), to);
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
  /** One per re-signed license when a mail was asked for, in the plan's order. */
  mail: { licenseKey: string; queued: EnqueueResult }[];
}

/** Plans and re-signs inside the caller's transaction: any failure (a plugin error, a crash) leaves the ledger as it was. */
export async function reissueLicenses(tx: LedgerTx, target: LicenseFormat, readers: readonly LicenseFormat[], ctx: SigningContext, mail?: LicenseMail | null, concurrency?: number): Promise<ReissueResult> {
  const plan = await planReissueIn(tx, target.name, ctx.clock());
  // Claims first (decoding is synchronous), then the signatures, several in flight for a remote signer.
  const claims = plan.rows.map((row) => claimsOf(row, readers));
  const blobs = await mapBounded(claims, concurrency ?? signingConcurrency(ctx.signer.backend), (c) => target.encode(c, ctx.signer));
  const events = [];
  for (const [i, row] of plan.rows.entries()) {
    const data = { blob: blobs[i]!, kid: ctx.signer.kid, signer: ctx.signer.backend, format: target.name, previousFormat: row.format, reason: 'migrate-format' };
    events.push(eventAfter(ctx, 'reissued', row.licenseKey, data, await tx.lastEventAt(row.licenseKey)));
  }
  await tx.applyEvents(events);
  const licenses: LicenseRow[] = [];
  const queued: ReissueResult['mail'] = [];
  for (const [i, row] of plan.rows.entries()) {
    const license = (await tx.getLicense(row.licenseKey))!;
    licenses.push(license);
    const message = mail ? mail(license, events[i]!) : null;
    if (message) queued.push({ licenseKey: license.licenseKey, queued: await tx.enqueueMail(message) });
  }
  return { plan, licenses, mail: queued };
}
