// One row of a Gumroad sales export -> a typed sale, or why it can't be used. Pure.
// The values are what antiwork/gumroad app/services/exports/purchase_export_service.rb writes: flags as 1/0,
// times as Time#to_s, `Custom Fields` as a Ruby Hash#to_s, `Subscription End Date` as Date#to_s.
import type { ColumnIndex, GumroadField } from './gumroad-columns.js';
import { gumroadDay, gumroadPurchaseInstant, type SlashOrder } from './gumroad-dates.js';
import { parseRubyHash, type RubyHash } from './ruby-hash.js';
import { EMAIL } from '../license/email-address.js';

export interface GumroadSale {
  line: number;
  purchaseId: string;
  orderNumber: string | null;
  itemName: string;
  productId: string | null;
  buyerName: string;
  /** Who the license is for: the `Giftee Email` of a gift, else the `Purchase Email`. */
  email: string;
  /** The buyer's `Purchase Email` when the sale is a gift to someone else, else null. */
  giftedBy: string | null;
  purchasedAt: string;
  variants: string | null;
  refunded: boolean;
  fullyRefunded: boolean;
  disputed: boolean;
  /** Disputed and not won: Gumroad's chargeback stands. */
  disputeLost: boolean;
  recurringCharge: boolean;
  preorderAuthorization: boolean;
  /** Gumroad's own license key (the same for every charge of one subscription). */
  licenseKey: string | null;
  /** `Subscription End Date` as YYYY-MM-DD. */
  subscriptionEnded: string | null;
  /** The `Custom Fields` hash; null when the export has no such column. */
  customFields: RubyHash | null;
}

export type SaleResult = { kind: 'sale'; sale: GumroadSale } | { kind: 'totals' } | { kind: 'invalid'; reason: string };

// Gumroad writes 1/0; a spreadsheet may turn them into TRUE/FALSE.
const TRUE = /^(true|yes|1|y)$/i;

/** `order`: how this file's dates with slashes read (see slashDateOrder). */
export function gumroadSaleFrom(cells: readonly string[], columns: ColumnIndex, line: number, now: Date, order: SlashOrder = 'mdy'): SaleResult {
  const get = (f: GumroadField): string => {
    const i = columns[f];
    return i === undefined ? '' : (cells[i] ?? '').trim();
  };
  const purchaseId = get('purchaseId');
  // The summary row `compile` appends: "Totals" in the first column, sums in the money columns.
  if (/^totals?$/i.test(purchaseId) || /^totals?$/i.test((cells[0] ?? '').trim())) return { kind: 'totals' };
  if (!purchaseId) return { kind: 'invalid', reason: 'no "Purchase ID"' };
  const purchaseEmail = get('email');
  if (!EMAIL.test(purchaseEmail)) return { kind: 'invalid', reason: purchaseEmail ? `"${purchaseEmail}" is not an email address` : 'no "Purchase Email"' };
  const giftee = get('gifteeEmail');
  if (giftee && !EMAIL.test(giftee)) return { kind: 'invalid', reason: `"Giftee Email" "${giftee}" is not an email address` };
  const purchasedAt = gumroadPurchaseInstant(get('purchaseDate'), get('purchaseTime'), now, order);
  if (!purchasedAt.ok) return { kind: 'invalid', reason: purchasedAt.reason };
  const ended = gumroadDay('Subscription End Date', get('subscriptionEnded'), order);
  if (!ended.ok) return { kind: 'invalid', reason: ended.reason };
  let customFields: RubyHash | null = null;
  if (columns.customFields !== undefined) {
    const parsed = parseRubyHash(get('customFields') || '{}');
    if (!parsed.ok) return { kind: 'invalid', reason: `"Custom Fields" is not the Ruby hash Gumroad writes (${parsed.reason}); fix the cell or delete the column` };
    customFields = parsed.value;
  }
  const refunded = TRUE.test(get('refunded'));
  const disputed = TRUE.test(get('disputed'));
  const isGift = giftee !== '' && giftee.toLowerCase() !== purchaseEmail.toLowerCase();
  return {
    kind: 'sale',
    sale: {
      line, purchaseId, orderNumber: get('orderNumber') || null, itemName: get('itemName'), productId: get('productId') || null,
      // The buyer's name is the giver's, not the giftee's.
      buyerName: isGift ? '' : get('buyerName'),
      email: isGift ? giftee : purchaseEmail,
      giftedBy: isGift ? purchaseEmail : null,
      purchasedAt: purchasedAt.value, variants: get('variants') || null,
      refunded,
      // Exports without a "Fully Refunded?" column: there, "Refunded?" meant the whole sale.
      fullyRefunded: columns.fullyRefunded === undefined ? refunded : TRUE.test(get('fullyRefunded')),
      disputed,
      // Without a "Dispute Won?" column the outcome is unknown: never read as lost.
      disputeLost: disputed && columns.disputeWon !== undefined && !TRUE.test(get('disputeWon')),
      recurringCharge: TRUE.test(get('recurringCharge')),
      preorderAuthorization: TRUE.test(get('preorderAuthorization')),
      licenseKey: get('licenseKey') || null,
      subscriptionEnded: ended.value,
      customFields,
    },
  };
}
