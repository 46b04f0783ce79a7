// Search takes its page straight off the index (newest recorded first) instead of sorting every match by date.
// Over random ledgers, it must find exactly what the sorted query found before (same set, any needle kind:
// keys, emails, names, order ids, accents, 1-2 characters), in ledger order, a page being the start of the
// whole list, and the streamed form (`search --json`) the same rows.
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../src/ledger/ledger.js';
import type { LedgerEvent } from '../src/ledger/events.js';
import { searchLicenses, streamSearch } from '../src/ledger/queries.js';

/** The query search ran before this change: every match joined and sorted by date. */
function searchBefore(ledger: Ledger, text: string, product: string | null): string[] {
  const needle = text.trim();
  if (needle === '') return [];
  if ([...needle].length >= 3) {
    const phrase = `"${needle.replace(/"/g, '""')}"`;
    return (ledger.db.prepare(`SELECT l.license_key FROM licenses_search s JOIN licenses l ON l.rowid = s.rowid
      WHERE licenses_search MATCH @phrase AND (@product IS NULL OR l.product = @product) ORDER BY l.issued_at DESC`).all({ phrase, product }) as { license_key: string }[]).map((r) => r.license_key);
  }
  const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return (ledger.db.prepare(`SELECT license_key FROM licenses WHERE (license_key LIKE @like ESCAPE '\\' OR email LIKE @like ESCAPE '\\'
     OR name LIKE @like ESCAPE '\\' OR gumroad_order_id LIKE @like ESCAPE '\\' OR order_ref LIKE @like ESCAPE '\\')
     AND (@product IS NULL OR product = @product) ORDER BY issued_at DESC`).all({ like, product }) as { license_key: string }[]).map((r) => r.license_key);
}

const NAMES = ['Jane', 'Zoë', 'Chloé', 'Müller', 'Ångström', 'li', 'O\'Brien', 'jane-doe', '李雷'];
const license = fc.record({
  first: fc.constantFrom(...NAMES),
  last: fc.constantFrom(...NAMES),
  domain: fc.constantFrom('example.com', 'mail.example', 'exämple.org'),
  product: fc.constantFrom('app', 'studio'),
  day: fc.integer({ min: 0, max: 2000 }),
  order: fc.option(fc.integer({ min: 1, max: 99999 }), { nil: null }),
});

function keyOf(i: number): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
  let n = i * 7919 + 12345;
  let s = '';
  for (let c = 0; c < 16; c++) {
    s += alphabet[n % alphabet.length];
    n = Math.floor(n / alphabet.length) + c * 31;
  }
  return `DT1-PRO-${s.replace(/(.{4})(?=.)/g, '$1-')}`;
}

type Generated = typeof license extends fc.Arbitrary<infer T> ? T : never;

function ledgerOf(rows: Generated[]): { ledger: Ledger; values: string[] } {
  const ledger = new Ledger(join(mkdtempSync(join(tmpdir(), 'la-search-prop-')), 'ledger.sqlite'));
  const values: string[] = [];
  const events: LedgerEvent[] = rows.map((r, i) => {
    const email = `${r.first.toLowerCase()}.${i}@${r.domain}`;
    const name = `${r.first} ${r.last}`;
    const issuedAt = new Date(Date.UTC(2024, 0, 1) + r.day * 86_400_000).toISOString();
    values.push(email, name, keyOf(i));
    if (r.order !== null) values.push(`ORD${r.order}`);
    return {
      id: `prop-${i}`, licenseKey: keyOf(i), type: 'imported', at: issuedAt, actor: 'test', source: 'import',
      data: { product: r.product, name, email, tier: 'pro', issuedAt, expiresAt: null, blob: `x.${i}.y`, kid: 'k', format: 'jws', ...(r.order !== null ? { gumroadOrderId: `ORD${r.order}` } : {}) },
    } as LedgerEvent;
  });
  ledger.applyEvents(events);
  return { ledger, values };
}

describe('search over random ledgers', () => {
  it('finds what the sorted query found, newest recorded first, pages are prefixes, and the stream matches', () => {
    fc.assert(
      fc.property(
        fc.array(license, { minLength: 1, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.nat({ max: 6 }), fc.option(fc.constantFrom('app', 'studio'), { nil: null })), { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom('jane', 'JANE', 'zoe', 'muller', 'ANGSTROM', 'li', 'é', '@', '-', '.', 'ORD1', 'example', 'nobody', '李'), { maxLength: 4 }),
        (rows, cuts, fixed) => {
          const { ledger, values } = ledgerOf(rows);
          try {
            const rowids = new Map((ledger.db.prepare('SELECT license_key, rowid FROM licenses').all() as { license_key: string; rowid: number }[]).map((r) => [r.license_key, r.rowid]));
            // Needles cut out of stored values (every kind, any length), plus fixed ones.
            const needles = [...cuts.map(([v, start, len, product]) => {
              const value = [...values[v % values.length]!];
              return { text: value.slice(start % value.length, (start % value.length) + 1 + len).join(''), product };
            }), ...fixed.map((text) => ({ text, product: null }))];
            for (const { text, product } of needles) {
              const all = searchLicenses(ledger, text, 1_000_000, product).map((r) => r.licenseKey);
              expect(new Set(all), `"${text}" ${product}`).toEqual(new Set(searchBefore(ledger, text, product)));
              expect(all.length).toBe(new Set(all).size);
              const order = all.map((k) => rowids.get(k)!);
              expect(order).toEqual([...order].sort((a, b) => b - a));
              expect(searchLicenses(ledger, text, 3, product).map((r) => r.licenseKey)).toEqual(all.slice(0, 3));
              expect([...streamSearch(ledger, text, product)].map((r) => r.licenseKey)).toEqual(all);
            }
          } finally {
            ledger.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
