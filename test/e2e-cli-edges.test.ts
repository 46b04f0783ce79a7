// The CLI at its edges, through the built binary: what --json failures print, init with no keychain,
// secrets refused on argv, list's paging and tier checks, remote add with no keychain.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempHome } from './helpers/cli.js';

const SEED = '5a'.repeat(32);
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };

async function initialised(env: Record<string, string> = {}) {
  const home = await tempHome();
  const r = await runCli(['init', '--yes', '--product', 'edges', '--tiers', 'core,pro'], { home, env: { LICENSE_ADMIN_PRIVATE_KEY: SEED, ...env } });
  expect(r.exitCode, r.stderr).toBe(0);
  return { home, env: { LICENSE_ADMIN_PRIVATE_KEY: SEED, ...env } };
}

describe('--json failures are one error object on stdout, with the same exit code', () => {
  test.each([
    { name: 'a user error (a key with a bad check character)', args: ['show', 'DT1-PRO-AAAA-BBBB-CCCC-DDDD', '--json'], exit: 1, code: /^(not_found|user_error)$/ },
    { name: 'a user error (mint without a configured tier)', args: ['mint', '--tier', 'gold', '--email', 'a@example.com', '--json'], exit: 1, code: /^user_error$/ },
    { name: 'a usage error (unknown option)', args: ['list', '--no-such-flag', '--json'], exit: 2, code: /^usage$/ },
    { name: 'a usage error (bad flag value)', args: ['list', '--page', '0', '--json'], exit: 2, code: /^usage$/ },
  ])('$name', async ({ args, exit, code }) => {
    const { home, env } = await initialised();
    const withoutJson = await runCli(args.filter((a) => a !== '--json'), { home, env });
    const r = await runCli(args, { home, env });
    expect(r.exitCode, r.stderr).toBe(exit);
    expect(withoutJson.exitCode).toBe(exit);
    expect(r.stderr).toMatch(/error/);
    const body = r.json<{ error: { code: string; message: string } }>();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toMatch(code);
    expect(body.error.message.length).toBeGreaterThan(5);
    expect(withoutJson.stdout).toBe('');
  });

  test('--json after a bare -- is an argument, not the flag', async () => {
    const { home, env } = await initialised();
    const r = await runCli(['show', '--', '--json'], { home, env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no licenses for --json/);
    expect(r.stdout).toBe('');
  });

  test('not_found for a license that is not in the ledger', async () => {
    const { home, env } = await initialised();
    const other = await initialised();
    const elsewhere = (await runCli(['mint', '--tier', 'pro', '--email', 'x@example.com', '--json'], other)).json<{ licenseKey: string }>().licenseKey;
    const r = await runCli(['revoke', elsewhere, '--json'], { home, env });
    expect(r.exitCode).toBe(1);
    expect(r.json().error.code).toBe('not_found');
    const shown = await runCli(['show', 'nobody@example.com', '--json'], { home, env });
    expect(shown.exitCode).toBe(1);
    expect(shown.json().error).toEqual({ code: 'not_found', message: expect.stringContaining('no licenses for nobody@example.com') });
  });
});

describe('list', () => {
  test('--page 0 is an error with or without --json; --page with --json pages; --page and --all conflict', async () => {
    const { home, env } = await initialised();
    // 55 licenses in one import (55 mint processes would take most of a minute on a busy machine).
    const log = join(home, 'issued.jsonl');
    const line = (i: number) => JSON.stringify({ license_key: `DT1-CORE-${String(1000 + i)}-abcd`, name: `P ${i}`, email: `p${i}@example.com`, tier: 'core', issued_at: `2026-01-${String(1 + (i % 28)).padStart(2, '0')}`, expires_at: '2030-01-01', blob: `legacy-blob-${i}` });
    writeFileSync(log, `${Array.from({ length: 55 }, (_, i) => line(i)).join('\n')}\n`);
    const imported = await runCli(['import', log, '--json'], { home, env });
    expect(imported.exitCode, imported.stderr).toBe(0);
    for (const extra of [[], ['--json'], ['--csv']]) {
      const r = await runCli(['list', '--page', '0', ...extra], { home, env });
      expect(r.exitCode, `${extra.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--page expects a positive whole number/);
    }
    const all = await runCli(['list', '--json'], { home, env });
    expect(all.json()).toHaveLength(55);
    const page1 = await runCli(['list', '--json', '--page', '1'], { home, env });
    const page2 = await runCli(['list', '--json', '--page', '2'], { home, env });
    const page3 = await runCli(['list', '--json', '--page', '3'], { home, env });
    expect(page1.json()).toHaveLength(50);
    expect(page2.json()).toHaveLength(5);
    expect(page3.exitCode).toBe(0);
    expect(page3.json()).toEqual([]);
    const keys = [...page1.json(), ...page2.json()].map((l: { licenseKey: string }) => l.licenseKey);
    expect(new Set(keys).size).toBe(55);
    const csv2 = await runCli(['list', '--csv', '--page', '2'], { home, env });
    expect(csv2.stdout.trim().split('\n')).toHaveLength(1 + 5);
    const both = await runCli(['list', '--page', '2', '--all'], { home, env });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/--page or --all/);
  });

  test('--tier that is not configured says so, naming the tiers', async () => {
    const { home, env } = await initialised();
    const r = await runCli(['list', '--tier', 'nosuch'], { home, env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/tier "nosuch" is not configured; the tiers are core, pro/);
    const ok = await runCli(['list', '--tier', 'PRO', '--json'], { home, env });
    expect(ok.exitCode, ok.stderr).toBe(0);
  });

  test('--tier that is no longer configured but held by licenses in the ledger lists them, with a warning', async () => {
    const { home, env } = await initialised();
    const minted = await runCli(['mint', '--tier', 'core', '--email', 'kept@example.com', '--json'], { home, env });
    expect(minted.exitCode, minted.stderr).toBe(0);
    // `config tiers remove` refuses a tier in use; a hand-edited config.json (or licenses pulled from a server
    // with other tiers) gets here.
    const configFile = join(home, '.license-admin', 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { tiers: string[] };
    writeFileSync(configFile, JSON.stringify({ ...config, tiers: ['pro'] }, null, 2));
    const r = await runCli(['list', '--tier', 'core', '--json'], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json<{ licenseKey: string }[]>().map((l) => l.licenseKey)).toEqual([minted.json().licenseKey]);
    expect(r.stderr).toMatch(/tier "core" is not configured \(the tiers are pro\), but the ledger has licenses of it/);
  });
});

describe('init with no keychain', () => {
  test('fails before writing anything, names the alternatives, and a retry with a key file works', async () => {
    const home = await tempHome();
    const r = await runCli(['init', '--yes', '--product', 'nokeychain'], { home, env: NO_KEYCHAIN });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/the OS keychain is not reachable/);
    expect(r.stderr).toMatch(/--key-storage file/);
    expect(existsSync(join(home, '.license-admin', 'config.json'))).toBe(false);
    expect(existsSync(join(home, '.license-admin', 'ledger.sqlite'))).toBe(false);

    const noPass = await runCli(['init', '--yes', '--product', 'nokeychain', '--key-storage', 'file'], { home, env: NO_KEYCHAIN });
    expect(noPass.exitCode).toBe(1);
    expect(noPass.stderr).toMatch(/LICENSE_ADMIN_KEY_PASSPHRASE/);
    expect(existsSync(join(home, '.license-admin', 'config.json'))).toBe(false);

    const retry = await runCli(['init', '--yes', '--product', 'nokeychain', '--key-storage', 'file', '--json'], {
      home, env: { ...NO_KEYCHAIN, LICENSE_ADMIN_KEY_PASSPHRASE: 'a long enough passphrase' },
    });
    expect(retry.exitCode, retry.stderr).toBe(0);
    expect(retry.json()).toMatchObject({ config: { product: 'nokeychain', keyStorage: 'file' } });
  });

  test('a home left with config.json but no key (by an older init) is resumed, not "already initialised"', async () => {
    const home = await tempHome();
    const dir = join(home, '.license-admin');
    await runCli(['--version'], { home });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ product: 'halfdone', prefix: 'HD1' }));
    const r = await runCli(['init', '--yes', '--key-storage', 'file', '--json'], { home, env: { LICENSE_ADMIN_KEY_PASSPHRASE: 'a long enough passphrase' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Resuming/);
    expect(r.json()).toMatchObject({ config: { product: 'halfdone', prefix: 'HD1' }, kid: expect.any(String) });
    const again = await runCli(['init', '--yes'], { home, env: { LICENSE_ADMIN_KEY_PASSPHRASE: 'a long enough passphrase' } });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already initialised/);
  });

  test('a key-file passphrase under 8 characters is refused before anything is written', async () => {
    const home = await tempHome();
    const r = await runCli(['init', '--yes', '--key-storage', 'file'], { home, env: { LICENSE_ADMIN_KEY_PASSPHRASE: 'short' } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/at least 8 characters/);
    expect(existsSync(join(home, '.license-admin', 'config.json'))).toBe(false);
  });

  test('keys init takes --key-storage (the same name as init), and the old --storage still works', async () => {
    const home = await tempHome();
    const env = { LICENSE_ADMIN_KEY_PASSPHRASE: 'a long enough passphrase' };
    const a = await runCli(['keys', 'init', '--key-storage', 'file', '--json'], { home, env });
    expect(a.exitCode, a.stderr).toBe(0);
    expect(a.json()).toMatchObject({ storage: 'file' });
    const help = await runCli(['keys', 'init', '--help'], { home });
    expect(help.stdout).toMatch(/--key-storage/);
    expect(help.stdout).not.toMatch(/--storage\b/);
    const home2 = await tempHome();
    const b = await runCli(['keys', 'init', '--storage', 'plaintext-file', '--json'], { home: home2 });
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.json()).toMatchObject({ storage: 'plaintext-file' });
  });
});

describe('remote add', () => {
  test('with no keychain it fails (exit 1, nothing configured) and names LICENSE_ADMIN_ADMIN_KEY', async () => {
    const { home, env } = await initialised();
    const r = await runCli(['remote', 'add', 'http://127.0.0.1:9'], { home, env: { ...env, ...NO_KEYCHAIN } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/keychain is not reachable/);
    expect(r.stderr).toMatch(/LICENSE_ADMIN_ADMIN_KEY/);
    const status = await runCli(['remote', 'status'], { home, env });
    expect(status.stderr).toMatch(/no server configured/);
    const withEnv = await runCli(['remote', 'add', 'http://127.0.0.1:9', '--json'], { home, env: { ...env, ...NO_KEYCHAIN, LICENSE_ADMIN_ADMIN_KEY: '11'.repeat(32) } });
    expect(withEnv.exitCode, withEnv.stderr).toBe(0);
    expect(withEnv.json()).toMatchObject({ keyStoredIn: 'env' });
  });

  test('status of an unreachable server says it once', async () => {
    const { home, env } = await initialised({ LICENSE_ADMIN_ADMIN_KEY: '22'.repeat(32) });
    expect((await runCli(['remote', 'add', 'http://127.0.0.1:9'], { home, env })).exitCode).toBe(0);
    const r = await runCli(['remote', 'status'], { home, env });
    expect(r.stdout).toMatch(/Server unreachable at http:\/\/127\.0\.0\.1:9/);
    expect(r.stdout).not.toMatch(/unreachable: server unreachable/i);
  });
});

describe('secrets are refused on the command line', () => {
  test('remote add --enroll-token', async () => {
    const { home, env } = await initialised({ LICENSE_ADMIN_ADMIN_KEY: '33'.repeat(32) });
    const r = await runCli(['remote', 'add', 'http://127.0.0.1:9', '--enroll-token', 'tok-visible-in-ps', '--json'], { home, env });
    expect(r.exitCode).toBe(2);
    expect(r.json().error.message).toMatch(/visible to every user.*LICENSE_ADMIN_ENROLL_TOKEN.*--enroll-token-file/);
    expect(`${r.stdout}${r.stderr}`).not.toContain('tok-visible-in-ps');
    const status = await runCli(['remote', 'status'], { home, env });
    expect(status.stderr).toMatch(/no server configured/);
  });

  test('--enroll-token-file reads the token from a file (sent to the server)', async () => {
    const { home, env } = await initialised({ LICENSE_ADMIN_ADMIN_KEY: '44'.repeat(32) });
    const file = join(home, 'token.txt');
    writeFileSync(file, 'file-token\n', { mode: 0o600 });
    // Port 9 has no server: getting as far as contacting it shows the file was read and used.
    const r = await runCli(['remote', 'add', 'http://127.0.0.1:9', '--enroll-token-file', file], { home, env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/server unreachable at http:\/\/127\.0\.0\.1:9/);
    const empty = join(home, 'empty.txt');
    writeFileSync(empty, '\n');
    const e = await runCli(['remote', 'add', 'http://127.0.0.1:9', '--enroll-token-file', empty], { home, env });
    expect(e.stderr).toMatch(/is empty; expected an enrolment token/);
  });

  test.each(['serve', 'server events', 'server retry'])('%s --database-url with a password', async (command) => {
    const { home, env } = await initialised();
    const r = await runCli([...command.split(' '), '--database-url', 'postgres://app:hunter22@127.0.0.1:1/db'], { home, env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/visible to every user.*DATABASE_URL.*--database-url-file.*PGPASSWORD/);
    expect(r.stderr).not.toContain('hunter22');
  });

  test('the same URL from DATABASE_URL or --database-url-file is used (it reaches PostgreSQL)', async () => {
    const { home, env } = await initialised();
    const url = 'postgres://app:hunter22@127.0.0.1:1/db';
    const fromEnv = await runCli(['server', 'events'], { home, env: { ...env, DATABASE_URL: url } });
    const file = join(home, 'db-url');
    writeFileSync(file, `${url}\n`, { mode: 0o600 });
    const fromFile = await runCli(['server', 'events', '--database-url-file', file], { home, env });
    for (const r of [fromEnv, fromFile]) {
      expect(r.exitCode).toBe(1);
      expect(r.stderr).not.toMatch(/visible to every user/);
      expect(r.stderr).toMatch(/ECONNREFUSED|connect|PostgreSQL|database/i);
      expect(r.stderr).not.toContain('hunter22');
    }
    const noPassword = await runCli(['server', 'events', '--database-url', 'postgres://app@127.0.0.1:1/db'], { home, env });
    expect(noPassword.stderr).not.toMatch(/visible to every user/);
  });
});

test('server trust-admin echoes the key that was pasted, with its id', async () => {
  const { home, env } = await initialised({ LICENSE_ADMIN_ADMIN_KEY: '55'.repeat(32) });
  const added = await runCli(['remote', 'add', 'http://127.0.0.1:9', '--json'], { home, env });
  const { publicKey, kid } = added.json<{ publicKey: string; kid: string }>();
  const r = await runCli(['server', 'trust-admin', publicKey], { home, env });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stderr).toContain(`Trusted admin key ${publicKey} (id ${kid})`);
  const j = await runCli(['server', 'trust-admin', publicKey, '--json'], { home, env });
  expect(j.json()).toMatchObject({ publicKey, kid, created: false });
});
