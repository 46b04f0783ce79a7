// The fulfilment decision is order-independent: every permutation of an order's events (with redeliveries)
// ends in the same license state, with at most one mint. Plus a table of single decisions.
import { describe, expect, test } from 'vitest';
import { planFulfilment, REVOKE_REASONS, subscriptionExpiry, type LicenseState } from '../src/server/webhooks/fulfilment-plan.js';
import type { PaymentEvent, PaymentEventKind } from '../src/server/webhooks/normalized.js';

const DAY = 86_400_000;
const DEFAULT_EXPIRY = '2027-11-01T00:00:00.000Z';
const t = (day: number) => new Date(Date.UTC(2026, 10, 1) + day * DAY).toISOString();

function ev(kind: PaymentEventKind, day: number, extra: Partial<PaymentEvent> = {}): PaymentEvent {
  return { provider: 'stripe', eventId: `${kind}-${day}-${extra.periodEnd ?? ''}`, kind, orderRef: 'stripe:pi_1', occurredAt: t(day), rawType: kind, ...extra };
}

const sale = ev('sale', 0);
const refund = ev('refund', 3);
const partial = ev('partial_refund', 2);
const dispute = ev('dispute', 4);
const won = ev('dispute_won', 20);
const lost = ev('dispute_lost', 20);
const subSale = ev('sale', 0, { periodEnd: t(30) });
const renew1 = ev('subscription_renewed', 30, { periodEnd: t(60) });
const renew1Twin = { ...renew1, eventId: 'invoice.payment_succeeded-twin' };
const renew2 = ev('subscription_renewed', 60, { periodEnd: t(90) });
const cancel = ev('subscription_cancelled', 40, { periodEnd: t(60) });
const ended = ev('subscription_ended', 60, { periodEnd: t(60) });
const resumed = ev('subscription_renewed', 45);
const endedEarly = ev('subscription_ended', 35, { periodEnd: t(35) });

interface Sim {
  license: LicenseState | null;
  mints: number;
}

function settle(sim: Sim, stored: PaymentEvent[], graceDays = 7): void {
  const plan = planFulfilment({ events: stored, license: sim.license, graceDays });
  for (const step of plan.steps) {
    if (step.action === 'mint') {
      sim.mints++;
      sim.license = { revokedAt: null, revokeReason: null, expiresAt: step.expiresAt ?? DEFAULT_EXPIRY };
    } else if (step.action === 'revoke') sim.license = { ...sim.license!, revokedAt: 'now', revokeReason: step.reason };
    else if (step.action === 'reinstate') sim.license = { ...sim.license!, revokedAt: null, revokeReason: null };
    else sim.license = { ...sim.license!, expiresAt: step.expiresAt };
  }
  // Planning again right away must find nothing to do: the plan converges in one round.
  expect(planFulfilment({ events: stored, license: sim.license, graceDays }).steps).toEqual([]);
}

