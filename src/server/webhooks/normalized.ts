// The one shape every payment provider's webhook becomes. Fulfilment only ever sees PaymentEvents,
// so the order-independent decision (fulfilment-plan.ts) is written once for all providers.

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
  | 'payload_too_large'
  | 'unsupported_content_type'
  | 'malformed_payload'
  | 'missing_field';

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

export function unixToIso(seconds: unknown): string | undefined {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined;
}

export function toIso(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
