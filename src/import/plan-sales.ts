// Reconciling Gumroad sales with the ledger. Pure: the ledger, the tier mapping and "now" come in.
// A sale is matched by order id (Purchase ID, then Order Number, against gumroad_order_id / order_ref),
// then by email + product (a license of this product for that email not tied to another order).
import type { GumroadSale } from './gumroad-sale.js';
import type { KnownLicense, LicenseIndex } from './license-index.js';
import { saleRef, type ImportPlan } from './plan.js';
import type { TierChoice } from './tier-map.js';

export interface SalesPlannerDeps {
  index: LicenseIndex;
  product: string;
  tierFor: (sale: GumroadSale) => TierChoice;
  now: Date;
}

export class SalesPlanner {
  private readonly purchaseLines = new Map<string, number>();
  /** Licenses already matched to a sale in this run, so two purchases by one buyer need two licenses. */
  private readonly claimed = new Set<string>();

  constructor(private readonly plan: ImportPlan, private readonly deps: SalesPlannerDeps) {}

  add(file: string, sale: GumroadSale): void {
    const { plan } = this;
    const earlier = this.purchaseLines.get(sale.purchaseId);
    if (earlier !== undefined) {
      plan.counts.skipped++;
      plan.skipped.push({ file, line: sale.line, reason: `Purchase ID ${sale.purchaseId} again (first on line ${earlier})` });
      return;
    }
    this.purchaseLines.set(sale.purchaseId, sale.line);
    plan.sales.sales++;
    const match = this.match(sale);
    const lost = sale.fullyRefunded ? 'fully refunded' : sale.disputeLost ? 'dispute lost' : null;
    if (!match) {
      if (lost) {
        plan.counts.skipped++;
        plan.skipped.push({ file, line: sale.line, reason: `${lost} and has no license: nothing to do` });
        return;
      }
      plan.counts.new++;
      const choice = this.deps.tierFor(sale);
      if (choice.ok) plan.sales.missing.push({ ...saleRef(file, sale), tier: choice.tier, years: choice.years });
      else plan.sales.unmapped.push({ ...saleRef(file, sale), reason: choice.reason });
      return;
    }
    this.claimed.add(match.license.licenseKey.toUpperCase());
    plan.sales.matched++;
    if (match.by === 'order' && match.license.email.toLowerCase() !== sale.email.toLowerCase()) {
      plan.counts.conflicting++;
      plan.conflicts.push({
        file, line: sale.line, licenseKey: match.license.licenseKey, against: 'ledger',
        fields: [{ field: 'email', ledger: match.license.email, file: sale.email }],
      });
    } else plan.counts.present++;
    if (lost && this.isActive(match.license)) plan.sales.refundedActive.push({ ...saleRef(file, sale), licenseKey: match.license.licenseKey, why: lost });
  }

  private match(sale: GumroadSale): { license: KnownLicense; by: 'order' | 'email' } | null {
    const { index, product } = this.deps;
    const byOrder = index.byOrderId(sale.purchaseId) ?? (sale.orderNumber ? index.byOrderId(sale.orderNumber) : null);
    if (byOrder) return { license: byOrder, by: 'order' };
    const ids = new Set([sale.purchaseId, sale.orderNumber].filter(Boolean));
    const candidate = index
      .byEmail(sale.email)
      .filter((l) => l.product === product && !this.claimed.has(l.licenseKey.toUpperCase()))
      .filter((l) => (!l.gumroadOrderId || ids.has(l.gumroadOrderId)) && (!l.orderRef || ids.has(l.orderRef)))
      .sort((a, b) => Math.abs(Date.parse(a.issuedAt) - Date.parse(sale.purchasedAt)) - Math.abs(Date.parse(b.issuedAt) - Date.parse(sale.purchasedAt)))[0];
    return candidate ? { license: candidate, by: 'email' } : null;
  }

  private isActive(l: KnownLicense): boolean {
    return !l.revokedAt && (l.expiresAt === null || Date.parse(l.expiresAt) > this.deps.now.getTime());
  }
}
