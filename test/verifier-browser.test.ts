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
let port: number;

beforeAll(async () => {
  // Bundle the way an Electron or web app would: through the package's own "exports" map.
  const bundle = await build({
    stdin: { contents: "export { verifyLicense } from 'license-admin/verify';", resolveDir: root, loader: 'js' },
    bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  // The page does what an app would: import the verifier, check blobs, show the verdicts.
  // ?remove=subtle takes WebCrypto away before the first verification (as some Electron contexts lack it).
  const app = `
    import { verifyLicense } from '/verify.js';
    if (new URLSearchParams(location.search).get('remove') === 'subtle') Object.defineProperty(crypto, 'subtle', { value: undefined });
    const list = await (await fetch('/vectors.json')).json();
    const out = [];
    for (const v of list) {
      const r = await verifyLicense(v.blob, { keys: [v.publicKeyJwk], product: v.product, now: new Date(v.now), ...(v.tag ? { tag: v.tag } : {}) });
      out.push({ expected: v.expected, actual: r.valid ? 'valid' : r.reason });
    }
    const webCryptoEd25519 = crypto.subtle ? await crypto.subtle.importKey('jwk', list[0].publicKeyJwk, { name: 'Ed25519' }, false, ['verify']).then(() => true, () => false) : false;
    window.results = { out, hasNode: typeof globalThis.process !== 'undefined', webCryptoEd25519, subtle: typeof crypto.subtle, secure: isSecureContext };`;
  const page = `<!doctype html><meta charset="utf-8"><title>verify</title><script type="module" src="/app.js"></script>`;
  server = createServer((req, res) => {
    if (req.url!.startsWith('/?') || req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    else if (req.url === '/verify.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (req.url === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(app);
    else if (req.url === '/vectors.json') res.writeHead(200, { 'content-type': 'application/json' }).end(vectorsJson);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}/`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // insecure.test resolves to 127.0.0.1 inside this browser only: a plain-http page on a host that is not
    // localhost, so not a secure context, so no crypto.subtle at all (what a creator's page on http gets).
    args: ['--host-resolver-rules=MAP insecure.test 127.0.0.1', '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

interface PageResults {
  out: { expected: string; actual: string }[];
  hasNode: boolean;
  webCryptoEd25519: boolean;
  subtle: string;
  secure: boolean;
}

async function resultsOf(address: string): Promise<PageResults> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(address);
  await page.waitForFunction(() => 'results' in window, undefined, { timeout: 30_000 }).catch(() => {
    throw new Error(`the page never finished: ${errors.join('; ')}`);
  });
  const results = (await page.evaluate(() => (window as unknown as { results: unknown }).results)) as PageResults;
  await page.close();
  expect(results.hasNode).toBe(false);
  expect(results.out).toHaveLength(vectorCount);
  return results;
}

test('every vector gets its expected verdict in Chromium', async () => {
  const results = await resultsOf(url);
  expect(results.webCryptoEd25519).toBe(true);
  for (const r of results.out) expect(r.actual).toBe(r.expected);
});

// Issue 13, item 5: without crypto.subtle every valid license used to be bad-signature (noble had no SHA-512).
test('with WebCrypto removed by the page, the noble fallback gives every vector its verdict', async () => {
  const results = await resultsOf(`${url}?remove=subtle`);
  expect(results.subtle).toBe('undefined');
  expect(results.out.filter((r) => r.expected === 'valid').length).toBeGreaterThanOrEqual(3);
  for (const r of results.out) expect(r.actual).toBe(r.expected);
});

test('on a plain-http page (not a secure context, so no crypto.subtle) every vector gets its verdict', async () => {
  const results = await resultsOf(`http://insecure.test:${port}/`);
  expect(results.secure).toBe(false);
  expect(results.subtle).toBe('undefined');
  for (const r of results.out) expect(r.actual).toBe(r.expected);
});
