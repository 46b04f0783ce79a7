// `config tiers` and `config product-map`: changes to what is sold, as pure functions from the config to
// the next config (or a UserError saying why not). The command writes the result atomically.
import { UsageError, UserError } from '../errors.js';
import { validateProductMap } from '../import/tier-map.js';
import { FIELD_RULES, type Config, type ProductMapping } from './config.js';

export function addTier(config: Config, input: string): Config {
  const tier = input.trim().toLowerCase();
  const problem = FIELD_RULES.tiers([tier]);
  if (problem) throw new UsageError(`"${input}": ${problem}`);
  if (config.tiers.includes(tier)) throw new UserError(`tier "${tier}" is already configured (${config.tiers.join(', ')})`);
  return { ...config, tiers: [...config.tiers, tier] };
}

/** licensesWithTier: how many licenses in the ledger have it (they would no longer match any tier). */
export function removeTier(config: Config, input: string, licensesWithTier: number): Config {
  const tier = input.trim().toLowerCase();
  if (!config.tiers.includes(tier)) throw new UserError(`tier "${tier}" is not configured; the tiers are ${config.tiers.join(', ')}`);
  if (config.tiers.length === 1) throw new UserError(`"${tier}" is the only tier; add another before removing it`);
  if (licensesWithTier > 0) throw new UserError(`${licensesWithTier} license(s) in the ledger are ${tier}; move them with "license-admin edit <key> --tier ..." first (or keep the tier)`);
  const users = (config.productMap ?? []).map((m, i) => ({ m, i })).filter(({ m }) => m.tier === tier);
  if (users.length) throw new UserError(`product-map entries ${users.map(({ i }) => `#${i + 1}`).join(', ')} sell ${tier}; change or remove them first ("license-admin config product-map list")`);
  return { ...config, tiers: config.tiers.filter((t) => t !== tier) };
}

export interface MappingKey {
  provider: ProductMapping['provider'];
  match: string;
  variant?: string;
}

const sameKey = (a: MappingKey, b: MappingKey) =>
  a.provider === b.provider && a.match.trim().toLowerCase() === b.match.trim().toLowerCase() && (a.variant ?? '').trim().toLowerCase() === (b.variant ?? '').trim().toLowerCase();

/**
 * Adds or replaces the entry for (provider, match, variant). The first matching entry wins when a sale
 * comes in, so a new specific entry goes before the first catch-all ("*"); a replaced one keeps its place.
 */
export function setMapping(config: Config, entry: ProductMapping): { config: Config; replaced: boolean } {
  if (!config.tiers.includes(entry.tier)) throw new UserError(`tier "${entry.tier}" is not configured; the tiers are ${config.tiers.join(', ')} ("license-admin config tiers add ${entry.tier}")`);
  const map = validateProductMap([...(config.productMap ?? []), entry]).slice(0, -1);
  const at = map.findIndex((m) => sameKey(m, entry));
  if (at >= 0) return { config: { ...config, productMap: map.map((m, i) => (i === at ? entry : m)) }, replaced: true };
  const catchAll = entry.match === '*' ? -1 : map.findIndex((m) => m.match === '*');
  const next = catchAll < 0 ? [...map, entry] : [...map.slice(0, catchAll), entry, ...map.slice(catchAll)];
  return { config: { ...config, productMap: next }, replaced: false };
}

export function removeMapping(config: Config, key: MappingKey): Config {
  const map = config.productMap ?? [];
  const next = map.filter((m) => !sameKey(m, key));
  if (next.length === map.length) throw new UserError(`no product-map entry for ${key.provider} "${key.match}"${key.variant ? ` variant "${key.variant}"` : ''} ("license-admin config product-map list" shows them)`);
  return { ...config, productMap: next };
}

const PROVIDERS: readonly ProductMapping['provider'][] = ['gumroad', 'stripe', 'lemonsqueezy', 'any'];

/** Flag strings -> which entry, or a UsageError naming the flag. */
export function mappingKeyFromFlags(f: { provider?: string; match?: string; variant?: string }): MappingKey {
  const provider = (f.provider ?? 'any').toLowerCase() as ProductMapping['provider'];
  if (!PROVIDERS.includes(provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}, not "${f.provider}"`);
  const match = f.match?.trim();
  if (!match) throw new UsageError('missing --match (the provider\'s product id / permalink / price id, or "*" for every product)');
  return { provider, match, ...(f.variant?.trim() ? { variant: f.variant.trim() } : {}) };
}

/** Flag strings -> a mapping entry, or a UsageError naming the flag. */
export function mappingFromFlags(f: { provider?: string; match?: string; variant?: string; tier?: string; years?: string }): ProductMapping {
  const key = mappingKeyFromFlags(f);
  const tier = f.tier?.trim().toLowerCase();
  if (!tier) throw new UsageError('missing --tier');
  let years: number | 'lifetime' | undefined;
  if (f.years !== undefined) {
    years = f.years.trim().toLowerCase() === 'lifetime' ? 'lifetime' : /^\d+$/.test(f.years.trim()) ? Number(f.years) : Number.NaN;
    if (FIELD_RULES.defaultYears(years)) throw new UsageError('--years must be a whole number from 1 to 100, or "lifetime"');
  }
  return { ...key, tier, ...(years !== undefined ? { years } : {}) };
}
