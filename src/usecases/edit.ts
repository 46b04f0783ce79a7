// Correcting or upgrading a license: the buyer's email or name, or the tier. Same key, a re-signed blob,
// one `changed` event that keeps what it was before in the history.
import { UserError } from '../errors.js';
import type { ChangeData } from '../ledger/events.js';
import { nextEvent, type LicenseMail, type SigningContext } from './context.js';
import { requireLicense } from './find-license.js';
import type { LedgerTx } from './ledger-port.js';
import { EMAIL } from './mint.js';
import { checkResignable, resignedBlob } from './resign.js';
import { unchanged, type ChangeResult } from './result.js';
import { writeEvent } from './write-event.js';

export interface EditRequest {
  email?: string;
  name?: string;
  tier?: string;
  acceptUnverified?: boolean;
}

export async function editLicense(tx: LedgerTx, keyInput: string, req: EditRequest, ctx: SigningContext, mail?: LicenseMail | null): Promise<ChangeResult> {
  if (req.email === undefined && req.name === undefined && req.tier === undefined) throw new UserError('nothing to change: give --email, --name and/or --tier', { exitCode: 2 });
  const email = req.email?.trim();
  if (email !== undefined && !EMAIL.test(email)) throw new UserError(`"${req.email}" is not an email address`, { exitCode: 2 });
  const tier = req.tier?.trim().toLowerCase();
  if (tier !== undefined && !ctx.config.tiers.includes(tier)) throw new UserError(`unknown tier "${req.tier}"; the tiers are ${ctx.config.tiers.join(', ')}`, { exitCode: 2 });
  const name = req.name?.trim();
  const row = await requireLicense(tx, keyInput);
  const changes = {
    ...(email !== undefined && email !== row.email ? { email } : {}),
    ...(name !== undefined && name !== row.name ? { name } : {}),
    ...(tier !== undefined && tier !== row.tier ? { tier } : {}),
  };
  if (Object.keys(changes).length === 0) return unchanged(row);
  checkResignable(row, 'the change', Boolean(req.acceptUnverified));
  if (row.revokedAt) throw new UserError(`${row.licenseKey} is revoked; "license-admin reinstate ${row.licenseKey}" first if it should be in use`);
  const data: ChangeData = {
    ...changes,
    ...(changes.email !== undefined ? { fromEmail: row.email } : {}),
    ...(changes.name !== undefined ? { fromName: row.name } : {}),
    ...(changes.tier !== undefined ? { fromTier: row.tier } : {}),
    blob: await resignedBlob(row, changes, ctx), kid: ctx.signer.kid, signer: ctx.signer.backend, format: ctx.format.name,
  };
  return writeEvent(tx, await nextEvent(tx, ctx, 'changed', row.licenseKey, data as unknown as Record<string, unknown>), mail);
}
