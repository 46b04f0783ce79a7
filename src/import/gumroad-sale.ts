// One row of a Gumroad sales export -> a typed sale, or why it can't be used. Pure.
import type { ColumnIndex, GumroadField } from './gumroad-columns.js';
import { gumroadTimestamp } from './dates.js';

export interface GumroadSale {
  line: number;
  purchaseId: string;
  orderNumber: string | null;
  itemName: string;
  productId: string | null;
  buyerName: string;
  email: string;
  purchasedAt: string;
  variants: string | null;
  refunded: boolean;
  fullyRefunded: boolean;
  disputed: boolean;
  disputeLost: boolean;
  licenseKey: string | null;
  subscriptionEnded: string | null;
}

export type SaleResult = { kind: 'sale'; sale: GumroadSale } | { kind: 'totals' } | { kind: 'invalid'; reason: string };

const TRUE = /^(true|yes|1|y)$/i;

export function gumroadSaleFrom(cells: readonly string[], columns: ColumnIndex, line: number): SaleResult {
  const get = (f: GumroadField): string => {
    const i = columns[f];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const purchaseId = get('purchaseId');
  // The summary row Gumroad appends: "Totals" in the first column, sums in the money columns.
  if (/^totals?$/i.test(purchaseId) || /^totals?$/i.test((cells[0] ?? '').trim())) return { kind: 'totals' };
  if (!purchaseId) return { kind: 'invalid', reason: 'no "Purchase ID"' };
  const email = get('email');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { kind: 'invalid', reason: email ? `"${email}" is not an email address` : 'no "Purchase Email"' };
  const purchasedAt = gumroadTimestamp(get('purchaseDate'), get('purchaseTime') || undefined);
  if (!purchasedAt) return { kind: 'invalid', reason: `"Purchase Date" is not a date: "${`${get('purchaseDate')} ${get('purchaseTime')}`.trim()}"` };
  const refunded = TRUE.test(get('refunded'));
  const disputed = TRUE.test(get('disputed'));
  return {
    kind: 'sale',
    sale: {
      line, purchaseId, orderNumber: get('orderNumber') || null, itemName: get('itemName'), productId: get('productId') || null,
      buyerName: get('buyerName'), email, purchasedAt, variants: get('variants') || null,
      refunded,
      // Older exports have no "Fully Refunded?" column: there, "Refunded?" meant the whole sale.
      fullyRefunded: columns.fullyRefunded === undefined ? refunded : TRUE.test(get('fullyRefunded')),
      disputed,
      disputeLost: TRUE.test(get('disputeLost')),
      licenseKey: get('licenseKey') || null,
      subscriptionEnded: get('subscriptionEnded') || null,
    },
  };
}
