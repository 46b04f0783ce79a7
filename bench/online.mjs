// Online API benchmark (plain Node, imports dist/): POST /api/v1/licenses/validate req/s and p99 next to
// GET /health in the same run, on the SQLite ledger and on PostgreSQL; and activation p99 under 50 concurrent
// clients (each activating its own license). Usage: npm run build && node bench/online.mjs
// PostgreSQL: DATABASE_URL, or a throwaway cluster from /usr/lib/postgresql/15/bin (as user postgres when root).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { createApp } from '../dist/server/app.js';
import { silentLogger } from '../dist/server/logger.js';
import { openStore } from '../dist/server/open-store.js';
import { mintInTransaction } from '../dist/usecases/mint.js';

const SECONDS = Number(process.env.BENCH_PHASE_SEC ?? 5);
const CONCURRENCY = 50;

function startPostgres() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop() {} };
  const bin = '/usr/lib/postgresql/15/bin';
  const dir = mkdtempSync(join(tmpdir(), 'la-bench-pg-'));
  const asPg = process.getuid?.() === 0;
  if (asPg) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const run = (cmd, args) => execFileSync(asPg ? 'runuser' : cmd, asPg ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'ignore' });
  const port = 20000 + Math.floor(Math.random() * 20000);
  run(`${bin}/initdb`, ['-D', `${dir}/data`, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  run(`${bin}/pg_ctl`, ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop() { run(`${bin}/pg_ctl`, ['-D', `${dir}/data`, '-m', 'immediate', 'stop']); rmSync(dir, { recursive: true, force: true }); } };
}

async function startServer(databaseUrl, dir) {
  const config = { ...DEFAULT_CONFIG, product: 'bench', prefix: 'BN1', keyStorage: 'file', online: { enabled: true, activations: { limit: 1 } } };
  const signer = signingKeyFromSeed(randomBytes(32));
  const random = (n) => randomBytes(n);
  const clock = () => new Date();
  const store = await openStore({ databaseUrl, ledgerFile: join(dir, `ledger-${Date.now()}.sqlite`), random });
  await store.migrate();
  const app = createApp({ store, config, clock, random, log: silentLogger, mail: null, format: createJwsFormat(undefined),
    env: { LICENSE_ADMIN_ONLINE_IP_PER_MINUTE: '100000000', LICENSE_ADMIN_ONLINE_KEY_PER_MINUTE: '100000000' }, signer: async () => signer, publicKeys: () => [signer.publicJwk] });
  const ctx = { config, format: createJwsFormat(undefined), signer, clock, random, actor: 'bench', source: 'server' };
  const keys = [];
  for (let i = 0; i < 400; i++) keys.push((await mintInTransaction(store, { tier: 'pro', email: `b${i}@bench.example` }, ctx, { existing: 'error' })).license.licenseKey);
  const server = createServer({ keepAliveTimeout: 5000 }, app.handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, keys, async close() { server.closeAllConnections(); await new Promise((r) => server.close(r)); await app.close(); } };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function send(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {};
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** `concurrency` clients in a loop for SECONDS: req/s and latency percentiles (ms). */
async function load(port, next) {
  const latencies = [];
  const end = Date.now() + SECONDS * 1000;
  let i = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < end) {
      const [method, path, body] = next(i++);
      const t = performance.now();
      await send(port, method, path, body);
      latencies.push(performance.now() - t);
    }
  }));
  const sorted = latencies.sort((a, b) => a - b);
  return { rps: latencies.length / SECONDS, p50: pct(sorted, 50), p99: pct(sorted, 99) };
}

/** 50 clients at once, each activating a license of its own: the latency of each activation (ms). */
async function activations(port, keys) {
  const rounds = Math.floor(keys.length / CONCURRENCY);
  const latencies = [];
  for (let r = 0; r < rounds; r++) {
    await Promise.all(keys.slice(r * CONCURRENCY, (r + 1) * CONCURRENCY).map(async (key, i) => {
      const t = performance.now();
      const status = await send(port, 'POST', '/api/v1/licenses/activate', JSON.stringify({ key, fingerprint: `bench-${r}-${i}` }));
      if (status !== 201) throw new Error(`activate answered ${status}`);
      latencies.push(performance.now() - t);
    }));
  }
  const sorted = latencies.sort((a, b) => a - b);
  return { n: sorted.length, p50: pct(sorted, 50), p99: pct(sorted, 99) };
}

const fmt = (r) => `${r.rps.toFixed(0).padStart(6)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;
const dir = mkdtempSync(join(tmpdir(), 'la-bench-online-'));
const pg = startPostgres();
try {
  console.log(`license-admin online API benchmark (${CONCURRENCY} concurrent keep-alive clients, ${SECONDS} s per phase, 127.0.0.1)`);
  for (const [label, url] of [['sqlite', undefined], ['postgres', pg.url]]) {
    const server = await startServer(url, dir);
    const health = await load(server.port, () => ['GET', '/health']);
    const validate = await load(server.port, (i) => ['POST', '/api/v1/licenses/validate', JSON.stringify({ key: server.keys[i % server.keys.length] })]);
    const act = await activations(server.port, server.keys);
    console.log(`\n${label}`);
    console.log(`  GET /health                 ${fmt(health)}`);
    console.log(`  POST validate (by key)      ${fmt(validate)}  (${((validate.rps / health.rps) * 100).toFixed(0)}% of /health)`);
    console.log(`  POST activate, 50 at once   ${act.n} activations, p50 ${act.p50.toFixed(1)} ms, p99 ${act.p99.toFixed(1)} ms`);
    await server.close();
  }
} finally {
  agent.destroy();
  pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
