// Convergence: a CLI ledger and a server store receive random interleavings of every kind of event on
// both sides, with pushes and pulls at random points, lost answers (so batches are resent), and
// duplicated, reordered deliveries. After a final sync both hold the same event set and the same
// licenses, and every license row is the pure projection of its events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Ledger } from '../src/ledger/ledger.js';
import type { LedgerEvent } from '../src/ledger/events.js';
import { projectLicense } from '../src/ledger/project.js';
import { rowToEvent, type SqlRow } from '../src/ledger/row-mapping.js';
import { SqliteStore } from '../src/server/stores/sqlite-store.js';
import { pullEvents } from '../src/sync/pull.js';
import { pushEvents } from '../src/sync/push.js';
import { RemoteUnavailableError } from '../src/sync/remote-client.js';
import { upsertRemote } from '../src/sync/sync-state.js';
import { syncHarness } from './helpers/sync-harness.js';

type Side = 'cli' | 'server';
type Op =
  | { kind: 'mint'; side: Side; email: number; minute: number; note: boolean }
  | { kind: 'revoked' | 'reinstated' | 'renewed' | 'reissued' | 'note_added' | 'mail_queued' | 'forget'; side: Side; pick: number; minute: number }
  | { kind: 'push'; maxEvents: number; loseAnswer: boolean }
  | { kind: 'pull'; pageSize: number; loseAnswer: boolean }
  | { kind: 'replay'; from: Side; picks: number[] };

