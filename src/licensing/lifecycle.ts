// Revoke, reinstate, renew, note, forget: each one event, applied in one transaction.
import { UserError } from '../errors.js';
import { addYears } from '../license/build-claims.js';
import type { LicenseRow } from '../ledger/project.js';
import { makeEvent, type OpsContext, type SigningContext } from './context.js';
import { requireLicense } from './find-license.js';
import { checkResignable, resignedBlob } from './resign.js';

export interface ChangeResult {
  license: LicenseRow;
  changed: boolean;
}

export function revokeLicense(keyInput: string, reason: string | undefined, ctx: OpsContext): ChangeResult {
  return ctx.ledger.transaction(() => {
    const row = requireLicense(ctx.ledger, keyInput);
    if (row.revokedAt) return { license: row, changed: false };
    ctx.ledger.applyEventsInTransaction([makeEvent(ctx, 'revoked', row.licenseKey, reason ? { reason } : {})]);
    return { license: ctx.ledger.getLicense(row.licenseKey)!, changed: true };
  });
}

export function reinstateLicense(keyInput: string, ctx: OpsContext): ChangeResult {
  return ctx.ledger.transaction(() => {
    const row = requireLicense(ctx.ledger, keyInput);
    if (!row.revokedAt) return { license: row, changed: false };
    ctx.ledger.applyEventsInTransaction([makeEvent(ctx, 'reinstated', row.licenseKey, {})]);
    return { license: ctx.ledger.getLicense(row.licenseKey)!, changed: true };
  });
}

export function addNote(keyInput: string, text: string, ctx: OpsContext): ChangeResult {
  if (!text.trim()) throw new UserError('the note is empty', { exitCode: 2 });
  return ctx.ledger.transaction(() => {
    const row = requireLicense(ctx.ledger, keyInput);
    if (row.forgottenAt) throw new UserError(`${row.licenseKey} belongs to a forgotten person; notes about them are not kept`);
    ctx.ledger.applyEventsInTransaction([makeEvent(ctx, 'note_added', row.licenseKey, { text })]);
    return { license: ctx.ledger.getLicense(row.licenseKey)!, changed: true };
  });
}

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

export function renewLicense(keyInput: string, req: RenewRequest, ctx: SigningContext, inTransaction?: (license: LicenseRow) => void): ChangeResult {
  if ([req.years !== undefined, req.until !== undefined, req.lifetime === true].filter(Boolean).length > 1) throw new UserError('give one of --years, --until and --lifetime', { exitCode: 2 });
  return ctx.ledger.transaction(() => {
    const row = requireLicense(ctx.ledger, keyInput);
    checkResignable(row, 'renewing', Boolean(req.acceptUnverified));
    if (row.revokedAt) throw new UserError(`${row.licenseKey} is revoked; "license-admin reinstate ${row.licenseKey}" first if that was a mistake`);
    if (!row.expiresAt && !req.until) {
      if (req.lifetime) return { license: row, changed: false };
      throw new UserError(`${row.licenseKey} is a lifetime license; it never expires (use --until to give it an end date)`);
    }
    const expiresAt = renewedExpiry(row, req, ctx.clock());
    const blob = resignedBlob(row, { expiresAt }, ctx);
    ctx.ledger.applyEventsInTransaction([
      makeEvent(ctx, 'renewed', row.licenseKey, { expiresAt: expiresAt?.toISOString() ?? null, blob, kid: ctx.signer.kid, format: ctx.format.name }),
    ]);
    const license = ctx.ledger.getLicense(row.licenseKey)!;
    inTransaction?.(license);
    return { license, changed: true };
  });
}

export interface ForgetResult {
  email: string;
  licenseKeys: string[];
  eventsScrubbed: number;
}

/** GDPR erasure: the person's name, email, blobs and notes leave the licenses and their events. */
export function forgetPerson(email: string, ctx: OpsContext): ForgetResult {
  const result = ctx.ledger.transaction(() => {
    const rows = ctx.ledger.findByEmailEver(email).filter((r) => !r.forgottenAt);
    if (rows.length === 0) throw new UserError(`no licenses for ${email}; nothing to forget`, { code: 'not_found' });
    let eventsScrubbed = 0;
    for (const row of rows) eventsScrubbed += ctx.ledger.eventsFor(row.licenseKey).length;
    ctx.ledger.applyEventsInTransaction(rows.map((row) => makeEvent(ctx, 'forgotten', row.licenseKey, {})));
    return { email, licenseKeys: rows.map((r) => r.licenseKey), eventsScrubbed };
  });
  ctx.ledger.checkpoint();
  return result;
}
