// What the planners may ask about licenses: the ledger as it is, plus what this run already plans to
// add (so `import issued.jsonl sales.csv` matches sales against licenses from the log in the same run).
import type { Ledger } from '../ledger/ledger.js';
import { canonicalOrderRef, parseOrderId } from '../ledger/order-identity.js';
import type { LicenseRow } from '../ledger/project.js';

export type KnownLicense = Pick<
  LicenseRow,
  'licenseKey' | 'product' | 'name' | 'email' | 'tier' | 'issuedAt' | 'expiresAt' | 'updatesUntil' | 'blob' | 'gumroadOrderId' | 'orderRef' | 'revokedAt' | 'revokeReason' | 'notes'
>;

export interface LicenseIndex {
  byKey(licenseKey: string): KnownLicense | null;
  byOrderId(orderId: string): KnownLicense | null;
  byEmail(email: string): KnownLicense[];
}

export class PendingLicenses implements LicenseIndex {
  private readonly keys = new Map<string, KnownLicense>();
  /** By canonical order ref ("gumroad:X"), as the ledger's order columns are matched. */
  private readonly orders = new Map<string, KnownLicense>();
  private readonly emails = new Map<string, KnownLicense[]>();

  constructor(private readonly ledger: LicenseIndex) {}

  add(license: KnownLicense): void {
    this.keys.set(license.licenseKey.toUpperCase(), license);
    const refs = [canonicalOrderRef(license.gumroadOrderId, license.orderRef), license.gumroadOrderId ? parseOrderId(license.gumroadOrderId).orderRef : null];
    for (const ref of refs) if (ref) this.orders.set(ref, license);
    const email = license.email.toLowerCase();
    const list = this.emails.get(email);
    if (list) list.push(license);
    else this.emails.set(email, [license]);
  }

  byKey(licenseKey: string): KnownLicense | null {
    return this.keys.get(licenseKey.toUpperCase()) ?? this.ledger.byKey(licenseKey);
  }

  byOrderId(orderId: string): KnownLicense | null {
    return this.orders.get(parseOrderId(orderId).orderRef) ?? this.ledger.byOrderId(orderId);
  }

  byEmail(email: string): KnownLicense[] {
    return [...this.ledger.byEmail(email), ...(this.emails.get(email.toLowerCase()) ?? [])];
  }
}

export function ledgerIndex(ledger: Ledger): LicenseIndex {
  return {
    byKey: (k) => ledger.getLicense(k),
    byOrderId: (id) => ledger.getByOrderId(id),
    byEmail: (e) => ledger.findByEmail(e),
  };
}
