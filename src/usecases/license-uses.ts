// Gumroad's `uses`: each verify of a license counts one unless the app says increment_uses_count=false; a
// license that cannot be used (unknown, forgotten) counts nothing.
import type { LicenseRow } from '../ledger/project.js';
import type { LedgerTx } from './ledger-port.js';

export async function countLicenseUse(tx: Pick<LedgerTx, 'countUse'>, license: LicenseRow, increment: boolean): Promise<number> {
  return tx.countUse(license.licenseKey, increment ? 1 : 0);
}
