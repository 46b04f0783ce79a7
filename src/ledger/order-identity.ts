// One order, one identity. Every order is "<provider>:<id>" (licenses.order_ref, unique): webhooks write it
// so, and a bare id — the CLI's `--order-id X`, the admin API's `orderId: "X"`, a Gumroad export's
// Purchase ID, licenses.gumroad_order_id — is the Gumroad order "gumroad:X". An id that already names a
// provider ("stripe:pi_1", "gumroad:X") is taken as it is. The order lock and the unique column use this
// form, so a webhook and an admin mint of one sale can never make two licenses.
import { UserError } from '../errors.js';

export const ORDER_PROVIDERS = ['gumroad', 'stripe', 'lemonsqueezy'] as const;
const QUALIFIED = new RegExp(`^(${ORDER_PROVIDERS.join('|')}):(.+)$`);

export interface OrderIdentity {
  /** "gumroad:X", "stripe:pi_1": the canonical form. */
  orderRef: string;
  /** The bare Gumroad order id for a Gumroad order (licenses.gumroad_order_id), else null. */
  gumroadOrderId: string | null;
}

export function parseOrderId(id: string): OrderIdentity {
  const trimmed = id.trim();
  const m = QUALIFIED.exec(trimmed);
  if (!m) return { orderRef: `gumroad:${trimmed}`, gumroadOrderId: trimmed };
  return { orderRef: trimmed, gumroadOrderId: m[1] === 'gumroad' ? m[2]! : null };
}

/** The canonical order of a license from its two order fields (either may be missing); null when it has none. */
export function canonicalOrderRef(gumroadOrderId: string | null | undefined, orderRef: string | null | undefined): string | null {
  if (orderRef) return orderRef;
  return gumroadOrderId ? parseOrderId(gumroadOrderId).orderRef : null;
}

/** A mint refused because the order already has its license (the database's unique order column said so). */
export class OrderTakenError extends UserError {
  constructor(readonly orderRef: string) {
    super(`order ${orderRef} already has a license`);
    this.name = 'OrderTakenError';
  }
}
