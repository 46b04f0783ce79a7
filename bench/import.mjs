// Import throughput vs the floor: the same rows loaded by the sqlite3 CLI's `.import` in the same run.
// Usage: npm run build && node bench/import.mjs [rows] [--mint]   (default 100000 rows; needs the sqlite3 CLI)
// --mint also times `import sales.csv --mint-missing` (signs a license per sale; adds minutes at 100k).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan } from '../dist/import/apply.js';
import { importBlobChecker } from '../dist/import/blob-check.js';
import { buildPlan } from '../dist/import/build-plan.js';
import { ledgerIndex } from '../dist/import/license-index.js';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { buildClaims } from '../dist/license/build-claims.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { generateLicenseKey } from '../dist/license/license-key.js';
import { Ledger } from '../dist/ledger/ledger.js';
import { localSigner } from '../dist/license/signer.js';
import { SqliteLedgerStore } from '../dist/stores/sqlite-ledger-store.js';
import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';

const ROWS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const MINT = process.argv.includes('--mint');
const dir = mkdtempSync(join(tmpdir(), 'bench-import-'));
const signer = signingKeyFromSeed(randomBytes(32));
const format = createJwsFormat();
const config = { ...DEFAULT_CONFIG, product: 'bench', productMap: [{ provider: 'gumroad', match: '*', tier: 'pro', years: 1 }] };
const now = new Date('2025-01-15T00:00:00Z');

async function write(file, lines) {
  const out = createWriteStream(file);
  for (const line of lines()) if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
}
const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

// --- inputs ---------------------------------------------------------------------------------------
const t0 = performance.now();
const jsonl = join(dir, 'issued.jsonl');
const jsonlAsCsv = join(dir, 'issued.csv');
const sales = join(dir, 'sales.csv');
const records = [];
for (let i = 0; i < ROWS; i++) {
  const key = generateLicenseKey('BN', 'pro', randomBytes);
  const issuedAt = new Date(Date.UTC(2020, 0, 1) + i * 60_000);
  const expiresAt = new Date(issuedAt.getTime() + 365 * 86_400_000);
  const name = `Buyer ${i}, Jr.`;
  const email = `buyer${i}@example.com`;
  const blob = await format.encode(buildClaims({ product: 'bench', licenseKey: key, name, email, tier: 'pro', issuedAt, expiresAt }), signer);
  records.push({ license_key: key, name, email, tier: 'pro', issued_at: issuedAt.toISOString(), expires_at: expiresAt.toISOString(), blob });
}
await write(jsonl, function* () { for (const r of records) yield `${JSON.stringify(r)}\n`; });
await write(jsonlAsCsv, function* () {
  yield 'license_key,name,email,tier,issued_at,expires_at,blob\n';
  for (const r of records) yield `${[r.license_key, r.name, r.email, r.tier, r.issued_at, r.expires_at, r.blob].map(q).join(',')}\n`;
});
// The columns and value shapes of Gumroad's exporter (fixtures/import/README.md): Time#to_s, 1/0 flags.
const SALES_HEADER = 'Purchase ID,Item Name,Buyer Name,Purchase Email,Purchase Date,Purchase Time (UTC timezone),Fees ($),Refunded?,Fully Refunded?,Disputed?,Dispute Won?,Variants,Product ID,Order Number,Custom Fields,License Key';
await write(sales, function* () {
  yield `${SALES_HEADER}\n`;
  for (let i = 0; i < ROWS; i++) yield `sale-${i},Bench App,"Sale ${i}, Esq.",sale${i}@example.com,2024-05-01,2024-05-01 12:00:00 +0000,1.0,0,0,0,0,(Pro),bench,${i},{},\n`;
});
console.log(`generated ${ROWS} JSONL lines and ${ROWS} Gumroad rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`);

