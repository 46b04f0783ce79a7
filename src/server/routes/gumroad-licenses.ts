// Gumroad's POST /v2/licenses/verify, answered by this server so an app coded against it moves here by changing
// its base URL. Parameters, messages, status codes and the purchase JSON follow antiwork/gumroad
// app/controllers/api/v2/licenses_controller.rb and spec/controllers/api/v2/licenses_controller_spec.rb; see
// test/compat-gumroad.test.ts. The license answers for the product_id (or permalink) of the Gumroad sale it
// was minted from, and for the Gumroad product id in the product's `online.gumroad` config.
import type { LicenseRow } from '../../ledger/project.js';
import { FOREGROUND_BUSY_WAIT_MS } from '../../stores/store.js';
import { standingOf } from '../../usecases/activations.js';
import { countLicenseUse } from '../../usecases/license-uses.js';
import type { LedgerTx, StoredPaymentEvent } from '../../usecases/ledger-port.js';
import { compatFields } from '../online/compat-body.js';
import { limitOnline } from '../online/online-limits.js';
import { onlineKey, requireOnline } from '../online/online-license.js';
import type { PaymentEvent } from '../webhooks/normalized.js';
import type { RequestContext, RouteResponse, Router } from '../router.js';

const NOT_FOUND = 'That license does not exist for the provided product.';
const fail = (status: number, message: string): RouteResponse => ({ status, json: { success: false, message } });

export function registerGumroadLicenseRoutes(router: Router): void {
  router.add('POST', '/v2/licenses/verify', verify);
}

async function verify(ctx: RequestContext): Promise<RouteResponse> {
  requireOnline(ctx.deps);
  const params = compatFields(ctx.body, ctx.req.headers['content-type'], ctx.url.searchParams);
  for (const name of ['license_key', 'product_id', 'product_permalink', 'id', 'link_id']) {
    const v = params[name];
    if (v !== undefined && v !== null && v !== '' && typeof v !== 'string') return fail(400, `The '${name}' parameter must be a string.`);
  }
  const text = (name: string) => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);
  // `link_id` and `id` are Gumroad's legacy names for the permalink, in this order of precedence.
  const permalink = text('id') ?? text('link_id') ?? text('product_permalink');
  const productId = text('product_id');
  await limitOnline(ctx, params.license_key);
  const increment = !['false', false].includes(params.increment_uses_count as string | boolean);
  const key = onlineKey(ctx.deps, text('license_key') ?? '');
  if (!key.ok) return fail(404, NOT_FOUND);
  const now = ctx.deps.clock();
  return ctx.deps.store.transaction(async (tx) => {
    const row = await tx.getLicense(key.licenseKey);
    const sale = row?.orderRef ? saleOf(await tx.paymentEventsForOrder(row.orderRef)) : null;
    const configured = key.view.online?.gumroad;
    const matches = productId !== undefined
      ? productId === sale?.productId || productId === configured?.productId
      : permalink !== undefined && [sale?.productPermalink, configured?.productPermalink].some((p) => p !== undefined && samePermalink(p, permalink));
    if (!row || row.forgottenAt || !matches) return fail(404, NOT_FOUND);
    const standing = standingOf(row, now);
    const money = moneyState(row);
    if (standing === 'revoked' && !money.refunded && !money.chargebacked) return fail(404, 'This license key has been disabled.');
    if (standing === 'expired') return fail(404, 'Access to the purchase associated with this license has expired.');
    const uses = await countLicenseUse(tx as LedgerTx, row, increment);
    return { status: 200, json: { success: true, uses, purchase: purchaseJson(row, sale, configured, money) } };
  }, { busyWaitMs: FOREGROUND_BUSY_WAIT_MS });
}

function saleOf(events: readonly StoredPaymentEvent[]): PaymentEvent | null {
  const sale = events.find((e) => e.provider === 'gumroad' && (e.normalized as PaymentEvent | null)?.kind === 'sale');
  return (sale?.normalized as PaymentEvent | undefined) ?? null;
}

/** "https://x.gumroad.com/l/pencil", "pencil": the same product. */
function samePermalink(stored: string, given: string): boolean {
  const short = (p: string) => p.trim().replace(/\/+$/, '').split('/').pop()!.toLowerCase();
  return short(stored) === short(given);
}

/** A license revoked for a refund or a dispute still verifies on Gumroad, with `refunded` / `chargebacked` set. */
function moneyState(row: LicenseRow): { refunded: boolean; chargebacked: boolean } {
  const reason = (row.revokedAt ? row.revokeReason ?? '' : '').toLowerCase();
  return { refunded: reason.includes('refund'), chargebacked: /dispute|chargeback/.test(reason) };
}

/** The purchase as Gumroad renders it (payload_for_ping_notification + as_json_for_license), from what this server knows. */
function purchaseJson(row: LicenseRow, sale: PaymentEvent | null, configured: { productId?: string; productPermalink?: string } | undefined, money: { refunded: boolean; chargebacked: boolean }) {
  const saleId = row.orderRef?.startsWith('gumroad:') ? row.orderRef.slice(8) : (row.gumroadOrderId ?? row.licenseKey);
  const permalink = sale?.productPermalink ?? configured?.productPermalink ?? '';
  return {
    id: saleId, product_name: sale?.productName ?? row.product, created_at: sale?.occurredAt ?? row.issuedAt, variants: sale?.variantName ? `(${sale.variantName})` : '',
    custom_fields: [], quantity: sale?.quantity ?? 1, refunded: money.refunded, chargebacked: money.chargebacked, email: row.email,
    seller_id: '', product_id: sale?.productId ?? configured?.productId ?? '', permalink, product_permalink: permalink,
    short_product_id: permalink, price: 0, currency: 'usd', order_number: 0, sale_id: saleId, sale_timestamp: sale?.occurredAt ?? row.issuedAt,
    license_key: row.licenseKey, is_multiseat_license: (row.seats ?? 1) > 1, is_gift_receiver_purchase: false, disputed: money.chargebacked, dispute_won: false,
    gumroad_fee: 0, discover_fee_charged: false, can_contact: false, referrer: 'direct', card: { bin: null, expiry_month: null, expiry_year: null, type: null, visual: null },
  };
}
