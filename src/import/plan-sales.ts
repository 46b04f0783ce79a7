// Reconciling Gumroad sales with the ledger. Pure: the ledger, the tier mapping and "now" come in.
// A sale is matched by order id (Purchase ID, then Order Number, against gumroad_order_id / order_ref, in
// canonical form: a bare id X is gumroad:X), then by email + product (a license of this product for that
// email not tied to another order). Rows Gumroad writes that are not a sale of their own are skipped: a
// subscription's recurring charges (its first sale carries the license), pre-order authorizations (the
// charge at release does), and subscriptions that ended before anything was minted.
import { addYears } from '../license/build-claims.js';
import { canonicalOrderRef, parseOrderId } from '../ledger/order-identity.js';
import type { GumroadSale } from './gumroad-sale.js';
import type { KnownLicense, LicenseIndex } from './license-index.js';
import { saleRef, type ExpiryFrom, type ImportPlan } from './plan.js';
import type { TierChoice } from './tier-map.js';

export interface SalesPlannerDeps {
  index: LicenseIndex;
  product: string;
  tierFor: (sale: GumroadSale) => TierChoice;
  now: Date;
  expiryFrom?: ExpiryFrom;
}

export class SalesPlanner {
  private readonly purchaseLines = new Map<string, number>();
  /** Licenses already matched to a sale in this run, so two purchases by one buyer need two licenses. */
  private readonly claimed = new Set<string>();
  /** Gumroad license key -> the line of the subscription's first sale in this run. */
  private readonly firstSaleOf = new Map<string, number>();
  /** Recurring charges met before (or without) their subscription's first sale: settled in finish(). */
  private readonly orphanCharges: { file: string; sale: GumroadSale }[] = [];

  constructor(private readonly plan: ImportPlan, private readonly deps: SalesPlannerDeps) {}

  add(file: string, sale: GumroadSale): void {
    const { plan } = this;
    const skip = (reason: string) => {
      plan.counts.skipped++;
      plan.skipped.push({ file, line: sale.line, reason });
    };
    const earlier = this.purchaseLines.get(sale.purchaseId);
    if (earlier !== undefined) return skip(`Purchase ID ${sale.purchaseId} again (first on line ${earlier})`);
    this.purchaseLines.set(sale.purchaseId, sale.line);
    plan.sales.sales++;
    if (sale.recurringCharge) {
      const first = sale.licenseKey ? this.firstSaleOf.get(sale.licenseKey) : undefined;
      if (first !== undefined) return skip(recurringReason(first));
      return void this.orphanCharges.push({ file, sale });
    }
    if (sale.licenseKey) this.firstSaleOf.set(sale.licenseKey, sale.line);
    if (sale.preorderAuthorization) return skip('a pre-order authorization: the license comes with the charge when the product is released');
    this.planSale(file, sale, false);
  }

  /**
   * After the last row: a recurring charge whose first sale came later is skipped like the others; a
   * subscription with no first sale in the run (an export of one month) is planned once, from its earliest
   * charge, matched to a license of that buyer and product whatever order that license has.
   */
  finish(): void {
    const bySubscription = new Map<string, { file: string; sale: GumroadSale }[]>();
    for (const charge of this.orphanCharges) {
      const key = charge.sale.licenseKey ?? `${charge.sale.email.toLowerCase()}|${charge.sale.itemName}`;
      bySubscription.set(key, [...(bySubscription.get(key) ?? []), charge]);
    }
    for (const charges of bySubscription.values()) {
      const skip = (c: { file: string; sale: GumroadSale }, reason: string) => {
        this.plan.counts.skipped++;
        this.plan.skipped.push({ file: c.file, line: c.sale.line, reason });
      };
      const first = charges[0]!.sale.licenseKey ? this.firstSaleOf.get(charges[0]!.sale.licenseKey) : undefined;
      if (first !== undefined) {
        for (const c of charges) skip(c, recurringReason(first));
        continue;
      }
      const [earliest, ...later] = [...charges].sort((a, b) => Date.parse(a.sale.purchasedAt) - Date.parse(b.sale.purchasedAt));
      for (const c of later) skip(c, `a recurring charge of a subscription whose first sale is not in this import: its earliest charge (line ${earliest!.sale.line}) stands for it`);
      this.planSale(earliest!.file, earliest!.sale, true);
    }
    this.orphanCharges.length = 0;
  }

