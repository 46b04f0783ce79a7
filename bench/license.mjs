// Sign and verify throughput of our license format next to raw node:crypto Ed25519 measured in the
// same run (64-in-flight verification against node:crypto's callback form at the same concurrency), and the embedded verifier's minified + gzipped size.
// Usage: npm run build && node bench/license.mjs
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { signingKeyFromSeed } from '../dist/license/ed25519-key.js';
import { createJwsFormat } from '../dist/license/jws-format.js';
import { verifyLicense } from '../dist/verify/index.js';
import { utf8 } from '../dist/verify/base64url.js';

const N = Number(process.env.N ?? 20000);
const seed = Buffer.alloc(32, 9);
const key = signingKeyFromSeed(seed);
const format = createJwsFormat('DTLIC3');
const claims = (i) => ({ v: 1, iss: 'datatools', sub: `DT1-PRO-AAAA-BBBB-CCCC-${String(i).padStart(4, '0')}X`, name: 'Jane Doe', email: `jane${i}@example.com`, tier: 'pro', iat: 1764000000, exp: 1795536000 });
const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
const publicKey = createPublicKey(privateKey);

const rate = (fn) => { const t = performance.now(); fn(); return N / ((performance.now() - t) / 1000); };
const rateAsync = async (fn) => { const t = performance.now(); await fn(); return N / ((performance.now() - t) / 1000); };
const fmt = (x) => Math.round(x).toLocaleString('en-US').padStart(8);

// Warm up both paths.
for (let i = 0; i < 500; i++) { await format.encode(claims(i), key); sign(null, utf8('warm'), privateKey); }

const blobs = [];
for (let i = 0; i < N; i++) blobs.push(await format.encode(claims(i), key));
const signingInputs = blobs.map((b) => utf8(b.slice(7, b.lastIndexOf('.'))));
const signatures = blobs.map((b) => Buffer.from(b.slice(b.lastIndexOf('.') + 1), 'base64url'));

const rawSign = rate(() => { for (let i = 0; i < N; i++) sign(null, signingInputs[i], privateKey); });
const oursSign = await rateAsync(async () => { for (let i = 0; i < N; i++) await format.encode(claims(i), key); });
const rawVerify = rate(() => { for (let i = 0; i < N; i++) if (!verify(null, signingInputs[i], publicKey, signatures[i])) throw new Error('raw verify failed'); });
const opts = { keys: [key.publicJwk], product: 'datatools', tag: 'DTLIC3', now: new Date('2026-06-01T00:00:00Z') };
await verifyLicense(blobs[0], opts);
const oursVerifySeq = await rateAsync(async () => { for (let i = 0; i < N; i++) if (!(await verifyLicense(blobs[i], opts)).valid) throw new Error('verify failed'); });
// The fair baseline for 64 in flight: node:crypto's callback form (libuv's thread pool) at the same concurrency.
const verifyCb = (i) => new Promise((resolve, reject) => verify(null, signingInputs[i], publicKey, signatures[i], (err, ok) => (err || !ok ? reject(err ?? new Error('raw verify failed')) : resolve())));
const rawVerifyConc = await rateAsync(async () => {
  for (let i = 0; i < N; i += 64) await Promise.all(Array.from({ length: Math.min(64, N - i) }, (_, j) => verifyCb(i + j)));
});
const oursVerifyConc = await rateAsync(async () => {
  for (let i = 0; i < N; i += 64) await Promise.all(blobs.slice(i, i + 64).map(async (b) => { if (!(await verifyLicense(b, opts)).valid) throw new Error('verify failed'); }));
});

const bundle = await build({ entryPoints: ['src/verify/index.ts'], bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
const bytes = bundle.outputFiles[0].contents;
const gz = gzipSync(bytes, { level: 9 }).length;

console.log(`license format bench, ${N} ops each (Node ${process.version})`);
console.log(`sign    raw node:crypto        ${fmt(rawSign)} /s`);
console.log(`sign    ours (claims -> blob)  ${fmt(oursSign)} /s   ratio ${(oursSign / rawSign).toFixed(2)}`);
console.log(`verify  raw node:crypto (sync) ${fmt(rawVerify)} /s`);
console.log(`verify  ours, one at a time    ${fmt(oursVerifySeq)} /s   ratio ${(oursVerifySeq / rawVerify).toFixed(2)}`);
console.log(`verify  raw callback, 64 in flight ${fmt(rawVerifyConc)} /s`);
console.log(`verify  ours, 64 in flight     ${fmt(oursVerifyConc)} /s   ratio ${(oursVerifyConc / rawVerifyConc).toFixed(2)} of the callback baseline   (goal >= 0.90)`);
console.log(`verifier bundle (esbuild, minified, incl. @noble/ed25519 fallback): ${bytes.length} B, gzipped ${gz} B (${(gz / 1024).toFixed(2)} KB; goal <= 8 KB)`);
