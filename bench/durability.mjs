// What durable commits cost: the ledger as shipped (WAL, synchronous = FULL: an fsync per commit) next to
// WAL + synchronous = NORMAL (what it ran before: survives a process crash, not a power cut), in the same run,
// alternating so machine noise hits both alike:
//  (a) mints/s, one transaction (commit) per license, as `license-admin mint` and the server's fulfilment do
//  (b) Gumroad webhook response time (POST -> 200; the delivery is committed before the answer) at a fixed
//      rate on the SQLite server, with fulfilment minting and committing alongside: p50 / p99
// Usage: npm run build && node bench/durability.mjs   (MINTS=2000 RATE=50 BENCH_PHASE_SEC=6 ROUNDS=2)
// Files live under bench/.tmp (the disk the ledger would be on), not a tmpfs.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { Ledger, LEDGER_SYNCHRONOUS } from '../dist/ledger/ledger.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { SqliteLedgerStore } from '../dist/stores/sqlite-ledger-store.js';
import { mintLicense } from '../dist/usecases/mint.js';
import { createApp } from '../dist/server/app.js';
import { silentLogger } from '../dist/server/logger.js';
import { SqliteStore } from '../dist/stores/sqlite-store.js';

const MINTS = Number(process.env.MINTS ?? 2000);
const RATE = Number(process.env.RATE ?? 50);
const PHASE_SEC = Number(process.env.BENCH_PHASE_SEC ?? 6);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const TOKEN = 'bench-token';
const base = join(fileURLToPath(new URL('.', import.meta.url)), '.tmp');
mkdirSync(base, { recursive: true });
const dir = mkdtempSync(join(base, 'durability-'));
const key = signingKeyFromSeed(Buffer.alloc(32, 7));
const config = { ...DEFAULT_CONFIG, product: 'bench', keyStorage: 'file' };
const format = createJwsFormat(undefined);
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
let fileNo = 0;
const freshFile = () => join(dir, `ledger-${++fileNo}.sqlite`);

/** Opens a ledger and sets synchronous to the mode under test (FULL is what the constructor already set). */
function withMode(db, mode) {
  db.pragma(`synchronous = ${mode}`);
  return db;
}

async function mintsPerSecond(mode) {
  const ledger = new Ledger(freshFile());
  withMode(ledger.db, mode);
  const store = new SqliteLedgerStore(ledger, { random: randomBytes, actor: 'bench', source: 'bench', missingLicense: (k) => k });
  const ctx = { config, format, signer: key, clock: () => new Date(), random: randomBytes, actor: 'bench', source: 'bench' };
  const mint = (req) => store.transaction((tx) => mintLicense(tx, req, ctx, { existing: 'error' }));
  for (let i = 0; i < 50; i++) await mint({ tier: 'pro', email: `warm${i}@example.com` });
  const t = performance.now();
  for (let i = 0; i < MINTS; i++) await mint({ tier: 'pro', email: `buyer${i}@example.com`, name: `Buyer ${i}` });
  const rate = MINTS / ((performance.now() - t) / 1000);
  ledger.close();
  return rate;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function post(port, path, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function webhookLatency(mode) {
  const store = SqliteStore.open(freshFile(), { random: randomBytes });
  withMode(store.ledger.db, mode);
  const app = createApp({ store, config, clock: () => new Date(), random: randomBytes, log: silentLogger, mail: null, format,
    env: { LICENSE_ADMIN_GUMROAD_TOKEN: TOKEN, LICENSE_ADMIN_DEFAULT_TIER: 'pro' }, signer: async () => key, publicKeys: () => [key.publicJwk], pollIntervalMs: 100 });
  const server = createServer(app.handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  app.start();
  const port = server.address().port;
  const latencies = [];
  const failures = [];
  const total = RATE * PHASE_SEC;
  const start = performance.now();
  const posts = [];
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `${mode}-${fileNo}-${i}`;
    const body = new URLSearchParams({ sale_id: id, email: `b-${id.toLowerCase()}@bench.example`, product_id: 'p1', product_name: 'Bench', sale_timestamp: new Date().toISOString(), resource_name: 'sale' }).toString();
    const sent = performance.now();
    posts.push(post(port, `/webhooks/gumroad?token=${TOKEN}`, body).then((status) => (status === 200 ? latencies.push(performance.now() - sent) : failures.push(status))));
  }
  await Promise.all(posts);
  await app.drain();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await app.close();
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: pct(sorted, 50), p99: pct(sorted, 99), ok: sorted.length, failed: failures.length };
}

try {
  console.log(`durability: ledger synchronous = ${LEDGER_SYNCHRONOUS} (shipped) vs NORMAL (before), WAL, files in ${base}`);
  const mints = { NORMAL: [], FULL: [] };
  const hooks = { NORMAL: [], FULL: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? ['FULL', 'NORMAL'] : ['NORMAL', 'FULL']) {
      mints[mode].push(await mintsPerSecond(mode));
      hooks[mode].push(await webhookLatency(mode));
    }
  }
  const avg = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`(a) mint ${MINTS}, one commit per license (${ROUNDS} rounds each):`);
  for (const mode of ['NORMAL', 'FULL']) console.log(`    ${mode.padEnd(6)} ${mints[mode].map((r) => Math.round(r)).join(' / ')} mints/s (mean ${Math.round(avg(mints[mode]))})`);
  console.log(`    FULL / NORMAL = ${(avg(mints.FULL) / avg(mints.NORMAL)).toFixed(2)}`);
  console.log(`(b) Gumroad webhook POST -> 200 at ${RATE}/s for ${PHASE_SEC} s, fulfilment minting alongside:`);
  for (const mode of ['NORMAL', 'FULL']) {
    console.log(`    ${mode.padEnd(6)} ${hooks[mode].map((h) => `p50 ${h.p50.toFixed(1)} ms, p99 ${h.p99.toFixed(1)} ms (${h.ok} ok, ${h.failed} failed)`).join('; ')}`);
  }
} finally {
  agent.destroy();
  rmSync(dir, { recursive: true, force: true });
}
