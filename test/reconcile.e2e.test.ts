// `reconcile` and `import <gumroad csv>` (--mint-missing / --revoke-refunded) through the built binary.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES, initHome, PRODUCT_MAP } from './import-fixture-setup.js';

const LEGACY = join(FIXTURES, 'legacy-quirks.jsonl');
const SALES_2024 = join(FIXTURES, 'gumroad-2024.csv');
const SALES_2019 = join(FIXTURES, 'gumroad-2019-resaved.csv');

async function seeded() {
  const h = await initHome();
  h.setProductMap(PRODUCT_MAP);
  expect((await h.cli(['import', LEGACY])).exitCode).toBe(0);
  return h;
}

describe('reconcile a Gumroad export (newer column set, custom fields, Totals row, formula escapes, quoted names)', () => {
  test('reports matches, missing, unmapped and refunded-but-active sales, and writes nothing', async () => {
    const h = await seeded();
    const events = h.count('events');
    const r = await h.cli(['reconcile', SALES_2024, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.counts).toEqual({ sales: 7, matched: 3, missing: 2, unmapped: 1, refundedActive: 2, conflicting: 0, invalid: 1, skipped: 3 });
    expect(report.missing.map((m: Record<string, unknown>) => [m.line, m.purchaseId, m.name, m.email, m.tier, m.years, m.purchasedAt])).toEqual([
      [3, 'sale-frank', 'Frank, Jr.', 'frank@example.com', 'pro', 2, '2024-07-04T18:30:05.000Z'],
      [8, 'sale-hank', '=HYPERLINK("http://evil.example")', 'hank@example.com', 'lite', 1, '2024-09-09T12:00:00.000Z'],
    ]);
    expect(report.unmapped).toEqual([expect.objectContaining({ line: 11, purchaseId: 'sale-sticker', reason: expect.stringContaining('no productMap entry for "Sticker Pack"') })]);
    expect(report.refundedActive.map((s: Record<string, unknown>) => [s.line, s.licenseKey, s.why])).toEqual([
      [5, 'DT1-CORE-00R6-1460-Y0G5-105GT', 'fully refunded'],
      [7, 'DT1-LITE-ef56-gh78', 'dispute lost'],
    ]);
    expect(report.invalid).toEqual([{ file: SALES_2024, line: 9, reason: 'no "Purchase Email"' }]);
    expect(report.skipped.map((s: { line: number }) => s.line)).toEqual([6, 10, 12]);
    expect(h.count('events')).toBe(events);
  });

  test('LICENSE_ADMIN_DEFAULT_TIER maps what productMap does not', async () => {
    const h = await seeded();
    const r = await h.cli(['reconcile', SALES_2024, '--json'], { LICENSE_ADMIN_DEFAULT_TIER: 'core' });
    expect(r.json().counts).toMatchObject({ missing: 3, unmapped: 0 });
    expect(r.json().missing[2]).toMatchObject({ purchaseId: 'sale-sticker', tier: 'core', years: 1 });
  });

  test('import --mint-missing --revoke-refunded acts in one run; running it again changes nothing', async () => {
    const h = await seeded();
    const r = await h.cli(['import', SALES_2024, '--mint-missing', '--revoke-refunded', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.sales.minted.map((m: Record<string, unknown>) => [m.purchaseId, m.email, m.tier, m.expiresAt])).toEqual([
      ['sale-frank', 'frank@example.com', 'pro', '2026-07-04T18:30:05.000Z'],
      ['sale-hank', 'hank@example.com', 'lite', '2025-09-09T12:00:00.000Z'],
    ]);
    expect(report.sales.revoked).toEqual([
      { purchaseId: 'sale-bob', licenseKey: 'DT1-CORE-00R6-1460-Y0G5-105GT' },
      { purchaseId: 'sale-erin', licenseKey: 'DT1-LITE-ef56-gh78' },
    ]);
    expect(report.eventsWritten).toBe(4);
    const frank = (await h.cli(['show', 'frank@example.com', '--json'])).json()[0];
    expect(frank).toMatchObject({ gumroadOrderId: 'sale-frank', name: 'Frank, Jr.', issuedAt: '2024-07-04T18:30:05.000Z', tier: 'pro', verified: true, status: 'active' });
    expect((await h.cli(['verify', frank.blob, '--json'])).json().valid).toBe(true);
    const bob = (await h.cli(['show', 'DT1-CORE-00R6-1460-Y0G5-105GT', '--json'])).json();
    expect(bob).toMatchObject({ status: 'revoked', revokeReason: 'gumroad refund' });
    const counts = [h.count('licenses'), h.count('events')];
    expect(counts).toEqual([7, 9]);

    const again = await h.cli(['import', SALES_2024, '--mint-missing', '--revoke-refunded', '--json']);
    expect(again.json()).toMatchObject({ eventsWritten: 0, sales: { minted: [], revoked: [], matched: 5 } });
    expect([h.count('licenses'), h.count('events')]).toEqual(counts);
    const reconcile = (await h.cli(['reconcile', SALES_2024, '--json'])).json();
    expect(reconcile.counts).toMatchObject({ matched: 5, missing: 0, refundedActive: 0, unmapped: 1 });
  });

  test('one run with the log and the sales (in any order) matches sales against the licenses the log brings', async () => {
    const h = await initHome();
    h.setProductMap(PRODUCT_MAP);
    const r = await h.cli(['import', SALES_2024, LEGACY, '--revoke-refunded', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.files.map((f: { format: string }) => f.format)).toEqual(['jsonl', 'gumroad-csv']);
    expect(report.counts).toEqual({ new: 8, present: 3, conflicting: 1, invalid: 4, skipped: 4 });
    expect(report.sales.revoked.map((x: { licenseKey: string }) => x.licenseKey)).toEqual(['DT1-CORE-00R6-1460-Y0G5-105GT', 'DT1-LITE-ef56-gh78']);
    expect([h.count('licenses'), h.count('events')]).toEqual([5, 7]);
  });

  test('a sale matched by order id but with another email is a conflict, field by field', async () => {
    const h = await seeded();
    expect((await h.cli(['mint', '--tier', 'pro', '--email', 'someone-else@example.com', '--order-id', 'sale-alice'])).exitCode).toBe(0);
    const r = (await h.cli(['reconcile', SALES_2024, '--json'])).json();
    expect(r.conflicts).toEqual([expect.objectContaining({ line: 2, fields: [{ field: 'email', ledger: 'someone-else@example.com', file: 'alice@example.com' }] })]);
  });
});

describe('an older Gumroad export re-saved by a spreadsheet (BOM, CRLF, old column names, US dates)', () => {
  test('maps by header name and reads the old columns', async () => {
    const h = await seeded();
    const r = await h.cli(['import', SALES_2019, '--dry-run', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.files).toEqual([{ file: SALES_2019, format: 'gumroad-csv', rows: 3 }]);
    expect(report.counts).toEqual({ new: 1, present: 0, conflicting: 0, invalid: 0, skipped: 2 });
    expect(report.sales.missing).toEqual([expect.objectContaining({
      line: 2, purchaseId: 'old-ivan', orderNumber: '501', name: 'Ivan, the "Terrible"', email: 'ivan@example.com', tier: 'lite', purchasedAt: '2019-03-15T08:05:00.000Z',
    })]);
    expect(report.skipped.map((s: { line: number; reason: string }) => `${s.line} ${s.reason}`)).toEqual(['3 fully refunded and has no license: nothing to do', '4 the Totals row']);
  });

  test('reconcile refuses a file that is not a Gumroad export', async () => {
    const h = await initHome();
    const r = await h.cli(['reconcile', LEGACY]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('is not a Gumroad sales CSV');
  });
});
