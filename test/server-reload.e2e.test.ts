// `server retry` after fixing config.json must not promise what the running server cannot do: serve
// re-reads config.json on SIGHUP (a broken file keeps the running config), and `server retry` says the
// server retries with the config it has loaded. Through the built binary, on the SQLite ledger.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from './helpers/cli.js';
import { gumroadPing, postGumroad, until } from './helpers/server-harness.js';
import { setupServeHome, sql, startServe } from './helpers/serve-process.js';

test('SIGHUP reloads the product map; server retry then mints the sale that failed', async () => {
  const home = await setupServeHome({ LICENSE_ADMIN_DEFAULT_TIER: '' });
  const configFile = join(home.home, '.license-admin', 'config.json');
  const original = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  const server = startServe(home);
  try {
    const { url, pid } = await server.ready;
    const failed = async () => (await runCli(['server', 'events', '--failed', '--json'], home)).json<{ orderRef: string; processed: boolean; error: string }[]>();
    expect((await postGumroad(url, gumroadPing('RELOAD-1'))).status).toBe(200);
    await until(async () => (await failed()).some((e) => e.processed && /unmapped product/.test(e.error)), 15_000, 'the unmapped sale failed');

    // The fix, written while the server runs; a retry now would run with the old config, and says so.
    writeFileSync(configFile, JSON.stringify({ ...original, productMap: [{ provider: 'gumroad', match: 'dashtool', tier: 'core' }] }, null, 2));
    const early = await runCli(['server', 'retry', '--order', 'gumroad:RELOAD-1'], home);
    expect(early.exitCode, early.stderr).toBe(0);
    expect(early.stderr).toMatch(/config it has loaded/);
    expect(early.stderr).toMatch(/kill -HUP/);
    await until(async () => (await failed()).some((e) => e.processed && /unmapped product/.test(e.error)), 15_000, 'failed again with the old config');

    // A broken file on SIGHUP: logged, the server keeps running with what it had.
    writeFileSync(configFile, '{ not json');
    process.kill(pid, 'SIGHUP');
    await until(async () => /config reload failed/.test(server.stderr()), 10_000, 'the reload failure logged');
    expect((await fetch(`${url}/health`)).status).toBe(200);

    writeFileSync(configFile, JSON.stringify({ ...original, productMap: [{ provider: 'gumroad', match: 'dashtool', tier: 'core' }] }, null, 2));
    process.kill(pid, 'SIGHUP');
    await until(async () => /"msg":"config reloaded"/.test(server.stderr()), 10_000, 'the reload logged');
    const retry = await runCli(['server', 'retry', '--order', 'gumroad:RELOAD-1', '--json'], home);
    expect(retry.json()).toEqual({ requeued: 1 });
    const [license] = await until(async () => {
      const rows = await sql<{ tier: string }>(home, "SELECT tier FROM licenses WHERE order_ref = 'gumroad:RELOAD-1'");
      return rows.length ? rows : null;
    }, 15_000, 'the sale minted');
    expect(license!.tier).toBe('core');
    expect(await server.stop()).toBe(0);
  } finally {
    await server.stop(1_000);
  }
}, 90_000);
