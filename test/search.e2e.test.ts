// `search` through the built binary: accents folded both ways, Gumroad's Order Number and order refs found, and
// a ledger written before that (schema 5) migrated on open with its search index rebuilt.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LedgerEvent } from '../src/ledger/events.js';
import { Ledger } from '../src/ledger/ledger.js';
import { migrate, MIGRATIONS } from '../src/ledger/migrations.js';
import { FIXTURES, initHome, PRODUCT_MAP } from './import-fixture-setup.js';

const SALES = join(FIXTURES, 'gumroad-sales.csv');
const LEGACY = join(FIXTURES, 'legacy-quirks.jsonl');
type Row = Record<string, unknown>;
const emails = (rows: Row[]) => rows.map((r) => r.email).sort();

describe('search', () => {
  test('folds accents both ways and finds imported sales by Gumroad Order Number and by order ref', async () => {
    const h = await initHome();
    h.setProductMap(PRODUCT_MAP);
    expect((await h.cli(['import', LEGACY])).exitCode).toBe(0);
    expect((await h.cli(['import', SALES, '--mint-missing'])).exitCode).toBe(0);
    expect((await h.cli(['mint', '--tier', 'pro', '--email', 'hans@example.com', '--name', 'hans müller'])).exitCode).toBe(0);
    const search = async (text: string) => {
      const r = await h.cli(['search', text, '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      return emails(r.json());
    };
    expect(await search('muller')).toEqual(['hans@example.com', 'olga@example.com']);
    expect(await search('Muller')).toEqual(['hans@example.com', 'olga@example.com']);
    expect(await search('MÜLLER')).toEqual(['hans@example.com', 'olga@example.com']);
    expect(await search('angstrom')).toEqual(['carol@example.com']);
    expect(await search('zoe')).toEqual(['carol@example.com']);
    expect(await search('482910002')).toEqual(['frank@example.com']);
    expect(await search('4829100')).toEqual(['frank@example.com', 'hank@example.com', 'olga@example.com', 'quinn@example.com', 'sam@example.com']);
    expect(await search('gumroad:p3XqL0')).toEqual(['frank@example.com']);
    expect(await search('PO-77')).toEqual([]); // a custom field named "Order Number" is not Gumroad's order number
  });

  test('a ledger from before (schema 5) is migrated on open: its index folds accents and finds order numbers', async () => {
    const h = await initHome();
    const file = join(h.home, 'old-ledger.sqlite');
    const db = new Database(file);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 5));
    const at = '2024-05-01T00:00:00.000Z';
    const data = { product: 'datatools', name: 'Jürgen Weiß', email: 'jurgen@example.com', tier: 'pro', issuedAt: at, expiresAt: null, blob: 'b', kid: null, format: 'jws',
      gumroadOrderId: 'SALE-J', orderRef: 'gumroad:SALE-J', orderNumber: '777001' };
    db.prepare("INSERT INTO events (id, license_key, type, at, actor, source, data) VALUES ('e1', 'DT1-PRO-OLD1', 'minted', ?, 'cli:x', 'cli', ?)").run(at, JSON.stringify(data));
    db.prepare(`INSERT INTO licenses (license_key, product, name, email, tier, issued_at, blob, format, gumroad_order_id, order_ref, source, created_at, updated_at)
      VALUES ('DT1-PRO-OLD1', 'datatools', 'Jürgen Weiß', 'jurgen@example.com', 'pro', ?, 'b', 'jws', 'SALE-J', 'gumroad:SALE-J', 'cli', ?, ?)`).run(at, at, at);
    expect(db.prepare("SELECT count(*) AS n FROM licenses_search WHERE licenses_search MATCH '\"jurgen weiß\"'").get()).toEqual({ n: 0 });
    db.close();

    const search = async (text: string) => emails((await h.cli(['--ledger', file, 'search', text, '--json'])).json());
    expect(await search('jurgen weiß')).toEqual(['jurgen@example.com']);
    expect(await search('JÜRGEN')).toEqual(['jurgen@example.com']);
    expect(await search('777001')).toEqual(['jurgen@example.com']);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    after.close();
  });

  test('a term in more rows than a page: people see the newest 200 and "200+", scripts get every match streamed', async () => {
    const h = await initHome();
    const ledger = new Ledger(h.ledgerFile);
    const events = Array.from({ length: 260 }, (_, i) => {
      const at = new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString();
      const name = i % 10 === 9 ? `Omar Zed ${i}` : `Jane Doe ${i}`;
      return { id: `many-${i}`, licenseKey: `DT1-PRO-MANY-${String(i).padStart(4, '0')}-AAAA-BBBB`, type: 'imported', at, actor: 'test', source: 'import',
        data: { product: 'datatools', name, email: `buyer${i}@example.com`, tier: 'pro', issuedAt: at, expiresAt: null, blob: `b.${i}.c`, kid: null, format: 'jws' } } as LedgerEvent;
    });
    ledger.applyEvents(events);
    ledger.close();
    const janes = events.filter((e) => (e.data as { name: string }).name.startsWith('Jane')).map((e) => e.licenseKey).reverse();

    const people = await h.cli(['search', 'jane doe']);
    expect(people.exitCode, people.stderr).toBe(0);
    expect(people.stderr).toContain('200+ found; showing the 200 most recently recorded');
    const shown = janes.filter((k) => people.stdout.includes(k));
    expect(shown).toEqual(janes.slice(0, 200));

    const scripts = await h.cli(['search', 'jane doe', '--json']);
    expect(scripts.exitCode, scripts.stderr).toBe(0);
    const all = scripts.json() as { licenseKey: string }[];
    expect(all.map((v) => v.licenseKey)).toEqual(janes);
    // Streamed, yet the very document JSON.stringify writes.
    expect(scripts.stdout).toBe(`${JSON.stringify(all, null, 2)}\n`);
    const csv = await h.cli(['search', 'jane doe', '--csv']);
    expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(janes.length + 1);

    const few = await h.cli(['search', 'omar zed']);
    expect(few.stderr).toContain('26 found.');
    expect((await h.cli(['search', 'nobody-like-this', '--json'])).stdout).toBe('[]\n');
  });
});
