// A break-glass mint on the laptop (server down) and a server mint for the same order id: after sync both
// licenses exist and only the earliest keeps the order id (docs/SYNC.md). That must not happen silently:
// `sync` reports it (text and --json) and both licenses' histories record it, once, on both sides.
// Real binaries: `license-admin serve` (SQLite) and the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { runCli } from './helpers/cli.js';
import { initHome, LICENSE_SEED, newAdminIdentity, startServer, type RunningServer } from './helpers/sync-server.js';

const admin = newAdminIdentity();
const cliEnv = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED, LICENSE_ADMIN_ADMIN_KEY: admin.seed };
let server: RunningServer;
let home: string;

beforeAll(async () => {
  server = await startServer({ adminKeys: [admin.publicKey] });
  home = await initHome(cliEnv);
  expect((await runCli(['remote', 'add', server.url], { home, env: cliEnv })).exitCode).toBe(0);
});
afterAll(async () => {
  await server?.stop();
});

async function serverMint(body: Record<string, unknown>): Promise<{ licenseKey: string }> {
  const text = JSON.stringify(body);
  const token = signAdminToken({ method: 'POST', path: '/internal/mint', body: text }, signingKeyFromSeed(Buffer.from(admin.seed, 'hex')), new Date());
  const res = await fetch(`${server.url}/internal/mint`, { method: 'POST', headers: { authorization: `LicenseAdmin ${token}`, 'content-type': 'application/json' }, body: text });
  expect(res.status).toBe(201);
  return ((await res.json()) as { license: { licenseKey: string } }).license;
}

const historyOf = async (key: string, where: { home: string; env: Record<string, string> }) =>
  ((await runCli(['show', key, '--json'], where)).json().events as { type: string; data: Record<string, unknown> }[]);

describe('one order minted on both sides', () => {
  it('sync reports the contest and records it in both histories, on the CLI and on the server, once', async () => {
    const port = Number(new URL(server.url).port);
    await server.stop();
    const local = await runCli(['mint', '--tier', 'pro', '--email', 'buyer@example.com', '--order-id', 'GR-777', '--json'], { home, env: cliEnv });
    expect(local.exitCode, local.stderr).toBe(0);
    expect(local.stderr).toContain('break-glass');
    server = await startServer({ adminKeys: [admin.publicKey], home: server.home, port });
    const remote = await serverMint({ tier: 'pro', email: 'buyer@example.com', orderId: 'GR-777' });
    const laptopKey = local.json().licenseKey as string;

    const sync = await runCli(['sync', '--json'], { home, env: cliEnv });
    expect(sync.exitCode, sync.stderr).toBe(0);
    const expected = { orderIds: ['gumroad:GR-777'], keptBy: laptopKey, droppedBy: remote.licenseKey };
    expect(sync.json().contested).toEqual([expect.objectContaining(expected)]);

    const cli = { home, env: cliEnv };
    const srv = { home: server.home, env: server.env };
    for (const where of [cli, srv]) {
      for (const key of [laptopKey, remote.licenseKey]) {
        const contests = (await historyOf(key, where)).filter((e) => e.type === 'order_contested');
        expect(contests, `${key} on ${where.home}`).toHaveLength(1);
        expect(contests[0]!.data).toEqual(expected);
      }
      const shown = (await runCli(['show', 'buyer@example.com', '--json'], where)).json() as { licenseKey: string; gumroadOrderId: string | null; status: string }[];
      expect(Object.fromEntries(shown.map((l) => [l.licenseKey, [l.gumroadOrderId, l.status]]))).toEqual({ [laptopKey]: ['GR-777', 'active'], [remote.licenseKey]: [null, 'active'] });
    }
    const human = await runCli(['show', remote.licenseKey], cli);
    expect(human.stdout).toMatch(new RegExp(`order gumroad:GR-777 also claimed by ${laptopKey} \\(minted first\\)`));

    // Nothing new to say the second time, and nothing moves.
    const again = await runCli(['sync', '--json'], cli);
    expect(again.json()).toMatchObject({ contested: [], pull: { inserted: 0 }, push: { sent: 0 } });
    const text = await runCli(['sync'], cli);
    expect(text.stderr).not.toMatch(/two licenses/);
  });

  it('the text output names both licenses and what to do', async () => {
    const other = await initHome(cliEnv);
    expect((await runCli(['remote', 'add', server.url], { home: other, env: cliEnv })).exitCode).toBe(0);
    const local = await runCli(['mint', '--local', '--tier', 'core', '--email', 'b2@example.com', '--order-id', 'GR-778', '--json'], { home: other, env: cliEnv });
    const remote = await serverMint({ tier: 'core', email: 'b2@example.com', orderId: 'GR-778' });
    const sync = await runCli(['sync'], { home: other, env: cliEnv });
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stderr).toContain(`warning: order gumroad:GR-778 has two licenses`);
    expect(sync.stderr).toContain(`${local.json().licenseKey} keeps the order id (minted first); ${remote.licenseKey} stays valid but no longer claims it`);
    expect(sync.stderr).toContain(`license-admin revoke ${remote.licenseKey}`);
  });
});
