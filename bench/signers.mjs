// Signing backends, same run: (a) the mint use case through the SQLite ledger store signing with the local
// key, then through a real PKCS#11 token (SoftHSM2, the same seed imported onto it), then through the Vault
// transit signer talking HTTP to a minimal stand-in for Vault on 127.0.0.1 (sign + read key, Ed25519 in the
// stand-in: what the HTTP round trip and JSON cost, not a real Vault's own latency); (b) re-signing 10,000
// licenses (what migrate-format and import do) through a signer with 20 ms of added latency, with the bounded
// concurrency the use cases use, next to one-at-a-time signing (measured on a sample, projected to 10,000);
// (c) the real import path: `import sales.csv --mint-missing` of 10,000 Gumroad sales (buildPlan + applyPlan in
// one transaction, as the command runs them) through the same 20 ms signer.
// Usage: npm run build && node bench/signers.mjs   (needs softhsm2; N=5000 to change the mint count)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { Ledger } from '../dist/ledger/ledger.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { buildClaims } from '../dist/license/build-claims.js';
import { localSigner, pinnedSigner } from '../dist/license/signer.js';
import { openPkcs11Key } from '../dist/signers/pkcs11.js';
import { openVaultKey } from '../dist/signers/vault.js';
import { createServer } from 'node:http';
import { sign as edSign, createPrivateKey } from 'node:crypto';
import { parseSignerUri } from '../dist/signers/signer-uri.js';
import { SqliteLedgerStore } from '../dist/stores/sqlite-ledger-store.js';
import { mapBounded, signingConcurrency } from '../dist/usecases/bounded-map.js';
import { mintLicense } from '../dist/usecases/mint.js';
import { applyPlan } from '../dist/import/apply.js';
import { buildPlan } from '../dist/import/build-plan.js';
import { ledgerIndex } from '../dist/import/license-index.js';

const N = Number(process.env.N ?? 5000);
const dir = mkdtempSync(join(tmpdir(), 'la-bench-signers-'));
const seed = randomBytes(32);
const key = signingKeyFromSeed(seed);
const format = createJwsFormat('DTLIC3');
const config = { ...DEFAULT_CONFIG, product: 'datatools' };

// A SoftHSM token of our own, the seed on it.
mkdirSync(join(dir, 'tokens'));
process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
writeFileSync(process.env.SOFTHSM2_CONF, `directories.tokendir = ${join(dir, 'tokens')}\nlog.level = ERROR\n`);
const pin = randomBytes(6).toString('hex');
execFileSync('softhsm2-util', ['--init-token', '--free', '--label', 'bench', '--so-pin', randomBytes(6).toString('hex'), '--pin', pin], { stdio: 'ignore' });
const spec = parseSignerUri('pkcs11:token=bench;object=license?module-path=/usr/lib/softhsm/libsofthsm2.so');
const token = openPkcs11Key(spec, { LICENSE_ADMIN_PKCS11_PIN: pin });
await token.importSeed(seed, Buffer.from(key.publicJwk.x, 'base64url'));
const hsm = pinnedSigner(token, key.publicJwk, spec.label);

// A stand-in for Vault transit: POST /v1/transit/sign/license (and GET the key), as the transit API docs
// describe them (test/helpers/fake-vault.ts is the full one the tests use).
const vaultToken = randomBytes(16).toString('hex');
const vaultKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
const vaultServer = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.headers['x-vault-token'] !== vaultToken) return res.writeHead(403).end('{"errors":["permission denied"]}');
    if (req.method === 'POST' && req.url === '/v1/transit/sign/license') {
      const { input } = JSON.parse(Buffer.concat(chunks).toString());
      const signature = edSign(null, Buffer.from(input, 'base64'), vaultKey).toString('base64');
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { signature: `vault:v1:${signature}`, key_version: 1 } }));
    }
    res.writeHead(404).end('{"errors":[]}');
  });
});
await new Promise((r) => vaultServer.listen(0, '127.0.0.1', r));
const vaultSpec = parseSignerUri(`vault+http://127.0.0.1:${vaultServer.address().port}/transit/keys/license`);
const vault = pinnedSigner(openVaultKey(vaultSpec, { VAULT_TOKEN: vaultToken }), key.publicJwk, vaultSpec.label);

let files = 0;
async function mintRate(signer) {
  const ledger = new Ledger(join(dir, `mint-${files++}.sqlite`));
  const store = new SqliteLedgerStore(ledger, { random: randomBytes, actor: 'bench', source: 'bench', missingLicense: (k) => k });
  const ctx = { config, format, signer, clock: () => new Date(), random: randomBytes, actor: 'bench', source: 'bench' };
  const t = performance.now();
  for (let start = 0; start < N; start += 1000) {
    await store.transaction(async (tx) => {
      for (let i = start; i < Math.min(N, start + 1000); i++) await mintLicense(tx, { tier: 'pro', email: `b${i}@example.com`, name: `Buyer ${i}` }, ctx, { existing: 'error' });
    });
  }
  const rate = N / ((performance.now() - t) / 1000);
  ledger.close();
  return rate;
}

