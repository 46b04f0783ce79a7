// The one shape every payment provider's webhook becomes. Fulfilment only ever sees PaymentEvents,
// so the order-independent decision (fulfilment-plan.ts) is written once for all providers.
import { checkIsoDate, checkUnixSeconds } from '../date-window.js';

export type PaymentProvider = 'gumroad' | 'stripe' | 'lemonsqueezy';

export type PaymentEventKind =
  | 'sale'
  | 'refund'
  | 'partial_refund'
  | 'dispute'
  | 'dispute_won'
  | 'dispute_lost'
  | 'subscription_renewed'
  | 'subscription_ended'
  | 'subscription_cancelled'
  | 'ignored';

export interface PaymentEvent {
  provider: PaymentProvider;
  /** The provider's idempotency id: a redelivery of the same notification carries the same id. */
  eventId: string;
  kind: PaymentEventKind;
  /** "<provider>:<order id>": ties a refund, dispute or renewal to its sale (a subscription id for subscriptions). */
  orderRef: string;
  productId?: string;
  variantId?: string;
  variantName?: string;
  priceId?: string;
  productName?: string;
  /** Gumroad only: the product's short permalink ("pencil" from https://x.gumroad.com/l/pencil). */
  productPermalink?: string;
  subscriptionId?: string;
  email?: string;
  name?: string;
  quantity?: number;
  /** ISO-8601. */
  occurredAt: string;
  /** ISO-8601: end of the paid period (renewals), or when access ends (cancellations, ends). */
  periodEnd?: string;
  /** The provider's own name for what happened ("charge.refunded", "sale", "order_created"). */
  rawType: string;
  /**
   * A sale paid at a checkout the portal opened to renew a license (src/portal/checkout-url.ts): that license's
   * key, so fulfilment extends it instead of minting another.
   */
  renews?: string;
  /** The provider marked it as a test purchase (Gumroad `test`, Stripe `livemode: false`, Lemon Squeezy `test_mode`). */
  test?: boolean;
}

export type WebhookErrorCode =
  | 'not_configured'
  | 'missing_token'
  | 'bad_token'
  | 'wrong_seller'
  | 'missing_signature'
  | 'bad_signature'
  | 'stale_signature'
  | 'unsupported_content_type'
  | 'malformed_payload'
  | 'missing_field'
  /** Present but unusable: a date outside the accepted window, a quantity that is not a count, ... */
  | 'invalid_field';

export interface WebhookRejection {
  ok: false;
  status: 400 | 401 | 413 | 422;
  code: WebhookErrorCode;
  /** Safe to log and to return: never holds a secret, and names the field or header at fault. */
  message: string;
}

export interface WebhookAccepted {
  ok: true;
  events: PaymentEvent[];
}

export type WebhookResult = WebhookAccepted | WebhookRejection;

export function reject(status: WebhookRejection['status'], code: WebhookErrorCode, message: string): WebhookRejection {
  return { ok: false, status, code, message };
}

export function accept(...events: PaymentEvent[]): WebhookAccepted {
  return { ok: true, events };
}

/** Merges the parts left to right, dropping undefined fields so events compare and serialise cleanly. */
export function compact(...parts: Partial<PaymentEvent>[]): PaymentEvent {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const key in part) {
      const value = part[key as keyof PaymentEvent];
      if (value !== undefined) out[key] = value;
    }
  }
  return out as unknown as PaymentEvent;
}

/**
 * Thrown by the field readers below while a payload is being parsed; each provider's parser turns it into a
 * 422 `invalid_field` rejection (stored as a rejected delivery), so a bad value never reaches fulfilment.
 */
export class InvalidFieldError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFieldError';
  }
}

/** Runs a parser; an InvalidFieldError becomes the rejection, prefixed with what was being read. */
export function rejectingInvalidFields<T>(what: string, parse: () => T | WebhookRejection): T | WebhookRejection {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidFieldError) return reject(422, 'invalid_field', `${what}: ${error.message}`);
    throw error;
  }
}

/** Unix seconds → ISO; absent (undefined / null) → undefined; anything else must be a date in the window. */
export function unixToIso(seconds: unknown, name: string): string | undefined {
  if (seconds === undefined || seconds === null) return undefined;
  if (typeof seconds !== 'number') throw new InvalidFieldError(`"${name}" must be Unix seconds (a number), not ${typeof seconds}`);
  const checked = checkUnixSeconds(seconds);
  if (!checked.ok) throw new InvalidFieldError(`"${name}" ${checked.problem}`);
  return new Date(checked.ms).toISOString();
}

/** ISO-8601 text → normalised ISO; absent or empty → undefined; anything else must be a date in the window. */
export function toIso(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidFieldError(`"${name}" must be an ISO-8601 date string, not ${typeof value}`);
  if (value.trim() === '') return undefined;
  const checked = checkIsoDate(value);
  if (!checked.ok) throw new InvalidFieldError(`"${name}" ${checked.problem}`);
  return new Date(checked.ms).toISOString();
}

/** The license key a checkout carried back (renewals from the portal); anything not shaped like a key is ignored. */
export function renewsKey(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 64 && /^[A-Za-z0-9]+-[A-Za-z0-9]+-[A-Za-z0-9]{4,}-[A-Za-z0-9-]{4,}$/.test(value.trim()) ? value.trim() : undefined;
}

/** The most units one purchase can carry: more is a malformed payload, not a sale. */
export const MAX_QUANTITY = 100_000;

/** A purchase quantity: absent → undefined; otherwise a whole number from 1 to MAX_QUANTITY. */
export function quantityOf(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_QUANTITY)) {
    throw new InvalidFieldError(`"${name}" must be a whole number from 1 to ${MAX_QUANTITY}, got ${JSON.stringify(String(value).slice(0, 20))}`);
  }
  return n;
}
