// More of the CLI's edges, through the built binary: a group run without its subcommand, init that fails
// at the ledger, multi-line notes in `show`, reasons without doubled brackets, the server's 413 code.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { jsonErrorOf, REPO_ROOT, runCli, tempHome } from './helpers/cli.js';
import { newAdminIdentity, startServer } from './helpers/sync-server.js';

const SEED = '6b'.repeat(32);
const ENV = { LICENSE_ADMIN_PRIVATE_KEY: SEED };

async function initialised() {
  const home = await tempHome();
  const r = await runCli(['init', '--yes', '--product', 'edges', '--tiers', 'core,pro'], { home, env: ENV });
  expect(r.exitCode, r.stderr).toBe(0);
  return home;
}

describe('a command group (or the program) run without a subcommand is a usage error', () => {
  test.each([[[]], [['keys']], [['remote']], [['server']], [['config']]])('license-admin %j', async (args) => {
    const home = await tempHome();
    const r = await runCli(args, { home });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Usage: license-admin/);
    expect(r.stderr).toMatch(/error: missing command/);
    const j = await runCli([...args, '--json'], { home });
    expect(j.exitCode).toBe(2);
    expect(jsonErrorOf(j)).toEqual({ code: 'usage', message: expect.stringMatching(/missing command/) });
  });

  test('asking for help is not an error', async () => {
    const home = await tempHome();
    for (const args of [['help'], ['--help'], ['keys', '--help'], ['help', 'keys']]) {
      const r = await runCli(args, { home });
      expect(r.exitCode, args.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: license-admin/);
    }
  });
});

describe('init that fails at the ledger writes no config.json, so the retry resumes', () => {
  test('a ledger path blocked by a file: exit 1, no config; the retry with a good path initialises', async () => {
    const home = await tempHome();
    const blocker = join(home, 'not-a-directory');
    writeFileSync(blocker, '');
    const configFile = join(home, '.license-admin', 'config.json');
    const r = await runCli(['init', '--yes', '--product', 'blocked'], { home, env: { ...ENV, LICENSE_ADMIN_LEDGER: join(blocker, 'ledger.sqlite') } });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/not-a-directory/);
    expect(existsSync(configFile)).toBe(false);
    const retry = await runCli(['init', '--yes', '--product', 'blocked', '--json'], { home, env: ENV });
    expect(retry.exitCode, retry.stderr).toBe(0);
    expect(retry.json()).toMatchObject({ config: { product: 'blocked' } });
    expect(existsSync(configFile)).toBe(true);
  });

  test('a home with config.json and a key but no ledger (left by an older init) is resumed', async () => {
    const home = await tempHome();
    const dir = join(home, '.license-admin');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ product: 'noledger', prefix: 'NL1' }));
    const r = await runCli(['init', '--yes', '--json'], { home, env: ENV });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Resuming: .*no ledger/);
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(true);
    const again = await runCli(['init', '--yes'], { home, env: ENV });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already initialised/);
  });
});

test('show lines up the later lines of multi-line notes under the first', async () => {
  const home = await initialised();
  const key = (await runCli(['mint', '--tier', 'pro', '--email', 'notes@example.com', '--json'], { home, env: ENV })).json().licenseKey as string;
  expect((await runCli(['note', key, 'called about the invoice\nwill pay by card'], { home, env: ENV })).exitCode).toBe(0);
  expect((await runCli(['note', key, 'paid'], { home, env: ENV })).exitCode).toBe(0);
  const r = await runCli(['show', key], { home, env: ENV });
  expect(r.exitCode, r.stderr).toBe(0);
  const pad = ' '.repeat(16);
  expect(r.stdout).toContain(`  Notes         called about the invoice\n${pad}will pay by card\n${pad}paid\n`);
  const json = await runCli(['show', key, '--json'], { home, env: ENV });
  expect(json.json().notes).toBe('called about the invoice\nwill pay by card\npaid');
});

test("reconcile names a Gumroad sale's variant once, without doubling the export's brackets", async () => {
  const home = await initialised();
  const r = await runCli(['reconcile', join(REPO_ROOT, 'fixtures', 'import', 'gumroad-sales.csv'), '--json'], { home, env: ENV });
  expect(r.exitCode, r.stderr).toBe(0);
  const reasons = (r.json().unmapped as { reason: string }[]).map((u) => u.reason);
  expect(reasons.length).toBeGreaterThan(0);
  expect(reasons).toContain('no productMap entry for "Data Tools" with variant "Pro" and LICENSE_ADMIN_DEFAULT_TIER is not set');
  for (const reason of reasons) expect(reason).not.toMatch(/\(\(|\)\)/);
  const human = await runCli(['reconcile', join(REPO_ROOT, 'fixtures', 'import', 'gumroad-sales.csv')], { home, env: ENV });
  expect(`${human.stdout}${human.stderr}`).not.toMatch(/\(\(|\)\)/);
});

test('the server answers an oversized body with 413 payload_too_large, the code docs/WEBHOOKS.md lists', async () => {
  const server = await startServer({ adminKeys: [newAdminIdentity().publicKey] });
  try {
    const res = await fetch(`${server.url}/webhooks/gumroad?token=whatever`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `sale_id=BIG&padding=${'x'.repeat(1024 * 1024 + 1)}`,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  } finally {
    await server.stop();
  }
});
