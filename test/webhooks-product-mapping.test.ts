// Product mapping: provider + product / variant / price id (or Gumroad permalink / name) → tier and duration.
import { describe, expect, test } from 'vitest';
import type { ProductMapping } from '../src/config/config.js';
import type { PaymentEvent } from '../src/server/webhooks/normalized.js';
import { resolveTier } from '../src/server/webhooks/product-mapping.js';

const base = { eventId: 'e', kind: 'sale', orderRef: 'x:1', occurredAt: '2026-01-01T00:00:00.000Z', rawType: 'sale' } as const;
const gumroad: PaymentEvent = { ...base, provider: 'gumroad', productId: '32-nPAicqbLj8B_WswVlMw==', productPermalink: 'dashtool', productName: 'DashTool Pro', variantName: 'Pro, Blue' };
const stripe: PaymentEvent = { ...base, provider: 'stripe', productId: 'prod_A', priceId: 'price_monthly' };
const lemon: PaymentEvent = { ...base, provider: 'lemonsqueezy', productId: '55555', variantId: '66666', variantName: 'Pro' };
const bare: PaymentEvent = { ...base, provider: 'stripe' };

const map: ProductMapping[] = [
  { provider: 'stripe', match: 'price_monthly', tier: 'core', years: 1 },
  { provider: 'stripe', match: 'prod_A', tier: 'pro' },
  { provider: 'gumroad', match: 'dashtool', variant: 'pro', tier: 'pro', years: 'lifetime' },
  { provider: 'gumroad', match: 'DashTool Pro', tier: 'core', years: 2 },
  { provider: 'lemonsqueezy', match: '55555', variant: '66666', tier: 'enterprise', years: 3 },
  { provider: 'lemonsqueezy', match: '55555', tier: 'lite' },
  { provider: 'any', match: 'legacy-product', tier: 'lite' },
];

describe('resolveTier', () => {
  test.each([
    ['stripe price: first rule wins over the product rule', stripe, map, undefined, { tier: 'core', years: 1, matchedBy: 'productMap[0]' }],
    ['stripe product only', { ...stripe, priceId: 'price_other' }, map, undefined, { tier: 'pro', matchedBy: 'productMap[1]' }],
    ['gumroad permalink + variant name, case-insensitive, among several', gumroad, map, undefined, { tier: 'pro', years: 'lifetime', matchedBy: 'productMap[2]' }],
    ['gumroad other variant falls to the name rule', { ...gumroad, variantName: 'Basic' }, map, undefined, { tier: 'core', years: 2, matchedBy: 'productMap[3]' }],
    ['gumroad no variant at all', { ...gumroad, variantName: undefined }, map, undefined, { tier: 'core', years: 2, matchedBy: 'productMap[3]' }],
    ['lemon squeezy variant id', lemon, map, undefined, { tier: 'enterprise', years: 3, matchedBy: 'productMap[4]' }],
    ['lemon squeezy other variant', { ...lemon, variantId: '1', variantName: 'x' }, map, undefined, { tier: 'lite', matchedBy: 'productMap[5]' }],
    ['provider "any"', { ...lemon, productId: 'legacy-product', variantId: undefined }, map, undefined, { tier: 'lite', matchedBy: 'productMap[6]' }],
    ['a rule for another provider does not match', { ...gumroad, provider: 'lemonsqueezy' as const }, map, 'core', { tier: 'core', matchedBy: 'LICENSE_ADMIN_DEFAULT_TIER' }],
    ['no map, default tier', bare, undefined, 'pro', { tier: 'pro', matchedBy: 'LICENSE_ADMIN_DEFAULT_TIER' }],
    ['wildcard', bare, [{ provider: 'stripe', match: '*', tier: 'lite', years: 5 }], undefined, { tier: 'lite', years: 5, matchedBy: 'productMap[0]' }],
    ['wildcard variant', lemon, [{ provider: 'lemonsqueezy', match: '55555', variant: '*', tier: 'pro' }], undefined, { tier: 'pro', matchedBy: 'productMap[0]' }],
    ['ids match exactly: no prefixes', { ...stripe, priceId: 'price_monthly_2', productId: 'prod_AB' }, map, undefined, { error: expect.stringMatching(/^unmapped product \(stripe product prod_AB, price price_monthly_2\)/) }],
  ] as const)('%s', (_label, event, productMap, defaultTier, expected) => {
    expect(resolveTier(event as PaymentEvent, productMap as ProductMapping[] | undefined, defaultTier)).toEqual(expected);
  });

  test('an unmapped product with no default is an error that says what to do', () => {
    const result = resolveTier(bare, map, undefined);
    expect(result).toEqual({ error: 'unmapped product (stripe, no product id in the payload): add a productMap rule to config.json or set LICENSE_ADMIN_DEFAULT_TIER' });
  });

  test('a tier that config.json does not know is an error, from a rule or from the default', () => {
    expect(resolveTier(stripe, map, undefined, ['lite', 'pro'])).toEqual({ error: expect.stringMatching(/productMap\[0\] gives tier "core", which is not one of the tiers in config.json \(lite, pro\)/) });
    expect(resolveTier(bare, [], 'gold', ['lite', 'pro'])).toEqual({ error: expect.stringMatching(/LICENSE_ADMIN_DEFAULT_TIER gives tier "gold"/) });
    expect(resolveTier(stripe, map, undefined, ['core'])).toMatchObject({ tier: 'core' });
  });
});
