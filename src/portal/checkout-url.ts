// The product's checkout URL carrying the license key, in the field each provider hands back to our
// webhook (docs/PORTAL.md cites the providers' code):
// - Gumroad: a query parameter on the product URL comes back in the sale ping's `url_params` (antiwork/gumroad
//   app/models/concerns/purchase/ping_notification.rb: payload[:url_params] = url_parameters).
// - Stripe Payment Links: `client_reference_id` comes back on the checkout.session.completed session.
// - Lemon Squeezy: `checkout[custom][renews]` (checkout_data.custom in lmsqueezy/lemonsqueezy.js
//   src/checkouts/types.ts) comes back as the webhook's `meta.custom_data.renews`.
// Pure.
import type { CheckoutProvider } from './portal-settings.js';

/** Not `license_key`: Gumroad's ping already has a field of that name (its own license keys). */
export const RENEWS_PARAM = 'renews';

export function checkoutUrl(checkout: { provider: CheckoutProvider; url: string }, licenseKey: string): string {
  const url = new URL(checkout.url);
  if (checkout.provider === 'gumroad') url.searchParams.set(RENEWS_PARAM, licenseKey);
  else if (checkout.provider === 'stripe') url.searchParams.set('client_reference_id', licenseKey);
  else url.searchParams.set(`checkout[custom][${RENEWS_PARAM}]`, licenseKey);
  return url.toString();
}
