// `license-admin import` of the legacy JSONL log and of our own exports, through the built binary.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIXTURES, initHome } from './import-fixture-setup.js';
import { jsonErrorOf } from './helpers/cli.js';

const LEGACY = join(FIXTURES, 'legacy-quirks.jsonl');
const legacyLine = (n: number) => JSON.parse(readFileSync(LEGACY, 'utf8').replace(/^\uFEFF/, '').split('\r\n')[n - 1]!) as Record<string, string>;

describe('import of the legacy JSONL log', () => {
  test('every quirk: exact counts, rows, dates normalised, blobs byte for byte; re-import changes nothing', async () => {
    const h = await initHome();
    const first = await h.cli(['import', LEGACY, '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    const report = first.json();
    expect(report.counts).toEqual({ new: 5, present: 0, conflicting: 1, invalid: 3, skipped: 1 });
    expect(report.files).toEqual([{ file: LEGACY, format: 'jsonl', rows: 10 }]);
    expect(report.invalid.map((i: { line: number; reason: string }) => [i.line, i.reason])).toEqual([
      [5, expect.stringMatching(/^not valid JSON/)],
      [6, 'no "email"'],
      [11, '"issued_at" is not a date: "last tuesday"'],
    ]);
    expect(report.conflicts).toEqual([{
      file: LEGACY, line: 10, licenseKey: 'DT1-CORE-00R6-1460-Y0G5-105GT', against: `${LEGACY}:3`,
      fields: [{ field: 'email', ledger: 'bob@example.com', file: 'bobby@example.org' }],
    }]);
    expect(report.skipped).toEqual([{ file: LEGACY, line: 8, licenseKey: 'DT1-PRO-ab12-cd34', reason: `the same license as ${LEGACY}:1` }]);
    expect(report.unverified).toBe(1);
    expect(report.eventsWritten).toBe(5);

    const rows = (await h.cli(['list', '--all', '--json'])).json() as Record<string, unknown>[];
    const byKey = Object.fromEntries(rows.map((r) => [r.licenseKey, r]));
    expect(Object.keys(byKey).sort()).toEqual(['DT1-CORE-00R6-1460-Y0G5-105GT', 'DT1-ENTERPRISE-c0ffee-0042', 'DT1-LITE-ef56-gh78', 'DT1-PRO-DTFC-XZHE-BT7B-XVGYA', 'DT1-PRO-ab12-cd34']);
    expect(byKey['DT1-PRO-ab12-cd34']).toMatchObject({ name: 'Alice Smith', email: 'alice@example.com', tier: 'pro', issuedAt: '2024-03-01T00:00:00.000Z', expiresAt: '2025-03-01T00:00:00.000Z', verified: true, source: 'import', product: 'datatools' });
    expect(byKey['DT1-CORE-00R6-1460-Y0G5-105GT']).toMatchObject({ email: 'bob@example.com', expiresAt: '2099-04-02T08:00:00.000Z', verified: true });
    expect(byKey['DT1-ENTERPRISE-c0ffee-0042']).toMatchObject({ name: 'Zoë Ångström-Łukasz 山田', issuedAt: '2024-05-03T04:00:00.000Z', expiresAt: null, tier: 'enterprise' });
    expect(byKey['DT1-LITE-ef56-gh78']).toMatchObject({ issuedAt: '2023-12-31T23:59:59.000Z', expiresAt: null });
    expect(byKey['DT1-PRO-DTFC-XZHE-BT7B-XVGYA']).toMatchObject({ verified: false });
    for (const [line, key] of [[1, 'DT1-PRO-ab12-cd34'], [3, 'DT1-CORE-00R6-1460-Y0G5-105GT'], [7, 'DT1-PRO-DTFC-XZHE-BT7B-XVGYA']] as const) {
      expect(byKey[key]!.blob).toBe(legacyLine(line).blob);
    }
    const events = h.count('events');
    expect(events).toBe(5);

    const again = await h.cli(['import', LEGACY, '--json']);
    expect(again.json().counts).toEqual({ new: 0, present: 5, conflicting: 1, invalid: 3, skipped: 1 });
    expect(again.json().eventsWritten).toBe(0);
    expect(h.count('events')).toBe(events);
    expect(h.count('licenses')).toBe(5);
  });

  test('--dry-run prints the plan and writes nothing', async () => {
    const h = await initHome();
    const dry = await h.cli(['import', LEGACY, '--dry-run', '--json']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.json()).toMatchObject({ dryRun: true, written: false, eventsPlanned: 5, eventsWritten: 0, counts: { new: 5, invalid: 3 } });
    expect([h.count('licenses'), h.count('events')]).toEqual([0, 0]);
    const people = await h.cli(['import', LEGACY, '--dry-run']);
    expect(people.stdout).toBe('');
    expect(people.stderr).toContain(`invalid  ${LEGACY}:6: no "email"`);
    expect(people.stderr).toContain('Dry run: nothing was written.');
  });

  test('--strict stops at the first bad line, names file:line, writes nothing', async () => {
    const h = await initHome();
    const strict = await h.cli(['import', LEGACY, '--strict', '--json']);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toContain(jsonErrorOf(strict).message);
    expect(strict.stderr).toContain(`${LEGACY}:5: not valid JSON`);
    expect([h.count('licenses'), h.count('events')]).toEqual([0, 0]);
  });

  test('an unknown file kind is a usage error that says how to force it', async () => {
    const h = await initHome();
    const r = await h.cli(['import', join(FIXTURES, 'make-fixtures.mjs')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('pass --format jsonl|csv|gumroad-csv');
  });

  test.each(['jsonl', 'csv'] as const)('an export (%s) imports back losslessly: notes, revocations, order ids, formula-looking names', async (fmt) => {
    const a = await initHome();
    expect((await a.cli(['import', LEGACY])).exitCode).toBe(0);
    expect((await a.cli(['mint', '--tier', 'pro', '--email', 'm@example.com', '--name', '=Minted, "Q"', '--order-id', 'G-1'])).exitCode).toBe(0);
    expect((await a.cli(['note', 'DT1-PRO-ab12-cd34', 'line one\nline "two", =x'])).exitCode).toBe(0);
    expect((await a.cli(['revoke', 'DT1-LITE-ef56-gh78', '--reason', 'chargeback'])).exitCode).toBe(0);
    const exported = join(a.home, `export.${fmt}`);
    expect((await a.cli(['export', '--format', fmt, '-o', exported])).exitCode).toBe(0);

    const b = await initHome();
    const imported = await b.cli(['import', exported, '--json']);
    expect(imported.json().counts).toEqual({ new: 6, present: 0, conflicting: 0, invalid: 0, skipped: 0 });
    expect(imported.json().files[0].format).toBe(fmt);
    const original = (await a.cli(['export', '--format', 'jsonl'])).stdout;
    const restored = (await b.cli(['export', '--format', 'jsonl'])).stdout;
    expect(restored.split('\n').length).toBe(7);
    expect(restored).toBe(original);
    expect((await b.cli(['import', exported, '--json'])).json().counts.present).toBe(6);
  });
});