function deliver(order: PaymentEvent[]): Sim {
  const sim: Sim = { license: null, mints: 0 };
  const stored = new Map<string, PaymentEvent>();
  for (const e of order) {
    stored.set(e.eventId, e);
    settle(sim, [...stored.values()]);
  }
  return sim;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

type Final = { minted: boolean; revokeReason?: string | null; expiresAt?: string | null };

describe('every delivery order ends in the same state', () => {
  const cases: [string, PaymentEvent[], Final][] = [
    ['a sale delivered three times', [sale, sale, sale], { minted: true, revokeReason: null, expiresAt: DEFAULT_EXPIRY }],
    ['sale and refund (refund may come first: then never minted)', [sale, refund, refund], { minted: false }],
    ['a partial refund changes nothing', [sale, partial], { minted: true, revokeReason: null, expiresAt: DEFAULT_EXPIRY }],
    ['dispute then dispute won', [sale, dispute, won], { minted: true, revokeReason: null, expiresAt: DEFAULT_EXPIRY }],
    ['dispute then dispute lost', [sale, dispute, lost], { minted: false }],
    ['a dispute still open', [sale, dispute, dispute], { minted: false }],
    ['refund and a won dispute: the refund wins', [sale, dispute, won, refund], { minted: false }],
    ['subscription: sale and two renewals (one sent twice by two event types)', [subSale, renew1, renew1Twin, renew2], { minted: true, revokeReason: null, expiresAt: t(97) }],
    ['subscription: cancelled at period end, then ended', [subSale, renew1, cancel, ended], { minted: true, revokeReason: null, expiresAt: t(67) }],
    ['subscription: cancelled, then resumed before the end', [subSale, renew1, cancel, resumed, renew2], { minted: true, revokeReason: null, expiresAt: t(97) }],
    ['subscription: ended early, before the paid period was over', [subSale, renew1, endedEarly], { minted: true, revokeReason: null, expiresAt: t(42) }],
    ['subscription: refunded', [subSale, renew1, refund], { minted: false }],
  ];

  test.each(cases)('%s', (_label, events, expected) => {
    const finals = new Set<string>();
    for (const order of permutations(events)) {
      const sim = deliver(order);
      expect(sim.mints).toBeLessThanOrEqual(1);
      const final: Final = sim.license
        ? { minted: true, revokeReason: sim.license.revokeReason, expiresAt: sim.license.expiresAt }
        : { minted: false };
      // Revoked licenses and never-minted ones are the same outcome for the buyer: no valid license.
      finals.add(JSON.stringify(final.minted && final.revokeReason === null ? final : { minted: false }));
    }
    expect([...finals]).toEqual([JSON.stringify(expected)]);
  });
});

describe('planFulfilment: single decisions', () => {
  const active: LicenseState = { revokedAt: null, revokeReason: null, expiresAt: DEFAULT_EXPIRY };
  const revoked = (reason: string): LicenseState => ({ ...active, revokedAt: t(5), revokeReason: reason });

  test.each([
    ['nothing stored but a refund', [refund], null, [], 'waiting for the sale'],
    ['renewal before the sale', [renew1], null, [], 'waiting for the sale'],
    ['a sale', [sale], null, [{ action: 'mint', sale }], 'sale: mint'],
    ['refund stored before the sale arrives', [refund, sale], null, [], 'not minted: payment refunded before fulfilment'],
    ['a lost dispute before fulfilment', [sale, lost], null, [], 'not minted: payment dispute lost before fulfilment'],
    ['an already fulfilled sale redelivered', [sale, sale], active, [], 'up to date'],
    ['refund of an active license', [sale, refund], active, [{ action: 'revoke', reason: REVOKE_REASONS.refund }], 'payment refunded'],
    ['open dispute', [sale, dispute], active, [{ action: 'revoke', reason: REVOKE_REASONS.disputeOpen }], 'payment disputed'],
    ['won dispute reinstates what the dispute revoked', [sale, dispute, won], revoked(REVOKE_REASONS.disputeOpen), [{ action: 'reinstate' }], 'dispute won: reinstate'],
    ['won dispute leaves a hand revocation alone', [sale, dispute, won], revoked('chargeback fraud'), [], 'revoked by hand: left alone'],
    ['refund of a license revoked by hand', [sale, refund], revoked('abuse'), [], 'already revoked (payment refunded)'],
    ['renewal of a subscription license', [subSale, renew1], { ...active, expiresAt: t(37) }, [{ action: 'renew', expiresAt: t(67) }], 'subscription: renew'],
    ['cancellation caps a subscription license', [subSale, renew1, cancel], { ...active, expiresAt: t(97) }, [{ action: 'end', expiresAt: t(67) }], 'subscription: end'],
    ['an ending gives a lifetime license an end date', [sale, ended], { ...active, expiresAt: null }, [{ action: 'end', expiresAt: t(67) }], 'subscription: end'],
    ['a renewal of a revoked license is not applied', [subSale, renew1], revoked('abuse'), [], 'revoked by hand: left alone'],
    ['ignored events are ignored', [sale, ev('ignored', 1)], active, [], 'up to date'],
  ] as const)('%s', (_label, events, license, steps, note) => {
    expect(planFulfilment({ events: events as unknown as PaymentEvent[], license: license as LicenseState | null })).toEqual({ steps, note });
  });

  test('a subscription sale mints with its paid period + grace', () => {
    expect(planFulfilment({ events: [subSale, renew1], license: null, graceDays: 3 }).steps).toEqual([{ action: 'mint', sale: subSale, expiresAt: t(63) }]);
  });

  test('of several sale events, the earliest is minted from, whatever their order', () => {
    const later = { ...sale, eventId: 'sale-b', occurredAt: t(1) };
    const sameTime = { ...sale, eventId: 'sale-0' };
    for (const order of permutations([sale, later, sameTime])) {
      expect(planFulfilment({ events: order, license: null }).steps).toEqual([{ action: 'mint', sale: sameTime }]);
    }
  });

  test('a subscription already over is not minted when the clock is given', () => {
    expect(planFulfilment({ events: [subSale, ended], license: null, now: new Date(t(100)) })).toEqual({ steps: [], note: 'not minted: the subscription was already over' });
    expect(planFulfilment({ events: [subSale, ended], license: null, now: new Date(t(10)) }).steps).toHaveLength(1);
  });
});

describe('subscriptionExpiry', () => {
  test.each([
    ['one-time sale: no opinion', [sale], undefined],
    ['paid period + grace', [subSale], t(37)],
    ['the latest paid period', [renew2, subSale, renew1], t(97)],
    ['an ending caps it', [subSale, renew1, endedEarly], t(42)],
    ['a renewal dated after an ending means the buyer came back', [subSale, renew1, endedEarly, renew2], t(97)],
    ['a restart after the ending lifts the cap', [subSale, renew1, endedEarly, ev('subscription_renewed', 50)], t(67)],
    ['a renewal at the same instant as the ending does not lift it', [subSale, cancel, ev('subscription_renewed', 40)], t(67)],
    ['an ending without a period end ends when it happened', [subSale, ev('subscription_ended', 12)], t(19)],
  ] as const)('%s', (_label, events, expected) => {
    expect(subscriptionExpiry(events as unknown as PaymentEvent[], 7)).toBe(expected);
  });
});
