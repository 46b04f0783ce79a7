// Correcting or upgrading a license: the buyer's email or name, or the tier. Same key, a re-signed blob,
// one `changed` event that keeps what it was before in the history.
import { UserError } from '../errors.js';
import type { ChangeData } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import { makeEvent, type SigningContext } from './context.js';
import { requireLicense } from './find-license.js';
import type { ChangeResult } from './lifecycle.js';
import { EMAIL } from './mint.js';
import { checkResignable, resignedBlob } from '../usecases/resign.js';

export interface EditRequest {
  email?: string;
  name?: string;
  tier?: string;
  acceptUnverified?: boolean;
}

export function editLicense(keyInput: string, req: EditRequest, ctx: SigningContext, inTransaction?: (license: LicenseRow) => void): ChangeResult {
  if (req.email === undefined && req.name === undefined && req.tier === undefined) throw new UserError('nothing to change: give --email, --name and/or --tier', { exitCode: 2 });
  const email = req.email?.trim();
  if (email !== undefined && !EMAIL.test(email)) throw new UserError(`"${req.email}" is not an email address`, { exitCode: 2 });
  const tier = req.tier?.trim().toLowerCase();
  if (tier !== undefined && !ctx.config.tiers.includes(tier)) throw new UserError(`unknown tier "${req.tier}"; the tiers are ${ctx.config.tiers.join(', ')}`, { exitCode: 2 });
  const name = req.name?.trim();
  return ctx.ledger.transaction(() => {
    const row = requireLicense(ctx.ledger, keyInput);
    const changes = {
      ...(email !== undefined && email !== row.email ? { email } : {}),
      ...(name !== undefined && name !== row.name ? { name } : {}),
      ...(tier !== undefined && tier !== row.tier ? { tier } : {}),
    };
    if (Object.keys(changes).length === 0) return { license: row, changed: false };
    checkResignable(row, 'the change', Boolean(req.acceptUnverified));
    if (row.revokedAt) throw new UserError(`${row.licenseKey} is revoked; "license-admin reinstate ${row.licenseKey}" first if it should be in use`);
    const data: ChangeData = {
      ...changes,
      ...(changes.email !== undefined ? { fromEmail: row.email } : {}),
      ...(changes.name !== undefined ? { fromName: row.name } : {}),
      ...(changes.tier !== undefined ? { fromTier: row.tier } : {}),
      blob: resignedBlob(row, changes, ctx), kid: ctx.signer.kid, format: ctx.format.name,
    };
    ctx.ledger.applyEventsInTransaction([makeEvent({ ...ctx, ledger: ctx.ledger }, 'changed', row.licenseKey, data as unknown as Record<string, unknown>)]);
    const license = ctx.ledger.getLicense(row.licenseKey)!;
    inTransaction?.(license);
    return { license, changed: true };
  });
}
