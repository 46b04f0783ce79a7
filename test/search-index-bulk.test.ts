// A bulk write (32+ new licenses in one applyEvents: imports, pulls) fills the search index once at its end
// instead of row by row (migration 12). The index must come out the same as row by row, whatever the batch
// mixes (new keys, updates of older ones, order numbers, a forget), and an error half-way must leave no row
// unindexed and no deferral behind, even when the caller goes on to commit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from '../src/ledger/ledger.js';
import type { LedgerEvent } from '../src/ledger/events.js';
import { searchLicenses } from '../src/ledger/queries.js';
import { OrderTakenError } from '../src/ledger/order-identity.js';

const open: Ledger[] = [];
afterEach(() => open.splice(0).forEach((l) => l.close()));
const newLedger = () => {
  const ledger = new Ledger(join(mkdtempSync(join(tmpdir(), 'la-bulk-index-')), 'ledger.sqlite'));
  open.push(ledger);
  return ledger;
};

const key = (i: number) => `DT1-PRO-BULK-${String(i).padStart(4, '0')}-AAAA-BBBBC`;
const imported = (i: number, extra: Record<string, unknown> = {}): LedgerEvent => ({
  id: `imp-${i}`, licenseKey: key(i), type: 'imported', at: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(), actor: 'test', source: 'import',
  data: { product: 'app', name: `Buyer Nummer${i} Müller`, email: `buyer${i}@exämple.org`, tier: 'pro', issuedAt: '2025-01-01T00:00:00.000Z', expiresAt: null, blob: `x.${i}.y`, kid: 'k', format: 'jws', gumroadOrderId: `G${i}`, orderNumber: `ON${i}`, ...extra },
} as LedgerEvent);
const edited = (i: number, email: string): LedgerEvent => ({
  id: `edit-${i}`, licenseKey: key(i), type: 'changed', at: '2025-06-01T00:00:00.000Z', actor: 'test', source: 'cli', data: { email, blob: `x.${i}.z`, kid: 'k', format: 'jws' },
} as LedgerEvent);
const forgotten = (i: number): LedgerEvent => ({
  id: `forget-${i}`, licenseKey: key(i), type: 'forgotten', at: '2025-06-02T00:00:00.000Z', actor: 'test', source: 'cli', data: {},
} as LedgerEvent);

const needlesOf = (n: number) => Array.from({ length: n }, (_, i) => [`buyer${i}@`, `Nummer${i} `, key(i), `G${i}`, `ON${i}`, `muller`, `example`, `changed${i}@`]).flat();
const found = (ledger: Ledger, needles: string[]) => needles.map((n) => [n, searchLicenses(ledger, n, 1_000_000, null).map((r) => r.licenseKey).sort()]);
const deferrals = (ledger: Ledger) => Number(ledger.db.prepare('SELECT count(*) FROM search_index_deferred').pluck().get());

describe('the search index after a bulk write', () => {
  it('is the same as indexing row by row: new keys, updates of older ones, order numbers, a forget', () => {
    const before = Array.from({ length: 10 }, (_, i) => imported(i));
    const batch = [...Array.from({ length: 50 }, (_, i) => imported(10 + i)), edited(3, 'changed3@example.com'), edited(20, 'changed20@example.com'), forgotten(5), forgotten(30)];
    const bulk = newLedger();
    bulk.applyEvents(before);
    bulk.applyEvents(batch);
    const oneByOne = newLedger();
    for (const e of [...before, ...batch]) oneByOne.applyEvents([e]);

    const needles = needlesOf(60);
    expect(found(bulk, needles)).toEqual(found(oneByOne, needles));
    // Not trivially equal: the batch's rows are there, the edits moved, the forgotten are gone.
    expect(searchLicenses(bulk, 'buyer42@', 10, null).map((r) => r.licenseKey)).toEqual([key(42)]);
    expect(searchLicenses(bulk, 'changed20@', 10, null).map((r) => r.licenseKey)).toEqual([key(20)]);
    expect(searchLicenses(bulk, 'buyer20@', 10, null)).toEqual([]);
    expect(searchLicenses(bulk, 'buyer30@', 10, null)).toEqual([]);
    expect(searchLicenses(bulk, 'ON44', 10, null).map((r) => r.licenseKey)).toEqual([key(44)]);
    expect(deferrals(bulk)).toBe(0);
  });

  it('leaves nothing unindexed and no deferral behind when the batch fails half-way, even if the caller commits anyway', () => {
    const ledger = newLedger();
    ledger.applyEvents([imported(0)]);
    // The 41st license claims an order the first one holds: refused, after 40 rows were written.
    const batch = [...Array.from({ length: 40 }, (_, i) => imported(1 + i)), imported(41, { gumroadOrderId: 'G0' })];
    ledger.db.exec('BEGIN');
    expect(() => ledger.applyEventsInTransaction(batch, { refuseOrderConflicts: true })).toThrow(OrderTakenError);
    expect(deferrals(ledger)).toBe(0);
    ledger.db.exec('COMMIT');
    const written = Number(ledger.db.prepare('SELECT count(*) FROM licenses').pluck().get());
    expect(written).toBeGreaterThan(1);
    for (let i = 0; i < written; i++) expect(searchLicenses(ledger, `buyer${i}@`, 10, null).map((r) => r.licenseKey), `buyer${i}`).toEqual([key(i)]);

    // And rolled back, as every caller does: nothing of it in the index.
    const again = newLedger();
    again.applyEvents([imported(0)]);
    expect(() => again.db.transaction(() => again.applyEventsInTransaction(batch, { refuseOrderConflicts: true })).immediate()).toThrow(OrderTakenError);
    expect(deferrals(again)).toBe(0);
    expect(searchLicenses(again, 'buyer7@', 10, null)).toEqual([]);
    expect(searchLicenses(again, 'buyer0@', 10, null).map((r) => r.licenseKey)).toEqual([key(0)]);
  });
});
