// Pure: a Gumroad ping checked against what Gumroad's API says about its sale. The API is the truth: a
// ping for a sale the creator's account does not have is rejected, a refund / dispute / dispute-won ping
// the sale does not bear out is rejected, a sale ping takes the buyer and product from the API (a forged
// ping cannot send a real sale's license to another address), and a refund or chargeback the API reports
// that no ping brought becomes an event of its own.
import type { PaymentEvent, PaymentEventKind } from '../webhooks/normalized.js';
import type { GumroadSale, SaleLookup } from './gumroad-api.js';

/** Ping resources about one sale (gumroad.ts gives them eventIds "<kind>:<sale id>"), and our own api_sale events. */
const SALE_RESOURCES = new Set(['sale', 'refund', 'dispute', 'dispute_won', 'api_sale']);

export function saleIdOf(event: PaymentEvent): string | null {
  if (event.provider !== 'gumroad' || !SALE_RESOURCES.has(event.rawType)) return null;
  const colon = event.eventId.indexOf(':');
  return colon > 0 && colon < event.eventId.length - 1 ? event.eventId.slice(colon + 1) : null;
}

export type Verdict = { keep: PaymentEvent } | { reject: string };

export function judgePing(event: PaymentEvent, lookup: SaleLookup): Verdict {
  const saleId = saleIdOf(event) ?? '?';
  if (!lookup.found) return { reject: `Gumroad has no sale ${saleId} on this account` };
  const sale = lookup.sale;
  if ((event.subscriptionId ?? null) !== (sale.subscriptionId ?? null)) {
    return { reject: `the ping's subscription (${event.subscriptionId ?? 'none'}) is not the sale's (${sale.subscriptionId ?? 'none'})` };
  }
  const kind = confirmedKind(event.kind, sale);
  if (!kind) return { reject: `Gumroad says sale ${saleId} is not ${describe(event.kind)}` };
  return { keep: kind === 'sale' || kind === 'subscription_renewed' ? withSaleFields(event, sale) : { ...event, kind } };
}

function confirmedKind(kind: PaymentEventKind, sale: GumroadSale): PaymentEventKind | null {
  switch (kind) {
    case 'refund':
      return sale.refunded ? 'refund' : sale.partiallyRefunded ? 'partial_refund' : null;
    case 'partial_refund':
      return sale.refunded || sale.partiallyRefunded ? kind : null;
    case 'dispute':
      return sale.disputed ? kind : null;
    case 'dispute_won':
      return sale.disputeWon ? kind : null;
    default:
      return kind;
  }
}

function describe(kind: PaymentEventKind): string {
  return kind === 'dispute' ? 'disputed' : kind === 'dispute_won' ? 'a won dispute' : 'refunded';
}

function withSaleFields(event: PaymentEvent, sale: GumroadSale): PaymentEvent {
  const out: PaymentEvent = { ...event };
  const set = <K extends keyof PaymentEvent>(key: K, value: PaymentEvent[K] | undefined) => {
    if (value === undefined) delete out[key];
    else out[key] = value;
  };
  set('email', sale.email);
  set('name', sale.fullName);
  set('productId', sale.productId);
  set('productName', sale.productName);
  set('productPermalink', sale.productPermalink);
  set('variantName', sale.variantName);
  set('quantity', sale.quantity);
  return out;
}

/**
 * Events for what the API reports and none of the order's events says: a refund, a chargeback, a reversed
 * chargeback. Ids "api-<kind>:<sale id>" never collide with a ping's.
 */
export function stateEventsFromApi(orderEvents: readonly PaymentEvent[], sale: GumroadSale, orderRef: string, now: Date): PaymentEvent[] {
  const has = (kind: PaymentEventKind) => orderEvents.some((e) => e.kind === kind && saleIdOf(e) === sale.id);
  const wanted: PaymentEventKind[] = [];
  if (sale.refunded && !has('refund')) wanted.push('refund');
  if (sale.disputed && !has('dispute')) wanted.push('dispute');
  if (sale.disputeWon && !has('dispute_won')) wanted.push('dispute_won');
  return wanted.map((kind) => ({
    provider: 'gumroad', eventId: `api-${kind}:${sale.id}`, kind, orderRef, occurredAt: now.toISOString(), rawType: 'api_sale',
    ...(sale.subscriptionId ? { subscriptionId: sale.subscriptionId } : {}),
  }));
}
