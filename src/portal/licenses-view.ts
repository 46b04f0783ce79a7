// What the licenses page shows for each license of the signed-in email. Pure.
import type { Config } from '../config/config.js';
import { productsOf } from '../config/products.js';
import { licenseStatus } from '../ledger/license-view.js';
import type { LicenseRow } from '../ledger/project.js';
import { licenseFilename } from '../mail/compose.js';
import { productPortal, type RenewalPolicy } from './portal-settings.js';
import { renewalOffered } from './renewal-policy.js';

export interface LicenseCard {
  licenseKey: string;
  productName: string;
  tier: string;
  status: 'active' | 'expired' | 'revoked';
  statusText: string;
  expiry: string;
  blob: string;
  filename: string;
  canEmail: boolean;
  renewal: RenewalPolicy;
}

/** The licenses a session may see and act on: its email's, never a forgotten person's. */
export function ownLicenses(rows: readonly LicenseRow[], email: string): LicenseRow[] {
  return rows.filter((r) => !r.forgottenAt && r.blob && r.email.toLowerCase() === email.toLowerCase());
}

export function licenseCard(row: LicenseRow, config: Config, now: Date): LicenseCard {
  const status = licenseStatus(row, now);
  const day = (iso: string) => iso.slice(0, 10);
  const statusText = status === 'revoked' ? 'Revoked' : status === 'expired' ? `Expired on ${day(row.expiresAt!)}` : 'Active';
  const policy = productPortal(config, row.product);
  return {
    licenseKey: row.licenseKey,
    productName: productsOf(config).find((p) => p.id === row.product)?.name ?? row.product,
    tier: row.tier,
    status,
    statusText,
    expiry: row.expiresAt ? day(row.expiresAt) : 'Never (lifetime license)',
    blob: row.blob,
    filename: licenseFilename(row.licenseKey),
    canEmail: status === 'active',
    renewal: renewalOffered(row, policy, config, now) ? policy.renewal : 'none',
  };
}
