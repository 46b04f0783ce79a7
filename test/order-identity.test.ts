// One order, one identity, one license: a bare order id is the Gumroad order gumroad:X, every license row
// carries the canonical order_ref, and a mint for an order that already has its license is refused by the
// database (SQLite ledger and PostgreSQL) — while two licenses minted apart that meet at sync still settle.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/config.js';
import type { LedgerEvent } from '../src/ledger/events.js';
import { Ledger } from '../src/ledger/ledger.js';
import { migrate, MIGRATIONS } from '../src/ledger/migrations.js';
import { canonicalOrderRef, OrderTakenError, parseOrderId } from '../src/ledger/order-identity.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { localSigner } from '../src/license/signer.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { SqliteLedgerStore } from '../src/stores/sqlite-ledger-store.js';
import { mintInTransaction, mintLicense, type MintRequest } from '../src/usecases/mint.js';
import { PostgresStore } from '../src/stores/postgres-store.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import type { ServerStore } from '../src/stores/store.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase } from './helpers/server-harness.js';

test.each([
  ['X-123', { orderRef: 'gumroad:X-123', gumroadOrderId: 'X-123' }],
  [' X-123 ', { orderRef: 'gumroad:X-123', gumroadOrderId: 'X-123' }],
  ['gumroad:X-123', { orderRef: 'gumroad:X-123', gumroadOrderId: 'X-123' }],
  ['stripe:pi_1', { orderRef: 'stripe:pi_1', gumroadOrderId: null }],
  ['lemonsqueezy:77', { orderRef: 'lemonsqueezy:77', gumroadOrderId: null }],
  ['FO8TXN-dbxYaBdahG97Y-Q==', { orderRef: 'gumroad:FO8TXN-dbxYaBdahG97Y-Q==', gumroadOrderId: 'FO8TXN-dbxYaBdahG97Y-Q==' }],
  ['paddle:1', { orderRef: 'gumroad:paddle:1', gumroadOrderId: 'paddle:1' }], // no Paddle support: a Gumroad id
])('parseOrderId(%j)', (id, identity) => {
  expect(parseOrderId(id)).toEqual(identity);
});

test.each([
  [null, null, null],
  ['X', null, 'gumroad:X'],
  ['X', 'gumroad:X', 'gumroad:X'],
  [null, 'stripe:pi_1', 'stripe:pi_1'],
  ['stripe:pi_1', null, 'stripe:pi_1'],
])('canonicalOrderRef(%j, %j) = %j', (gumroadOrderId, orderRef, canonical) => {
  expect(canonicalOrderRef(gumroadOrderId, orderRef)).toBe(canonical);
});

