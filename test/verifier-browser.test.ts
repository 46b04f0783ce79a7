// The embedded verifier in a real browser (Debian chromium driven by playwright-core): the package's
// `license-admin/verify` entry, bundled as an app would, served from 127.0.0.1, checked on every vector.
import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..');
const vectorDir = join(root, 'fixtures', 'vectors');
const vectorsJson = JSON.stringify(readdirSync(vectorDir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(vectorDir, f), 'utf8'))));
const vectorCount = (JSON.parse(vectorsJson) as unknown[]).length;
let server: Server;
let browser: Browser;
let url: string;

beforeAll(async () => {
  // Bundle the way an Electron or web app would: through the package's own "exports" map.
  const bundle = await build({
    stdin: { contents: "export { verifyLicense } from 'license-admin/verify';", resolveDir: root, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  // The page does what an app would: import the verifier, check blobs, show the verdicts.
  const app = `
    import { verifyLicense } from '/verify.js';
    const list = await (await fetch('/vectors.json')).json();
    const out = [];
    for (const v of list) {
      const r = await verifyLicense(v.blob, { keys: [v.publicKeyJwk], product: v.product, now: new Date(v.now), ...(v.tag ? { tag: v.tag } : {}) });
      out.push({ expected: v.expected, actual: r.valid ? 'valid' : r.reason });
    }
    window.results = { out, hasNode: typeof globalThis.process !== 'undefined', webCryptoEd25519: await crypto.subtle.importKey('jwk', list[0].publicKeyJwk, { name: 'Ed25519' }, false, ['verify']).then(() => true, () => false) };`;
  const page = `<!doctype html><meta charset="utf-8"><title>verify</title><script type="module" src="/app.js"></script>`;
  server = createServer((req, res) => {
    if (req.url === '/verify.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
    else if (req.url === '/vectors.json') res.writeHead(200, { 'content-type': 'application/json' }).end(vectorsJson);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

test('every vector gets its expected verdict in Chromium', async () => {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'results' in window, undefined, { timeout: 30_000 });
  const results = (await page.evaluate(() => (window as unknown as { results: unknown }).results)) as {
    out: { expected: string; actual: string }[];
    hasNode: boolean;
    webCryptoEd25519: boolean;
  };
  expect(results.hasNode).toBe(false);
  expect(results.out).toHaveLength(vectorCount);
  for (const r of results.out) expect(r.actual).toBe(r.expected);
  await page.close();
});
