// The size an app pays for embedding `license-admin/verify`: bundled for the browser through the package's
// "exports" map (as an Electron or web app would), minified, raw and gzipped. The noble fallback (with
// @noble/hashes' SHA-512) is a dynamic import: split out, it is fetched only where WebCrypto lacks Ed25519.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function measure(splitting) {
  const result = await build({
    stdin: { contents: "export { verifyLicense, verifyLease, verifyRevocationList } from 'license-admin/verify';", resolveDir: root, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', minify: true, write: false, logLevel: 'silent',
    ...(splitting ? { splitting: true, outdir: '/virtual' } : {}),
  });
  return result.outputFiles.map((f) => ({ file: f.path.replace(/^\/virtual\//, ''), raw: f.contents.length, gzip: gzipSync(f.contents).length }));
}

const single = await measure(false);
const total = single.reduce((s, f) => ({ raw: s.raw + f.raw, gzip: s.gzip + f.gzip }), { raw: 0, gzip: 0 });
console.log(`one file (everything inlined): ${kb(total.raw)} minified, ${kb(total.gzip)} gzipped`);
const split = await measure(true);
for (const f of split) console.log(`  split: ${f.file.padEnd(28)} ${kb(f.raw).padStart(9)} minified, ${kb(f.gzip).padStart(8)} gzipped`);
