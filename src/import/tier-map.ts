// Which tier (and duration) a Gumroad sale buys: config `productMap`, then LICENSE_ADMIN_DEFAULT_TIER. Pure.
import type { Config, ProductMapping } from '../config/config.js';
import { UserError } from '../errors.js';
import type { GumroadSale } from './gumroad-sale.js';

export type TierChoice = { ok: true; tier: string; years: number | 'lifetime' } | { ok: false; reason: string };

export function validateProductMap(map: unknown): ProductMapping[] {
  if (map === undefined) return [];
  if (!Array.isArray(map)) throw new UserError('config productMap must be a list of { provider, match, variant?, tier, years? }');
  map.forEach((m: Partial<ProductMapping>, i) => {
    const where = `config productMap[${i}]`;
    if (!m || typeof m !== 'object') throw new UserError(`${where} must be an object`);
    if (!['gumroad', 'stripe', 'lemonsqueezy', 'any'].includes(String(m.provider))) throw new UserError(`${where}.provider must be gumroad, stripe, lemonsqueezy or any`);
    if (typeof m.match !== 'string' || m.match === '') throw new UserError(`${where}.match must be a product id, a product name or "*"`);
    if (m.variant !== undefined && typeof m.variant !== 'string') throw new UserError(`${where}.variant must be a string`);
    if (typeof m.tier !== 'string') throw new UserError(`${where}.tier must be one of the configured tiers`);
    if (m.years !== undefined && m.years !== 'lifetime' && !(Number.isInteger(m.years) && m.years > 0)) throw new UserError(`${where}.years must be a whole number or "lifetime"`);
  });
  return map as ProductMapping[];
}

const same = (a: string | null, b: string) => a !== null && a.trim().toLowerCase() === b.trim().toLowerCase();

function matches(m: ProductMapping, sale: GumroadSale): boolean {
  if (m.provider !== 'gumroad' && m.provider !== 'any') return false;
  if (m.match !== '*' && !same(sale.productId, m.match) && !same(sale.itemName, m.match)) return false;
  if (m.variant === undefined) return true;
  // Gumroad writes variants as "Tier: Pro" or "(Pro)"; a mapping names the option.
  const v = (sale.variants ?? '').toLowerCase();
  return v.split(/[,;()]|:\s*/).map((s) => s.trim()).includes(m.variant.trim().toLowerCase()) || same(sale.variants, m.variant);
}

/** The first matching entry wins, so list specific entries (with a variant) before catch-alls. */
export function tierForSale(sale: GumroadSale, config: Config, map: ProductMapping[], defaultTier: string | undefined): TierChoice {
  const entry = map.find((m) => matches(m, sale));
  const tier = entry?.tier ?? defaultTier?.trim().toLowerCase();
  if (!tier) return { ok: false, reason: `no productMap entry for "${sale.itemName || sale.productId}"${variantText(sale.variants)} and LICENSE_ADMIN_DEFAULT_TIER is not set` };
  if (!config.tiers.includes(tier)) return { ok: false, reason: `tier "${tier}" is not one of the configured tiers (${config.tiers.join(', ')})` };
  return { ok: true, tier, years: entry?.years ?? config.defaultYears };
}

/** Gumroad's export already brackets the variants ("(Pro)"); name them once, without doubling the brackets. */
function variantText(variants: string | null): string {
  const v = (variants ?? '').trim().replace(/^\((.*)\)$/s, '$1').trim();
  return v ? ` (variant ${v})` : '';
}
