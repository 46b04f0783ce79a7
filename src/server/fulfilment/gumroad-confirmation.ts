// Defence in depth for Gumroad pings (opt-in: LICENSE_ADMIN_GUMROAD_ACCESS_TOKEN). A ping is authenticated
// only by the token in its URL; with an access token, every pending ping about a sale is checked against
// Gumroad's API before the order is fulfilled. The API is asked before the order's transaction (no network
// wait holds a database lock); an API that is down leaves the ping pending, backing off (worker.ts).
import type { ServerDeps } from '../deps.js';
import type { StoredPaymentEvent } from '../../stores/store.js';
import type { LedgerTx } from '../../usecases/ledger-port.js';
import type { PaymentEvent } from '../webhooks/normalized.js';
import { gumroadApiFrom, lookUpSale, type SaleLookup } from './gumroad-api.js';
import { judgePing, saleIdOf, stateEventsFromApi } from './gumroad-truth.js';
import { TransientFulfilmentError } from './retry-policy.js';

const counts = (e: StoredPaymentEvent) => e.normalized !== null && e.eventType !== 'rejected';

/** The API's answer for every sale a pending ping of the order is about; null when confirmation is off. */
export async function lookUpPendingSales(orderRef: string, deps: ServerDeps): Promise<Map<string, SaleLookup> | null> {
  const api = gumroadApiFrom(deps.env);
  if (!api || !orderRef.startsWith('gumroad:')) return null;
  const pending = (await deps.store.listPaymentEvents({ orderRef })).filter((e) => !e.processed && counts(e));
  const ids = new Set(pending.map((e) => saleIdOf(e.normalized as PaymentEvent)).filter((id): id is string => id !== null));
  const lookups = new Map<string, SaleLookup>();
  for (const id of ids) lookups.set(id, await lookUpSale(api, id));
  return lookups;
}

/**
 * In the order's transaction: pings the API does not bear out become rejected (processed, with why), kept
 * ones take the API's fields, and refunds / chargebacks only the API knows of are added. Returns how many
 * pings were rejected, or null when nothing stored changed.
 */
export async function confirmInTx(tx: LedgerTx, orderRef: string, stored: readonly StoredPaymentEvent[], lookups: Map<string, SaleLookup>, now: Date): Promise<{ rejected: number } | null> {
  let changed = false;
  let rejected = 0;
  const kept: PaymentEvent[] = stored.filter((e) => e.processed && counts(e)).map((e) => e.normalized as PaymentEvent);
  for (const e of stored.filter((s) => !s.processed && counts(s))) {
    const ping = e.normalized as PaymentEvent;
    const saleId = saleIdOf(ping);
    if (saleId === null) {
      kept.push(ping);
      continue;
    }
    const lookup = lookups.get(saleId);
    if (!lookup) throw new TransientFulfilmentError(`a ping for sale ${saleId} arrived while its order was being confirmed`);
    const verdict = judgePing(ping, lookup);
    changed = true;
    if ('reject' in verdict) {
      rejected++;
      // Renamed, so the genuine ping with this id (a real refund after a forged one) is stored, not a duplicate.
      await tx.updatePaymentEvent(e.id, {
        eventType: 'rejected', normalized: ping, eventId: `unconfirmed:${e.id}:${e.eventId}`,
        final: { at: now, error: `not confirmed by the Gumroad API: ${verdict.reject}` },
      });
      continue;
    }
    kept.push(verdict.keep);
    await tx.updatePaymentEvent(e.id, { eventType: verdict.keep.kind, normalized: verdict.keep });
  }
  for (const lookup of lookups.values()) {
    if (!lookup.found) continue;
    for (const extra of stateEventsFromApi(kept, lookup.sale, orderRef, now)) {
      await tx.addPaymentEvent({ provider: 'gumroad', eventId: extra.eventId, eventType: extra.kind, orderRef, rawPayload: '', normalized: extra, receivedAt: now });
      kept.push(extra);
    }
  }
  return changed ? { rejected } : null;
}
