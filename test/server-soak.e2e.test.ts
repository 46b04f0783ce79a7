// Soak (issue 13, "Done when"): 1,000 Gumroad deliveries to the built `serve`, 100 of them poison — 50 for a
// product no rule maps (fulfilment fails for good), 50 with a trial end in year 275760 (processing throws
// today; a parser that range-checks dates refuses them with 422 instead) — mixed into 900 valid sales, plus
// 20 stored events whose processing throws, injected into the database. Every valid sale is minted and mailed
// (real SMTP), webhook p99 stays under 1 s, and /health answers throughout. SQLite ledger and PostgreSQL.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { freshDatabase, GUMROAD_TOKEN, gumroadPing, until } from './helpers/server-harness.js';
import { setupServeHome, sql, startServe, type ServeProcess } from './helpers/serve-process.js';

const VALID = 900;
const UNMAPPED = 50;
const BAD_DATE = 50;
const INJECTED = 20;
const CONCURRENCY = 16;

let cluster: PostgresInstance;
let smtp: SmtpInstance;
beforeAll(async () => {
  [cluster, smtp] = await Promise.all([startPostgres(), startSmtp()]);
});
afterAll(async () => {
  await smtp?.close();
  await cluster?.stop();
});

/** Runs the jobs with at most `limit` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;

function injectedPoison(kind: 'sqlite' | 'postgres') {
  const tuples: string[] = [];
  const params: unknown[] = [];
  for (let i = 0; i < INJECTED; i++) {
    const orderRef = `gumroad:SOAK-INJECTED-${i}`;
    const normalized = { provider: 'gumroad', eventId: `sale:SOAK-INJECTED-${i}`, kind: 'sale', orderRef, email: `poison-${i}@example.com`, name: 42, occurredAt: '2026-11-20T19:38:56.000Z', rawType: 'sale' };
    tuples.push('(?, ?, ?, ?, ?, ?, ?, ?)');
    params.push('gumroad', `sale:SOAK-INJECTED-${i}`, 'sale', orderRef, '', JSON.stringify(normalized), new Date().toISOString(), kind === 'postgres' ? false : 0);
  }
  return { text: `INSERT INTO payment_events (provider, event_id, event_type, order_ref, raw_payload, normalized, received_at, processed) VALUES ${tuples.join(', ')}`, params };
}

describe.each(['sqlite', 'postgres'] as const)('soak on %s', (kind) => {
  it(`${VALID + UNMAPPED + BAD_DATE} deliveries with ${UNMAPPED + BAD_DATE} poison orders: all valid sales minted and mailed, p99 < 1 s, /health throughout`, async () => {
    const databaseUrl = kind === 'postgres' ? await freshDatabase(cluster.url) : undefined;
    const home = await setupServeHome({ ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), LICENSE_ADMIN_DEFAULT_TIER: '' }, smtp.port);
    const target = { home: home.home, databaseUrl };
    const configFile = join(home.home, '.license-admin', 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(configFile, JSON.stringify({ ...config, productMap: [{ provider: 'gumroad', match: 'dashtool', tier: 'pro' }] }));
    const prefix = `soak${kind === 'sqlite' ? 's' : 'p'}`;
    let server: ServeProcess | null = startServe(home);
    let soaking = true;
    try {
      const { url } = await server.ready;
      const injected = injectedPoison(kind);
      await sql(target, injected.text, injected.params);

      const ids = Array.from({ length: VALID }, (_, i) => `SOAK-OK-${i}`);
      const deliveries: { kind: 'valid' | 'unmapped' | 'date'; body: string }[] = [
        ...ids.map((id) => ({ kind: 'valid' as const, body: gumroadPing(id, { email: `${prefix}-${id.toLowerCase()}@example.com` }) })),
        ...Array.from({ length: UNMAPPED }, (_, i) => ({ kind: 'unmapped' as const, body: gumroadPing(`SOAK-UNMAPPED-${i}`, {
          product_id: 'OtherProduct==', short_product_id: 'other', permalink: 'other', product_permalink: 'https://creator.gumroad.com/l/other', product_name: 'Other',
        }) })),
        ...Array.from({ length: BAD_DATE }, (_, i) => ({ kind: 'date' as const, body: gumroadPing(`SOAK-DATE-${i}`, {
          subscription_id: `SOAK-DATE-SUB-${i}`, recurrence: 'monthly', free_trial_ends_at: '+275760-09-10T00:00:00.000Z',
        }) })),
      ];
      // Poison spread through the valid sales, the same order every run.
      const order = deliveries.map((d, i) => ({ d, key: (i * 7919) % deliveries.length })).sort((a, b) => a.key - b.key).map((x) => x.d);

      let healthChecks = 0;
      const healthFailures: string[] = [];
      const health = (async () => {
        while (soaking) {
          const started = performance.now();
          try {
            const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
            const ms = performance.now() - started;
            if (res.status !== 200 || ms > 1_000) healthFailures.push(`${res.status} in ${Math.round(ms)} ms`);
          } catch (error) {
            healthFailures.push((error as Error).name);
          }
          healthChecks++;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      const started = performance.now();
      const results = await pool(order.map((d) => async () => {
        const t0 = performance.now();
        // A server that stops answering fails the test in seconds, not at its timeout.
        const res = await fetch(`${url}/webhooks/gumroad?token=${GUMROAD_TOKEN}`, {
          method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: d.body, signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        return { kind: d.kind, status: res.status, ms: performance.now() - t0 };
      }), CONCURRENCY);
      const postedMs = performance.now() - started;

      expect(results.filter((r) => r.kind !== 'date' && r.status !== 200)).toEqual([]);
      // Out-of-range dates: stored (and failing in fulfilment) or refused at intake, never a 5xx.
      expect(results.filter((r) => r.kind === 'date' && r.status !== 200 && r.status !== 422)).toEqual([]);
      const p99 = percentile(results.map((r) => r.ms), 99);

      const minted = () => sql<{ n: number }>(target, "SELECT count(*) AS n FROM licenses WHERE order_ref LIKE 'gumroad:SOAK-OK-%'").then((r) => Number(r[0]!.n));
      await until(async () => (await minted()) === VALID, 60_000, `${VALID} licenses`);
      const mine = () => smtp.inbox.filter((m) => m.envelope.rcptTo.some((r) => r.startsWith(`${prefix}-`)));
      await until(async () => mine().length >= VALID, 60_000, `${VALID} mails`);
      const doneMs = performance.now() - started;
      soaking = false;
      await health;

      expect(new Set(mine().map((m) => m.envelope.rcptTo[0])).size).toBe(VALID);
      const poisonLicenses = await sql<{ n: number }>(target, "SELECT count(*) AS n FROM licenses WHERE order_ref LIKE 'gumroad:SOAK-UNMAPPED-%' OR order_ref LIKE 'gumroad:SOAK-DATE-%' OR order_ref LIKE 'gumroad:SOAK-INJECTED-%'");
      expect(Number(poisonLicenses[0]!.n)).toBe(0);
      const unmapped = await sql<{ error: string | null }>(target, "SELECT error FROM payment_events WHERE order_ref LIKE 'gumroad:SOAK-UNMAPPED-%'");
      expect(unmapped).toHaveLength(UNMAPPED);
      expect(unmapped.every((e) => /unmapped product/.test(e.error ?? ''))).toBe(true);
      expect(healthChecks).toBeGreaterThan(5);
      expect(healthFailures).toEqual([]);
      expect(p99).toBeLessThan(1_000);
      console.log(`soak ${kind}: ${results.length} deliveries posted in ${Math.round(postedMs)} ms, p50 ${Math.round(percentile(results.map((r) => r.ms), 50))} ms, p99 ${Math.round(p99)} ms; ` +
        `${VALID} minted and mailed after ${Math.round(doneMs)} ms; ${healthChecks} /health checks, none failed`);
      expect(await server.stop()).toBe(0);
      server = null;
    } finally {
      soaking = false;
      await server?.stop(1_000);
    }
  }, 150_000);
});
