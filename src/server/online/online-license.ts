// The adapters' first step for every online request (ours, Lemon Squeezy's, Gumroad's): is the online API on,
// is this a license key (check character first, before any lookup), and which product's policy applies.
import type { Config } from '../../config/config.js';
import { onlinePolicy, type OnlinePolicy } from '../../config/online.js';
import { configForProduct, productsOf } from '../../config/products.js';
import { parseLicenseKey } from '../../license/license-key.js';
import type { ServerDeps } from '../deps.js';
import { httpError } from '../http-error.js';

export type OnlineKey =
  | { ok: true; licenseKey: string; product: string; view: Config; policy: OnlinePolicy }
  | { ok: false; status: 'invalid_key' | 'unknown'; detail: string };

/** 404 (as for any unknown path) unless some product has its online API on. */
export function requireOnline(deps: ServerDeps): void {
  if (!productsOf(deps.config).some((p) => onlinePolicy(configForProduct(deps.config, p.id), deps.env) !== null)) {
    throw httpError(404, 'not_found', 'the online license API is off on this server');
  }
}

export function onlineKey(deps: ServerDeps, input: string): OnlineKey {
  const parsed = parseLicenseKey(input);
  if (!parsed.ok) return { ok: false, status: 'invalid_key', detail: parsed.reason.replace(/^"[^"]*" /, 'the key ') };
  const product = productsOf(deps.config).find((p) => p.prefix === parsed.value.prefix);
  const view = product ? configForProduct(deps.config, product.id) : null;
  const policy = view ? onlinePolicy(view, deps.env, parsed.value.tier) : null;
  if (!product || !view || !policy) return { ok: false, status: 'unknown', detail: 'no such license' };
  return { ok: true, licenseKey: parsed.value.key, product: product.id, view, policy };
}

/** The policy for a license already found (its product and tier as the ledger has them). */
export function policyFor(deps: ServerDeps, product: string, tier: string): OnlinePolicy | null {
  if (!productsOf(deps.config).some((p) => p.id === product)) return null;
  return onlinePolicy(configForProduct(deps.config, product), deps.env, tier);
}
