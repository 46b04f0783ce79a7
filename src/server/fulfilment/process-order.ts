// One order: read every payment event stored for it (Gumroad pings confirmed through Gumroad's API first,
// when an access token is set), ask the pure plan what to do given the license as it stands, do it, and mark
// the events processed — all in one transaction under the order's lock.
import { UserError } from '../../errors.js';
import { SignerError } from '../../license/signer.js';
import { OrderTakenError, parseOrderId } from '../../ledger/order-identity.js';
import type { LicenseRow } from '../../ledger/project.js';
import type { LicenseMail, SigningContext } from '../../usecases/context.js';
import type { LedgerTx } from '../../usecases/ledger-port.js';
import { mintLicense, type MintRequest } from '../../usecases/mint.js';
import { setSubscriptionExpiry } from '../../usecases/renew.js';
import { settlePaymentRevocation } from '../../usecases/revoke.js';
import type { ServerDeps } from '../deps.js';
import type { StoredPaymentEvent } from '../../stores/store.js';
import { signingCache } from '../signing-context.js';
import { planFulfilment, type FulfilmentStep } from '../webhooks/fulfilment-plan.js';
import type { PaymentEvent } from '../webhooks/normalized.js';
import { resolveProductTier } from '../webhooks/product-mapping.js';
import { confirmInTx, lookUpPendingSales } from './gumroad-confirmation.js';
import { renewForSale } from './renewal-sale.js';

export const DEFAULT_TIER_ENV = 'LICENSE_ADMIN_DEFAULT_TIER';

export interface OrderOutcome {
  steps: string[];
  mailQueued: boolean;
  error: string | null;
}

export async function processOrder(orderRef: string, deps: ServerDeps): Promise<OrderOutcome> {
  const signingOf = signingCache(deps, 'webhook');
  const lookups = await lookUpPendingSales(orderRef, deps);
  return deps.store.transaction(async (tx) => {
    let stored = await tx.paymentEventsForOrder(orderRef);
    if (!stored.some((e) => !e.processed)) return { steps: [], mailQueued: false, error: null };
    const confirmed = lookups ? await confirmInTx(tx, orderRef, stored, lookups, deps.clock()) : null;
    if (confirmed) {
      if (confirmed.rejected) deps.log.warn('gumroad ping not confirmed by the API', { orderRef, rejected: confirmed.rejected });
      stored = await tx.paymentEventsForOrder(orderRef);
    }
    const pending = stored.filter((e) => !e.processed);
    if (pending.length === 0 || backingOff(pending, deps.clock())) return { steps: [], mailQueued: false, error: null };
    const events = stored.filter((e) => e.normalized !== null && e.eventType !== 'rejected').map((e) => e.normalized as PaymentEvent);
    const gumroadOrderId = parseOrderId(orderRef).gumroadOrderId;
    const license = await tx.getByOrderRef(orderRef, gumroadOrderId);
    const plan = planFulfilment({ events, license, graceDays: deps.config.gracePeriodDays, now: deps.clock() });
    const outcome: OrderOutcome = { steps: [], mailQueued: false, error: null };
    let current = license;
    for (const step of plan.steps) {
      try {
        current = await runStep(tx, step, current, { orderRef, gumroadOrderId, deps, signingOf, outcome });
        outcome.steps.push(step.action);
      } catch (error) {
        // Another path minted this order meanwhile: roll back and re-plan against that license (next attempt).
        // The signer failing (down, wrong PIN, a swapped key) is no fault of the order: the sale stays queued.
        if (!(error instanceof UserError) || error instanceof OrderTakenError || error instanceof SignerError) throw error;
        outcome.error = error.message;
        break;
      }
    }
    await tx.markPaymentEvents(pending.map((e) => e.id), deps.clock(), outcome.error);
    const log = outcome.error ? deps.log.warn : deps.log.info;
    log('order fulfilled', { orderRef, steps: outcome.steps.join(',') || 'none', note: plan.note, error: outcome.error, licenseKey: current?.licenseKey ?? null });
    return outcome;
  }, { lockKey: orderRef });
}

/**
 * Checked again under the order's lock: another replica may have listed this order before this one's failed
 * attempt set its next try, and must not run a second attempt at once.
 */
function backingOff(pending: readonly StoredPaymentEvent[], now: Date): boolean {
  const next = Math.max(...pending.map((e) => (e.nextAttemptAt ? Date.parse(e.nextAttemptAt) : -Infinity)));
  return next > now.getTime();
}

interface StepContext {
  orderRef: string;
  gumroadOrderId: string | null;
  deps: ServerDeps;
  /** The product's context: a sale's product for a mint, the license's for what follows. */
  signingOf: (product?: string) => Promise<SigningContext>;
  outcome: OrderOutcome;
}

async function runStep(tx: LedgerTx, step: FulfilmentStep, license: LicenseRow | null, c: StepContext): Promise<LicenseRow | null> {
  const sender = c.deps.mail;
  if (step.action === 'mint') {
    const { req, product, years } = mintRequestForSale(step.sale, step.expiresAt, c);
    const signing = await c.signingOf(product);
    const renewed = await renewForSale(tx, { sale: step.sale, product, years }, c.deps, signing);
    if (renewed) {
      c.outcome.mailQueued ||= c.deps.mail !== null;
      c.deps.log.info('sale renews a license', { orderRef: c.orderRef, licenseKey: renewed.licenseKey });
      return renewed;
    }
    const mail: LicenseMail | null = sender ? (l) => sender.licenseMail(l, signing.clock()) : null;
    const result = await mintLicense(tx, req, signing, { existing: 'return', mail });
    c.outcome.mailQueued ||= result.created && result.mailQueued;
    return result.license;
  }
  const signing = await c.signingOf(license!.product);
  switch (step.action) {
    case 'revoke':
      return (await settlePaymentRevocation(tx, license!.licenseKey, { reason: step.reason }, signing)).license;
    case 'reinstate':
      return (await settlePaymentRevocation(tx, license!.licenseKey, { reason: null }, signing)).license;
    case 'renew': {
      const idempotencyKey = `renew:${license!.licenseKey}:${step.expiresAt}`;
      const mail: LicenseMail | null = sender ? (l) => sender.licenseMail(l, signing.clock(), { kind: 'renewed', idempotencyKey }) : null;
      const renewed = await setSubscriptionExpiry(tx, license!.licenseKey, new Date(step.expiresAt), signing, mail);
      c.outcome.mailQueued ||= renewed.mail !== null;
      return renewed.license;
    }
    case 'end':
      return (await setSubscriptionExpiry(tx, license!.licenseKey, new Date(step.expiresAt), signing)).license;
  }
}

function mintRequestForSale(sale: PaymentEvent, expiresAt: string | undefined, c: StepContext): { req: MintRequest; product: string; years: number | 'lifetime' | undefined } {
  const tier = resolveProductTier(sale, c.deps.config, c.deps.env[DEFAULT_TIER_ENV]);
  if ('error' in tier) throw new UserError(tier.error);
  if (!sale.email) throw new UserError(`the ${sale.provider} sale ${sale.eventId} has no buyer email`);
  const duration = expiresAt ? { expiresAt: new Date(expiresAt) } : tier.years === 'lifetime' ? { lifetime: true } : tier.years !== undefined ? { years: tier.years } : {};
  const req: MintRequest = {
    tier: tier.tier, email: sale.email, ...(sale.name ? { name: sale.name } : {}), ...duration,
    orderRef: c.orderRef, ...(c.gumroadOrderId ? { gumroadOrderId: c.gumroadOrderId } : {}),
  };
  return { req, product: tier.product, years: tier.years };
}