const signer = signingKeyFromSeed(randomBytes(32));
const config = { ...DEFAULT_CONFIG, product: 'dashtool', prefix: 'DT1' };
const signing = { config, format: createJwsFormat(undefined), clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server', signer: localSigner(signer) };
const mintEvent = (key: string, at: string, order: { gumroadOrderId?: string; orderRef?: string }): LedgerEvent => ({
  id: `mint-${key}`, licenseKey: key, type: 'minted', at, actor: 't', source: 'server',
  data: { product: 'dashtool', name: 'Ada', email: 'ada@example.com', tier: 'pro', issuedAt: at, expiresAt: null, blob: `blob-${key}`, kid: 'k', format: 'jws',
    gumroadOrderId: order.gumroadOrderId ?? null, orderRef: order.orderRef ?? null },
});
const WEBHOOK = 'DT1-PRO-WEBH-WEBH-WEBH-WEBHA';
const SECOND = 'DT1-PRO-SECO-SECO-SECO-SECOA';
const request = (orderId: string): MintRequest => ({ tier: 'pro', email: 'ada@example.com', gumroadOrderId: orderId });

describe('SQLite ledger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'la-order-id-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const fresh = () => new Ledger(join(dir, `l${++n}.sqlite`));

  const storeOf = (ledger: Ledger) => new SqliteLedgerStore(ledger, { random: (n) => randomBytes(n), actor: 'cli:test', source: 'cli', missingLicense: (k) => `no license ${k}` });

  test('a CLI mint of a bare order id finds the webhook license of gumroad:X, whichever order column it holds', async () => {
    const ledger = fresh();
    ledger.applyEvents([mintEvent(WEBHOOK, '2026-03-01T10:00:00.000Z', { orderRef: 'gumroad:ORDER-1' })]);
    const ctx = { ...signing, source: 'cli' };
    const store = storeOf(ledger);
    await expect(store.transaction((tx) => mintLicense(tx, request('ORDER-1'), ctx, { existing: 'error' }))).rejects.toThrow(/ORDER-1 already has license/);
    expect(await store.transaction((tx) => mintLicense(tx, request('gumroad:ORDER-1'), ctx, { existing: 'return' }))).toMatchObject({ created: false, license: { licenseKey: WEBHOOK } });
    expect(ledger.db.prepare('SELECT count(*) AS n FROM licenses').get()).toEqual({ n: 1 });
    ledger.close();
  });

  test('a bare --order-id is stored as the order gumroad:X; a qualified one as itself', async () => {
    const ledger = fresh();
    const ctx = { ...signing, source: 'cli' };
    const store = storeOf(ledger);
    expect((await store.transaction((tx) => mintLicense(tx, request('ORDER-2'), ctx, { existing: 'error' }))).license).toMatchObject({ gumroadOrderId: 'ORDER-2', orderRef: 'gumroad:ORDER-2' });
    expect((await store.transaction((tx) => mintLicense(tx, request('stripe:pi_9'), ctx, { existing: 'error' }))).license).toMatchObject({ gumroadOrderId: null, orderRef: 'stripe:pi_9' });
    ledger.close();
  });

  test('a mint for a held order is refused by the unique column and writes nothing; sync still settles', () => {
    const ledger = fresh();
    ledger.applyEvents([mintEvent(WEBHOOK, '2026-03-01T10:00:00.000Z', { gumroadOrderId: 'ORDER-3', orderRef: 'gumroad:ORDER-3' })]);
    const second = mintEvent(SECOND, '2026-03-01T10:05:00.000Z', { gumroadOrderId: 'ORDER-3' });
    expect(() => ledger.transaction(() => ledger.applyEventsInTransaction([second], { refuseOrderConflicts: true }))).toThrow(OrderTakenError);
    expect(ledger.getLicense(SECOND)).toBeNull();
    expect(ledger.eventsFor(SECOND)).toEqual([]);
    // The same event arriving by sync (minted apart, offline): both kept, the earliest keeps the order.
    ledger.applyEvents([second]);
    expect(ledger.getLicense(SECOND)).toMatchObject({ gumroadOrderId: null, orderRef: null });
    expect(ledger.getByOrderId('ORDER-3')?.licenseKey).toBe(WEBHOOK);
    ledger.close();
  });

  test('migration 5 gives licenses minted with a bare order id their canonical order_ref', () => {
    // A real schema-4 ledger (migrations 1-4 only) holding a license minted with a bare order id.
    const file = join(dir, 'legacy.sqlite');
    const raw = new Database(file);
    migrate(raw, MIGRATIONS.filter((m) => m.version <= 4));
    const event = mintEvent(WEBHOOK, '2026-03-01T10:00:00.000Z', { gumroadOrderId: 'OLD-1' });
    raw.prepare('INSERT INTO events (id, license_key, type, at, actor, source, data) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(event.id, event.licenseKey, event.type, event.at, event.actor, event.source, JSON.stringify(event.data));
    const d = event.data as Record<string, string>;
    raw.prepare(`INSERT INTO licenses (license_key, product, name, email, tier, issued_at, expires_at, blob, kid, format, gumroad_order_id, source, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(WEBHOOK, d.product, d.name, d.email, d.tier, d.issuedAt, d.expiresAt ?? null, d.blob, d.kid ?? null, d.format ?? 'jws', 'OLD-1', event.source, event.at, event.at);
    expect(raw.pragma('user_version', { simple: true })).toBe(4);
    raw.close();
    const reopened = new Ledger(file);
    expect(reopened.getLicense(WEBHOOK)).toMatchObject({ gumroadOrderId: 'OLD-1', orderRef: 'gumroad:OLD-1' });
    reopened.close();
  });
});

describe('server stores', () => {
  let postgres: PostgresInstance;
  const dir = mkdtempSync(join(tmpdir(), 'la-order-id-store-'));
  beforeAll(async () => {
    postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (kind: 'sqlite' | 'postgres'): Promise<ServerStore> => {
    if (kind === 'sqlite') return SqliteStore.open(join(dir, `${randomBytes(4).toString('hex')}.sqlite`), { random: (n) => randomBytes(n) });
    const store = PostgresStore.connect(await freshDatabase(postgres.url), { random: (n) => randomBytes(n) });
    await store.migrate();
    return store;
  };

  test.each(['sqlite', 'postgres'] as const)('%s: a mint whose check ran before another path committed the order is refused, then returns the winner', async (kind) => {
    const store = await open(kind);
    try {
      const webhook = await store.transaction((tx) => mintLicense(tx, { ...request('ORDER-4'), orderRef: 'gumroad:ORDER-4' }, signing, { existing: 'return' }), { lockKey: 'gumroad:ORDER-4' });
      expect(webhook.created).toBe(true);
      // An admin mint (bare id) under another lock whose check ran before that commit, so it saw no license.
      const blind = store.transaction((tx) => mintLicense({ ...tx, getByOrderRef: async () => null }, request('ORDER-4'), signing, { existing: 'return' }), { lockKey: 'ORDER-4' });
      await expect(blind).rejects.toBeInstanceOf(OrderTakenError);
      expect((await store.counts()).licenses).toBe(1);
      expect((await store.eventsSince(0, 100)).filter((e) => e.type === 'minted')).toHaveLength(1);
      const again = await mintInTransaction(store, request('ORDER-4'), signing, { existing: 'return' });
      expect(again).toMatchObject({ created: false, license: { licenseKey: webhook.license.licenseKey, orderRef: 'gumroad:ORDER-4' } });
    } finally {
      await store.close();
    }
  });
});
