// Gumroad exports after a spreadsheet outside the US re-saved them, through the built binary: day-first dates
// (UK: "04/07/2024" is 4 July), ";" between cells and "05.03.2024" (Germany), Gumroad's csv_safe quote on a
// "|" cell, and a custom field that happens to be called "license_key". Fixtures: fixtures/import/README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES, initHome, PRODUCT_MAP } from './import-fixture-setup.js';

type Row = Record<string, unknown>;
const UK = join(FIXTURES, 'gumroad-resaved-uk.csv');
const DE = join(FIXTURES, 'gumroad-resaved-de.csv');

describe('an export re-saved by a spreadsheet in another locale', () => {
  test('UK: every slash date of the file reads day first, as its later rows show; the "|" cell loses its guard quote', async () => {
    const h = await initHome();
    h.setProductMap(PRODUCT_MAP);
    const r = await h.cli(['import', UK, '--mint-missing', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.invalid).toEqual([]);
    expect(report.sales.missing.map((m: Row) => [m.purchaseId, m.purchasedAt, m.name])).toEqual([
      ['uk-1', '2024-07-04T09:15:00.000Z', 'Una Ward'],
      ['uk-2', '2024-08-02T10:00:00.000Z', 'Vic Hale'],
      ['uk-3', '2024-09-21T11:30:00.000Z', 'Wen Ito'],
      ['uk-4', '2024-10-05T12:00:00.000Z', '|Pipe| Person'],
    ]);
    const una = (await h.cli(['show', 'una@example.co.uk', '--json'])).json()[0];
    expect(una).toMatchObject({ issuedAt: '2024-07-04T09:15:00.000Z', expiresAt: '2026-07-04T09:15:00.000Z' });
  });

  test('Germany: ";" between cells, dates as 05.03.2024, umlauts; the Custom Fields hash keeps its ";"', async () => {
    const h = await initHome();
    h.setProductMap(PRODUCT_MAP);
    const r = await h.cli(['reconcile', DE, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.invalid).toEqual([]);
    expect(report.counts).toMatchObject({ sales: 2, missing: 2, skipped: 1 });
    expect(report.missing.map((m: Row) => [m.name, m.email, m.purchasedAt, m.tier, m.customFields])).toEqual([
      ['Jörg Müller-Lüdenscheidt', 'joerg@example.de', '2024-03-05T14:00:00.000Z', 'pro', { Firma: 'Müller; Söhne' }],
      ['Änne Groß', 'aenne@example.de', '2024-11-20T08:00:00.000Z', 'lite', {}],
    ]);
  });

  test('a custom field called "license_key" does not make the export look like a license-admin CSV', async () => {
    const h = await initHome();
    h.setProductMap(PRODUCT_MAP);
    const text = readFileSync(join(FIXTURES, 'gumroad-sales.csv'), 'utf8').split('\n');
    const file = join(h.home, 'with-license-key-field.csv');
    writeFileSync(file, [`${text[0]},license_key`, ...text.slice(1)].join('\n'));
    const r = await h.cli(['reconcile', file, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().counts).toMatchObject({ sales: 14, invalid: 0 });
  });
});
