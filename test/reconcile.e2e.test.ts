// `reconcile` and `import <gumroad csv>` (--mint-missing / --revoke-refunded) through the built binary, on exports
// written the way Gumroad's own exporter writes them (fixtures/import/gumroad-export.mjs, README.md there).
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES, initHome, PRODUCT_MAP } from './import-fixture-setup.js';

const LEGACY = join(FIXTURES, 'legacy-quirks.jsonl');
const SALES = join(FIXTURES, 'gumroad-sales.csv');
const RESAVED = join(FIXTURES, 'gumroad-resaved.csv');
const BOB = 'DT1-CORE-00R6-1460-Y0G5-105GT';
const ERIN = 'DT1-LITE-ef56-gh78';

async function seeded() {
  const h = await initHome();
  h.setProductMap(PRODUCT_MAP);
  expect((await h.cli(['import', LEGACY])).exitCode).toBe(0);
  return h;
}

type Row = Record<string, unknown>;

describe('reconcile a real Gumroad export (Time#to_s times, Custom Fields, repeated column names, Totals row)', () => {
  test('every row is read; matches, missing, unmapped and refunded-but-active sales; writes nothing', async () => {
    const h = await seeded();
    const events = h.count('events');
    const r = await h.cli(['reconcile', SALES, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.invalid).toEqual([]);
    expect(report.counts).toEqual({ sales: 14, matched: 4, missing: 5, alreadyExpired: 1, unmapped: 1, refundedActive: 2, conflicting: 0, invalid: 0, skipped: 5 });
    expect(report.missing.map((m: Row) => [m.line, m.name, m.email, m.orderNumber, m.tier, m.years, m.purchasedAt])).toEqual([
      [3, 'Frank, Jr.', 'frank@example.com', '482910002', 'pro', 2, '2024-07-04T18:30:05.000Z'],
      [9, '=HYPERLINK("http://evil.example")', 'hank@example.com', '482910007', 'lite', 1, '2024-09-09T12:00:00.000Z'],
      [11, 'Olga Müller', 'olga@example.com', '482910009', 'lite', 1, '2023-06-01T15:45:00.000Z'],
      [12, 'Sam Sub', 'sam@example.com', '482910010', 'pro', 2, '2024-11-01T10:00:00.000Z'],
      [15, '', 'quinn@example.com', '482910013', 'pro', 2, '2024-12-24T20:00:00.000Z'],
    ]);
    // A custom field that repeats a standard column ("Purchase Email", "Order Number") is the last such column.
    const frank = report.missing[0];
    expect(frank.customFields).toEqual({ 'How did you hear about us?': 'Twitter\nand a "friend"', 'Order Number': 'PO-77' });
    expect(report.missing[4]).toMatchObject({ giftedBy: 'paul@example.com' });
    expect(report.unmapped).toEqual([expect.objectContaining({ line: 10, email: 'ivy@example.com', reason: expect.stringContaining('no productMap entry for "Sticker Pack"') })]);
    expect(report.refundedActive.map((s: Row) => [s.line, s.licenseKey, s.why])).toEqual([[5, BOB, 'fully refunded'], [7, ERIN, 'dispute lost']]);
    expect(report.skipped.map((s: { line: number; reason: string }) => `${s.line} ${s.reason}`)).toEqual([
      '6 fully refunded and has no license: nothing to do',
      '13 a recurring charge of a subscription: its first sale (line 12) carries the license',
      '14 the subscription ended on 2024-06-10: nothing to mint',
      '16 a pre-order authorization: the license comes with the charge when the product is released',
      '17 the Totals row',
    ]);
    expect(h.count('events')).toBe(events);
  });

  test('"Purchase Email" and "Order Number" are the first columns of those names; the custom fields after them stay custom fields', async () => {
    const h = await initHome();
    h.setProductMap(PRODUCT_MAP);
    const r = await h.cli(['import', SALES, '--mint-missing', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    const alice = report.sales.missing.find((m: Row) => m.name === 'Alice Smith');
    expect(alice).toMatchObject({ email: 'alice@example.com', orderNumber: '482910001', customFields: { Company: 'Acme, Inc.', 'Purchase Email': 'billing@acme.example' } });
    expect(report.sales.missing.find((m: Row) => m.name === 'Frank, Jr.')).toMatchObject({ orderNumber: '482910002' });
    expect(report.sales.minted.map((m: Row) => m.email)).toContain('alice@example.com');
    expect(report.sales.minted.map((m: Row) => m.email)).not.toContain('billing@acme.example');
  });

  test('import --mint-missing --revoke-refunded acts in one run; running it again changes nothing', async () => {
    const h = await seeded();
    const r = await h.cli(['import', SALES, '--mint-missing', '--revoke-refunded', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.sales.minted.map((m: Row) => [m.email, m.tier, m.expiresAt])).toEqual([
      ['frank@example.com', 'pro', '2026-07-04T18:30:05.000Z'],
      ['hank@example.com', 'lite', '2025-09-09T12:00:00.000Z'],
      ['olga@example.com', 'lite', '2024-06-01T15:45:00.000Z'],
      ['sam@example.com', 'pro', '2026-11-01T10:00:00.000Z'],
      ['quinn@example.com', 'pro', '2026-12-24T20:00:00.000Z'],
    ]);
    expect(report.sales.revoked.map((x: Row) => x.licenseKey)).toEqual([BOB, ERIN]);
    expect(report.eventsWritten).toBe(7);
    const frank = (await h.cli(['show', 'frank@example.com', '--json'])).json()[0];
    expect(frank).toMatchObject({ gumroadOrderId: 'p3XqL0mZ5wLr8hTt2nB9aQ==', orderRef: 'gumroad:p3XqL0mZ5wLr8hTt2nB9aQ==', name: 'Frank, Jr.', issuedAt: '2024-07-04T18:30:05.000Z', tier: 'pro', verified: true, status: 'active' });
    expect((await h.cli(['verify', frank.blob, '--json'])).json().valid).toBe(true);
    expect((await h.cli(['show', BOB, '--json'])).json()).toMatchObject({ status: 'revoked', revokeReason: 'gumroad refund' });
    const counts = [h.count('licenses'), h.count('events')];

    const again = await h.cli(['import', SALES, '--mint-missing', '--revoke-refunded', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ eventsWritten: 0, sales: { minted: [], revoked: [], matched: 9 } });
    expect([h.count('licenses'), h.count('events')]).toEqual(counts);
    const reconcile = (await h.cli(['reconcile', SALES, '--json'])).json();
    expect(reconcile.counts).toMatchObject({ matched: 9, missing: 0, refundedActive: 0, unmapped: 1 });
  });

  test('one run with the log and the sales (in any order) matches sales against the licenses the log brings', async () => {
    const h = await initHome();
    h.setProductMap(PRODUCT_MAP);
    const r = await h.cli(['import', SALES, LEGACY, '--revoke-refunded', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.files.map((f: { format: string }) => f.format)).toEqual(['jsonl', 'gumroad-csv']);
    expect(report.sales.revoked.map((x: { licenseKey: string }) => x.licenseKey)).toEqual([BOB, ERIN]);
  });

  test('a sale matched by order id but with another email is a conflict, field by field', async () => {
    const h = await seeded();
    expect((await h.cli(['mint', '--tier', 'pro', '--email', 'someone-else@example.com', '--order-id', 'JuvYKFPvkFr0_HoPk9rDtw=='])).exitCode).toBe(0);
    const r = (await h.cli(['reconcile', SALES, '--json'])).json();
    expect(r.conflicts).toEqual([expect.objectContaining({ line: 2, fields: [{ field: 'email', ledger: 'someone-else@example.com', file: 'alice@example.com' }] })]);
  });
});

describe('a Gumroad export re-saved by a spreadsheet (BOM, CRLF, every date and time shape, pasted twice)', () => {
  test('reads each shape to the same instant; impossible dates are invalid with the reason', async () => {
    const h = await seeded();
    const r = await h.cli(['import', RESAVED, '--dry-run', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.files).toEqual([{ file: RESAVED, format: 'gumroad-csv', rows: 12 }]);
    const at = Object.fromEntries([...report.sales.missing, ...report.sales.unmapped].map((m: Row) => [m.email, m.purchasedAt]));
    expect(at).toEqual({
      'ivan@example.com': '2024-03-15T08:05:00.000Z',
      'ken@example.com': '2024-05-01T09:30:00.000Z',
      'lena@example.com': '2024-05-02T17:02:00.000Z',
      'mo@example.com': '2024-06-03T17:02:00.000Z',
      'nia@example.com': '2024-06-04T17:02:00.000Z',
      'oskar@example.com': '2024-06-05T17:02:00.000Z',
      'pia@example.com': '2024-06-06T23:30:00.000Z',
    });
    expect(report.sales.missing[0]).toMatchObject({ name: 'Ivan, the "Terrible"', orderNumber: '501', tier: 'lite', customFields: { Company: 'Ivan & Co' } });
    expect(report.invalid.map((i: Row) => [i.line, i.reason])).toEqual([
      [10, '"Purchase Date" is not a date: "2024-02-30"'],
      [11, '"Purchase Date" is not a date: "13/8/2024" (dates with slashes are read as month/day/year in this file)'],
    ]);
    expect(report.skipped.map((s: Row) => `${s.line} ${s.reason}`)).toEqual([
      '3 fully refunded and has no license: nothing to do',
      '12 Purchase ID rs-1 again (first on line 2)',
      '13 the Totals row',
    ]);
  });
});
