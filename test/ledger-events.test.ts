// The ledger is a function of its event set: same events, any order, any number of times, same ledger.
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { Ledger } from '../src/ledger/ledger.js';
import type { LedgerEvent } from '../src/ledger/events.js';

const dir = mkdtempSync(join(tmpdir(), 'la-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshLedger = () => new Ledger(join(dir, `l${n++}.sqlite`));

const KEYS = ['DT1-PRO-AAAA-AAAA-AAAA-AAAAA', 'DT1-PRO-BBBB-BBBB-BBBB-BBBBB', 'DT1-LITE-CCCC-CCCC-CCCC-CCCCC'];
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();

const mintEvent = (key: string, i: number, minute: number): LedgerEvent => ({
  id: `e-mint-${key}-${i}`, licenseKey: key, type: 'minted', at: at(minute), actor: 'test', source: i % 2 ? 'cli' : 'server',
  data: { product: 'p', name: `Name ${key.slice(-1)}`, email: `${key.slice(-1).toLowerCase()}@example.com`, tier: 'pro', issuedAt: at(minute), expiresAt: at(minute + 1000), blob: `blob-${key}-${i}`, kid: 'k1', format: 'jws' },
});

const eventArb = (i: number) =>
  fc.record({
    key: fc.constantFrom(...KEYS),
    type: fc.constantFrom('renewed', 'revoked', 'reinstated', 'note_added', 'forgotten', 'mail_sent'),
    minute: fc.integer({ min: 0, max: 500 }),
  }).map(({ key, type, minute }): LedgerEvent => ({
    id: `e-${i}-${type}`, licenseKey: key, type: type as LedgerEvent['type'], at: at(minute), actor: 'test', source: 'cli',
    data: type === 'renewed' ? { expiresAt: at(minute + 2000), blob: `renewed-${i}`, kid: 'k2', format: 'jws' }
      : type === 'revoked' ? { reason: `reason ${i}` }
      : type === 'note_added' ? { text: `note ${i}` }
      : type === 'mail_sent' ? { to: 'someone@example.com', messageId: `m${i}` } : {},
  }));

const historyArb = fc
  .tuple(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 3, maxLength: 3 }), fc.integer({ min: 0, max: 25 }))
  .chain(([mintMinutes, count]) =>
    fc.tuple(...Array.from({ length: count }, (_, i) => eventArb(i))).map((rest) => [...KEYS.map((k, i) => mintEvent(k, i, mintMinutes[i]!)), ...rest]),
  );

function snapshot(ledger: Ledger) {
  return {
    licenses: ledger.db.prepare('SELECT * FROM licenses ORDER BY license_key').all(),
    events: ledger.db.prepare('SELECT id, license_key, type, at, actor, source, data FROM events ORDER BY id').all(),
  };
}

test('the same events in any order, applied twice, give the same ledger (property)', () => {
  const a = freshLedger();
  const b = freshLedger();
  fc.assert(
    fc.property(historyArb, fc.infiniteStream(fc.nat()), fc.integer({ min: 1, max: 7 }), (events, randoms, batchSize) => {
      for (const l of [a, b]) l.db.exec('DELETE FROM licenses; DELETE FROM events;');
      a.applyEvents(events);
      const shuffled = [...events, ...events.slice(0, Math.ceil(events.length / 2))]
        .map((e) => ({ e, r: randoms.next().value as number }))
        .sort((x, y) => x.r - y.r)
        .map(({ e }) => e);
      for (let i = 0; i < shuffled.length; i += batchSize) b.applyEvents(shuffled.slice(i, i + batchSize));
      b.applyEvents(events);
      expect(snapshot(b)).toEqual(snapshot(a));
    }),
    { numRuns: 300 },
  );
  a.close();
  b.close();
});

test("replaying one ledger's event log into an empty ledger reproduces it", () => {
  const source = freshLedger();
  fc.assert(
    fc.property(historyArb, (events) => {
      source.db.exec('DELETE FROM licenses; DELETE FROM events;');
      source.applyEvents(events);
      const replica = freshLedger();
      const log = source.db.prepare('SELECT * FROM events ORDER BY seq').all() as Record<string, unknown>[];
      replica.applyEvents(log.map((r) => ({ id: r.id, licenseKey: r.license_key, type: r.type, at: r.at, actor: r.actor, source: r.source, data: JSON.parse(r.data as string) }) as LedgerEvent));
      expect(snapshot(replica)).toEqual(snapshot(source));
      replica.close();
    }),
    { numRuns: 60 },
  );
  source.close();
});

test('a forget erases the person from the row and from every event, including ones that arrive later', () => {
  const ledger = freshLedger();
  const [key] = KEYS as [string];
  ledger.applyEvents([mintEvent(key, 0, 0), { id: 'f', licenseKey: key, type: 'forgotten', at: at(10), actor: 't', source: 'cli', data: {} }]);
  ledger.applyEvents([{ id: 'late-note', licenseKey: key, type: 'note_added', at: at(5), actor: 't', source: 'server', data: { text: 'call Jane on +1 555' } }]);
  const row = ledger.getLicense(key)!;
  expect(row).toMatchObject({ name: '', email: '', blob: '', notes: null });
  expect(row.forgottenAt).toBe(at(10));
  const dump = JSON.stringify(ledger.eventsFor(key));
  expect(dump).not.toMatch(/example\.com|Name A|555|blob-/);
  ledger.close();
});

test('revoke and reinstate: the latest by time wins, whatever the arrival order', () => {
  const ledger = freshLedger();
  const [key] = KEYS as [string];
  const revoke: LedgerEvent = { id: 'r', licenseKey: key, type: 'revoked', at: at(20), actor: 't', source: 'cli', data: { reason: 'refund' } };
  const reinstate: LedgerEvent = { id: 'u', licenseKey: key, type: 'reinstated', at: at(10), actor: 't', source: 'cli', data: {} };
  ledger.applyEvents([reinstate, mintEvent(key, 0, 0), revoke]);
  expect(ledger.getLicense(key)).toMatchObject({ revokedAt: at(20), revokeReason: 'refund' });
  ledger.close();
});