const side = fc.constantFrom<Side>('cli', 'server');
const minute = fc.integer({ min: 0, max: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('mint' as const), side, email: fc.integer({ min: 0, max: 3 }), minute, note: fc.boolean() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('revoked' as const, 'reinstated' as const, 'renewed' as const, 'reissued' as const, 'note_added' as const, 'mail_queued' as const, 'forget' as const),
      side, pick: fc.nat(), minute,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('push' as const), maxEvents: fc.integer({ min: 1, max: 6 }), loseAnswer: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pull' as const), pageSize: fc.integer({ min: 1, max: 6 }), loseAnswer: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), from: side, picks: fc.array(fc.nat(), { maxLength: 8 }) }) },
);

const BASE = Date.parse('2025-03-01T10:00:00Z');
const EMAILS = ['ann@example.com', 'bob@example.com', 'cy@example.com', 'dee@example.com'];

function allEvents(ledger: Ledger): (LedgerEvent & { seq: number })[] {
  return (ledger.db.prepare('SELECT * FROM events ORDER BY seq').all() as SqlRow[]).map(rowToEvent);
}

function eventSet(ledger: Ledger) {
  return allEvents(ledger).map(({ seq: _seq, ...e }) => e).sort((a, b) => (a.id < b.id ? -1 : 1));
}

function licenses(ledger: Ledger) {
  return ledger.db.prepare('SELECT * FROM licenses ORDER BY license_key').all();
}

async function runCase(ops: Op[]): Promise<void> {
  const cli = new Ledger(':memory:');
  const store = new SqliteStore(new Ledger(':memory:'), { random: (n) => randomBytes(n) });
  const server = store.ledger;
  const harness = syncHarness(store);
  const clock = () => new Date();
  upsertRemote(cli, harness.client.url, harness.adminKey.kid, clock());
  const ledgerOf = (s: Side) => (s === 'cli' ? cli : server);
  const apply = async (s: Side, events: LedgerEvent[]) => (s === 'cli' ? cli.applyEvents(events) : await store.applyEvents(events));
  let n = 0;
  const event = (s: Side, type: LedgerEvent['type'], licenseKey: string, m: number, data: Record<string, unknown>): LedgerEvent => ({
    id: `${randomBytes(6).toString('hex')}-${n++}`, licenseKey, type, at: new Date(BASE + m * 60_000).toISOString(), actor: `${s}:t`, source: s, data,
  });
  const keysOn = (s: Side) => (ledgerOf(s).db.prepare('SELECT license_key FROM licenses ORDER BY license_key').all() as { license_key: string }[]).map((r) => r.license_key);
  try {
    for (const op of ops) {
      if (op.kind === 'mint') {
        const key = `DT1-PRO-${op.side === 'cli' ? 'C' : 'S'}${n}`;
        const email = EMAILS[op.email]!;
        await apply(op.side, [event(op.side, 'minted', key, op.minute, {
          product: 'p', name: `N${op.email}`, email, tier: 'pro', issuedAt: new Date(BASE).toISOString(), expiresAt: '2026-03-01T10:00:00.000Z',
          updatesUntil: null, blob: `blob-${key}`, kid: 'k1', format: 'jws', gumroadOrderId: null, orderRef: null, ...(op.note ? { note: 'first' } : {}),
        })]);
      } else if (op.kind === 'push' || op.kind === 'pull') {
        harness.loseAnswers(op.loseAnswer ? 1 : 0);
        try {
          if (op.kind === 'push') await pushEvents(cli, harness.client, { clock, maxEvents: op.maxEvents });
          else await pullEvents(cli, harness.client, { clock, pageSize: op.pageSize });
        } catch (error) {
          if (!(error instanceof RemoteUnavailableError)) throw error;
        }
        harness.loseAnswers(0);
      } else if (op.kind === 'replay') {
        const source = allEvents(ledgerOf(op.from));
        if (source.length === 0) continue;
        const batch = op.picks.map((p) => source[p % source.length]!).map(({ seq: _s, ...e }) => e);
        await apply(op.from === 'cli' ? 'server' : 'cli', batch);
      } else {
        const keys = keysOn(op.side);
        if (keys.length === 0) continue;
        const key = keys[op.pick % keys.length]!;
        const m = op.minute;
        if (op.kind === 'forget') {
          const email = ledgerOf(op.side).getLicense(key)!.email;
          const rows = email ? ledgerOf(op.side).findByEmail(email) : [ledgerOf(op.side).getLicense(key)!];
          await apply(op.side, rows.map((r) => event(op.side, 'forgotten', r.licenseKey, m, {})));
        } else if (op.kind === 'revoked') await apply(op.side, [event(op.side, 'revoked', key, m, { reason: `r${n}` })]);
        else if (op.kind === 'reinstated') await apply(op.side, [event(op.side, 'reinstated', key, m, {})]);
        else if (op.kind === 'renewed') await apply(op.side, [event(op.side, 'renewed', key, m, { expiresAt: new Date(BASE + (m + 1) * 86_400_000).toISOString(), blob: `renewed-${n}`, kid: 'k2', format: 'jws' })]);
        else if (op.kind === 'reissued') await apply(op.side, [event(op.side, 'reissued', key, m, { blob: `reissued-${n}`, kid: 'k2', format: 'jws' })]);
        else if (op.kind === 'note_added') await apply(op.side, [event(op.side, 'note_added', key, m, { text: `note ${n}` })]);
        else await apply(op.side, [event(op.side, 'mail_queued', key, m, { to: ledgerOf(op.side).getLicense(key)!.email, kind: 'license' })]);
      }
    }
    // The final sync: pull then push, then a second round moves nothing.
    await pullEvents(cli, harness.client, { clock, pageSize: 7 });
    await pushEvents(cli, harness.client, { clock, maxEvents: 5 });
    expect(eventSet(cli)).toEqual(eventSet(server));
    expect(licenses(cli)).toEqual(licenses(server));
    for (const row of licenses(cli) as SqlRow[]) {
      const key = row.license_key as string;
      expect(cli.getLicense(key)).toEqual(projectLicense(cli.eventsFor(key)));
    }
    const again = await pullEvents(cli, harness.client, { clock });
    expect(again.inserted).toBe(0);
    expect((await pushEvents(cli, harness.client, { clock })).sent).toBe(0);
  } finally {
    cli.close();
    await store.close();
  }
}

describe('sync convergence (property)', () => {
  it('a CLI ledger and a SQLite server store end identical after a final sync, whatever happened before', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), runCase), { numRuns: 2_000 });
  });

  it('a forget on one side erases the person on both, and events arriving later stay scrubbed', async () => {
    await runCase([
      { kind: 'mint', side: 'cli', email: 0, minute: 1, note: true },
      { kind: 'push', maxEvents: 5, loseAnswer: false },
      { kind: 'note_added', side: 'server', pick: 0, minute: 5 },
      { kind: 'forget', side: 'cli', pick: 0, minute: 3 },
      { kind: 'mail_queued', side: 'server', pick: 0, minute: 9 },
    ]);
  });
});
