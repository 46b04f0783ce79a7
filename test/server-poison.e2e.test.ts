// A poison order (a stored delivery whose processing throws) must not wedge the server: other sales are
// still minted, /health answers, SIGTERM stops `serve`, the failing orders back off one by one (attempts and
// next try stored, shown by `server events`), give up after N attempts (then `server retry` puts them back),
// and the log does not repeat the same error for every attempt. Run on the SQLite ledger and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase, gumroadPing, postGumroad, until } from './helpers/server-harness.js';
import { setupServeHome, sql, startServe, type ServeProcess } from './helpers/serve-process.js';

let cluster: PostgresInstance;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => cluster?.stop());

const POISON = 40; // more than one fulfilment batch (32)

/**
 * Stored payment events that no current intake produces but an older version (or a bug) could have left:
 * processing them throws (a RangeError from an expiry past year 275760, a TypeError from a numeric name).
 * Injected straight into the database, so the test does not depend on what the webhook parsers accept.
 */
function poisonRows(n: number, postgres: boolean): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples: string[] = [];
  for (let i = 0; i < n; i++) {
    const orderRef = `gumroad:POISON-${i}`;
    const normalized = {
      provider: 'gumroad', eventId: `sale:POISON-${i}`, kind: 'sale', orderRef, productName: 'DashTool Pro', email: `poison-${i}@example.com`,
      occurredAt: '2026-11-20T19:38:56.000Z', rawType: 'sale',
      ...(i % 2 === 0 ? { subscriptionId: `POISON-${i}`, periodEnd: '+275760-09-13T00:00:00.000Z' } : { name: 42 }),
    };
    tuples.push('(?, ?, ?, ?, ?, ?, ?, ?)');
    params.push('gumroad', `sale:POISON-${i}`, 'sale', orderRef, '', JSON.stringify(normalized), new Date().toISOString(), postgres ? false : 0);
  }
  return {
    text: `INSERT INTO payment_events (provider, event_id, event_type, order_ref, raw_payload, normalized, received_at, processed) VALUES ${tuples.join(', ')}`,
    params,
  };
}

interface EventRow { orderRef: string | null; processed: boolean; error: string | null; attempts?: number; nextAttemptAt?: string | null }

describe.each(['sqlite', 'postgres'] as const)('serve on %s with poison orders', (kind) => {
  it('keeps minting, answering and stopping; poison orders back off, give up after N attempts, and can be retried', async () => {
    const databaseUrl = kind === 'postgres' ? await freshDatabase(cluster.url) : undefined;
    const home = await setupServeHome({
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      LICENSE_ADMIN_FULFILMENT_RETRY_MS: '1000',
      LICENSE_ADMIN_FULFILMENT_MAX_ATTEMPTS: '3',
    });
    const target = { home: home.home, databaseUrl };
    let server: ServeProcess | null = startServe(home);
    try {
      const { url } = await server.ready;
      const poison = poisonRows(POISON, kind === 'postgres');
      await sql(target, poison.text, poison.params);
      await new Promise((r) => setTimeout(r, 500)); // the loop has met the poison by now

      const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
      expect(health.status).toBe(200);
      const sale = await postGumroad(url, gumroadPing('GOOD-1'));
      expect(sale.status).toBe(200);

      const events = async (args: string[] = []) => {
        const r = await runCli(['server', 'events', '--json', '--limit', '1000', ...args], home);
        expect(r.exitCode, r.stderr).toBe(0);
        return r.json<EventRow[]>();
      };
      await until(async () => (await events(['--order', 'gumroad:GOOD-1']))[0]?.processed, 15_000, 'the good sale processed');
      expect(await sql(target, "SELECT license_key FROM licenses WHERE order_ref = 'gumroad:GOOD-1'")).toHaveLength(1);

      // Backing off: attempts and the next try are stored per order and shown.
      const retrying = await until(async () => {
        const rows = (await events()).filter((e) => e.orderRef?.startsWith('gumroad:POISON-'));
        return rows.length === POISON && rows.some((e) => !e.processed && (e.attempts ?? 0) >= 1 && e.nextAttemptAt) ? rows : null;
      }, 15_000, 'poison orders backing off');
      expect(retrying.every((e) => e.error === null || /RangeError|TypeError|Invalid|not a function/.test(e.error))).toBe(true);
      const table = await runCli(['server', 'events'], home);
      expect(table.stdout).toMatch(/gumroad:POISON-\d+ .*retrying at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d after: \w*Error/);

      // After 3 attempts (1 s, then 2 s apart) every poison order is failed, visibly.
      const failed = await until(async () => {
        const rows = await events(['--failed']);
        const mine = rows.filter((e) => e.orderRef?.startsWith('gumroad:POISON-'));
        return mine.length === POISON && mine.every((e) => e.processed && e.attempts === 3) ? mine : null;
      }, 30_000, 'poison orders failed');
      expect(failed.every((e) => /after 3 attempts/.test(e.error ?? ''))).toBe(true);

      // The same error 120 times is not 120 log lines.
      const failureLines = server.stderr().split('\n').filter((l) => /"level":"(error|warn)"/.test(l) && /POISON|RangeError|TypeError|fulfil/.test(l));
      expect(failureLines.length).toBeLessThan(POISON);
      expect(server.stderr().length).toBeLessThan(200_000);

      // `server retry` puts one back: tried again from attempt 1.
      const retry = await runCli(['server', 'retry', '--order', 'gumroad:POISON-1', '--json'], home);
      expect(retry.exitCode, retry.stderr).toBe(0);
      expect(retry.json()).toEqual({ requeued: 1 });
      await until(async () => {
        const [row] = await events(['--order', 'gumroad:POISON-1']);
        return row && (row.attempts ?? 0) >= 1 && (!row.processed || row.attempts! < 3);
      }, 15_000, 'the retried order tried again');

      // Still alive: another sale is minted and SIGTERM stops it.
      expect((await postGumroad(url, gumroadPing('GOOD-2'))).status).toBe(200);
      await until(async () => (await sql(target, "SELECT license_key FROM licenses WHERE order_ref = 'gumroad:GOOD-2'")).length === 1, 15_000, 'GOOD-2 minted');
      const code = await server.stop(15_000);
      server = null;
      expect(code).toBe(0);
    } finally {
      await server?.stop(1_000);
    }
  }, 120_000);
});
