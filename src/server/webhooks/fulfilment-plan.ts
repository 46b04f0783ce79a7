// The order-independent decision: given every payment event stored for one orderRef (any order, duplicates
// included) and the license as it stands, what to do now. Re-planning after each step converges on one state:
//   - a sale mints exactly once, unless a refund / lost or open dispute is already stored: then it is never
//     minted (recorded as refunded), rather than minted and revoked a moment later;
//   - a refund, a lost dispute or an open dispute revokes; a won dispute reinstates what a dispute revoked,
//     but a license revoked by hand stays revoked;
//   - subscriptions: the paid period decides the expiry (period end + grace). An ending (cancellation at
//     period end, or subscription ended) caps it at the ending's date + grace, unless a renewal came later.
import type { PaymentEvent } from './normalized.js';

export const DEFAULT_GRACE_DAYS = 7;
export const REVOKE_REASONS = { refund: 'payment refunded', disputeLost: 'payment dispute lost', disputeOpen: 'payment disputed' } as const;

export interface LicenseState {
  revokedAt: string | null;
  revokeReason: string | null;
  /** null: lifetime. */
  expiresAt: string | null;
}

export interface PlanInput {
  events: readonly PaymentEvent[];
  license: LicenseState | null;
  /** config.gracePeriodDays; 7 when unset. */
  graceDays?: number | undefined;
  /** When given, a subscription that is already over by now is not minted at all. */
  now?: Date | undefined;
}

export type FulfilmentStep =
  /** expiresAt: use exactly this (a subscription's paid period + grace); absent: the product mapping's duration. */
  | { action: 'mint'; sale: PaymentEvent; expiresAt?: string }
  | { action: 'revoke'; reason: string }
  | { action: 'reinstate' }
  /** The expiry moves later. */
  | { action: 'renew'; expiresAt: string }
  /** The expiry moves earlier: the subscription ends (or its paid period is shorter than the license). */
  | { action: 'end'; expiresAt: string };

export interface FulfilmentPlan {
  steps: FulfilmentStep[];
  /** Why, in a few words, for the audit table and logs (no personal data). */
  note: string;
}

export function planFulfilment(input: PlanInput): FulfilmentPlan {
  const events = input.events.filter((e) => e.kind !== 'ignored' && e.kind !== 'partial_refund');
  const has = (kind: PaymentEvent['kind']) => events.some((e) => e.kind === kind);
  const revokeReason = has('refund') ? REVOKE_REASONS.refund
    : has('dispute_lost') ? REVOKE_REASONS.disputeLost
      : has('dispute') && !has('dispute_won') ? REVOKE_REASONS.disputeOpen
        : null;
  const target = subscriptionExpiry(events, input.graceDays ?? DEFAULT_GRACE_DAYS);
  const license = input.license;

  if (!license) {
    const sale = firstSale(events);
    if (!sale) return { steps: [], note: 'waiting for the sale' };
    if (revokeReason) return { steps: [], note: `not minted: ${revokeReason} before fulfilment` };
    if (target && input.now && ms(target) <= input.now.getTime()) return { steps: [], note: 'not minted: the subscription was already over' };
    return { steps: [{ action: 'mint', sale, ...(target ? { expiresAt: target } : {}) }], note: 'sale: mint' };
  }

  if (license.revokedAt) {
    if (revokeReason) return { steps: [], note: `already revoked (${revokeReason})` };
    if (license.revokeReason !== REVOKE_REASONS.disputeOpen) return { steps: [], note: 'revoked by hand: left alone' };
    return { steps: [{ action: 'reinstate' }, ...expirySteps(license.expiresAt, target)], note: 'dispute won: reinstate' };
  }
  if (revokeReason) return { steps: [{ action: 'revoke', reason: revokeReason }], note: revokeReason };
  const steps = expirySteps(license.expiresAt, target);
  return { steps, note: steps[0] ? `subscription: ${steps[0].action}` : 'up to date' };
}

function expirySteps(current: string | null, target: string | undefined): FulfilmentStep[] {
  if (!target) return [];
  const t = Date.parse(target);
  if (current !== null && Date.parse(current) === t) return [];
  return [{ action: current === null || t < Date.parse(current) ? 'end' : 'renew', expiresAt: target }];
}

/** The earliest sale (then the smallest event id): the same pick whatever order the retries came in. */
function firstSale(events: readonly PaymentEvent[]): PaymentEvent | undefined {
  const sales = events.filter((e) => e.kind === 'sale');
  return sales.sort((a, b) => ms(a.occurredAt) - ms(b.occurredAt) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0))[0];
}

/** The expiry the subscription's events call for, or undefined when they say nothing about time. */
export function subscriptionExpiry(events: readonly PaymentEvent[], graceDays: number): string | undefined {
  const paid = events.filter((e) => (e.kind === 'sale' || e.kind === 'subscription_renewed') && e.periodEnd);
  const paidUntil = paid.length ? Math.max(...paid.map((e) => ms(e.periodEnd!))) : undefined;
  const lastRenewal = Math.max(-Infinity, ...events.filter((e) => e.kind === 'subscription_renewed').map((e) => ms(e.occurredAt)));
  // A renewal (or a restart) after an ending means the customer came back: that ending no longer counts.
  const endings = events.filter((e) => (e.kind === 'subscription_ended' || e.kind === 'subscription_cancelled') && !(lastRenewal > ms(e.occurredAt)));
  const grace = graceDays * 86_400_000;
  if (endings.length) return new Date(Math.min(...endings.map((e) => ms(e.periodEnd ?? e.occurredAt))) + grace).toISOString();
  return paidUntil === undefined ? undefined : new Date(paidUntil + grace).toISOString();
}

function ms(iso: string): number {
  return Date.parse(iso);
}
