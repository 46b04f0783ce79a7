// Tables for the pure parts of import: dates, Gumroad header mapping, rows, formula escapes, tiers, records.
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/config.js';
import { normalizeTimestamp } from '../src/import/dates.js';
import { gumroadDay, gumroadPurchaseInstant, slashEvidence } from '../src/import/gumroad-dates.js';
import { parseRubyHash } from '../src/import/ruby-hash.js';
import { mapGumroadHeader } from '../src/import/gumroad-columns.js';
import { gumroadSaleFrom, type GumroadSale } from '../src/import/gumroad-sale.js';
import { licenseRecordFrom } from '../src/import/license-record.js';
import { FORMULA_GUARDS, unescapeFormula } from '../src/import/read-csv.js';
import { tierForSale, validateProductMap, variantNames } from '../src/import/tier-map.js';
import { deterministicEventId, eventsForRecord } from '../src/import/import-events.js';
import type { KnownLicense } from '../src/import/license-index.js';
import { emptyPlan } from '../src/import/plan.js';
import { SalesPlanner } from '../src/import/plan-sales.js';

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

const NOW = new Date('2025-03-11T00:00:00Z');
const at = (date: string, time: string) => {
  const r = gumroadPurchaseInstant(date, time, NOW);
  return r.ok ? r.value : r.reason;
};
// What Gumroad writes (Date#to_s + Time#to_s) and what a spreadsheet re-save leaves of it.
test.each([
  ['2025-03-10', '2025-03-10 17:02:00 +0000', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '2025-03-10 17:02:00 UTC', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '2025-03-10 19:02:00 +0200', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '2025-03-10 12:02:00 -05:00', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '2025-03-10T17:02:00Z', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '2025-03-10T17:02:00.250Z', '2025-03-10T17:02:00.250Z'],
  ['2025-03-10', '17:02:00', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '17:02', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '8:05', '2025-03-10T08:05:00.000Z'],
  ['2025-03-10', '5:02:00 PM', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '12:30 AM', '2025-03-10T00:30:00.000Z'],
  ['2025-03-10', '17:02:00 UTC', '2025-03-10T17:02:00.000Z'],
  ['3/10/2025', '2025-03-10 17:02:00 +0000', '2025-03-10T17:02:00.000Z'],
  ['03/10/2025', '17:02', '2025-03-10T17:02:00.000Z'],
  ['3/10/25', '', '2025-03-10T00:00:00.000Z'],
  ['2025/03/10', '', '2025-03-10T00:00:00.000Z'],
  ['2025-03-10 17:02:00 +0000', '', '2025-03-10T17:02:00.000Z'],
  ['3/10/2025 5:02 PM', '', '2025-03-10T17:02:00.000Z'],
  ['3/10/2025 17:02', '17:02:00', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '', '2025-03-10T00:00:00.000Z'],
  ['2025-03-10', '2025-03-11 17:02:00 +0000', '"Purchase Date" 2025-03-10 and "Purchase Time (UTC timezone)" "2025-03-11 17:02:00 +0000" are different days'],
  ['3/10/2025 17:02', '18:00', '"Purchase Date" "3/10/2025 17:02" and "Purchase Time (UTC timezone)" "18:00" are different times'],
  ['2024-02-30', '', '"Purchase Date" is not a date: "2024-02-30"'],
  ['2/30/2024', '12:00', '"Purchase Date" is not a date: "2/30/2024"'],
  ['13/3/2025', '', '"Purchase Date" is not a date: "13/3/2025" (dates with slashes are read as month/day/year in this file)'],
  // Re-saved in other locales: day first with dots (Germany), month names, a comma before the time.
  ['10.03.2025', '17:02:00', '2025-03-10T17:02:00.000Z'],
  ['10.03.25 17:02', '', '2025-03-10T17:02:00.000Z'],
  ['31.02.2025', '', '"Purchase Date" is not a date: "31.02.2025"'],
  ['Mar 10, 2025', '5:02 PM', '2025-03-10T17:02:00.000Z'],
  ['March 10, 2025', '', '2025-03-10T00:00:00.000Z'],
  ['Sept 3, 2024', '', '2024-09-03T00:00:00.000Z'],
  ['10-Mar-25', '17:02', '2025-03-10T17:02:00.000Z'],
  ['10 Mar 2025', '2025-03-10 17:02:00 +0000', '2025-03-10T17:02:00.000Z'],
  ['3/10/2025, 5:02 PM', '', '2025-03-10T17:02:00.000Z'],
  ['Marc 10, 2025', '', '"Purchase Date" is not a date: "Marc 10, 2025"'],
  ['2025-03-10', '25:00', '"Purchase Time (UTC timezone)" is not a time: "25:00"'],
  ['2025-03-10', '13:00 PM', '"Purchase Time (UTC timezone)" is not a time: "13:00 PM"'],
  ['2025-03-10', 'noon', '"Purchase Time (UTC timezone)" is not a time: "noon"'],
  ['2025-03-10', '17:02 +1500', '"Purchase Time (UTC timezone)" is not a time: "17:02 +1500"'],
  ['1999-12-31', '', '"Purchase Date" 1999-12-31 is before Gumroad\'s first sale (2011)'],
  ['2025-03-13', '', '"Purchase Date" 2025-03-13T00:00:00.000Z is in the future (now is 2025-03-11T00:00:00.000Z)'],
  ['Totals', '', '"Purchase Date" is not a date: "Totals"'],
  ['', '', '"Purchase Date" is not a date: ""'],
])('Purchase Date %j + Purchase Time %j -> %j', (date, time, expected) => expect(at(date, time)).toBe(expected));

