// Resolving what a person typed (a key, maybe mistyped or legacy) to a ledger row, with helpful errors.
import { UserError } from '../errors.js';
import { parseLicenseKey } from '../license/license-key.js';
import type { Ledger } from '../ledger/ledger.js';
import type { LicenseRow } from '../ledger/project.js';

export function requireLicense(ledger: Ledger, input: string): LicenseRow {
  const parsed = parseLicenseKey(input);
  if (!parsed.ok) throw new UserError(parsed.reason);
  const row = ledger.getLicense(parsed.value.key);
  if (!row) throw new UserError(`no license ${parsed.value.key} in the ledger (${ledger.path}); try "license-admin search ${parsed.value.key.slice(-4)}"`, { code: 'not_found' });
  return row;
}
