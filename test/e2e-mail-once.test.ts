// One license, one mail, the truth on screen: resend never queues a second copy of a waiting message;
// mint --send with a server decides who mails before anything is minted; a retried remote mint never
// mints twice. Real binaries (`serve` and the CLI), a real SMTP server on 127.0.0.1.
import { createServer, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { jsonErrorOf, runCli, spawnCli } from './helpers/cli.js';
import { startSmtp, startSmtpOnPort } from './helpers/smtp.js';
import { initHome, LICENSE_SEED, newAdminIdentity, startServer, type RunningServer } from './helpers/sync-server.js';

const admin = newAdminIdentity();
const cliEnv = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED, LICENSE_ADMIN_ADMIN_KEY: admin.seed, LICENSE_ADMIN_MAIL_FROM: 'licenses@datatools.test' };
const servers: RunningServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  return port;
}

async function serverLicenses(server: RunningServer): Promise<{ licenseKey: string; email: string }[]> {
  return (await runCli(['list', '--json'], { home: server.home, env: server.env })).json();
}

describe('resend', () => {
  test('an identical message still waiting in the outbox is sent instead of queueing a second; the buyer gets one', async () => {
    const home = await initHome(cliEnv);
    const port = await freePort();
    const mailEnv = { ...cliEnv, LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${port}` };
    const minted = await runCli(['mint', '--tier', 'pro', '--email', 'once@example.com', '--send', '--json'], { home, env: mailEnv });
    expect(minted.exitCode, minted.stderr).toBe(0);
    expect(minted.json().mail.status).toBe('pending');
    const first = await runCli(['resend', 'once@example.com', '--json'], { home, env: mailEnv });
    expect(first.json().mail).toMatchObject({ status: 'pending', merged: true, outboxId: minted.json().mail.outboxId });
    expect(first.stderr).toMatch(/already in the outbox \(#\d+, pending/);
    const outbox = await runCli(['outbox', '--json'], { home, env: mailEnv });
    expect(outbox.json().messages).toHaveLength(1);

    const smtp = await startSmtpOnPort(port);
    try {
      const second = await runCli(['resend', 'once@example.com', '--json'], { home, env: mailEnv });
      expect(second.exitCode, second.stderr).toBe(0);
      expect(second.json().mail).toMatchObject({ status: 'sent', merged: true });
      await smtp.waitFor(1);
      const retried = await runCli(['outbox', 'retry', '--all', '--json'], { home, env: mailEnv });
      expect(retried.exitCode, retried.stderr).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(smtp.inbox).toHaveLength(1);
      // Once it was sent, a resend is a new message (the buyer asked again).
      const third = await runCli(['resend', 'once@example.com', '--json'], { home, env: mailEnv });
      expect(third.json().mail).toMatchObject({ status: 'sent', merged: false });
      await smtp.waitFor(2);
    } finally {
      await smtp.close();
    }
  }, 60_000);
});

describe('mint --send with a server', () => {
  let quiet: RunningServer; // no SMTP
  let mailing: RunningServer; // with SMTP
  let serverSmtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    serverSmtp = await startSmtp();
    quiet = await startServer({ adminKeys: [admin.publicKey] });
    mailing = await startServer({ adminKeys: [admin.publicKey], env: { LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${serverSmtp.port}`, LICENSE_ADMIN_MAIL_FROM: 'server@datatools.test' } });
    servers.push(quiet, mailing);
  });
  afterAll(async () => {
    await serverSmtp.close();
  });

  async function cliFor(server: RunningServer) {
    const home = await initHome(cliEnv);
    const add = await runCli(['remote', 'add', server.url], { home, env: cliEnv });
    expect(add.exitCode, add.stderr).toBe(0);
    return home;
  }

  test('when neither side can mail, nothing is minted and it says so (exit 1)', async () => {
    const home = await cliFor(quiet);
    const r = await runCli(['mint', '--tier', 'pro', '--email', 'nomail@example.com', '--send', '--json'], { home, env: cliEnv });
    expect(r.exitCode).toBe(1);
    expect(jsonErrorOf(r).message).toMatch(/nobody could mail the license; nothing was minted/);
    expect(await serverLicenses(quiet)).toHaveLength(0);
    expect((await runCli(['list', '--json'], { home, env: cliEnv })).json()).toHaveLength(0);
  });

  test('this machine has no SMTP: the server mails it, once, and the CLI says so (exit 0)', async () => {
    const home = await cliFor(mailing);
    const before = serverSmtp.inbox.length;
    const r = await runCli(['mint', '--tier', 'pro', '--email', 'viaserver@example.com', '--send', '--json'], { home, env: cliEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ mintedBy: 'remote', mail: { status: 'queued', by: 'server', to: 'viaserver@example.com' } });
    const mails = await serverSmtp.waitFor(before + 1);
    expect(mails[before]!.text).toContain(r.json().licenseKey);
    await new Promise((res) => setTimeout(res, 500));
    expect(serverSmtp.inbox.length).toBe(before + 1);
  });

  test('this machine has SMTP: it mails the license and the server does not', async () => {
    const home = await cliFor(mailing);
    const local = await startSmtp();
    try {
      const before = serverSmtp.inbox.length;
      const r = await runCli(['mint', '--tier', 'pro', '--email', 'vialocal@example.com', '--send', '--json'], { home, env: { ...cliEnv, LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${local.port}` } });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.json()).toMatchObject({ mintedBy: 'remote', mail: { status: 'sent', to: 'vialocal@example.com' } });
      await local.waitFor(1);
      await new Promise((res) => setTimeout(res, 800));
      expect(serverSmtp.inbox.length).toBe(before);
      expect(local.inbox).toHaveLength(1);
    } finally {
      await local.close();
    }
  });

  test('a plain mint through a mailing server mails nobody', async () => {
    const home = await cliFor(mailing);
    const before = serverSmtp.inbox.length;
    const r = await runCli(['mint', '--tier', 'pro', '--email', 'nosend@example.com', '--json'], { home, env: cliEnv });
    expect(r.exitCode, r.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 800));
    expect(serverSmtp.inbox.length).toBe(before);
  });
});

/** Forwards requests to the server; while holding, keeps the server's answers to itself. */
async function startHoldingProxy(target: URL) {
  let holding = true;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (!holding) client.write(chunk);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop).on('error', drop);
    upstream.on('close', drop).on('error', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    release: () => void (holding = false),
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

test('a mint interrupted after the server made the license, run again, gets that license: one license, not two', async () => {
  const server = await startServer({ adminKeys: [admin.publicKey] });
  servers.push(server);
  const proxy = await startHoldingProxy(new URL(server.url));
  try {
    const home = await initHome(cliEnv);
    expect((await runCli(['remote', 'add', proxy.url], { home, env: cliEnv })).exitCode).toBe(0);
    const args = ['mint', '--tier', 'pro', '--email', 'retry@example.com', '--name', 'Re Try', '--json'];
    const env = { ...cliEnv, LICENSE_ADMIN_REMOTE_TIMEOUT_MS: '60000' };
    const first = spawnCli(args, { home, env });
    const until = Date.now() + 20_000;
    while ((await serverLicenses(server)).length === 0) {
      if (Date.now() > until) throw new Error('the server never minted the first attempt');
      await new Promise((r) => setTimeout(r, 200));
    }
    first.kill('SIGKILL'); // the answer never arrived: Ctrl-C, a crash, a lost connection
    await first.catch(() => undefined);
    const [made] = await serverLicenses(server);

    proxy.release();
    const again = await runCli(args, { home, env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Retrying an earlier, unfinished attempt/);
    expect(again.json()).toMatchObject({ mintedBy: 'remote', licenseKey: made!.licenseKey });
    expect(await serverLicenses(server)).toHaveLength(1);
    const local = await runCli(['show', made!.licenseKey, '--json'], { home, env: cliEnv });
    expect(local.exitCode, local.stderr).toBe(0);

    // Settled: the same command now is a deliberate second license.
    const third = await runCli(args, { home, env });
    expect(third.exitCode, third.stderr).toBe(0);
    expect(third.json().licenseKey).not.toBe(made!.licenseKey);
    expect(third.stderr).not.toMatch(/Retrying/);
    expect(await serverLicenses(server)).toHaveLength(2);
  } finally {
    await proxy.close();
  }
}, 90_000);

describe('a remote mint whose answer is lost (timed out after the server made the license)', () => {
  let mailing: RunningServer;
  let serverSmtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    serverSmtp = await startSmtp();
    mailing = await startServer({ adminKeys: [admin.publicKey], env: { LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${serverSmtp.port}`, LICENSE_ADMIN_MAIL_FROM: 'server@datatools.test' } });
    servers.push(mailing);
  });
  afterAll(async () => {
    await serverSmtp.close();
  });
  const quick = { ...cliEnv, LICENSE_ADMIN_REMOTE_TIMEOUT_MS: '2500' };

  test('break-glass mints the license the server made (same key), and sync meets one license, not two', async () => {
    const proxy = await startHoldingProxy(new URL(mailing.url));
    try {
      const home = await initHome(cliEnv);
      expect((await runCli(['remote', 'add', proxy.url], { home, env: cliEnv })).exitCode).toBe(0);
      const r = await runCli(['mint', '--tier', 'pro', '--email', 'lost-answer@example.com', '--json'], { home, env: quick });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.json().mintedBy).toBe('local');
      expect(r.stderr).toMatch(/timed out\): minted locally \(break-glass\)/);
      const onServer = (await serverLicenses(mailing)).filter((l) => l.email === 'lost-answer@example.com');
      expect(onServer.map((l) => l.licenseKey)).toEqual([r.json().licenseKey]);

      proxy.release();
      const sync = await runCli(['sync', '--json'], { home, env: cliEnv });
      expect(sync.exitCode, sync.stderr).toBe(0);
      expect((await serverLicenses(mailing)).filter((l) => l.email === 'lost-answer@example.com')).toHaveLength(1);
      const here = (await runCli(['list', '--json'], { home, env: cliEnv })).json() as { licenseKey: string }[];
      expect(here.map((l) => l.licenseKey)).toEqual([r.json().licenseKey]);
      // A later mint is a new request: a new key.
      const next = await runCli(['mint', '--tier', 'pro', '--email', 'lost-answer@example.com', '--json'], { home, env: cliEnv });
      expect(next.json()).toMatchObject({ mintedBy: 'remote' });
      expect(next.json().licenseKey).not.toBe(r.json().licenseKey);
    } finally {
      await proxy.close();
    }
  }, 90_000);

  test('--send when only the server can mail: the outcome is unknown (exit 1, nothing claimed), and running it again gets that license and mails once', async () => {
    const proxy = await startHoldingProxy(new URL(mailing.url));
    try {
      const home = await initHome(cliEnv);
      expect((await runCli(['remote', 'add', proxy.url], { home, env: cliEnv })).exitCode).toBe(0);
      const args = ['mint', '--tier', 'pro', '--email', 'unknown-outcome@example.com', '--send', '--json'];
      const before = serverSmtp.inbox.length;
      const first = await runCli(args, { home, env: quick });
      expect(first.exitCode).toBe(1);
      expect(jsonErrorOf(first)).toMatchObject({ code: 'unavailable' });
      expect(jsonErrorOf(first).message).toMatch(/may or may not have minted and mailed the license.*Run the same command again/);
      expect(jsonErrorOf(first).message).not.toMatch(/nothing was minted/);
      await serverSmtp.waitFor(before + 1); // the server did mint and mail it

      proxy.release();
      const again = await runCli(args, { home, env: cliEnv });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/Retrying an earlier, unfinished attempt/);
      expect(again.json()).toMatchObject({ mintedBy: 'remote', mail: { status: 'queued', by: 'server' } });
      expect(serverSmtp.inbox[before]!.text).toContain(again.json().licenseKey);
      await new Promise((res) => setTimeout(res, 800));
      expect(serverSmtp.inbox.length).toBe(before + 1);
      expect((await serverLicenses(mailing)).filter((l) => l.email === 'unknown-outcome@example.com')).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  }, 90_000);

  test('--send when only the server can mail and it is down (connection refused): nothing was minted, truly', async () => {
    const home = await initHome(cliEnv);
    expect((await runCli(['remote', 'add', `http://127.0.0.1:${await freePort()}`], { home, env: cliEnv })).exitCode).toBe(0);
    const r = await runCli(['mint', '--tier', 'pro', '--email', 'refused@example.com', '--send', '--json'], { home, env: cliEnv });
    expect(r.exitCode).toBe(1);
    expect(jsonErrorOf(r).message).toMatch(/ECONNREFUSED\), and this machine cannot send mail .*; nothing was minted$/);
    expect((await runCli(['list', '--json'], { home, env: cliEnv })).json()).toHaveLength(0);
  });
});
