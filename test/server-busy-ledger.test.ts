// The SQLite server while another connection holds the ledger's write lock (what a long CLI import does):
// webhooks are still stored (in the spool) and answered 200, /health answers, the event loop never stalls,
// admin writes get 503 + Retry-After, and everything spooled is moved into the ledger and fulfilled after.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { DeliverySpool } from '../src/stores/delivery-spool.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { gumroadPing, postGumroad, startTestServer, until, type TestServer } from './helpers/server-harness.js';

/** Largest gap between timer ticks while fn runs: how long the event loop was blocked. */
async function maxLoopStall<T>(fn: () => Promise<T>): Promise<{ result: T; stallMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 10);
  try {
    const result = await fn();
    return { result, stallMs: Math.max(worst, performance.now() - last) };
  } finally {
    clearInterval(timer);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function ledgerFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'la-busy-')), 'ledger.sqlite');
}

/** A second connection that takes the write lock the way `license-admin import` does, until released. */
function holdWriteLock(file: string): { release(): void } {
  const other = new Database(file);
  other.exec('BEGIN IMMEDIATE');
  other.prepare("INSERT INTO admin_nonces (nonce, expires_at) VALUES ('held-by-import', 0)").run();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    other.exec('COMMIT');
    other.close();
  };
  cleanups.push(release);
  return { release };
}

describe('SqliteStore with the ledger held by another writer', () => {
  it('records a delivery in the spool without blocking the event loop, and moves it into the ledger once free', async () => {
    const file = await ledgerFile();
    const store = SqliteStore.open(file, { random: randomBytes });
    cleanups.push(() => store.close());
    const lock = holdWriteLock(file);
    const event = { provider: 'gumroad', eventId: 'sale:SPOOLED-1', eventType: 'sale', orderRef: 'gumroad:SPOOLED-1', rawPayload: 'sale_id=SPOOLED-1', normalized: { kind: 'sale' }, receivedAt: new Date() };
    const { result, stallMs } = await maxLoopStall(() => store.recordPaymentEvent(event));
    expect(result).toEqual({ id: 0, created: true, spooled: true });
    expect(stallMs).toBeLessThan(1_000);
    expect(existsSync(DeliverySpool.pathFor(file))).toBe(true);
    // Reads go on (WAL): health, lookups.
    await store.health();
    // A write that must wait (an admin request) gives up with StoreBusyError; the loop stays free meanwhile.
    const busy = await maxLoopStall(() => store.transaction(async () => 'never', { busyWaitMs: 300 }).catch((e: Error) => e.name));
    expect(busy.result).toBe('StoreBusyError');
    expect(busy.stallMs).toBeLessThan(1_000);

    lock.release();
    const events = await until(async () => {
      const list = await store.listPaymentEvents();
      return list.some((e) => e.eventId === 'sale:SPOOLED-1') ? list : null;
    }, 10_000, 'the spooled delivery in payment_events');
    expect(events.filter((e) => e.eventId === 'sale:SPOOLED-1')).toHaveLength(1);
    expect(await store.pendingOrders(10, new Date())).toEqual(['gumroad:SPOOLED-1']);
    expect(DeliverySpool.open(file, false)!.count()).toBe(0);
  });

  it('a delivery spooled twice, or drained twice (a crash between the ledger commit and the spool delete), is stored once', async () => {
    const file = await ledgerFile();
    const store = SqliteStore.open(file, { random: randomBytes });
    cleanups.push(() => store.close());
    const lock = holdWriteLock(file);
    const event = { provider: 'stripe', eventId: 'evt_twice', eventType: 'sale', orderRef: 'stripe:pi_1', rawPayload: '{}', normalized: null, receivedAt: new Date() };
    await store.recordPaymentEvent(event);
    await store.recordPaymentEvent(event);
    lock.release();
    expect(await store.drainSpool(5_000)).toBe(2);
    // As if the process died after committing to the ledger but before deleting from the spool.
    DeliverySpool.open(file, false)!.add([event]);
    expect(await store.drainSpool(5_000)).toBe(1);
    expect((await store.listPaymentEvents()).filter((e) => e.eventId === 'evt_twice')).toHaveLength(1);
  });

  it('deliveries left in the spool by a stopped server are moved in when the store opens again', async () => {
    const file = await ledgerFile();
    const first = SqliteStore.open(file, { random: randomBytes });
    const lock = holdWriteLock(file);
    await first.recordPaymentEvent({ provider: 'gumroad', eventId: 'sale:LEFT-OVER', eventType: 'sale', orderRef: 'gumroad:LEFT-OVER', rawPayload: '', normalized: null, receivedAt: new Date() });
    await first.close(); // the ledger is still held: the delivery stays spooled
    lock.release();
    const second = SqliteStore.open(file, { random: randomBytes });
    cleanups.push(() => second.close());
    await until(async () => (await second.pendingOrders(10, new Date())).includes('gumroad:LEFT-OVER'), 10_000, 'the left-over delivery');
  });
});

describe('the server over HTTP with the ledger held by another writer', () => {
  let s: TestServer;
  const adminKey = signingKeyFromSeed(randomBytes(32));

  it('webhooks are 200 (spooled), /health is 200, admin mint is 503 with Retry-After; after the release the sales are minted', async () => {
    const file = await ledgerFile();
    s = await startTestServer({ ledgerFile: file, env: { LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x } });
    cleanups.push(() => s.close());
    const lock = holdWriteLock(file);

    const { result: replies, stallMs } = await maxLoopStall(() => Promise.all(['BUSY-1', 'BUSY-2', 'BUSY-3'].map((id) => postGumroad(s.url, gumroadPing(id)))));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await replies[0]!.json()).toEqual({ received: 1, stored: 1, duplicates: 0, spooled: 1 });
    expect(stallMs).toBeLessThan(1_000);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);

    const body = JSON.stringify({ tier: 'pro', email: 'admin-busy@example.com' });
    const mint = await fetch(`${s.url}/internal/mint`, {
      method: 'POST', headers: { authorization: `LicenseAdmin ${signAdminToken({ method: 'POST', path: '/internal/mint', body }, adminKey, new Date())}`, 'content-type': 'application/json' }, body,
    });
    expect(mint.status).toBe(503);
    expect(mint.headers.get('retry-after')).toBe('5');
    expect(((await mint.json()) as { error: { code: string } }).error.code).toBe('database_busy');

    lock.release();
    for (const id of ['BUSY-1', 'BUSY-2', 'BUSY-3']) await until(() => s.store.getByOrderRef(`gumroad:${id}`), 15_000, `license for ${id}`);
  });
});