  private planSale(file: string, sale: GumroadSale, anyOrder: boolean): void {
    const { plan } = this;
    const skip = (reason: string) => {
      plan.counts.skipped++;
      plan.skipped.push({ file, line: sale.line, reason });
    };
    const match = this.match(sale, anyOrder);
    const lost = sale.fullyRefunded ? 'fully refunded' : sale.disputeLost ? 'dispute lost' : null;
    if (!match) {
      if (lost) return skip(`${lost} and has no license: nothing to do`);
      const ended = sale.subscriptionEnded;
      if (ended && Date.parse(`${ended}T00:00:00Z`) <= this.deps.now.getTime()) return skip(`the subscription ended on ${ended}: nothing to mint`);
      plan.counts.new++;
      const choice = this.deps.tierFor(sale);
      if (!choice.ok) return void plan.sales.unmapped.push({ ...saleRef(file, sale), reason: choice.reason });
      const expiresAt = this.expiryOf(sale, choice.years);
      const expired = expiresAt !== null && Date.parse(expiresAt) <= this.deps.now.getTime();
      if (expired) plan.sales.alreadyExpired++;
      plan.sales.missing.push({ ...saleRef(file, sale), tier: choice.tier, years: choice.years, expiresAt, expired });
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

  /** The mapped duration from the purchase (or from now), never past a subscription's end. */
  private expiryOf(sale: GumroadSale, years: number | 'lifetime'): string | null {
    const from = this.deps.expiryFrom === 'now' ? this.deps.now : new Date(sale.purchasedAt);
    const byDuration = years === 'lifetime' ? null : addYears(from, years).getTime();
    const end = sale.subscriptionEnded ? Date.parse(`${sale.subscriptionEnded}T00:00:00Z`) : null;
    const at = end !== null && (byDuration === null || end < byDuration) ? end : byDuration;
    return at === null ? null : new Date(at).toISOString();
  }

  /** anyOrder: a license tied to another order still matches (a subscription's first sale has another order id). */
  private match(sale: GumroadSale, anyOrder: boolean): { license: KnownLicense; by: 'order' | 'email' } | null {
    const { index, product } = this.deps;
    const byOrder = index.byOrderId(sale.purchaseId) ?? (sale.orderNumber ? index.byOrderId(sale.orderNumber) : null);
    if (byOrder) return { license: byOrder, by: 'order' };
    const saleOrders = new Set([sale.purchaseId, sale.orderNumber].filter((id): id is string => Boolean(id)).map((id) => parseOrderId(id).orderRef));
    const candidate = index
      .byEmail(sale.email)
      .filter((l) => l.product === product && !this.claimed.has(l.licenseKey.toUpperCase()))
      .filter((l) => {
        const order = canonicalOrderRef(l.gumroadOrderId, l.orderRef);
        return anyOrder || order === null || saleOrders.has(order);
      })
      .sort((a, b) => Math.abs(Date.parse(a.issuedAt) - Date.parse(sale.purchasedAt)) - Math.abs(Date.parse(b.issuedAt) - Date.parse(sale.purchasedAt)))[0];
    return candidate ? { license: candidate, by: 'email' } : null;
  }

  private isActive(l: KnownLicense): boolean {
    return !l.revokedAt && (l.expiresAt === null || Date.parse(l.expiresAt) > this.deps.now.getTime());
  }
}

function recurringReason(firstLine: number): string {
  return `a recurring charge of a subscription: its first sale (line ${firstLine}) carries the license`;
}