// --- floor: sqlite3 .import ---------------------------------------------------------------------------
function sqliteImport(csvFile, table) {
  const db = join(dir, `${table}.sqlite`);
  const start = performance.now();
  const r = spawnSync('sqlite3', [db], { input: `PRAGMA journal_mode=WAL;\n.import --csv ${csvFile} ${table}\nSELECT count(*) FROM ${table};\n`, encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  return { ms, rows: Number(r.stdout.trim().split('\n').pop()) };
}

// --- ours -----------------------------------------------------------------------------------------
async function ours(file, name, { verify = true, mintMissing = false } = {}) {
  const ledger = new Ledger(join(dir, `${name}.sqlite`));
  const keys = [signer.publicJwk];
  const check = verify ? importBlobChecker(format, keys, now, 'bench') : () => ({ verified: false, kid: null });
  const start = performance.now();
  const plan = await buildPlan({ files: [file], ledger: ledgerIndex(ledger), config, productMap: config.productMap, now,
    defaults: { product: 'bench', format: 'jws', actor: 'bench' }, checkBlob: check });
  const planned = performance.now();
  const ctx = { config, format, clock: () => now, random: randomBytes, actor: 'bench', source: 'import', signer: localSigner(signer) };
  const store = new SqliteLedgerStore(ledger, { random: randomBytes, actor: 'bench', source: 'import', missingLicense: (k) => k });
  const result = await store.transaction((tx) => applyPlan(tx, plan, ctx, { mintMissing, revokeRefunded: false }));
  const ms = performance.now() - start;
  const rows = ledger.db.prepare('SELECT count(*) AS n FROM licenses').get().n;
  ledger.close();
  return { ms, planMs: planned - start, applyMs: ms - (planned - start), rows, written: result.eventsWritten };
}

// --- floor: read, parse, verify and insert the same rows, with nothing else (no plan, no events, no index) ---
async function verifyInsertFloor(file, { verify = true } = {}) {
  const db = new Database(join(dir, `floor-${verify}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE licenses (license_key TEXT PRIMARY KEY, name TEXT, email TEXT, tier TEXT, issued_at TEXT, expires_at TEXT, blob TEXT, verified INTEGER)');
  const insert = db.prepare('INSERT INTO licenses VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: signer.publicJwk.x }, format: 'jwk' });
  const start = performance.now();
  db.exec('BEGIN');
  let rows = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    const r = JSON.parse(text);
    const dot = r.blob.lastIndexOf('.');
    const ok = verify ? cryptoVerify(null, Buffer.from(r.blob.slice(0, dot)), publicKey, Buffer.from(r.blob.slice(dot + 1), 'base64url')) : false;
    insert.run(r.license_key, r.name, r.email, r.tier, r.issued_at, r.expires_at, r.blob, ok ? 1 : 0);
    rows++;
  }
  db.exec('COMMIT');
  const ms = performance.now() - start;
  db.close();
  return { ms, rows };
}

const line = (label, r, floor) => {
  const rate = (r.rows / r.ms) * 1000;
  console.log(`${label.padEnd(44)} ${String(Math.round(rate)).padStart(8)} rows/s  (${(r.ms / 1000).toFixed(2)} s${r.planMs !== undefined ? `: plan ${(r.planMs / 1000).toFixed(2)} s, apply ${(r.applyMs / 1000).toFixed(2)} s` : ''})  ${floor ? `${(r.ms / floor.ms).toFixed(1)}x the floor's time` : '(floor)'}`);
};

const floorJsonl = sqliteImport(jsonlAsCsv, 'licenses');
const floorSales = sqliteImport(sales, 'sales');
console.log(`\n${ROWS} rows each. Floors: sqlite3 CLI .import of the same rows as CSV into a plain table; and a loop that reads, parses, verifies and inserts them (better-sqlite3, one transaction, no plan or events).`);
line('sqlite3 .import (legacy rows as CSV)', floorJsonl);
line('import issued.jsonl (verify every blob)', await ours(jsonl, 'ours-jsonl'), floorJsonl);
const floorVerify = await verifyInsertFloor(jsonl);
line('floor: read + parse + verify + insert', floorVerify);
line('import issued.jsonl (verify every blob)', await ours(jsonl, 'ours-jsonl-2'), floorVerify);
line('import issued.jsonl, blobs kept as legacy', await ours(jsonl, 'ours-jsonl-legacy', { verify: false }), floorJsonl);
line('sqlite3 .import (Gumroad CSV)', floorSales);
line('import sales.csv (reconcile only)', { ...(await ours(sales, 'ours-sales')), rows: ROWS }, floorSales);
if (MINT) line('import sales.csv --mint-missing (sign each)', await ours(sales, 'ours-sales-mint', { mintMissing: true }), floorSales);
rmSync(dir, { recursive: true, force: true });