const local = localSigner(key);
await mintRate(local);
await mintRate(hsm);
await mintRate(vault); // warm up all three
const rounds = { local: [], pkcs11: [], vault: [] };
for (let r = 0; r < 3; r++) {
  rounds.local.push(await mintRate(local));
  rounds.pkcs11.push(await mintRate(hsm));
  rounds.vault.push(await mintRate(vault));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `${Math.round(median(xs))} mints/s  [${xs.map(Math.round).join(', ')}]`;
console.log(`(a) mint use case, ${N} mints, SQLite ledger store`);
console.log(`    local key:            ${fmt(rounds.local)}`);
console.log(`    PKCS#11 (SoftHSM2):   ${fmt(rounds.pkcs11)}  ratio ${(median(rounds.pkcs11) / median(rounds.local)).toFixed(2)}`);
console.log(`    Vault transit (HTTP stand-in on 127.0.0.1): ${fmt(rounds.vault)}  ratio ${(median(rounds.vault) / median(rounds.local)).toFixed(2)}`);

// (b) 10,000 re-signings through a signer 20 ms away.
const slow = { ...local, backend: 'vault', sign: async (m) => (await new Promise((r) => setTimeout(r, 20)), local.sign(m)) };
const claims = Array.from({ length: 10_000 }, (_, i) => buildClaims({ product: 'datatools', licenseKey: `DT1-PRO-${i}`, name: `B ${i}`, email: `b${i}@example.com`, tier: 'pro', issuedAt: new Date(), expiresAt: null }));
const limit = signingConcurrency('vault');
let t = performance.now();
const blobs = await mapBounded(claims, limit, (c) => format.encode(c, slow));
const bounded = (performance.now() - t) / 1000;
const SAMPLE = 100;
t = performance.now();
for (const c of claims.slice(0, SAMPLE)) await format.encode(c, slow);
const sequential = ((performance.now() - t) / 1000) * (claims.length / SAMPLE);
console.log(`(b) 10,000 licenses re-signed through a signer with 20 ms latency (${blobs.length} blobs)`);
console.log(`    ${limit} in flight (the use cases' default for a remote signer): ${bounded.toFixed(1)} s, ${Math.round(claims.length / bounded)} signatures/s`);
console.log(`    one at a time (${SAMPLE} measured, projected):              ${sequential.toFixed(0)} s  -> ${(sequential / bounded).toFixed(1)}x slower`);

// (c) import sales.csv --mint-missing, 10,000 sales, through the 20 ms signer.
const sales = join(dir, 'sales.csv');
writeFileSync(sales, ['Purchase ID,Item Name,Buyer Name,Purchase Email,Purchase Date,Purchase Time (UTC timezone),Fees ($),Refunded?,Fully Refunded?,Disputed?,Dispute Won?,Variants,Product ID,Order Number,Custom Fields,License Key',
  ...Array.from({ length: 10_000 }, (_, i) => `sale-${i},Bench App,"Sale ${i}",sale${i}@example.com,2026-05-01,2026-05-01 12:00:00 +0000,1.0,0,0,0,0,(Pro),bench,${i},{},`)].join('\n') + '\n');
const importConfig = { ...config, productMap: [{ provider: 'gumroad', match: '*', tier: 'pro', years: 1 }] };
const importLedger = new Ledger(join(dir, 'import.sqlite'));
const importStore = new SqliteLedgerStore(importLedger, { random: randomBytes, actor: 'bench', source: 'import', missingLicense: (k) => k });
const now = new Date();
t = performance.now();
const plan = await buildPlan({ files: [sales], ledger: ledgerIndex(importLedger), config: importConfig, productMap: importConfig.productMap, now,
  defaults: { product: 'datatools', format: 'jws', actor: 'bench' }, checkBlob: () => ({ verified: false, kid: null }) });
const imported = await importStore.transaction((tx) => applyPlan(tx, plan, { config: importConfig, format, signer: slow, clock: () => now, random: randomBytes, actor: 'bench', source: 'import' }, { mintMissing: true, revokeRefunded: false }));
const importSeconds = (performance.now() - t) / 1000;
importLedger.close();
console.log(`(c) import sales.csv --mint-missing, 10,000 sales through the same 20 ms signer: ${imported.minted.length} minted in ${importSeconds.toFixed(1)} s`);
console.log(`    one signature at a time would need at least ${(10_000 * 0.02).toFixed(0)} s of waiting alone -> ${((10_000 * 0.02) / importSeconds).toFixed(1)}x`);
await token.close();
await new Promise((r) => vaultServer.close(r));
rmSync(dir, { recursive: true, force: true });
