// A new expiry, re-signed: the CLI's `renew` and a subscription's paid period (webhooks) are one operation.
// What a renewal refuses, what it keeps (every claim but the expiry: seats, features, updates-until) and the
// `renewed` event it writes are decided here once.
import { UserError } from '../errors.js';
import { addYears } from '../license/build-claims.js';
import type { LicenseRow } from '../ledger/project.js';
import { nextEvent, type LicenseMail, type SigningContext } from './context.js';
import { existingLicense, requireLicense } from './find-license.js';
import type { LedgerTx } from './ledger-port.js';
import { checkResignable, resignedBlob } from './resign.js';
import { unchanged, type ChangeResult } from './result.js';
import { writeEvent } from './write-event.js';

export interface RenewRequest {
  years?: number;
  until?: Date;
  /** Make it a lifetime license (no expiry). */
  lifetime?: boolean;
  /** --until may end the license earlier than it ends now only when asked explicitly. */
  allowShorter?: boolean;
  /** Re-sign an imported blob that could not be verified (the creator checked it by hand). */
  acceptUnverified?: boolean;
}

/** New expiry: from the later of now and the current expiry, so renewing early loses nothing; null is lifetime. */
export function renewedExpiry(row: LicenseRow, req: RenewRequest, now: Date): Date | null {
  if (req.lifetime) return null;
  if (req.until) {
    if (req.until.getTime() <= now.getTime()) throw new UserError(`--until ${req.until.toISOString().slice(0, 10)} is in the past`);
    if (row.expiresAt && req.until.getTime() < Date.parse(row.expiresAt) && !req.allowShorter) {
      throw new UserError(`${row.licenseKey} already runs until ${row.expiresAt.slice(0, 10)}; --until ${req.until.toISOString().slice(0, 10)} would shorten it (add --shorten if that is what you want)`);
    }
    return req.until;
  }
  const years = req.years ?? 1;
  if (!(Number.isInteger(years) && years > 0 && years <= 100)) throw new UserError('--years must be a whole number from 1 to 100', { exitCode: 2 });
  const current = row.expiresAt ? new Date(row.expiresAt) : now;
  return addYears(current.getTime() > now.getTime() ? current : now, years);
}

/** `renew <key>`: a year (or --years, --until, --lifetime) more. */
export async function renewLicense(tx: LedgerTx, keyInput: string, req: RenewRequest, ctx: SigningContext, mail?: LicenseMail | null): Promise<ChangeResult> {
  if ([req.years !== undefined, req.until !== undefined, req.lifetime === true].filter(Boolean).length > 1) throw new UserError('give one of --years, --until and --lifetime', { exitCode: 2 });
  const row = await requireLicense(tx, keyInput);
  refuseRenewal(row, Boolean(req.acceptUnverified));
  if (!row.expiresAt && !req.until) {
    if (req.lifetime) return unchanged(row);
    throw new UserError(`${row.licenseKey} is a lifetime license; it never expires (use --until to give it an end date)`);
  }
  return writeRenewal(tx, row, renewedExpiry(row, req, ctx.clock()), ctx, mail);
}

/**
 * A subscription's paid period moved the expiry (a renewal, or an ending that brings it earlier): exactly this
 * date, which may already be past (an ending processed late). Same refusals and the same event as `renew`.
 */
export async function setSubscriptionExpiry(tx: LedgerTx, licenseKey: string, expiresAt: Date, ctx: SigningContext, mail?: LicenseMail | null): Promise<ChangeResult> {
  const row = await existingLicense(tx, licenseKey);
  refuseRenewal(row, false);
  return writeRenewal(tx, row, expiresAt, ctx, mail);
}

function refuseRenewal(row: LicenseRow, acceptUnverified: boolean): void {
  checkResignable(row, 'renewing', acceptUnverified);
  if (row.revokedAt) throw new UserError(`${row.licenseKey} is revoked; "license-admin reinstate ${row.licenseKey}" first if that was a mistake`);
}

async function writeRenewal(tx: LedgerTx, row: LicenseRow, expiresAt: Date | null, ctx: SigningContext, mail?: LicenseMail | null): Promise<ChangeResult> {
  const blob = await resignedBlob(row, { expiresAt }, ctx);
  const event = await nextEvent(tx, ctx, 'renewed', row.licenseKey, { expiresAt: expiresAt?.toISOString() ?? null, blob, kid: ctx.signer.kid, signer: ctx.signer.backend, format: ctx.format.name });
  return writeEvent(tx, event, mail);
}