// A file re-saved in a day-first locale: every slash date of it reads day/month/year.
test.each([
  ['10/03/2025', '17:02', '2025-03-10T17:02:00.000Z'],
  ['13/2/2025', '', '2025-02-13T00:00:00.000Z'],
  ['3/13/2025', '', '"Purchase Date" is not a date: "3/13/2025" (dates with slashes are read as day/month/year in this file)'],
  ['10/03/2025', '2025-03-10 17:02:00 +0000', '2025-03-10T17:02:00.000Z'],
  ['2025-03-10', '', '2025-03-10T00:00:00.000Z'],
])('day-first file: Purchase Date %j + Purchase Time %j -> %j', (date, time, expected) => {
  const r = gumroadPurchaseInstant(date, time, NOW, 'dmy');
  expect(r.ok ? r.value : r.reason).toBe(expected);
});

// What a row tells about its file's slash order.
test.each([
  ['13/3/2025', '', 'dmy'],
  ['3/13/2025', '', 'mdy'],
  ['3/10/2025', '2025-03-10 17:02:00 +0000', 'mdy'],
  ['10/3/2025', '2025-03-10 17:02:00 +0000', 'dmy'],
  ['3/10/2025', '17:02', null],
  ['3/3/2025', '2025-03-03 17:02:00 +0000', null],
  ['2025-03-10', '', null],
])('slashEvidence(%j, %j) = %j', (date, time, expected) => expect(slashEvidence(date, time)).toBe(expected));

test.each([
  ['2024-06-10', { ok: true, value: '2024-06-10' }],
  ['6/10/2024', { ok: true, value: '2024-06-10' }],
  ['', { ok: true, value: null }],
  ['2024-13-01', { ok: false, reason: '"Subscription End Date" is not a date: "2024-13-01"' }],
  ['soon', { ok: false, reason: '"Subscription End Date" is not a date: "soon"' }],
])('Subscription End Date %j -> %j', (cell, expected) => expect(gumroadDay('Subscription End Date', cell)).toEqual(expected));

