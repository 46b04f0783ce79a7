// Ledger benchmarks, each printed next to its raw floor measured in the same run:
//  (a) minting 10,000 licenses into the ledger vs raw node:crypto Ed25519 signing of the same payloads
// (search moved to bench/search.mjs: real-size rows, every needle kind, the query before beside ours)
// Usage: npm run build && node bench/ledger.mjs   (MINTS=10000 to change the size)
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '../dist/ledger/ledger.js';
import { SqliteLedgerStore } from '../dist/stores/sqlite-ledger-store.js';
import { mintLicense } from '../dist/usecases/mint.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { localSigner } from '../dist/license/signer.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { DEFAULT_CONFIG } from '../dist/config/config.js';

const MINTS = Number(process.env.MINTS ?? 10000);
const dir = mkdtempSync(join(tmpdir(), 'la-bench-'));
const seed = Buffer.alloc(32, 5);
const key = signingKeyFromSeed(seed);
const config = { ...DEFAULT_CONFIG, product: 'datatools', blobTag: 'DTLIC3' };
const format = createJwsFormat('DTLIC3');

// (a) mint vs raw sign
{
  const ledger = new Ledger(join(dir, 'mint.sqlite'));
  // As `license-admin mint` does: the mint use case through the ledger port (src/usecases, src/stores).
  const store = new SqliteLedgerStore(ledger, { random: randomBytes, actor: 'bench', source: 'bench', missingLicense: (k) => k });
  const ctx = { config, format, signer: localSigner(key), clock: () => new Date(), random: randomBytes, actor: 'bench', source: 'bench' };
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

rmSync(dir, { recursive: true, force: true });
