// Tables for the pure parts of import: dates, Gumroad header mapping, rows, formula escapes, tiers, records.
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/config.js';
import { gumroadTimestamp, normalizeTimestamp } from '../src/import/dates.js';
import { mapGumroadHeader } from '../src/import/gumroad-columns.js';
import { gumroadSaleFrom, type GumroadSale } from '../src/import/gumroad-sale.js';
import { licenseRecordFrom } from '../src/import/license-record.js';
import { unescapeFormula } from '../src/import/read-csv.js';
import { tierForSale, validateProductMap } from '../src/import/tier-map.js';
import { deterministicEventId, eventsForRecord } from '../src/import/import-events.js';

test.each([
  ['2024-03-01', '2024-03-01T00:00:00.000Z'],
  ['2024-03-01T10:00:00Z', '2024-03-01T10:00:00.000Z'],
  ['2024-03-01T12:00:00+02:00', '2024-03-01T10:00:00.000Z'],
  ['2024-03-01T05:30:00.250-0500', '2024-03-01T10:30:00.250Z'],
  ['2024-03-01 10:00:00', '2024-03-01T10:00:00.000Z'],
  ['2024-03-01 10:00:00 UTC', '2024-03-01T10:00:00.000Z'],
  ['  2024-03-01  ', '2024-03-01T00:00:00.000Z'],
  ['2024-02-30', null],
  ['03/01/2024', null],
  ['yesterday', null],
  ['', null],
])('normalizeTimestamp(%j) = %j', (input, expected) => expect(normalizeTimestamp(input)).toBe(expected));

test.each([
  ['2024-07-04', '18:30:05', '2024-07-04T18:30:05.000Z'],
  ['2024-07-04', '8:05', '2024-07-04T08:05:00.000Z'],
  ['2024-07-04', '', '2024-07-04T00:00:00.000Z'],
  ['3/15/2019', '08:05', '2019-03-15T08:05:00.000Z'],
  ['11/2/2019', undefined, '2019-11-02T00:00:00.000Z'],
  ['2024-07-04 18:30:05 UTC', undefined, '2024-07-04T18:30:05.000Z'],
  ['2024-07-04', 'noon', null],
  ['Totals', undefined, null],
])('gumroadTimestamp(%j, %j) = %j', (date, time, expected) => expect(gumroadTimestamp(date, time)).toBe(expected));

test.each([
  ["'=SUM(A1)", '=SUM(A1)'],
  ["'+1 555 0100", '+1 555 0100'],
  ["'-5", '-5'],
  ["'@handle", '@handle'],
  ["'Tis the season", "'Tis the season"],
  ['plain', 'plain'],
])('unescapeFormula(%j) = %j', (cell, expected) => expect(unescapeFormula(cell)).toBe(expected));

describe('Gumroad header mapping', () => {
  const NEW = ['Purchase ID', 'Item Name', 'Buyer Name', 'Purchase Email', 'Purchase Date', 'Purchase Time (UTC timezone)', 'Gumroad Fee ($)', 'Fully Refunded?', 'Disputed and Lost?', 'Subscription Ended Date', 'Purchase Email'];
  const OLD = ['\uFEFFPurchase Date', 'purchase id', 'Fees ($)', 'Buyer Email', 'Subscription End Date', ' Item Name '];
  test('newer and older column sets map to the same fields; the first of a repeated name wins', () => {
    const n = mapGumroadHeader(NEW);
    const o = mapGumroadHeader(OLD);
    expect(n).toEqual({ ok: true, columns: { purchaseId: 0, itemName: 1, buyerName: 2, email: 3, purchaseDate: 4, purchaseTime: 5, fullyRefunded: 7, disputeLost: 8, subscriptionEnded: 9 } });
    expect(o).toEqual({ ok: true, columns: { purchaseDate: 0, purchaseId: 1, email: 3, subscriptionEnded: 4, itemName: 5 } });
  });
  test('a file without the required columns is named as not a Gumroad export', () => {
    expect(mapGumroadHeader(['license_key', 'email'])).toEqual({ ok: false, reason: 'not a Gumroad sales export: no "Purchase ID", "Purchase Date" column' });
  });
  test('rows: Totals, refunds without a "Fully Refunded?" column, bad emails', () => {
    const cols = { purchaseId: 0, email: 1, purchaseDate: 2, refunded: 3 };
    expect(gumroadSaleFrom(['Totals', '', '', ''], cols, 9)).toEqual({ kind: 'totals' });
    expect(gumroadSaleFrom(['p1', 'not-an-email', '2024-01-01', ''], cols, 2)).toEqual({ kind: 'invalid', reason: '"not-an-email" is not an email address' });
    const sale = gumroadSaleFrom(['p1', 'a@b.co', '2024-01-01', 'TRUE'], cols, 2);
    expect(sale.kind === 'sale' && [sale.sale.refunded, sale.sale.fullyRefunded]).toEqual([true, true]);
    const partial = gumroadSaleFrom(['p1', 'a@b.co', '2024-01-01', 'true', 'false'], { ...cols, fullyRefunded: 4 }, 2);
    expect(partial.kind === 'sale' && [partial.sale.refunded, partial.sale.fullyRefunded]).toEqual([true, false]);
  });
});

