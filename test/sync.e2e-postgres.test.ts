// Phase 1 for real: import a legacy JSONL log, push it to a server on PostgreSQL, every row arrives with
// its blob byte for byte, and a second push is a no-op. Then a 100,000-license push cut off mid-stream
// resumes with nothing duplicated.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaims } from '../src/license/build-claims.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { Ledger } from '../src/ledger/ledger.js';
import type { LedgerEvent } from '../src/ledger/events.js';
import { runCli } from './helpers/cli.js';
import { startCutProxy } from './helpers/cut-proxy.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { initHome, LICENSE_SEED, newAdminIdentity, startServer, type RunningServer } from './helpers/sync-server.js';

const admin = newAdminIdentity();
const cliEnv = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED, LICENSE_ADMIN_ADMIN_KEY: admin.seed };
let postgres: PostgresInstance;
let server: RunningServer;
let db: pg.Client;

beforeAll(async () => {
  postgres = await startPostgres();
  server = await startServer({ adminKeys: [admin.publicKey], databaseUrl: postgres.url });
  db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await server?.stop();
  await postgres?.stop();
});

async function legacyLog(count: number): Promise<string> {
  const signer = signingKeyFromSeed(Buffer.from(LICENSE_SEED, 'hex'));
  const format = createJwsFormat();
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = `DT1-PRO-${String(i).padStart(4, '0')}-${randomBytes(2).toString('hex').toUpperCase()}`;
    const name = i === 7 ? 'Zoë Ångström-Łukasz 山田' : `Buyer ${i}`;
    const email = `buyer${i}@example.com`;
    const issued = new Date(Date.UTC(2023, 0, 1) + i * 86_400_000);
    const expires = i % 5 === 0 ? null : new Date(issued.getTime() + 365 * 86_400_000);
    const blob = await format.encode(buildClaims({ product: 'datatools', licenseKey: key, name, email, tier: 'pro', issuedAt: issued, expiresAt: expires }), signer);
    lines.push(JSON.stringify({ license_key: key, name, email, tier: 'pro', issued_at: issued.toISOString(), expires_at: expires?.toISOString() ?? null, blob }));
  }
  return lines.join('\n') + '\n';
}

describe('Phase 1 on PostgreSQL', () => {
  it('import a legacy log, push: every license on the server byte for byte; a second push is a no-op', async () => {
    const home = await initHome(cliEnv);
    const log = join(home, 'issued.jsonl');
    writeFileSync(log, await legacyLog(250));
    const imported = await runCli(['import', log, '--json'], { home, env: cliEnv });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect((await runCli(['remote', 'add', server.url], { home, env: cliEnv })).exitCode).toBe(0);

    const push = await runCli(['push', '--json'], { home, env: cliEnv });
    expect(push.exitCode, push.stderr).toBe(0);
    const local = new Ledger(join(home, '.license-admin', 'ledger.sqlite'), { readonly: true });
    const localRows = local.db.prepare('SELECT * FROM licenses ORDER BY license_key').all() as Record<string, unknown>[];
    const localEvents = (local.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    local.close();
    expect(localRows).toHaveLength(250);
    expect(push.json()).toMatchObject({ sent: localEvents, inserted: localEvents, duplicates: 0 });

    const { rows: serverRows } = await db.query('SELECT *, octet_length(blob) AS blob_bytes FROM licenses ORDER BY license_key');
    expect(serverRows).toHaveLength(250);
    serverRows.forEach((s, i) => {
      const l = localRows[i]!;
      expect(s.license_key).toBe(l.license_key);
      expect(s.blob).toBe(l.blob);
      expect(s.blob_bytes).toBe(Buffer.byteLength(l.blob as string));
      for (const col of ['name', 'email', 'tier', 'issued_at', 'expires_at', 'kid', 'format', 'source', 'created_at', 'updated_at']) expect(s[col], col).toBe(l[col]);
      expect(s.verified).toBe(l.verified === 1);
    });
    expect(serverRows.find((r) => r.name === 'Zoë Ångström-Łukasz 山田')).toBeDefined();

    const before = await db.query('SELECT count(*)::int AS n, max(seq)::int AS s FROM events');
    const again = await runCli(['push', '--json'], { home, env: cliEnv });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ sent: 0, inserted: 0, batches: 0 });
    expect((await db.query('SELECT count(*)::int AS n, max(seq)::int AS s FROM events')).rows[0]).toEqual(before.rows[0]);
    // Re-importing the same log adds nothing either (deterministic event ids), so nothing to push.
    expect((await runCli(['import', log, '--json'], { home, env: cliEnv })).exitCode).toBe(0);
    expect((await runCli(['push', '--json'], { home, env: cliEnv })).json().sent).toBe(0);
  });

  it('a push of 100,000 licenses cut off mid-stream resumes with nothing duplicated', async () => {
    const home = await initHome(cliEnv);
    const ledger = new Ledger(join(home, '.license-admin', 'ledger.sqlite'));
    const events: LedgerEvent[] = [];
    const filler = 'x'.repeat(420);
    for (let i = 0; i < 100_000; i++) {
      const key = `DT1-CORE-${i.toString(36).toUpperCase().padStart(5, '0')}-BULK`;
      events.push({
        id: `bulk-${i}`, licenseKey: key, type: 'imported', at: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(), actor: 'test', source: 'import',
        data: { product: 'datatools', name: `Bulk ${i}`, email: `bulk${i}@example.com`, tier: 'core', issuedAt: '2024-01-01T00:00:00.000Z', expiresAt: null, blob: `${filler}.${i}`, kid: null, format: 'jws', verified: false },
      });
    }
    for (let i = 0; i < events.length; i += 10_000) ledger.applyEvents(events.slice(i, i + 10_000));
    ledger.close();

    const proxy = await startCutProxy(new URL(server.url));
    try {
      expect((await runCli(['remote', 'add', proxy.url], { home, env: cliEnv })).exitCode).toBe(0);
      const cut = proxy.cutAfter(30 * 1024 * 1024);
      const first = await runCli(['push', '--json'], { home, env: cliEnv, timeoutMs: 300_000 });
      await cut;
      expect(first.exitCode).toBe(1);
      expect(first.stderr).toMatch(/server unreachable|cut off/);
      const midway = (await runCli(['remote', 'status', '--json'], { home, env: cliEnv })).json();
      expect(midway.local.unpushed).toBeGreaterThan(0);
      expect(midway.local.unpushed).toBeLessThan(100_000);

      const second = await runCli(['push', '--json'], { home, env: cliEnv, timeoutMs: 300_000 });
      expect(second.exitCode, second.stderr).toBe(0);
      expect(second.json().sent).toBe(midway.local.unpushed);
      const counts = await db.query("SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM events WHERE id LIKE 'bulk-%'");
      expect(counts.rows[0]).toEqual({ n: 100_000, ids: 100_000 });
      expect((await db.query("SELECT count(*)::int AS n FROM licenses WHERE license_key LIKE '%-BULK'")).rows[0].n).toBe(100_000);
      expect((await runCli(['push', '--json'], { home, env: cliEnv })).json().sent).toBe(0);
    } finally {
      await proxy.close();
    }
  }, 600_000);
});
