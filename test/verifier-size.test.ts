// The size budget of `license-admin/verify` (README): what an app bundles, minified and gzipped, stays at most
// 8 KB with leases and revocation lists in it; the noble fallback stays a separate chunk loaded only without
// WebCrypto. Measured as bench/verifier-size.mjs does: esbuild through the package's "exports" map.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { expect, test } from 'vitest';

test('the embedded verifier (licenses, leases, revocation lists) is at most 8 KB min+gzip, the fallback split out', async () => {
  const result = await build({
    stdin: { contents: "export { verifyLicense, verifyLease, verifyRevocationList } from 'license-admin/verify';", resolveDir: join(import.meta.dirname, '..'), loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', minify: true, write: false, logLevel: 'silent', splitting: true, outdir: '/virtual',
  });
  const sizes = result.outputFiles.map((f) => ({ file: f.path, gzip: gzipSync(f.contents).length }));
  const entry = sizes.find((s) => s.file.endsWith('stdin.js'))!;
  const fallback = sizes.find((s) => s.file.includes('noble-fallback'))!;
  expect(entry.gzip).toBeLessThanOrEqual(8 * 1024);
  expect(fallback).toBeDefined();
  expect(fallback.gzip).toBeLessThanOrEqual(8 * 1024);
}, 60_000);
