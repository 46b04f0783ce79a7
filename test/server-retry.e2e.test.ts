// A sale of a product with no tier mapping is kept as a failed payment event, not lost: after the mapping
// is fixed, `server retry` puts it back in the queue and the running server mints it.
import { afterEach, expect, test } from 'vitest';
import { runCli, spawnCli, tempHome } from './helpers/cli.js';

const SEED = '66'.repeat(32);
const GUMROAD_TOKEN = 'retry-test-ping-token';
const children: ReturnType<typeof spawnCli>[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.kill('SIGTERM');
    await c;
  }
});

async function serve(home: string, env: Record<string, string>): Promise<string> {
  const child = spawnCli(['serve', '--port', '0', '--json'], { home, env: { ...env, LICENSE_ADMIN_POLL_MS: '100' }, timeoutMs: 120_000 });
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

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
}

test('an unmapped sale fails visibly and is minted after the fix and `server retry`', async () => {
  const home = await tempHome();
  const env = { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_GUMROAD_TOKEN: GUMROAD_TOKEN };
  expect((await runCli(['init', '--yes', '--product', 'datatools'], { home, env })).exitCode).toBe(0);
  let url = await serve(home, env);
  const ping = new URLSearchParams({ sale_id: 'SALE-1', email: 'buyer@example.com', full_name: 'Bu Yer', product_id: 'prod-1', product_name: 'Data Tools', sale_timestamp: '2026-11-25T10:00:00Z', resource_name: 'sale' });
  const res = await fetch(`${url}/webhooks/gumroad?token=${GUMROAD_TOKEN}`, { method: 'POST', body: ping, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(res.status).toBe(200);

  const failed = await until(async () => (await runCli(['server', 'events', '--failed', '--json'], { home, env })).json() as { error: string }[], (v) => v.length > 0);
  expect(failed).toHaveLength(1);
  expect(failed[0]!.error).toMatch(/LICENSE_ADMIN_DEFAULT_TIER|mapping|unmapped/i);
  expect(JSON.stringify(failed)).not.toContain('buyer@example.com');
  expect((await runCli(['list', '--json'], { home, env })).json()).toEqual([]);

  // The fix: a default tier. Restart with it, then retry.
  for (const c of children.splice(0)) {
    c.kill('SIGTERM');
    await c;
  }
  url = await serve(home, { ...env, LICENSE_ADMIN_DEFAULT_TIER: 'pro' });
  const retry = await runCli(['server', 'retry', '--order', 'gumroad:SALE-1', '--json'], { home, env });
  expect(retry.exitCode, retry.stderr).toBe(0);
  expect(retry.json()).toEqual({ requeued: 1 });
  const licenses = await until(async () => (await runCli(['list', '--json'], { home, env })).json() as { email: string; gumroadOrderId: string }[], (v) => v.length > 0);
  expect(licenses).toHaveLength(1);
  expect(licenses[0]).toMatchObject({ email: 'buyer@example.com', tier: 'pro', gumroadOrderId: 'SALE-1' });
  expect((await runCli(['server', 'events', '--failed', '--json'], { home, env })).json()).toEqual([]);
  expect((await runCli(['server', 'retry', '--json'], { home, env })).json()).toEqual({ requeued: 0 });
}, 90_000);
