// What the async ledger port costs the CLI: the mint use case through SqliteLedgerStore (src/usecases,
// src/stores) next to the same work done synchronously on the Ledger (key, sign, apply, read back) in the
// same run, 1,000 mints per transaction so signing and SQLite, not fsync, are what is measured. The floor
// signs synchronously with the key (no format seam, no promises).
// Usage: npm run build && node bench/port-overhead.mjs   (N=20000 ROUNDS=5 to change sizes)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { Ledger } from '../dist/ledger/ledger.js';
import { newEventId } from '../dist/ledger/events.js';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { generateLicenseKey } from '../dist/license/license-key.js';
import { SqliteLedgerStore } from '../dist/stores/sqlite-ledger-store.js';
import { buildClaims } from '../dist/license/build-claims.js';
import { localSigner } from '../dist/license/signer.js';
import { jwsHeader } from '../dist/license/jws-format.js';
import { serializeClaims } from '../dist/verify/claims.js';
import { mintLicense } from '../dist/usecases/mint.js';

const N = Number(process.env.N ?? 10000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'la-bench-port-'));
const key = signingKeyFromSeed(Buffer.alloc(32, 5));
const ctx = {
  config: { ...DEFAULT_CONFIG, product: 'datatools' }, format: createJwsFormat('DTLIC3'), signer: localSigner(key),
  clock: () => new Date(), random: randomBytes, actor: 'bench', source: 'bench',
};
const request = (i) => ({ tier: 'pro', email: `buyer${i}@example.com`, name: `Buyer ${i}` });
let files = 0;
const header = Buffer.from(jwsHeader(key.kid)).toString('base64url');

/** The minted event with the blob signed in line, synchronously (what prepareMint did before signing was async). */
function syncMintEvent(req, licenseKey) {
  const issuedAt = new Date();
  const expiresAt = new Date(issuedAt.getTime() + 365 * 86_400_000);
  const claims = buildClaims({ product: 'datatools', licenseKey, name: req.name, email: req.email, tier: req.tier, issuedAt, expiresAt });
  const input = `${header}.${Buffer.from(serializeClaims(claims)).toString('base64url')}`;
  const blob = `DTLIC3:${input}.${Buffer.from(key.sign(Buffer.from(input))).toString('base64url')}`;
  const data = { product: 'datatools', name: req.name, email: req.email, tier: req.tier, issuedAt: issuedAt.toISOString(), expiresAt: expiresAt.toISOString(), updatesUntil: null, blob, kid: key.kid, signer: 'local', format: 'jws', gumroadOrderId: null, orderRef: null };
  return { id: newEventId(issuedAt, randomBytes), licenseKey, type: 'minted', at: issuedAt.toISOString(), actor: 'bench', source: 'bench', data };
}

/** The floor: the same steps with no port, no promises, one better-sqlite3 transaction per 1,000. */
function syncFloor() {
  const ledger = new Ledger(join(dir, `sync-${files++}.sqlite`));
  const t = performance.now();
  for (let start = 0; start < N; start += 1000) {
    ledger.transaction(() => {
      for (let i = start; i < Math.min(N, start + 1000); i++) {
        let licenseKey = generateLicenseKey(ctx.config.prefix, 'pro', randomBytes);
        while (ledger.getLicense(licenseKey)) licenseKey = generateLicenseKey(ctx.config.prefix, 'pro', randomBytes);
        ledger.applyEventsInTransaction([syncMintEvent(request(i), licenseKey)], { refuseOrderConflicts: true });
        ledger.getLicense(licenseKey);
      }
    });
  }
  const rate = N / ((performance.now() - t) / 1000);
  ledger.close();
  return rate;
}

async function throughPort() {
  const ledger = new Ledger(join(dir, `port-${files++}.sqlite`));
  const store = new SqliteLedgerStore(ledger, { random: randomBytes, actor: 'bench', source: 'bench', missingLicense: (k) => k });
  const t = performance.now();
  for (let start = 0; start < N; start += 1000) {
    await store.transaction(async (tx) => {
      for (let i = start; i < Math.min(N, start + 1000); i++) await mintLicense(tx, request(i), ctx, { existing: 'error' });
    });
  }
  const rate = N / ((performance.now() - t) / 1000);
  ledger.close();
  return rate;
}

const floor = [];
const port = [];
syncFloor();
await throughPort(); // warm up both paths
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2) {
    port.push(await throughPort());
    floor.push(syncFloor());
  } else {
    floor.push(syncFloor());
    port.push(await throughPort());
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`synchronous floor (Ledger, no port): ${Math.round(median(floor))} mints/s  [${floor.map(Math.round).join(', ')}]`);
console.log(`mint use case through the port:      ${Math.round(median(port))} mints/s  [${port.map(Math.round).join(', ')}]  ratio ${(median(port) / median(floor)).toFixed(2)} (goal >= 0.95)`);
rmSync(dir, { recursive: true, force: true });
