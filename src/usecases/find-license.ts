// Resolving what a person typed (a key, maybe mistyped or legacy) to a license, with helpful errors.
import { UserError } from '../errors.js';
import { parseLicenseKey } from '../license/license-key.js';
import type { LicenseRow } from '../ledger/project.js';
import type { LedgerTx } from './ledger-port.js';

export async function requireLicense(tx: Pick<LedgerTx, 'getLicense' | 'missingLicense'>, input: string): Promise<LicenseRow> {
  const parsed = parseLicenseKey(input);
  if (!parsed.ok) throw new UserError(parsed.reason);
  const row = await tx.getLicense(parsed.value.key);
  if (!row) throw new UserError(tx.missingLicense(parsed.value.key), { code: 'not_found' });
  return row;
}

/** A key that came from the ledger itself (an order's license, an import's match): looked up as it is. */
export async function existingLicense(tx: Pick<LedgerTx, 'getLicense' | 'missingLicense'>, licenseKey: string): Promise<LicenseRow> {
  const row = await tx.getLicense(licenseKey);
  if (!row) throw new UserError(tx.missingLicense(licenseKey), { code: 'not_found' });
  return row;
}
