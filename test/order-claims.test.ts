// Two licenses for one order, minted apart (webhook on the server, break-glass on the laptop), meet at
// sync: every replica keeps the order on the earliest license and nothing gets stuck.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Ledger } from '../src/ledger/ledger.js';
import type { LedgerEvent } from '../src/ledger/events.js';
import { losingOrderClaims } from '../src/ledger/order-claims.js';
import { PostgresStore } from '../src/stores/postgres-store.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';

const claimant = (licenseKey: string, createdAt: string, gumroadOrderId: string | null, orderRef: string | null = null) => ({ licenseKey, createdAt, gumroadOrderId, orderRef });

test.each([
  [[claimant('A', '2026-01-01', 'O1'), claimant('B', '2026-01-02', 'O1')], [{ licenseKey: 'B', column: 'gumroadOrderId' }]],
  [[claimant('B', '2026-01-02', 'O1'), claimant('A', '2026-01-01', 'O1')], [{ licenseKey: 'B', column: 'gumroadOrderId' }]],
  [[claimant('B', '2026-01-01', 'O1'), claimant('A', '2026-01-01', 'O1')], [{ licenseKey: 'B', column: 'gumroadOrderId' }]],
  [[claimant('A', '2026-01-01', 'O1'), claimant('B', '2026-01-02', 'O2')], []],
  [[claimant('A', '2026-01-03', null, 'stripe:x'), claimant('B', '2026-01-02', null, 'stripe:x'), claimant('C', '2026-01-01', null, 'stripe:y')], [{ licenseKey: 'A', column: 'orderRef' }]],
  [[claimant('A', '2026-01-01', 'O1'), claimant('A', '2026-01-01', 'O1')], []],
])('losingOrderClaims %#', (claimants, losers) => {
  expect(losingOrderClaims(claimants)).toEqual(losers);
});

const mint = (key: string, at: string, orderId: string): LedgerEvent => ({
  id: `mint-${key}`, licenseKey: key, type: 'minted', at, actor: 't', source: key.includes('SRV') ? 'server' : 'cli',
  data: { product: 'p', name: 'Jane', email: 'jane@example.com', tier: 'pro', issuedAt: at, expiresAt: null, blob: `blob-${key}`, kid: 'k', format: 'jws', gumroadOrderId: orderId, orderRef: `gumroad:${orderId}` },
});
const serverMint = mint('DT1-PRO-SRV1-SRV1-SRV1-SRV1A', '2026-03-01T10:00:00.000Z', 'ORDER-9');
const laptopMint = mint('DT1-PRO-LAP1-LAP1-LAP1-LAP1A', '2026-03-01T10:05:00.000Z', 'ORDER-9');
const later: LedgerEvent = { id: 'note-lap', licenseKey: laptopMint.licenseKey, type: 'note_added', at: '2026-03-02T00:00:00.000Z', actor: 't', source: 'cli', data: { text: 'duplicate of the webhook license' } };

describe('SQLite ledger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'la-orders-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const snapshot = (l: Ledger) => l.db.prepare('SELECT license_key, gumroad_order_id, order_ref, notes FROM licenses ORDER BY license_key').all();

  test('both arrival orders converge: the earliest license keeps the order', () => {
    const a = new Ledger(join(dir, 'a.sqlite'));
    const b = new Ledger(join(dir, 'b.sqlite'));
    a.applyEvents([serverMint]);
    a.applyEvents([laptopMint]);
    a.applyEvents([later]);
    b.applyEvents([laptopMint, later]);
    b.applyEvents([serverMint]);
    expect(snapshot(a)).toEqual(snapshot(b));
    expect(a.getLicense(serverMint.licenseKey)).toMatchObject({ gumroadOrderId: 'ORDER-9', orderRef: 'gumroad:ORDER-9' });
    expect(a.getLicense(laptopMint.licenseKey)).toMatchObject({ gumroadOrderId: null, orderRef: null, notes: 'duplicate of the webhook license' });
    a.close();
    b.close();
  });
});

describe('PostgreSQL store', () => {
  let postgres: PostgresInstance;
  let store: PostgresStore;
  let db: pg.Client;
  beforeAll(async () => {
    postgres = await startPostgres();
    store = PostgresStore.connect(postgres.url, { random: (n) => randomBytes(n) });
    await store.migrate();
    db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await store?.close();
    await postgres?.stop();
  });

  test('the laptop license arriving after the webhook one does not get stuck, and the same winner is picked', async () => {
    await store.applyEvents([laptopMint]);
    await store.applyEvents([serverMint, later]);
    const { rows } = await db.query('SELECT license_key, gumroad_order_id, order_ref FROM licenses ORDER BY license_key');
    expect(rows).toEqual([
      { license_key: laptopMint.licenseKey, gumroad_order_id: null, order_ref: null },
      { license_key: serverMint.licenseKey, gumroad_order_id: 'ORDER-9', order_ref: 'gumroad:ORDER-9' },
    ]);
    const contests = await db.query("SELECT license_key, data::text AS data FROM events WHERE type = 'order_contested' ORDER BY license_key");
    expect(contests.rows.map((r) => [r.license_key, JSON.parse(r.data)])).toEqual([laptopMint, serverMint].map((m) => [m.licenseKey,
      { orderIds: ['gumroad:ORDER-9'], keptBy: serverMint.licenseKey, droppedBy: laptopMint.licenseKey }]));
  });
});
