// The `online` config block (src/config/online.ts) and the sync wire for activation events: tables.
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG, validateConfig, type Config } from '../src/config/config.js';
import { onlinePolicy } from '../src/config/online.js';
import { configForProduct } from '../src/config/products.js';
import { eventProblem } from '../src/sync/event-wire.js';

const base: Config = { ...DEFAULT_CONFIG, product: 'dashtool', prefix: 'DT1' };

describe('validateConfig: online', () => {
  test.each([
    [{ enabled: 'yes' }, /online.enabled must be true or false/],
    [{ enabled: true, activations: { limit: -1 } }, /online.activations.limit must be a whole number/],
    [{ enabled: true, activations: { limit: 1, onLimit: 'kick' } }, /onLimit must be "refuse" or "replace-oldest"/],
    [{ enabled: true, leaseDays: 0 }, /online.leaseDays must be/],
    [{ enabled: true, activations: { limit: 1, perTier: { pro: 'two' } } }, /perTier must map tiers/],
    [[], /online must be an object/],
  ])('%j is refused', (online, message) => {
    expect(() => validateConfig({ ...base, online } as unknown as Config)).toThrow(message);
  });
  test('a product in `products` is checked too', () => {
    const extra = { id: 'other', name: 'Other', prefix: 'OT1', tiers: ['pro'], defaultYears: 1 as const, blobTag: null, format: 'jws', online: { enabled: 1 } };
    expect(() => validateConfig({ ...base, products: [extra as never] })).toThrow(/products\[0\]: online.enabled/);
  });
});

describe('onlinePolicy', () => {
  const on: Config = { ...base, online: { enabled: true, activations: { limit: 2, onLimit: 'replace-oldest', perTier: { pro: 5 } }, leaseDays: 7 } };
  test.each([
    ['off by default', base, {}, undefined, null],
    ['config on', on, {}, 'core', { limit: 2, onLimit: 'replace-oldest', leaseDays: 7 }],
    ['a tier limit', on, {}, 'pro', { limit: 5, onLimit: 'replace-oldest', leaseDays: 7 }],
    ['env on, defaults', base, { LICENSE_ADMIN_ONLINE: '1' }, undefined, { limit: 1, onLimit: 'refuse', leaseDays: 30 }],
    ['env limit wins', on, { LICENSE_ADMIN_ACTIVATION_LIMIT: '9' }, 'pro', { limit: 9, onLimit: 'replace-oldest', leaseDays: 7 }],
    ['config off stays off', { ...base, online: { enabled: false } }, {}, undefined, null],
  ] as const)('%s', (_name, config, env, tier, expected) => {
    expect(onlinePolicy(config, env, tier)).toEqual(expected);
  });
  test('each product has its own block: the first product\'s does not leak into another', () => {
    const extra = { id: 'other', name: 'Other', prefix: 'OT1', tiers: ['pro'], defaultYears: 1 as const, blobTag: null, format: 'jws' };
    const both: Config = { ...on, products: [extra] };
    expect(onlinePolicy(configForProduct(both, 'other'), {})).toBeNull();
    expect(onlinePolicy(configForProduct({ ...both, products: [{ ...extra, online: { enabled: true } }] }, 'other'), {})).toEqual({ limit: 1, onLimit: 'refuse', leaseDays: 30 });
  });
});

describe('sync wire: activation events', () => {
  const event = (type: string, data: Record<string, unknown>) => ({ id: 'e1', licenseKey: 'DT1-PRO-AAAA-BBBB-CCCC-DDDDE', type, at: '2026-12-03T10:00:00.000Z', actor: 'online', source: 'server', data });
  test.each([
    ['activated', { activationId: 'act_1', fingerprintHash: 'h', label: '' }, null],
    ['deactivated', { activationId: 'act_1' }, null],
    ['activations_reset', { count: 2 }, null],
    ['activated', { activationId: 'act_1' }, 'e.data.fingerprintHash must be a non-empty string'],
    ['deactivated', {}, 'e.data.activationId must be a non-empty string'],
  ])('%s %j', (type, data, problem) => {
    expect(eventProblem(event(type, data), 'e')).toBe(problem);
  });
});
