// mint through the server when it is up; break-glass local mint when it is down or silent; the next
// sync delivers the local one. Real binaries: `license-admin serve` (SQLite) and the CLI.
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, jsonErrorOf } from './helpers/cli.js';
import { startSmtp } from './helpers/smtp.js';
import { initHome, LICENSE_SEED, newAdminIdentity, startServer, type RunningServer } from './helpers/sync-server.js';

const admin = newAdminIdentity();
const cliEnv = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED, LICENSE_ADMIN_ADMIN_KEY: admin.seed };
let server: RunningServer;
let home: string;

beforeAll(async () => {
  server = await startServer({ adminKeys: [admin.publicKey] });
  home = await initHome(cliEnv);
  const add = await runCli(['remote', 'add', server.url, '--json'], { home, env: cliEnv });
  expect(add.exitCode, add.stderr).toBe(0);
  expect(add.json()).toMatchObject({ url: server.url, mode: 'remote-first', publicKey: admin.publicKey, keyStoredIn: 'env', enrolled: false });
  expect(add.json().trustCommand).toBe(`license-admin server trust-admin ${admin.publicKey}`);
});

afterAll(async () => {
  await server?.stop();
});

const mint = (email: string, extra: string[] = [], env: Record<string, string> = {}) =>
  runCli(['mint', '--tier', 'pro', '--email', email, '--name', 'Jane Doe', '--json', ...extra], { home, env: { ...cliEnv, ...env } });

describe('mint with a server configured', () => {
  it('mints on the server when it is up, and the license is in the local ledger at once', async () => {
    const r = await mint('jane@example.com');
    expect(r.exitCode, r.stderr).toBe(0);
    const license = r.json();
    expect(license).toMatchObject({ mintedBy: 'remote', email: 'jane@example.com', tier: 'pro', source: 'server', status: 'active' });
    const show = await runCli(['show', license.licenseKey, '--json'], { home, env: cliEnv });
    expect(show.exitCode, show.stderr).toBe(0);
    expect(JSON.stringify(show.json())).toContain(license.blob);
    const onServer = await runCli(['show', license.licenseKey, '--json'], { home: server.home, env: server.env });
    expect(JSON.stringify(onServer.json())).toContain(license.blob);
    const status = (await runCli(['remote', 'status', '--json'], { home, env: cliEnv })).json();
    expect(status.local.unpushed).toBe(0);
    expect(status.server).toMatchObject({ reachable: true, licenses: 1 });
  });

  it('a remote mint carries seats, features and updates-until like a local one', async () => {
    const r = await mint('seats@example.com', ['--seats', '4', '--features', 'export,sync', '--updates-until', '2030-01-01']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().mintedBy).toBe('remote');
    const verified = (await runCli(['verify', r.json().blob, '--json'], { home, env: cliEnv })).json();
    expect(verified.license).toMatchObject({ seats: 4, features: ['export', 'sync'], updatesUntil: '2030-01-01T00:00:00.000Z' });
  });

  it('a remote mint with --send mails the license from the CLI, once', async () => {
    const smtp = await startSmtp();
    try {
      const r = await mint('sendme@example.com', ['--send'], { LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LICENSE_ADMIN_MAIL_FROM: 'licenses@datatools.test' });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.json()).toMatchObject({ mintedBy: 'remote', mail: { status: 'sent', to: 'sendme@example.com' } });
      const [mail] = await smtp.waitFor(1);
      expect(mail!.text).toContain(r.json().licenseKey);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(smtp.inbox).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });

  it('--local mints locally even with a server; --local with --remote is a usage error', async () => {
    const local = await mint('local@example.com', ['--local']);
    expect(local.json().mintedBy).toBe('local');
    expect(local.stderr).not.toContain('break-glass');
    expect((await mint('both@example.com', ['--local', '--remote'])).exitCode).toBe(2);
  });

  it('mints locally with a warning when the server is down, and the next sync delivers it', async () => {
    const port = Number(new URL(server.url).port);
    await server.stop();
    const r = await mint('offline@example.com');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ mintedBy: 'local', email: 'offline@example.com', source: 'cli' });
    // Said once, one level of brackets: not "server unreachable: … (server unreachable at … (ECONNREFUSED))".
    expect(r.stderr).toMatch(/^warning: server unreachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): minted locally \(break-glass\); the next sync pushes it$/m);
    expect(r.stderr.match(/unreachable/gi)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\)\)/);
    const key = r.json().licenseKey as string;
    expect((await runCli(['show', key, '--json'], { home: server.home, env: server.env })).exitCode).not.toBe(0);

    server = await startServer({ adminKeys: [admin.publicKey], home: server.home, port });
    const sync = await runCli(['sync', '--json'], { home, env: cliEnv });
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.json().push.inserted).toBeGreaterThanOrEqual(2); // the break-glass and the --local mint
    const onServer = await runCli(['show', key, '--json'], { home: server.home, env: server.env });
    expect(onServer.exitCode, onServer.stderr).toBe(0);
    expect(JSON.stringify(onServer.json())).toContain(r.json().blob);
    const again = await runCli(['sync', '--json'], { home, env: cliEnv });
    expect(again.json().push.sent).toBe(0);
    expect(again.json().pull.inserted).toBe(0);
  });

  it('falls back after the timeout when the server accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const other = await initHome(cliEnv);
    expect((await runCli(['remote', 'add', `http://127.0.0.1:${port}`], { home: other, env: cliEnv })).exitCode).toBe(0);
    const started = Date.now();
    const r = await runCli(['mint', '--tier', 'core', '--email', 'slow@example.com', '--json'], { home: other, env: { ...cliEnv, LICENSE_ADMIN_REMOTE_TIMEOUT_MS: '700' } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().mintedBy).toBe('local');
    expect(r.stderr).toMatch(/server unreachable at http:\/\/127\.0\.0\.1:\d+ \(timed out\): minted locally \(break-glass\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    sockets.forEach((s) => s.destroy());
    silent.close();
  });

  it('an admin key the server does not trust is refused: no mint, no push, nothing changes', async () => {
    const stranger = newAdminIdentity();
    const env = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED, LICENSE_ADMIN_ADMIN_KEY: stranger.seed };
    const other = await initHome(env);
    expect((await runCli(['remote', 'add', server.url], { home: other, env })).exitCode).toBe(0);
    const before = (await runCli(['remote', 'status', '--json'], { home, env: cliEnv })).json().server;
    const m = await runCli(['mint', '--tier', 'pro', '--email', 'x@example.com', '--json'], { home: other, env });
    expect(m.exitCode).toBe(1);
    expect(m.stderr).toMatch(/refused the credential/);
    expect(m.stderr).toContain(jsonErrorOf(m).message);
    expect((await runCli(['mint', '--tier', 'pro', '--email', 'y@example.com', '--local'], { home: other, env })).exitCode).toBe(0);
    const push = await runCli(['push', '--json'], { home: other, env });
    expect(push.exitCode).toBe(1);
    expect(push.stderr).toMatch(/unauthorized/);
    expect(push.stderr).not.toContain(stranger.seed);
    const after = (await runCli(['remote', 'status', '--json'], { home, env: cliEnv })).json().server;
    expect(after.events).toBe(before.events);
    expect(after.licenses).toBe(before.licenses);
    const status = await runCli(['remote', 'status', '--json'], { home: other, env });
    expect(status.json().local.unpushed).toBe(1);
  });
});
