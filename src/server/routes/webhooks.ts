// Payment webhooks: verify, store every delivery raw BEFORE doing anything with it, answer 2xx at once;
// the fulfilment worker does the minting / revoking afterwards (idempotent by the provider's event id).
import { verifyGumroadPing } from '../webhooks/gumroad.js';
import { handleLemonSqueezyWebhook } from '../webhooks/lemonsqueezy.js';
import type { WebhookResult } from '../webhooks/normalized.js';
import { handleStripeWebhook } from '../webhooks/stripe.js';
import { httpError } from '../http-error.js';
import type { RequestContext, RouteResponse, Router } from '../router.js';

export const WEBHOOK_ENV = {
  gumroadToken: 'LICENSE_ADMIN_GUMROAD_TOKEN',
  gumroadSellerId: 'LICENSE_ADMIN_GUMROAD_SELLER_ID',
  stripeSecret: 'LICENSE_ADMIN_STRIPE_WEBHOOK_SECRET',
  lemonSqueezySecret: 'LICENSE_ADMIN_LEMONSQUEEZY_SECRET',
} as const;

export function registerWebhookRoutes(router: Router): void {
  router.add('POST', '/webhooks/gumroad', (ctx) =>
    receive(ctx, 'gumroad', verifyGumroadPing(
      { query: ctx.url.searchParams, body: ctx.body, contentType: ctx.req.headers['content-type'], receivedAt: ctx.deps.clock().toISOString() },
      { token: ctx.deps.env[WEBHOOK_ENV.gumroadToken], sellerId: ctx.deps.env[WEBHOOK_ENV.gumroadSellerId] },
    )));
  router.add('POST', '/webhooks/stripe', (ctx) => {
    // Several secrets (comma-separated) while rotating the endpoint's signing secret.
    const secrets = ctx.deps.env[WEBHOOK_ENV.stripeSecret]?.split(',').map((s) => s.trim()).filter(Boolean);
    const header = ctx.req.headers['stripe-signature'];
    return receive(ctx, 'stripe', handleStripeWebhook(ctx.body, typeof header === 'string' ? header : undefined, secrets?.length ? secrets : undefined, Math.floor(ctx.deps.clock().getTime() / 1000)));
  });
  router.add('POST', '/webhooks/lemonsqueezy', (ctx) => {
    const header = ctx.req.headers['x-signature'];
    return receive(ctx, 'lemonsqueezy', handleLemonSqueezyWebhook(ctx.body, typeof header === 'string' ? header : undefined, ctx.deps.env[WEBHOOK_ENV.lemonSqueezySecret]));
  });
}

async function receive(ctx: RequestContext, provider: string, result: WebhookResult): Promise<RouteResponse> {
  const { store, clock } = ctx.deps;
  if (!result.ok) {
    ctx.log.warn('webhook rejected', { provider, code: result.code, status: result.status });
    // Authenticated but unusable deliveries are kept as failed events (the audit trail); unauthenticated
    // ones (bad token or signature, not configured) are only logged: strangers must not fill the table.
    if (result.status === 400 || result.status === 422) {
      await store.recordPaymentEvent({
        provider, eventId: `rejected:${ctx.requestId}`, eventType: 'rejected', orderRef: null, rawPayload: ctx.body.toString('utf8'),
        normalized: null, receivedAt: clock(), final: true, finalError: `${result.code}: ${result.message}`,
      });
    }
    throw httpError(result.status, result.code, result.message);
  }
  let stored = 0;
  let duplicates = 0;
  let spooled = 0;
  for (const event of result.events) {
    const ignored = event.kind === 'ignored';
    const { created, spooled: toSpool } = await store.recordPaymentEvent({
      provider, eventId: event.eventId, eventType: event.kind, orderRef: ignored ? null : event.orderRef, rawPayload: ctx.body.toString('utf8'),
      normalized: event, receivedAt: clock(), final: ignored, finalError: null,
    });
    if (created) stored++;
    else duplicates++;
    if (toSpool) spooled++;
    ctx.log.info('payment event', { provider, eventId: event.eventId, kind: event.kind, orderRef: event.orderRef, duplicate: !created, ...(toSpool ? { spooled: true } : {}) });
  }
  if (stored > 0) ctx.deps.wake?.();
  // spooled: stored durably while the ledger was held by another process; fulfilled once it is free.
  return { status: 200, json: { received: result.events.length, stored, duplicates, ...(spooled ? { spooled } : {}) } };
}
