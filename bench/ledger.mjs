// Ledger benchmarks, each printed next to its raw floor measured in the same run:
//  (a) minting 10,000 licenses into the ledger vs raw node:crypto Ed25519 signing of the same payloads
//  (b) search over a 1,000,000-row ledger (p50 / p95 over 200 queries)
//  (c) `license-admin --version` and `search` on a 100,000-row ledger vs `node -e 0`
// Usage: npm run build && node bench/ledger.mjs   (MINTS=10000 ROWS=1000000 to change sizes)
import { spawnSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../dist/ledger/ledger.js';
import { searchLicenses } from '../dist/ledger/queries.js';
import { SqliteLedgerStore } from '../dist/stores/sqlite-ledger-store.js';
import { mintLicense } from '../dist/usecases/mint.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { DEFAULT_CONFIG } from '../dist/config/config.js';

const MINTS = Number(process.env.MINTS ?? 10000);
const ROWS = Number(process.env.ROWS ?? 1000000);
const dir = mkdtempSync(join(tmpdir(), 'la-bench-'));
const seed = Buffer.alloc(32, 5);
const key = signingKeyFromSeed(seed);
const config = { ...DEFAULT_CONFIG, product: 'datatools', blobTag: 'DTLIC3' };
const format = createJwsFormat('DTLIC3');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x) => `${x.toFixed(2)} ms`;

// (a) mint vs raw sign
{
  const ledger = new Ledger(join(dir, 'mint.sqlite'));
  // As `license-admin mint` does: the mint use case through the ledger port (src/usecases, src/stores).
  const store = new SqliteLedgerStore(ledger, { random: randomBytes, actor: 'bench', source: 'bench', missingLicense: (k) => k });
  const ctx = { config, format, signer: key, clock: () => new Date(), random: randomBytes, actor: 'bench', source: 'bench' };
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const payloads = Array.from({ length: MINTS }, (_, i) => Buffer.from(`{"v":1,"iss":"datatools","sub":"DT1-PRO-AAAA-BBBB-CCCC-DDDD${i}","name":"Buyer ${i}","email":"buyer${i}@example.com","tier":"pro","iat":1764000000,"exp":1795536000}`));
  for (let i = 0; i < 200; i++) sign(null, payloads[i], privateKey);
  let t = performance.now();
  for (const p of payloads) sign(null, p, privateKey);
  const raw = MINTS / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < MINTS; i++) await store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: `buyer${i}@example.com`, name: `Buyer ${i}` }, ctx, { existing: 'error' }));
  const single = MINTS / ((performance.now() - t) / 1000);
  // The bulk paths (import --mint-missing, a burst of webhook sales) commit many mints at once.
  t = performance.now();
  for (let start = 0; start < MINTS; start += 1000) {
    await store.transaction(async (tx) => {
      for (let i = start; i < start + 1000; i++) await mintLicense(tx, { tier: 'pro', email: `bulk${i}@example.com`, name: `Bulk ${i}` }, ctx, { existing: 'error' });
    });
  }
  const batched = MINTS / ((performance.now() - t) / 1000);
  console.log(`(a) raw Ed25519 sign of the same payloads: ${Math.round(raw)}/s`);
  console.log(`    mint ${MINTS}, one transaction (commit) per license: ${Math.round(single)}/s  ratio ${(single / raw).toFixed(2)}`);
  console.log(`    mint ${MINTS}, 1,000 per transaction:               ${Math.round(batched)}/s  ratio ${(batched / raw).toFixed(2)} (goal >= 0.50)`);
  ledger.close();
}

// Fill a ledger quickly through the same projection path (batched transactions of events).
function fill(file, rows) {
  const ledger = new Ledger(file);
  const first = ['Jane', 'John', 'Zoë', 'Ana', 'Li', 'Omar', 'Sven', 'Chloé'];
  const batch = 5000;
  for (let start = 0; start < rows; start += batch) {
    const events = [];
    for (let i = start; i < Math.min(rows, start + batch); i++) {
      const k = `DT1-PRO-${String(i).padStart(16, '0').replace(/(.{4})(?=.)/g, '$1-')}X`;
      events.push({ id: `bench-${i}`, licenseKey: k, type: 'imported', at: '2026-01-01T00:00:00.000Z', actor: 'bench', source: 'import',
        data: { product: 'datatools', name: `${first[i % 8]} Buyer${i}`, email: `buyer${i}@mail${i % 97}.example`, tier: 'pro', issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', blob: `DTLIC3:bench.${i}.sig`, kid: key.kid, format: 'jws', gumroadOrderId: `ORD${i}` } });
    }
    ledger.applyEvents(events);
    if (process.stderr.isTTY) process.stderr.write(`\r  filling ${file.split('/').pop()}: ${Math.min(rows, start + batch)}/${rows}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  return ledger;
}

// (b) search on 1M rows
{
  const t = performance.now();
  const ledger = fill(join(dir, 'big.sqlite'), ROWS);
  console.log(`    (filled ${ROWS} rows in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  const needles = Array.from({ length: 200 }, (_, i) => [`buyer${(i * 7919) % ROWS}@`, `mail${i % 97}.exam`, `ORD${(i * 104729) % ROWS}`, `Zoë Buyer${i * 13}`][i % 4]);
  const times = [];
  let hits = 0;
  for (const n of needles) {
    const s = performance.now();
    hits += searchLicenses(ledger, n, 50).length;
    times.push(performance.now() - s);
  }
  const rawTimes = [];
  const stmt = ledger.db.prepare('SELECT license_key FROM licenses WHERE license_key = ?');
  for (let i = 0; i < 200; i++) { const s = performance.now(); stmt.get(`DT1-PRO-${String(i * 4999 % ROWS).padStart(16, '0').replace(/(.{4})(?=.)/g, '$1-')}X`); rawTimes.push(performance.now() - s); }
  console.log(`(b) search over ${ROWS} rows: p50 ${ms(pct(times, 50))}, p95 ${ms(pct(times, 95))} (${hits} hits over 200 queries; goal p50 < 20 ms); primary-key lookup floor p50 ${ms(pct(rawTimes, 50))}`);
  ledger.close();
}

// (c) start-up cost of the CLI
{
  const home = join(dir, 'home');
  const env = { ...process.env, LICENSE_ADMIN_HOME: home, NO_COLOR: '1' };
  fill(join(home, 'ledger.sqlite'), 100000).close();
  const time = (args) => {
    const xs = [];
    for (let i = 0; i < 15; i++) {
      const s = performance.now();
      const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
      xs.push(performance.now() - s);
    }
    return pct(xs, 50);
  };
  const bare = time(['-e', '0']);
  const version = time(['bin/license-admin.js', '--version']);
  const search = time(['bin/license-admin.js', 'search', 'buyer4242@', '--json']);
  console.log(`(c) node -e 0: ${ms(bare)}; license-admin --version: ${ms(version)} (${(version / bare).toFixed(2)}x); search on 100k rows: ${ms(search)} (${(search / bare).toFixed(2)}x) (goal <= 2x)`);
}
rmSync(dir, { recursive: true, force: true });