describe('tier mapping', () => {
  const config = { ...DEFAULT_CONFIG, tiers: ['lite', 'pro'], defaultYears: 1 as const };
  const map = validateProductMap([
    { provider: 'gumroad', match: 'dtools', variant: 'Lite', tier: 'lite', years: 1 },
    { provider: 'stripe', match: '*', tier: 'pro' },
    { provider: 'gumroad', match: 'Data Tools', tier: 'pro', years: 'lifetime' },
  ]);
  const sale = (o: Partial<GumroadSale>) => ({ productId: 'dtools', itemName: 'Data Tools', variants: null, ...o }) as GumroadSale;
  test.each([
    [{ variants: 'Tier: Lite' }, undefined, { ok: true, tier: 'lite', years: 1 }],
    [{ variants: '(Lite)' }, undefined, { ok: true, tier: 'lite', years: 1 }],
    [{ variants: 'Tier: Pro' }, undefined, { ok: true, tier: 'pro', years: 'lifetime' }],
    [{ productId: 'other', itemName: 'DATA TOOLS' }, undefined, { ok: true, tier: 'pro', years: 'lifetime' }],
    [{ productId: 'x', itemName: 'Stickers' }, 'LITE', { ok: true, tier: 'lite', years: 1 }],
    [{ productId: 'x', itemName: 'Stickers' }, 'gold', { ok: false, reason: 'tier "gold" is not one of the configured tiers (lite, pro)' }],
  ])('%j (default tier %j) -> %j', (s, defaultTier, expected) => {
    const result = tierForSale(sale(s), config, map, defaultTier);
    expect(result).toEqual(expected);
  });
  test('a bad productMap entry is named by index', () => {
    expect(() => validateProductMap([{ provider: 'gumroad', match: '*', tier: 'pro', years: 0 }])).toThrow('config productMap[0].years must be a whole number or "lifetime"');
  });
});

describe('legacy records and their events', () => {
  const base = { license_key: 'DT1-PRO-ab12-cd34', name: 'A', email: 'a@example.com', tier: 'PRO', issued_at: '2024-03-01', expires_at: null, blob: 'B' };
  test.each([
    [{ ...base, license_key: 'nope' }, /is not a license key/],
    [{ ...base, email: 'x' }, /"x" is not an email address/],
    [{ ...base, blob: '' }, /no "blob"/],
    [{ ...base, tier: 'p r o' }, /not a lower-case word/],
    [{ ...base, expires_at: '2025-13-01' }, /"expires_at" is not a date/],
    [{ ...base, name: 42 }, null],
    [{ ...base, name: { first: 'A' } }, /"name" must be a string/],
    [{ ...base, verified: 'maybe' }, /"verified" must be true or false/],
  ])('%j -> %s', (fields, error) => {
    const r = licenseRecordFrom(fields);
    if (error === null) expect(r.ok).toBe(true);
    else expect(r.ok === false && r.reason).toMatch(error);
  });
  test('the same record gives the same event ids (idempotent across machines), a different one does not', () => {
    const r = licenseRecordFrom({ ...base, revoked_at: '2024-06-01', revoke_reason: 'refund', notes: 'n' });
    if (!r.ok) throw new Error(r.reason);
    const defaults = { product: 'p', format: 'jws', actor: 'x' };
    const a = eventsForRecord(r.record, defaults, { verified: true, kid: 'k' });
    const b = eventsForRecord(r.record, { ...defaults, actor: 'y' }, { verified: false, kid: null });
    expect(a.map((e) => e.type)).toEqual(['imported', 'revoked', 'note_added']);
    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(a[1]!.at).toBe('2024-06-01T00:00:00.000Z');
    expect(deterministicEventId('K', 'imported', 't', { a: 1 })).not.toBe(deterministicEventId('K', 'imported', 't', { a: 2 }));
  });
});
