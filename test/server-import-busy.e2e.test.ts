// Issue 13 #7, end to end through the built binary: `license-admin import` of a big file into the ledger a
// running `license-admin serve` uses. While the import's one transaction holds the write lock, every Gumroad
// ping is still answered 200 (stored in the spool), /health keeps answering, and afterwards every import row
// is there and every sale is minted.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runCli, spawnCli, tempHome } from './helpers/cli.js';

const SEED = '66'.repeat(32);
const TOKEN = 'import-busy-ping-token';
const ROWS = 20_000;
const children: ReturnType<typeof spawnCli>[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.kill('SIGTERM');
    await c;
  }
});

async function serve(home: string, env: Record<string, string>): Promise<string> {
  const child = spawnCli(['serve', '--port', '0', '--json'], { home, env: { ...env, LICENSE_ADMIN_POLL_MS: '200' }, timeoutMs: 170_000 });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      try {
        resolve((JSON.parse(out) as { url: string }).url);
        clearTimeout(timer);
      } catch {
        // not the whole document yet
      }
    });
  });
}

/** The legacy issuance log: ROWS licenses with legacy keys (blobs that do not verify are kept, unverified). */
function legacyLog(): string {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    lines.push(JSON.stringify({ license_key: `DT1-PRO-${hex(i >> 16)}-${hex(i & 0xffff)}`, name: `Buyer ${i}`, email: `b${i}@example.com`, tier: 'pro',
      issued_at: '2025-01-01T00:00:00Z', expires_at: '2026-01-01T00:00:00Z', blob: `legacy.${i}` }));
  }
  return `${lines.join('\n')}\n`;
}

interface Delivery { status: number; ms: number; body: { spooled?: number } }

test('a big import into the served ledger: webhooks are stored and answered 200 throughout, /health too, all sales minted after', async () => {
  const home = await tempHome();
  const env = { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_GUMROAD_TOKEN: TOKEN, LICENSE_ADMIN_DEFAULT_TIER: 'pro' };
  expect((await runCli(['init', '--yes', '--product', 'datatools'], { home, env })).exitCode).toBe(0);
  const url = await serve(home, env);
  const file = join(home, 'issued.jsonl');
  await writeFile(file, legacyLog());

  const importer = spawnCli(['import', file, '--json'], { home, env, timeoutMs: 150_000 });
  children.push(importer);
  // The import writes everything in one transaction, announced on stderr just before it begins.
  await new Promise<void>((resolve) => {
    let err = '';
    importer.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (/in one transaction/.test(err)) resolve();
    });
    void importer.then(() => resolve());
  });
  let importDone = false;
  const imported = importer.then((r) => {
    importDone = true;
    return r;
  });

  const deliveries: Delivery[] = [];
  const health: number[] = [];
  let n = 0;
  while (!importDone) {
    const sale = `IMPORT-BUSY-${++n}`;
    const body = new URLSearchParams({ sale_id: sale, email: `${sale.toLowerCase()}@example.com`, product_id: 'p', product_name: 'Data Tools',
      sale_timestamp: '2026-11-25T10:00:00.000Z', resource_name: 'sale' });
    const started = performance.now();
    const res = await fetch(`${url}/webhooks/gumroad?token=${TOKEN}`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    deliveries.push({ status: res.status, ms: performance.now() - started, body: (await res.json()) as Delivery['body'] });
    health.push((await fetch(`${url}/health`)).status);
    await new Promise((r) => setTimeout(r, 25));
  }
  const result = await imported;
  expect(result.exitCode, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).eventsWritten).toBe(ROWS);

  expect(deliveries.length).toBeGreaterThan(0);
  expect(deliveries.map((d) => d.status).filter((s) => s !== 200)).toEqual([]);
  expect(health.filter((s) => s !== 200)).toEqual([]);
  // At least one delivery arrived while the import held the ledger, and went to the spool instead of waiting.
  expect(deliveries.filter((d) => d.body.spooled === 1).length).toBeGreaterThan(0);
  // Far below what waiting for the import (busy_timeout 10 s) cost before; generous for a loaded machine.
  expect(Math.max(...deliveries.map((d) => d.ms))).toBeLessThan(3_000);

  const expected = deliveries.map((_d, i) => `IMPORT-BUSY-${i + 1}`);
  const deadline = Date.now() + 60_000;
  let minted: string[] = [];
  while (Date.now() < deadline) {
    const list = (await runCli(['list', '--json'], { home, env })).json() as { gumroadOrderId: string | null }[];
    minted = list.map((l) => l.gumroadOrderId).filter((id): id is string => id !== null && id.startsWith('IMPORT-BUSY-'));
    if (list.length === ROWS + expected.length && minted.length === expected.length) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(minted.sort()).toEqual(expected.sort());
}, 180_000);
