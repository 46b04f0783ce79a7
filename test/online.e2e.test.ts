// The built binary: `limit: 1` holds across two `serve` replicas on one PostgreSQL (a row lock, not an
// in-process mutex: 20 concurrent activations, spread over both, exactly one wins); and on the CLI's SQLite
// ledger, the activations a server made are listed, shown, deactivated and reset by the CLI.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/config.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { localSigner } from '../src/license/signer.js';
import { PostgresStore } from '../src/stores/postgres-store.js';
import { mintInTransaction } from '../src/usecases/mint.js';
import { runCli } from './helpers/cli.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { setupServeHome, sql, startServe, type ServeProcess } from './helpers/serve-process.js';
import { freshDatabase } from './helpers/server-harness.js';

let cluster: PostgresInstance;
const running: ServeProcess[] = [];
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await cluster?.stop();
});

const post = async (url: string, path: string, body: unknown) => {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

describe('online activations end to end', () => {
  it('two serve replicas on PostgreSQL: 20 concurrent activations of a limit-1 key, exactly one wins', async () => {
    const databaseUrl = await freshDatabase(cluster.url);
    const seed = randomBytes(32);
    const served = await setupServeHome({ DATABASE_URL: databaseUrl, LICENSE_ADMIN_PRIVATE_KEY: seed.toString('hex'), LICENSE_ADMIN_ONLINE: '1', LICENSE_ADMIN_ACTIVATION_LIMIT: '1' });
    const a = startServe(served);
    const b = startServe(served);
    running.push(a, b);
    const [ra, rb] = await Promise.all([a.ready, b.ready]);
    const store = PostgresStore.connect(databaseUrl, { random: (n) => randomBytes(n) });
    const config = { ...DEFAULT_CONFIG, product: 'dashtool', prefix: 'DT1' };
    const ctx = { config, format: createJwsFormat(undefined), signer: localSigner(signingKeyFromSeed(seed)), clock: () => new Date(), random: (n: number) => randomBytes(n), actor: 'test', source: 'server' };
    const { license } = await mintInTransaction(store, { tier: 'pro', email: 'race@example.com' }, ctx, { existing: 'error' });
    await store.close();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => post(i % 2 ? ra.url : rb.url, '/api/v1/licenses/activate', { key: license.licenseKey, fingerprint: `machine-${i}` })));
    expect(replies.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(409)]);
    const rows = await sql<{ n: string }>({ home: served.home, databaseUrl }, "SELECT count(*) AS n FROM events WHERE type = 'activated' AND license_key = ?", [license.licenseKey]);
    expect(Number(rows[0]!.n)).toBe(1);
  }, 120_000);

  it('the CLI lists, shows, deactivates and resets what the server activated', async () => {
    const served = await setupServeHome({ LICENSE_ADMIN_ONLINE: '1', LICENSE_ADMIN_ACTIVATION_LIMIT: '3' });
    const minted = await runCli(['mint', '--tier', 'pro', '--email', 'cli@example.com', '--json'], served);
    expect(minted.exitCode, minted.stderr).toBe(0);
    const key = (minted.json() as { licenseKey: string }).licenseKey;
    const srv = startServe(served);
    running.push(srv);
    const { url } = await srv.ready;
    const one = await post(url, '/api/v1/licenses/activate', { key, fingerprint: 'fp-1', label: 'Laptop' });
    const two = await post(url, '/api/v1/licenses/activate', { key, fingerprint: 'fp-2', label: 'Desktop' });
    expect([one.status, two.status]).toEqual([201, 201]);

    const list = await runCli(['activations', 'list', key, '--json'], served);
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.json()).toEqual({ licenseKey: key, activations: [
      { id: one.json.activation.id, label: 'Laptop', activatedAt: one.json.activation.activatedAt },
      { id: two.json.activation.id, label: 'Desktop', activatedAt: two.json.activation.activatedAt },
    ] });
    const human = await runCli(['activations', 'list', key], served);
    expect(human.stdout).toContain(one.json.activation.id);
    expect(human.stdout).toContain('Laptop');
    const shown = await runCli(['show', key, '--json'], served);
    expect((shown.json() as { activations: unknown[] }).activations).toHaveLength(2);
    expect((await runCli(['show', key], served)).stdout).toMatch(/activated/);

    const off = await runCli(['deactivate', key, one.json.activation.id, '--json'], served);
    expect(off.exitCode, off.stderr).toBe(0);
    expect(off.json()).toMatchObject({ licenseKey: key, deactivated: { id: one.json.activation.id }, activations: [{ id: two.json.activation.id }] });
    const missing = await runCli(['deactivate', key, one.json.activation.id, '--json'], served);
    expect(missing.exitCode).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'not_found' } });
    expect((await post(url, '/api/v1/licenses/validate', { key, fingerprint: 'fp-1' })).json.status).toBe('machine_unknown');

    const reset = await runCli(['activations', 'reset', key, '--json'], served);
    expect(reset.json()).toMatchObject({ licenseKey: key, cleared: [{ id: two.json.activation.id }], changed: true });
    expect((await runCli(['activations', 'reset', key, '--json'], served)).json()).toMatchObject({ cleared: [], changed: false });
    expect((await post(url, '/api/v1/licenses/validate', { key })).json.license.activations.used).toBe(0);
  }, 120_000);
});
