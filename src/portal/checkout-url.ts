// The product's checkout URL carrying the license key, in the field each provider hands back to our
// webhook (docs/PORTAL.md cites the providers' code):
// - Gumroad: a query parameter on the product URL comes back in the sale ping's `url_params`.
// - Stripe Payment Links: `client_reference_id` comes back on the checkout.session.completed session.
// - Lemon Squeezy: `checkout[custom][license_key]` comes back as `meta.custom_data.license_key`.
// Pure.
import type { CheckoutProvider } from './portal-settings.js';

export const RENEWS_PARAM = 'license_key';

export function checkoutUrl(checkout: { provider: CheckoutProvider; url: string }, licenseKey: string): string {
  const url = new URL(checkout.url);
  if (checkout.provider === 'gumroad') url.searchParams.set(RENEWS_PARAM, licenseKey);
  else if (checkout.provider === 'stripe') url.searchParams.set('client_reference_id', licenseKey);
  else url.searchParams.set(`checkout[custom][${RENEWS_PARAM}]`, licenseKey);
  return url.toString();
}
