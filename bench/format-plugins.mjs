// Format plugin benchmarks, each next to its raw floor measured in the same run:
//  (a) encode: the example DTLIC2 plugin through its worker (sign proxied back, round trip checked)
//      vs the same plugin called in-process with a raw node:crypto signer, and vs the built-in JWS format
//  (b) mint into a ledger: plugin format vs JWS
//  (c) verifying a 10,000-blob log: checkBlob with the plugin (batched decode, and one call per blob)
//      vs in-process decode + node:crypto verify
//  (d) loading a plugin (worker start + import)
// Usage: npm run build && node bench/format-plugins.mjs   (N=2000 LOG=10000 to change sizes)
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify as cryptoVerify } from 'node:crypto';
import { DEFAULT_CONFIG } from '../dist/config/config.js';
import { checkBlob } from '../dist/license/check-blob.js';
import { publicKeyObject, signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { loadPluginFormat } from '../dist/license/plugin-format.js';
import { Ledger } from '../dist/ledger/ledger.js';
import { SqliteLedgerStore } from '../dist/stores/sqlite-ledger-store.js';
import { mintLicense } from '../dist/usecases/mint.js';

const N = Number(process.env.N ?? 2000);
const LOG = Number(process.env.LOG ?? 10000);
const EXAMPLE = new URL('../examples/dtlic2-format.mjs', import.meta.url).pathname;
const key = signingKeyFromSeed(Buffer.alloc(32, 9));
const claims = (i) => ({ v: 1, iss: 'datatools', sub: `DT1-PRO-AAAA-BBBB-${String(i).padStart(6, '0')}`, name: `Buyer ${i}`, email: `buyer${i}@example.com`, tier: 'pro', iat: 1764000000, exp: 2095536000 });
const rate = (n, ms) => `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`;
const time = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const timeAsync = async (fn) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const row = (label, n, ms, floorLabel, floorMs) => console.log(`${label.padEnd(44)} ${rate(n, ms).padStart(10)}   ${floorLabel.padEnd(40)} ${rate(n, floorMs).padStart(10)}   ratio ${(ms / floorMs).toFixed(1)}x`);

const inProcess = (await import(EXAMPLE)).default;
let t0 = performance.now();
const plugin = await loadPluginFormat({ path: EXAMPLE, label: 'dtlic2', protectedPaths: [], env: process.env });
const loadMs = performance.now() - t0;
const jws = createJwsFormat('DTLIC3');

// (a) encode
for (let i = 0; i < 200; i++) await plugin.encode(claims(i), key), inProcess.encode(claims(i), key), await jws.encode(claims(i), key);
const rawEncode = time(() => { for (let i = 0; i < N; i++) inProcess.encode(claims(i), key); });
const pluginEncode = await timeAsync(async () => { for (let i = 0; i < N; i++) await plugin.encode(claims(i), key); });
const jwsEncode = await timeAsync(async () => { for (let i = 0; i < N; i++) await jws.encode(claims(i), key); });
console.log(`(a) encode, ${N} licenses`);
row('plugin through its worker (checked)', N, pluginEncode, 'same plugin in-process, raw signer', rawEncode);
row('built-in JWS', N, jwsEncode, 'same plugin in-process, raw signer', rawEncode);

// (b) mint into a ledger
const dir = mkdtempSync(join(tmpdir(), 'la-bench-fmt-'));
const config = { ...DEFAULT_CONFIG, product: 'datatools' };
const mintInto = async (format, file) => {
  const ledger = new Ledger(join(dir, file));
  const store = new SqliteLedgerStore(ledger, { random: randomBytes, actor: 'bench', source: 'bench', missingLicense: (k) => k });
  const ctx = { config, format, signer: key, clock: () => new Date(), random: randomBytes, actor: 'bench', source: 'bench' };
  const t = performance.now();
  for (let i = 0; i < N; i++) await store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: `buyer${i}@example.com`, name: `Buyer ${i}` }, ctx, { existing: 'error' }));
  const ms = performance.now() - t;
  ledger.close();
  return ms;
};
const mintJws = await mintInto(jws, 'jws.sqlite');
const mintPlugin = await mintInto(plugin, 'plugin.sqlite');
console.log(`(b) mint into the ledger, ${N} licenses`);
row('mint with the plugin format', N, mintPlugin, 'mint with JWS', mintJws);

// (c) verify a log
const blobs = Array.from({ length: LOG }, (_, i) => inProcess.encode(claims(i), key));
const keys = [key.publicJwk];
const publicKey = publicKeyObject(key.publicJwk);
const rawVerify = time(() => {
  for (const b of blobs) {
    const d = inProcess.decode(b);
    if (!cryptoVerify(null, d.signedBytes, publicKey, d.signature)) throw new Error('bad');
  }
});
const batched = time(() => {
  plugin.prefetch(blobs);
  for (const b of blobs) if (!checkBlob(b, plugin, { keys }).valid) throw new Error('bad');
});
const oneByOne = time(() => { for (const b of blobs) if (!checkBlob(b, plugin, { keys }).valid) throw new Error('bad'); });
console.log(`(c) verify ${LOG} blobs`);
row('checkBlob + plugin, batched decode', LOG, batched, 'in-process decode + crypto.verify', rawVerify);
row('checkBlob + plugin, one decode per call', LOG, oneByOne, 'in-process decode + crypto.verify', rawVerify);

// (d) load
console.log(`(d) loading the plugin (worker start + import): ${loadMs.toFixed(1)} ms`);
await plugin.close();
rmSync(dir, { recursive: true, force: true });
