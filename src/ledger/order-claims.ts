// One order, one license — even when two licenses for the same order were minted apart (a webhook on the
// server and a break-glass mint on the laptop) and meet at sync. The earliest license (created_at, then
// key) keeps the order id; the other keeps everything else but no longer claims the order. Pure and
// order-independent, so every replica picks the same winner.
//
// The contest itself goes into both licenses' history as an `order_contested` event whose id and content
// are derived from the contest, so every replica that notices it writes the same event, once.
import { createHash } from 'node:crypto';
import type { LedgerEvent } from './events.js';
import { parseOrderId } from './order-identity.js';
import type { LicenseRow } from './project.js';

export type OrderColumn = 'gumroadOrderId' | 'orderRef';
export type OrderClaimant = Pick<LicenseRow, 'licenseKey' | 'createdAt' | OrderColumn>;

interface LostClaim {
  licenseKey: string;
  column: OrderColumn;
  orderId: string;
  winner: OrderClaimant;
  loser: OrderClaimant;
}

function lostClaims(claimants: readonly OrderClaimant[]): LostClaim[] {
  const lost: LostClaim[] = [];
  for (const column of ['gumroadOrderId', 'orderRef'] as const) {
    const byValue = new Map<string, OrderClaimant[]>();
    for (const c of claimants) {
      const value = c[column];
      if (value) byValue.set(value, [...(byValue.get(value) ?? []).filter((o) => o.licenseKey !== c.licenseKey), c]);
    }
    for (const [orderId, group] of byValue) {
      const [winner, ...rest] = [...group].sort((a, b) => (a.createdAt === b.createdAt ? (a.licenseKey < b.licenseKey ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
      for (const loser of rest) lost.push({ licenseKey: loser.licenseKey, column, orderId, winner: winner!, loser });
    }
  }
  return lost;
}

export function losingOrderClaims(claimants: readonly OrderClaimant[]): { licenseKey: string; column: OrderColumn }[] {
  return lostClaims(claimants).map(({ licenseKey, column }) => ({ licenseKey, column }));
}

/** Two licenses that claimed the same order(s): `keptBy` still holds them, `droppedBy` no longer does. */
export interface OrderContest {
  orderIds: string[];
  keptBy: string;
  droppedBy: string;
  /** When the contest came to be: the later of the two licenses' creation. */
  at: string;
}

/** The contests among these claimants, one per (winner, loser) pair. */
export function orderContests(claimants: readonly OrderClaimant[]): OrderContest[] {
  const byPair = new Map<string, OrderContest>();
  for (const l of lostClaims(claimants)) {
    const pair = `${l.winner.licenseKey}\0${l.loser.licenseKey}`;
    const at = l.winner.createdAt > l.loser.createdAt ? l.winner.createdAt : l.loser.createdAt;
    const contest = byPair.get(pair) ?? { orderIds: [], keptBy: l.winner.licenseKey, droppedBy: l.loser.licenseKey, at };
    // gumroad_order_id X and order_ref gumroad:X are one order: name it once, in its canonical form.
    const orderId = l.column === 'gumroadOrderId' ? parseOrderId(l.orderId).orderRef : l.orderId;
    if (!contest.orderIds.includes(orderId)) contest.orderIds = [...contest.orderIds, orderId].sort();
    byPair.set(pair, contest);
  }
  return [...byPair.values()];
}

export const CONTEST_ACTOR = 'license-admin';
export const CONTEST_SOURCE = 'order-claims';

/** The contest in both licenses' history; the same contest gives the same two events on every replica. */
export function contestEvents(c: OrderContest): LedgerEvent[] {
  const data = { orderIds: c.orderIds, keptBy: c.keptBy, droppedBy: c.droppedBy };
  return [c.keptBy, c.droppedBy].map((licenseKey) => ({
    id: `contest-${createHash('sha256').update(JSON.stringify([licenseKey.toUpperCase(), c.at, data])).digest('hex').slice(0, 40)}`,
    licenseKey, type: 'order_contested' as const, at: c.at, actor: CONTEST_ACTOR, source: CONTEST_SOURCE, data,
  }));
}

/** Back from an inserted `order_contested` event (for reports). */
export function contestOf(e: Pick<LedgerEvent, 'at' | 'data'>): OrderContest {
  return { orderIds: (e.data.orderIds as string[] | undefined) ?? [], keptBy: String(e.data.keptBy), droppedBy: String(e.data.droppedBy), at: e.at };
}
