// The convergence scenario shared by the property tests (SQLite and PostgreSQL server stores): random
// interleavings of every event type on both sides, syncs at random points, lost answers, duplicated and
// reordered deliveries; then a final sync must leave both sides identical.
import fc from 'fast-check';
import { expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Ledger } from '../../src/ledger/ledger.js';
import type { LedgerEvent } from '../../src/ledger/events.js';
import { projectLicense } from '../../src/ledger/project.js';
import { rowToEvent, rowToLicense, type SqlRow } from '../../src/ledger/row-mapping.js';
import type { LicenseRow } from '../../src/ledger/project.js';
import type { ServerStore } from '../../src/stores/store.js';
import { SqliteStore } from '../../src/stores/sqlite-store.js';
import { pullEvents } from '../../src/sync/pull.js';
import { pushEvents } from '../../src/sync/push.js';
import { RemoteUnavailableError } from '../../src/sync/remote-client.js';
import { upsertRemote } from '../../src/sync/sync-state.js';
import { syncHarness } from './sync-harness.js';

type Side = 'cli' | 'server';
export type Op =
  | { kind: 'mint'; side: Side; email: number; minute: number; note: boolean }
  | { kind: 'revoked' | 'reinstated' | 'renewed' | 'reissued' | 'note_added' | 'mail_queued' | 'forget'; side: Side; pick: number; minute: number }
  | { kind: 'push'; maxEvents: number; loseAnswer: boolean }
  | { kind: 'pull'; pageSize: number; loseAnswer: boolean }
  | { kind: 'replay'; from: Side; picks: number[] };

const side = fc.constantFrom<Side>('cli', 'server');
const minute = fc.integer({ min: 0, max: 40 });
export const opArb: fc.Arbitrary<Op> = fc.oneof(
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

export function eventSet(ledger: Ledger): LedgerEvent[] {
  return allEvents(ledger).map(({ seq: _seq, ...e }) => e).sort((a, b) => (a.id < b.id ? -1 : 1));
}


/** What the test reads of the server side, for SQLite and PostgreSQL alike. */
export interface ServerSide {
  store: ServerStore;
  events(): Promise<LedgerEvent[]>;
  licenses(): Promise<LicenseRow[]>;
  close(): Promise<void>;
}

export function sqliteSide(): ServerSide {
  const store = new SqliteStore(new Ledger(':memory:'), { random: (n) => randomBytes(n) });
  return {
    store,
    events: async () => eventSet(store.ledger),
    licenses: async () => licenseRows(store.ledger),
    close: () => store.close(),
  };
}

function licenseRows(ledger: Ledger): LicenseRow[] {
  return (ledger.db.prepare('SELECT * FROM licenses ORDER BY license_key').all() as SqlRow[]).map(rowToLicense);
}

export async function runCase(ops: Op[], serverSide: ServerSide = sqliteSide()): Promise<void> {
  const cli = new Ledger(':memory:');
  const store = serverSide.store;
  const harness = syncHarness(store);
  const clock = () => new Date();
  upsertRemote(cli, harness.client.url, harness.adminKey.kid, clock());
  const apply = async (s: Side, events: LedgerEvent[]) => (s === 'cli' ? cli.applyEvents(events) : await store.applyEvents(events));
  let n = 0;
  const event = (s: Side, type: LedgerEvent['type'], licenseKey: string, m: number, data: Record<string, unknown>): LedgerEvent => ({
    id: `${randomBytes(6).toString('hex')}-${n++}`, licenseKey, type, at: new Date(BASE + m * 60_000).toISOString(), actor: `${s}:t`, source: s, data,
  });
  const licensesOn = async (s: Side) => (s === 'cli' ? licenseRows(cli) : await serverSide.licenses());
  const eventsOn = async (s: Side) => (s === 'cli' ? eventSet(cli) : await serverSide.events());
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
        const source = await eventsOn(op.from);
        if (source.length === 0) continue;
        const batch = op.picks.map((p) => source[p % source.length]!);
        await apply(op.from === 'cli' ? 'server' : 'cli', batch);
      } else {
        const rowsHere = await licensesOn(op.side);
        if (rowsHere.length === 0) continue;
        const license = rowsHere[op.pick % rowsHere.length]!;
        const key = license.licenseKey;
        const m = op.minute;
        if (op.kind === 'forget') {
          const rows = license.email ? rowsHere.filter((r) => r.email.toLowerCase() === license.email.toLowerCase()) : [license];
          await apply(op.side, rows.map((r) => event(op.side, 'forgotten', r.licenseKey, m, {})));
        } else if (op.kind === 'revoked') await apply(op.side, [event(op.side, 'revoked', key, m, { reason: `r${n}` })]);
        else if (op.kind === 'reinstated') await apply(op.side, [event(op.side, 'reinstated', key, m, {})]);
        else if (op.kind === 'renewed') await apply(op.side, [event(op.side, 'renewed', key, m, { expiresAt: new Date(BASE + (m + 1) * 86_400_000).toISOString(), blob: `renewed-${n}`, kid: 'k2', format: 'jws' })]);
        else if (op.kind === 'reissued') await apply(op.side, [event(op.side, 'reissued', key, m, { blob: `reissued-${n}`, kid: 'k2', format: 'jws' })]);
        else if (op.kind === 'note_added') await apply(op.side, [event(op.side, 'note_added', key, m, { text: `note ${n}` })]);
        else await apply(op.side, [event(op.side, 'mail_queued', key, m, { to: license.email, kind: 'license' })]);
      }
    }
    // The final sync: pull then push, then a second round moves nothing.
    await pullEvents(cli, harness.client, { clock, pageSize: 7 });
    await pushEvents(cli, harness.client, { clock, maxEvents: 5 });
    expect(eventSet(cli)).toEqual(await serverSide.events());
    expect(licenseRows(cli)).toEqual(await serverSide.licenses());
    for (const row of licenseRows(cli)) expect(row).toEqual(projectLicense(cli.eventsFor(row.licenseKey)));
    const again = await pullEvents(cli, harness.client, { clock });
    expect(again.inserted).toBe(0);
    expect((await pushEvents(cli, harness.client, { clock })).sent).toBe(0);
  } finally {
    cli.close();
    await serverSide.close();
  }
}

