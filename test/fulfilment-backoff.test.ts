// A backing-off order is not tried again early by a second replica: the next-try time is checked again
// under the order's lock, not only when the order is listed. processOrder is called as a replica's loop
// would, after another replica's failed attempt set the next try. Real SQLite file and real PostgreSQL.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import type { ServerDeps } from '../src/server/deps.js';
import { withServerDefaults } from '../src/server/deps-defaults.js';
import { processOrder } from '../src/server/fulfilment/process-order.js';
import { createLogger } from '../src/server/logger.js';
import { openStore } from '../src/server/open-store.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase, TEST_CONFIG } from './helpers/server-harness.js';

let cluster: PostgresInstance;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => cluster?.stop());

describe.each(['sqlite', 'postgres'] as const)('on %s', (kind) => {
  it('an order whose next try is later is left alone, then fulfilled once that time has come', async () => {
    const store = await openStore({
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(cluster.url) } : {}),
      ledgerFile: join(await mkdtemp(join(tmpdir(), 'la-backoff-')), 'ledger.sqlite'),
      random: (n) => randomBytes(n),
    });
    await store.migrate();
    let now = new Date('2026-12-01T10:00:00.000Z');
    const signer = signingKeyFromSeed(randomBytes(32));
    const deps: ServerDeps = withServerDefaults({
      store, config: TEST_CONFIG, env: { LICENSE_ADMIN_DEFAULT_TIER: 'pro' }, clock: () => now, random: (n) => randomBytes(n),
      format: createJwsFormat(undefined), signer: async () => signer, publicKeys: () => [signer.publicJwk],
      log: createLogger({ write: () => undefined, level: 'error' }), mail: null,
    });
    try {
      const orderRef = 'gumroad:BACKOFF-1';
      const sale = { provider: 'gumroad', eventId: 'sale:BACKOFF-1', kind: 'sale', orderRef, productName: 'DashTool Pro', email: 'backoff@example.com', occurredAt: now.toISOString(), rawType: 'sale' };
      const { id } = await store.recordPaymentEvent({ provider: 'gumroad', eventId: sale.eventId, eventType: 'sale', orderRef, rawPayload: '', normalized: sale, receivedAt: now });
      // Another replica's attempt failed a moment ago and set the next try an hour from now.
      await store.transaction((tx) => tx.markAttemptFailed([id], { attempts: 1, error: 'Error: the signer timed out', retryAt: new Date(now.getTime() + 3_600_000), at: now }));

      const early = await processOrder(orderRef, deps);
      expect(early.steps).toEqual([]);
      expect(await store.transaction((tx) => tx.getByOrderRef(orderRef))).toBeNull();
      expect((await store.listPaymentEvents({ orderRef }))[0]).toMatchObject({ processed: false, attempts: 1 });

      now = new Date(now.getTime() + 3_600_001);
      const due = await processOrder(orderRef, deps);
      expect(due.steps).toEqual(['mint']);
      expect((await store.transaction((tx) => tx.getByOrderRef(orderRef)))?.email).toBe('backoff@example.com');
    } finally {
      await store.close();
    }
  });
});