// Hash#to_s as Ruby up to 3.3 and from 3.4 writes it, with String#inspect escapes.
test.each([
  ['{}', {}],
  ['{"Company"=>"Acme, Inc."}', { Company: 'Acme, Inc.' }],
  ['{"Company" => "Acme, Inc.", "Agree" => true, "Newsletter" => false, "File" => nil, "Seats" => 3}', { Company: 'Acme, Inc.', Agree: true, Newsletter: false, File: null, Seats: 3 }],
  ['{"Note"=>"line 1\\nline 2 \\"quoted\\" \\\\ \\#{x} \\e \\u00e9 \\u{1F600}"}', { Note: 'line 1\nline 2 "quoted" \\ #{x} \u001b é 😀' }],
  ['{"Zoë"=>"山田"}', { 'Zoë': '山田' }],
  ['{"__proto__"=>"x"}', JSON.parse('{"__proto__":"x"}')],
])('parseRubyHash(%j)', (text, expected) => expect(parseRubyHash(text)).toEqual({ ok: true, value: expected }));

test.each([
  ['{"a"=>"b"', 'expected } at character 10'],
  ['{"a"=>b}', 'expected a string, true, false, nil or a number at character 7'],
  ['{a: 1}', 'expected " at character 2'],
  ['{"a"=>"b"} x', 'unexpected text after the closing } at character 12'],
  ['Company: Acme', 'expected { at character 1'],
])('parseRubyHash(%j) is refused: %s', (text, reason) => expect(parseRubyHash(text)).toEqual({ ok: false, reason }));

test.each([
  ["'=SUM(A1)", '=SUM(A1)'],
  ["'+1 555 0100", '+1 555 0100'],
  ["'-5", '-5'],
  ["'@handle", '@handle'],
  ["'Tis the season", "'Tis the season"],
  ['plain', 'plain'],
])('unescapeFormula(%j) = %j', (cell, expected) => expect(unescapeFormula(cell)).toBe(expected));

// Gumroad's CsvSafe also guards | and % (spec/services/exports/purchase_export_service_spec.rb csv_safe).
test.each([
  ["'|cmd", '|cmd'],
  ["'%TEMP%", '%TEMP%'],
  ["'=HYPERLINK(1)", '=HYPERLINK(1)'],
  ["'-x", '-x'],
  ["'Tis", "'Tis"],
])('Gumroad cell %j reads %j', (cell, expected) => expect(unescapeFormula(cell, FORMULA_GUARDS.gumroad)).toBe(expected));
test('license-admin\'s own export guards no | or %, so their quote stays', () => expect(unescapeFormula("'|x")).toBe("'|x"));

test.each([
  ['(Pro)', 'Pro'],
  ['(Pro, Blue)', 'Pro, Blue'],
  ['Tier: Pro', 'Tier: Pro'],
  ['', ''],
  [null, ''],
])('variantNames(%j) = %j', (cell, expected) => expect(variantNames(cell)).toBe(expected));

