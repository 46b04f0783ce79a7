// Gumroad's sales export, mapped by header name (never position): the columns we read and the names
// older and newer exports give them. Pure.

export const GUMROAD_COLUMNS = {
  purchaseId: ['Purchase ID', 'Sale ID'],
  orderNumber: ['Order Number', 'Order #'],
  itemName: ['Item Name', 'Product Name'],
  productId: ['Product ID', 'Product Permalink'],
  buyerName: ['Buyer Name', 'Full Name', 'Name'],
  email: ['Purchase Email', 'Buyer Email', 'Email'],
  purchaseDate: ['Purchase Date', 'Sale Date'],
  purchaseTime: ['Purchase Time (UTC timezone)', 'Purchase Time (UTC)', 'Purchase Time'],
  variants: ['Variants', 'Variant'],
  refunded: ['Refunded?', 'Refunded'],
  fullyRefunded: ['Fully Refunded?', 'Fully Refunded'],
  disputed: ['Disputed?', 'Disputed'],
  disputeWon: ['Dispute Won?', 'Dispute Won'],
  recurringCharge: ['Recurring Charge?', 'Recurring Charge'],
  preorderAuthorization: ['Pre-order authorization?'],
  gifteeEmail: ['Giftee Email'],
  customFields: ['Custom Fields'],
  licenseKey: ['License Key'],
  subscriptionEnded: ['Subscription End Date'],
} as const;

export type GumroadField = keyof typeof GUMROAD_COLUMNS;
export type ColumnIndex = Partial<Record<GumroadField, number>>;

const REQUIRED: GumroadField[] = ['purchaseId', 'email', 'purchaseDate'];

const normalize = (h: string) => h.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * Header cells -> where each field is. Gumroad's header is PURCHASE_FIELDS followed by the custom fields, and
 * it writes a purchase's own values at `fields.index(name)` and its custom fields at `fields.rindex(name)`:
 * so when a custom field repeats a standard name ("Purchase Email", "Order Number"), the FIRST column with
 * that name is Gumroad's and the last is the buyer's answer. The earliest of a field's names wins likewise.
 */
export function mapGumroadHeader(header: readonly string[]): { ok: true; columns: ColumnIndex } | { ok: false; reason: string } {
  const positions = new Map<string, number>();
  header.forEach((h, i) => {
    const key = normalize(h);
    if (!positions.has(key)) positions.set(key, i);
  });
  const columns: ColumnIndex = {};
  for (const [field, names] of Object.entries(GUMROAD_COLUMNS) as [GumroadField, readonly string[]][]) {
    const found = names.map((n) => positions.get(normalize(n))).filter((i): i is number => i !== undefined);
    if (found.length) columns[field] = Math.min(...found);
  }
  const missing = REQUIRED.filter((f) => columns[f] === undefined);
  if (missing.length) {
    return { ok: false, reason: `not a Gumroad sales export: no ${missing.map((f) => `"${GUMROAD_COLUMNS[f][0]}"`).join(', ')} column` };
  }
  return { ok: true, columns };
}

/** Does this header look like a Gumroad export (for format detection)? */
export function looksLikeGumroadHeader(header: readonly string[]): boolean {
  return mapGumroadHeader(header).ok;
}
