// Which tier (and how long) a sale buys: the first rule in config.productMap that matches, else
// LICENSE_ADMIN_DEFAULT_TIER, else an error — an unmapped sale is stored as failed, never guessed.
import type { Config, ProductMapping } from '../../config/config.js';
import { productsOf } from '../../config/products.js';
import type { PaymentEvent } from './normalized.js';

export type TierResolution =
  | { tier: string; years?: number | 'lifetime'; matchedBy: string }
  | { error: string };

export function resolveTier(
  event: PaymentEvent,
  productMap: readonly ProductMapping[] | undefined,
  defaultTier: string | undefined,
  tiers?: readonly string[],
): TierResolution {
  const rules = productMap ?? [];
  const index = rules.findIndex((rule) => ruleMatches(rule, event));
  const rule = index >= 0 ? rules[index] : undefined;
  const found = rule
    ? { tier: rule.tier, ...(rule.years !== undefined ? { years: rule.years } : {}), matchedBy: `productMap[${index}]` }
    : defaultTier
      ? { tier: defaultTier, matchedBy: 'LICENSE_ADMIN_DEFAULT_TIER' }
      : null;
  if (!found) {
    return { error: `unmapped product ${describeProduct(event)}: add a productMap rule to config.json or set LICENSE_ADMIN_DEFAULT_TIER` };
  }
  if (tiers && !tiers.includes(found.tier)) {
    return { error: `${found.matchedBy} gives tier "${found.tier}", which is not one of the tiers in config.json (${tiers.join(', ')})` };
  }
  return found;
}

/**
 * Which product a sale is of, and its tier: the product with a specific rule (not "*") for it, else one whose
 * catch-all takes it, else the first product (where LICENSE_ADMIN_DEFAULT_TIER applies). One product: resolveTier.
 */
export function resolveProductTier(event: PaymentEvent, config: Config, defaultTier: string | undefined): (TierResolution & { tier: string; product: string }) | { error: string } {
  const products = productsOf(config);
  const has = (p: (typeof products)[number], specific: boolean) => (p.productMap ?? []).some((r) => (r.match !== '*') === specific && ruleMatches(r, event));
  const product = products.find((p) => has(p, true)) ?? products.find((p) => has(p, false)) ?? products[0]!;
  const resolved = resolveTier(event, product.productMap, product === products[0] ? defaultTier : undefined, product.tiers);
  return 'error' in resolved ? resolved : { ...resolved, product: product.id };
}

export function ruleMatches(rule: ProductMapping, event: PaymentEvent): boolean {
  if (rule.provider !== 'any' && rule.provider !== event.provider) return false;
  const ids = [event.productId, event.priceId, event.variantId, event.productPermalink, event.productName];
  if (rule.match !== '*' && !ids.some((id) => sameId(id, rule.match))) return false;
  if (rule.variant === undefined || rule.variant === '*') return true;
  return sameId(event.variantId, rule.variant) || sameName(event.variantName, rule.variant);
}

function sameId(value: string | undefined, wanted: string): boolean {
  return value !== undefined && value === wanted;
}

/** Variant names are typed by people ("Pro" vs "pro"); several categories arrive as "Pro, Blue". */
function sameName(value: string | undefined, wanted: string): boolean {
  if (value === undefined) return false;
  const w = wanted.trim().toLowerCase();
  return value.split(',').some((part) => part.trim().toLowerCase() === w) || value.trim().toLowerCase() === w;
}

export function describeProduct(event: PaymentEvent): string {
  const parts = [
    event.productId && `product ${event.productId}`,
    event.priceId && `price ${event.priceId}`,
    event.variantId && `variant ${event.variantId}`,
    event.productPermalink && `permalink ${event.productPermalink}`,
    event.productName && `"${event.productName}"`,
  ].filter(Boolean);
  return `(${event.provider}${parts.length ? ` ${parts.join(', ')}` : ', no product id in the payload'})`;
}