describe('Gumroad header mapping', () => {
  // Gumroad's header is PURCHASE_FIELDS + custom fields: a custom field may repeat a standard name.
  const NEW = ['Purchase ID', 'Item Name', 'Buyer Name', 'Purchase Email', 'Buyer Email', 'Purchase Date', 'Purchase Time (UTC timezone)', 'Fees ($)', 'Fully Refunded?',
    'Disputed?', 'Dispute Won?', 'Order Number', 'Custom Fields', 'Giftee Email', 'Subscription End Date', 'Purchase Email', 'Order Number'];
  const OLD = ['\uFEFFPurchase Date', 'purchase id', 'Fees ($)', 'Buyer Email', 'Subscription End Date', ' Item Name '];
  test('newer and older column sets map to the same fields; the first of a repeated name is Gumroad\'s (index), the last the custom field (rindex)', () => {
    expect(mapGumroadHeader(NEW)).toEqual({ ok: true, columns: {
      purchaseId: 0, itemName: 1, buyerName: 2, email: 3, purchaseDate: 5, purchaseTime: 6, fullyRefunded: 8, disputed: 9, disputeWon: 10,
      orderNumber: 11, customFields: 12, gifteeEmail: 13, subscriptionEnded: 14 } });
    expect(mapGumroadHeader(OLD)).toEqual({ ok: true, columns: { purchaseDate: 0, purchaseId: 1, email: 3, subscriptionEnded: 4, itemName: 5 } });
  });
  test('a file without the required columns is named as not a Gumroad export', () => {
    expect(mapGumroadHeader(['license_key', 'email'])).toEqual({ ok: false, reason: 'not a Gumroad sales export: no "Purchase ID", "Purchase Date" column' });
  });
  test('rows: Totals, 1/0 flags, refunds without a "Fully Refunded?" column, disputes, gifts, bad emails, bad Custom Fields', () => {
    const cols = { purchaseId: 0, email: 1, purchaseDate: 2, refunded: 3 };
    const now = new Date('2025-01-01T00:00:00Z');
    expect(gumroadSaleFrom(['Totals', '', '', ''], cols, 9, now)).toEqual({ kind: 'totals' });
    expect(gumroadSaleFrom(['p1', 'not-an-email', '2024-01-01', ''], cols, 2, now)).toEqual({ kind: 'invalid', reason: '"not-an-email" is not an email address' });
    const sale = gumroadSaleFrom(['p1', 'a@b.co', '2024-01-01', '1'], cols, 2, now);
    expect(sale.kind === 'sale' && [sale.sale.refunded, sale.sale.fullyRefunded, sale.sale.customFields]).toEqual([true, true, null]);
    const partial = gumroadSaleFrom(['p1', 'a@b.co', '2024-01-01', '1', '0'], { ...cols, fullyRefunded: 4 }, 2, now);
    expect(partial.kind === 'sale' && [partial.sale.refunded, partial.sale.fullyRefunded]).toEqual([true, false]);
    const dispute = (won: string | undefined) => {
      const r = gumroadSaleFrom(['p1', 'a@b.co', '2024-01-01', '0', '1', won ?? ''], won === undefined ? { ...cols, disputed: 4 } : { ...cols, disputed: 4, disputeWon: 5 }, 2, now);
      return r.kind === 'sale' && r.sale.disputeLost;
    };
    expect([dispute('0'), dispute('1'), dispute(undefined)]).toEqual([true, false, false]);
    const gift = gumroadSaleFrom(['p1', 'giver@b.co', '2024-01-01', '0', 'Giver', 'friend@b.co'], { ...cols, buyerName: 4, gifteeEmail: 5 }, 2, now);
    expect(gift.kind === 'sale' && [gift.sale.email, gift.sale.giftedBy, gift.sale.buyerName]).toEqual(['friend@b.co', 'giver@b.co', '']);
    expect(gumroadSaleFrom(['p1', 'a@b.co', '2024-01-01', '0', 'Company: Acme'], { ...cols, customFields: 4 }, 2, now)).toEqual({
      kind: 'invalid', reason: '"Custom Fields" is not the Ruby hash Gumroad writes (expected { at character 1); fix the cell or delete the column' });
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

describe('matching a sale by email when no license holds its order id', () => {
  const license = (o: Partial<KnownLicense>): KnownLicense => ({
    licenseKey: 'DT1-PRO-ab12-cd34', product: 'datatools', name: 'A', email: 'a@example.com', tier: 'pro', issuedAt: '2024-03-01T00:00:00.000Z',
    expiresAt: null, updatesUntil: null, blob: 'B', gumroadOrderId: null, orderRef: null, revokedAt: null, revokeReason: null, notes: null, ...o,
  });
  const sale = { line: 2, purchaseId: 'P1', orderNumber: '1001', itemName: 'Data Tools', productId: 'dtools', buyerName: 'A', email: 'a@example.com', giftedBy: null,
    purchasedAt: '2024-03-01T00:00:00.000Z', variants: null, refunded: false, fullyRefunded: false, disputed: false, disputeLost: false, recurringCharge: false,
    preorderAuthorization: false, licenseKey: null, subscriptionEnded: null, customFields: null } satisfies GumroadSale;
  const plan = (l: KnownLicense) => {
    const p = emptyPlan();
    // An index whose order lookup finds nothing: only the email fallback can match.
    const index = { byKey: () => null, byOrderId: () => null, byEmail: () => [l] };
    new SalesPlanner(p, { index, product: 'datatools', now: new Date('2025-01-01T00:00:00Z'), tierFor: () => ({ ok: true, tier: 'pro', years: 1 }) }).add('s.csv', sale);
    return [p.sales.matched, p.sales.missing.length];
  };
  test.each([
    [{}, [1, 0]],
    [{ orderRef: 'gumroad:P1' }, [1, 0]],
    [{ gumroadOrderId: 'P1' }, [1, 0]],
    [{ orderRef: 'gumroad:1001' }, [1, 0]],
    [{ orderRef: 'gumroad:OTHER' }, [0, 1]],
    [{ orderRef: 'stripe:P1' }, [0, 1]],
    [{ gumroadOrderId: 'OTHER', orderRef: 'gumroad:OTHER' }, [0, 1]],
  ])('a license with %j -> [matched, missing] %j', (o, expected) => expect(plan(license(o))).toEqual(expected));
});

describe('recurring charges whose first sale is not (yet) in the run', () => {
  const charge = (line: number, over: Partial<GumroadSale> = {}): GumroadSale => ({
    line, purchaseId: `P${line}`, orderNumber: null, itemName: 'Data Tools', productId: 'dtools', buyerName: 'S', email: 'sub@example.com', giftedBy: null,
    purchasedAt: `2024-0${line}-01T00:00:00.000Z`, variants: null, refunded: false, fullyRefunded: false, disputed: false, disputeLost: false, recurringCharge: true,
    preorderAuthorization: false, licenseKey: 'GUM-SUB-1', subscriptionEnded: null, customFields: null, ...over,
  });
  const run = (sales: GumroadSale[], ledger: KnownLicense[] = []) => {
    const p = emptyPlan();
    const index = { byKey: () => null, byOrderId: () => null, byEmail: () => ledger };
    const planner = new SalesPlanner(p, { index, product: 'datatools', now: new Date('2025-01-01T00:00:00Z'), tierFor: () => ({ ok: true, tier: 'pro', years: 1 }) });
    for (const s of sales) planner.add('s.csv', s);
    planner.finish();
    return { missing: p.sales.missing.map((m) => m.line), matched: p.sales.matched, skipped: p.skipped.map((s) => `${s.line} ${s.reason}`) };
  };

  test('an export of later months only: the subscription is planned once, from its earliest charge', () => {
    expect(run([charge(5), charge(3), charge(4)])).toEqual({
      missing: [3], matched: 0,
      skipped: [
        '4 a recurring charge of a subscription whose first sale is not in this import: its earliest charge (line 3) stands for it',
        '5 a recurring charge of a subscription whose first sale is not in this import: its earliest charge (line 3) stands for it',
      ],
    });
  });

  test('newest first: charges before their first sale are skipped once the first sale is seen', () => {
    expect(run([charge(3), charge(2), charge(1, { recurringCharge: false })])).toEqual({
      missing: [1], matched: 0,
      skipped: ['3 a recurring charge of a subscription: its first sale (line 1) carries the license', '2 a recurring charge of a subscription: its first sale (line 1) carries the license'],
    });
  });

  test('the subscription already has a license in the ledger (from its first sale, another order id): matched, nothing minted', () => {
    const license: KnownLicense = {
      licenseKey: 'DT1-PRO-ab12-cd34', product: 'datatools', name: 'S', email: 'sub@example.com', tier: 'pro', issuedAt: '2024-01-01T00:00:00.000Z',
      expiresAt: null, updatesUntil: null, blob: 'B', gumroadOrderId: 'FIRST', orderRef: 'gumroad:FIRST', revokedAt: null, revokeReason: null, notes: null,
    };
    expect(run([charge(3), charge(4)], [license])).toMatchObject({ missing: [], matched: 1 });
  });
});
