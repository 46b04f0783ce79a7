// Push and pull throughput for a 100,000-license ledger against the real server (createApp + PostgresStore
// over node:http on 127.0.0.1), next to a plain bulk multi-row insert / SELECT of the same rows into the
// same PostgreSQL in the same run. Run after `npm run build`: node bench/sync.mjs [licenses]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { Ledger } from '../dist/ledger/ledger.js';
import { createApp } from '../dist/server/app.js';
import { createLogger } from '../dist/server/logger.js';
import { PostgresStore } from '../dist/stores/postgres-store.js';
import { pullEvents } from '../dist/sync/pull.js';
import { pushEvents } from '../dist/sync/push.js';
import { createRemoteClient } from '../dist/sync/remote-client.js';
import { upsertRemote } from '../dist/sync/sync-state.js';

const N = Number(process.argv[2] ?? 100_000);
const BIN = '/usr/lib/postgresql/15/bin';
const asPostgres = (bin, args) => {
  const root = process.getuid?.() === 0;
  execFileSync(root ? 'runuser' : bin, root ? ['-u', 'postgres', '--', bin, ...args] : args, { stdio: 'ignore' });
};

function startPostgres() {
  const dir = mkdtempSync('/tmp/pgbench.');
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  asPostgres(`${BIN}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  asPostgres(`${BIN}/pg_ctl`, ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`, 'start']);
  asPostgres(`${BIN}/createdb`, ['-h', dir, '-p', String(port), '-U', 'postgres', 'bench']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/bench`,
    stop: () => {
      try { asPostgres(`${BIN}/pg_ctl`, ['-D', `${dir}/data`, '-m', 'immediate', 'stop']); } catch { /* down */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function makeEvents(n) {
  const filler = 'x'.repeat(420);
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-${i}`, licenseKey: `DT1-CORE-${i.toString(36).toUpperCase().padStart(5, '0')}-BENCH`, type: 'imported',
    at: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(), actor: 'bench', source: 'import',
    data: { product: 'datatools', name: `Bench ${i}`, email: `bench${i}@example.com`, tier: 'core', issuedAt: '2024-01-01T00:00:00.000Z', expiresAt: null, blob: `${filler}.${i}`, kid: null, format: 'jws', verified: false },
  }));
}

const rate = (n, ms) => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')}/s`;
const time = async (fn) => { const t = performance.now(); const r = await fn(); return [performance.now() - t, r]; };

const postgres = startPostgres();
const work = mkdtempSync(join(tmpdir(), 'sync-bench-'));
let app; let http;
try {
  const admin = signingKeyFromSeed(randomBytes(32));
  const store = PostgresStore.connect(postgres.url, { random: (n) => randomBytes(n) });
  await store.migrate();
  const signer = signingKeyFromSeed(randomBytes(32));
  app = createApp({
    store, config: DEFAULT_CONFIG, env: { LICENSE_ADMIN_ADMIN_KEYS: admin.publicJwk.x }, clock: () => new Date(), random: (n) => randomBytes(n),
    format: createJwsFormat(), signer: async () => signer, publicKeys: () => [signer.publicJwk], log: createLogger({ write: () => undefined }), mail: null,
  });
  http = createServer({ keepAliveTimeout: 5_000 }, app.handler);
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${http.address().port}`;
  const client = createRemoteClient({ url, adminKey: admin, clock: () => new Date(), timeoutMs: 120_000 });
  const events = makeEvents(N);

  const source = new Ledger(join(work, 'source.sqlite'));
  for (let i = 0; i < N; i += 10_000) source.applyEvents(events.slice(i, i + 10_000));
  upsertRemote(source, url, admin.kid, new Date());
  const [pushMs, pushed] = await time(() => pushEvents(source, client, { clock: () => new Date() }));

  const target = new Ledger(join(work, 'target.sqlite'));
  upsertRemote(target, url, admin.kid, new Date());
  const [pullMs, pulled] = await time(() => pullEvents(target, client, { clock: () => new Date() }));

  // Baselines in the same PostgreSQL: the same license rows as one multi-row (unnest) insert per 5,000,
  // in one transaction, into a copy of the licenses table; and a plain SELECT of the events.
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  await db.query('CREATE TABLE licenses_baseline (LIKE licenses INCLUDING ALL)');
  const rows = source.db.prepare('SELECT license_key, name, email, tier, issued_at, blob, source FROM licenses').all();
  const [insertMs] = await time(async () => {
    await db.query('BEGIN');
    for (let i = 0; i < rows.length; i += 5_000) {
      const chunk = rows.slice(i, i + 5_000);
      const cols = ['license_key', 'name', 'email', 'tier', 'issued_at', 'blob', 'source'].map((c) => chunk.map((r) => r[c]));
      await db.query(
        `INSERT INTO licenses_baseline (license_key, product, name, email, tier, issued_at, blob, source, created_at, updated_at)
         SELECT k, 'datatools', n, e, t, i, b, s, i, i FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS x(k, n, e, t, i, b, s)`,
        cols,
      );
    }
    await db.query('COMMIT');
  });
  const [selectMs, selected] = await time(async () => (await db.query('SELECT seq, id, license_key, type, at, actor, source, data::text FROM events ORDER BY seq')).rows.length);
  await db.end();

  console.log(`sync bench: ${N.toLocaleString('en-US')} licenses, server = createApp + PostgresStore on 127.0.0.1`);
  console.log(`  push  ${(pushMs / 1000).toFixed(2)} s  ${rate(pushed.inserted, pushMs)} licenses  (${pushed.batches} requests)   goal >= 20,000/s`);
  console.log(`  pull  ${(pullMs / 1000).toFixed(2)} s  ${rate(pulled.inserted, pullMs)} licenses  (${pulled.pages} pages, applied to SQLite)`);
  console.log(`  raw   multi-row insert of the same rows: ${(insertMs / 1000).toFixed(2)} s  ${rate(N, insertMs)}  -> push at ${Math.round((insertMs / pushMs) * 100)}% of it`);
  console.log(`  raw   SELECT of the ${selected.toLocaleString('en-US')} events: ${(selectMs / 1000).toFixed(2)} s  ${rate(selected, selectMs)}  -> pull at ${Math.round((selectMs / pullMs) * 100)}% of it`);
  source.close();
  target.close();
} finally {
  http?.close();
  await app?.close().catch(() => undefined);
  postgres.stop();
  rmSync(work, { recursive: true, force: true });
}
