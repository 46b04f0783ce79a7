// One order, one license — even when two licenses for the same order were minted apart (a webhook on the
// server and a break-glass mint on the laptop) and meet at sync. The earliest license (created_at, then
// key) keeps the order id; the other keeps everything else but no longer claims the order. Pure and
// order-independent, so every replica picks the same winner.
import type { LicenseRow } from './project.js';

export type OrderColumn = 'gumroadOrderId' | 'orderRef';
export type OrderClaimant = Pick<LicenseRow, 'licenseKey' | 'createdAt' | OrderColumn>;

export function losingOrderClaims(claimants: readonly OrderClaimant[]): { licenseKey: string; column: OrderColumn }[] {
  const losers: { licenseKey: string; column: OrderColumn }[] = [];
  for (const column of ['gumroadOrderId', 'orderRef'] as const) {
    const byValue = new Map<string, OrderClaimant[]>();
    for (const c of claimants) {
      const value = c[column];
      if (value) byValue.set(value, [...(byValue.get(value) ?? []).filter((o) => o.licenseKey !== c.licenseKey), c]);
    }
    for (const group of byValue.values()) {
      const [, ...rest] = [...group].sort((a, b) => (a.createdAt === b.createdAt ? (a.licenseKey < b.licenseKey ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
      for (const loser of rest) losers.push({ licenseKey: loser.licenseKey, column });
    }
  }
  return losers;
}
