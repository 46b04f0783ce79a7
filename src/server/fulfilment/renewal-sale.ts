// A sale paid at a checkout the portal opened for a renewal carries the license's key (PaymentEvent.renews):
// that license gets the product's duration more, through the renew use case, instead of a second license.
// A key that does not fit (another product's, revoked, lifetime, forgotten, unknown) falls back to minting,
// so a buyer who paid always ends up with a license.
import { configForProduct } from '../../config/products.js';
import { UserError } from '../../errors.js';
import type { LicenseRow } from '../../ledger/project.js';
import type { LicenseMail, SigningContext } from '../../usecases/context.js';
import type { LedgerTx } from '../../usecases/ledger-port.js';
import { renewLicense } from '../../usecases/renew.js';
import type { ServerDeps } from '../deps.js';
import type { PaymentEvent } from '../webhooks/normalized.js';

export interface RenewalSale {
  sale: PaymentEvent;
  product: string;
  /** The product mapping's duration for this sale, if it names one. */
  years: number | 'lifetime' | undefined;
}

/** The renewed license, or null when the sale should mint as usual. */
export async function renewForSale(tx: LedgerTx, r: RenewalSale, deps: ServerDeps, signing: SigningContext): Promise<LicenseRow | null> {
  const key = r.sale.renews;
  if (!key) return null;
  const row = await tx.getLicense(key);
  if (!row || row.forgottenAt || row.revokedAt || !row.expiresAt || row.product !== r.product) return null;
  const years = r.years ?? configForProduct(deps.config, r.product).defaultYears;
  const sender = deps.mail;
  const mail: LicenseMail | null = sender ? (l) => sender.licenseMail(l, signing.clock(), { kind: 'renewed', idempotencyKey: `renew:${l.licenseKey}:${r.sale.eventId}` }) : null;
  try {
    return (await renewLicense(tx, row.licenseKey, years === 'lifetime' ? { lifetime: true } : { years }, signing, mail)).license;
  } catch (error) {
    if (error instanceof UserError) return null;
    throw error;
  }
}
