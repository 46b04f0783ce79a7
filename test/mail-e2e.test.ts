// License mail end to end: the built binary, a temp HOME, a real SMTP server on 127.0.0.1, mailparser.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyLicense, type PublicJwk } from '../src/verify/index.js';
import { runCli, tempHome, TRANSCRIPT } from './helpers/cli.js';
import { startSmtp, startSmtpOnPort, type ReceivedMail, type SmtpInstance } from './helpers/smtp.js';

const SEED = '5eed0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829304a5b6c7';
const PASSWORD = 'Sm7p-p@ss:w0rd/!';
const NOW = '2026-11-25T12:00:00Z';
const LATER = '2026-11-25T12:02:00Z';
const FROM = 'DataTools <licenses@datatools.test>';
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let home: string;
let smtp: SmtpInstance;
let jwks: { keys: PublicJwk[] };

const smtpUrl = (port: number, password = PASSWORD) => `smtp://shop:${encodeURIComponent(password)}@127.0.0.1:${port}`;
const env = (over: Record<string, string | undefined> = {}) => ({
  LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: NOW, LICENSE_ADMIN_SMTP_URL: smtpUrl(smtp.port), LICENSE_ADMIN_MAIL_FROM: FROM, ...over,
});
const cli = (args: string[], over: Record<string, string | undefined> = {}, h = home) => runCli(args, { home: h, env: env(over) });
const ok = async (args: string[], over: Record<string, string | undefined> = {}) => {
  const r = await cli([...args, '--json'], over);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.json();
};
const verifies = async (blob: string) => (await verifyLicense(blob, { keys: jwks, product: 'datatools', tag: 'DTLIC3', now: new Date(NOW) })).valid;
const blobsIn = (text: string) => text.match(/DTLIC3:[A-Za-z0-9._-]+/g) ?? [];
/** Waits a little after the expected count, so a duplicate delivery would be seen. */
const settle = async (s: SmtpInstance, n: number) => {
  await s.waitFor(n);
  await new Promise((r) => setTimeout(r, 300));
  return s.inbox;
};
const newHome = async () => {
  const h = await tempHome();
  const init = await runCli(['init', '--yes', '--product', 'datatools', '--product-name', 'DataTools', '--prefix', 'DT1', '--blob-tag', 'DTLIC3', '--support-email', 'help@datatools.test'],
    { home: h, env: { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: NOW } });
  expect(init.exitCode, init.stderr).toBe(0);
  return h;
};

beforeAll(async () => {
  smtp = await startSmtp({ users: { shop: PASSWORD }, rejectRecipients: ['bounce@example.com'] });
  home = await newHome();
  jwks = (await ok(['keys', 'show'])).jwks;
});
afterAll(() => smtp.close());

describe('mint --send, renew --send, resend', () => {
  let jane: { licenseKey: string; blob: string };
  let mail: ReceivedMail;

  test('mint --send: the buyer gets subject, both bodies and a .lic attachment, and every blob in it verifies', async () => {
    const before = smtp.inbox.length;
    const m = await ok(['mint', '--tier', 'pro', '--email', 'jane@example.com', '--name', 'Jane <Doe>', '--send']);
    jane = m;
    expect(m.mail).toMatchObject({ status: 'sent', to: 'jane@example.com', outboxId: expect.any(Number), messageId: expect.stringMatching(/^<.+@datatools\.test>$/) });
    mail = (await smtp.waitFor(before + 1))[before]!;
    expect(mail.envelope.rcptTo).toEqual(['jane@example.com']);
    expect(mail.authUser).toBe('shop');
    expect(mail.from?.value).toEqual([{ name: 'DataTools', address: 'licenses@datatools.test' }]);
    expect(mail.replyTo?.text).toBe('help@datatools.test');
    expect(mail.messageId).toBe(m.mail.messageId);
    expect(mail.subject).toBe('Your DataTools license');
    expect(mail.text).toContain('Hi Jane <Doe>,');
    expect(mail.text).toContain(m.licenseKey);
    expect(mail.html).toContain('Hi Jane &lt;Doe&gt;,');
    expect(mail.html).toContain(m.licenseKey);
    expect(mail.attachments.map((a) => a.filename)).toEqual([`${m.licenseKey}.lic`]);
    const attached = mail.attachments[0]!.content.toString('utf8').trim();
    expect(attached).toBe(m.blob);
    expect(blobsIn(mail.text ?? '')).toEqual([m.blob]);
    expect(await verifies(attached)).toBe(true);
    expect(await verifies(blobsIn(mail.text ?? '')[0]!)).toBe(true);
  });

  test('the send is in the history: mail_queued then mail_sent, with the address', async () => {
    const shown = await ok(['show', jane.licenseKey]);
    const mailEvents = shown.events.filter((e: { type: string }) => e.type.startsWith('mail_'));
    expect(mailEvents.map((e: { type: string; data: { to: string } }) => [e.type, e.data.to])).toEqual([['mail_queued', 'jane@example.com'], ['mail_sent', 'jane@example.com']]);
    expect(mailEvents[1].data.messageId).toBe(mail.messageId);
  });

  test('renew --send: the "renewed" mail carries the new blob', async () => {
    const before = smtp.inbox.length;
    const r = await ok(['renew', jane.licenseKey, '--years', '2', '--send']);
    expect(r.mail.status).toBe('sent');
    const renewed = (await smtp.waitFor(before + 1))[before]!;
    expect(renewed.subject).toBe('Your DataTools license has been renewed');
    expect(renewed.text).toContain(`valid until ${r.expiresAt.slice(0, 10)}`);
    const attached = renewed.attachments[0]!.content.toString('utf8').trim();
    expect(attached).toBe(r.blob);
    expect(attached).not.toBe(jane.blob);
    expect(await verifies(attached)).toBe(true);
  });

  test('resend <key>: all of that person\'s active licenses in one message, not the revoked one', async () => {
    const second = await ok(['mint', '--tier', 'core', '--email', 'jane@example.com', '--lifetime']);
    const revoked = await ok(['mint', '--tier', 'lite', '--email', 'jane@example.com']);
    await ok(['revoke', revoked.licenseKey, '--reason', 'refund']);
    const before = smtp.inbox.length;
    const r = await ok(['resend', second.licenseKey]);
    expect(r).toMatchObject({ to: 'jane@example.com', licenseKeys: [jane.licenseKey, second.licenseKey], mail: { status: 'sent' } });
    const inbox = await settle(smtp, before + 1);
    expect(inbox).toHaveLength(before + 1);
    const m = inbox[before]!;
    expect(m.subject).toBe('Your DataTools licenses');
    expect(m.attachments.map((a) => a.filename).sort()).toEqual([`${jane.licenseKey}.lic`, `${second.licenseKey}.lic`].sort());
    expect(m.text).not.toContain(revoked.licenseKey);
    for (const a of m.attachments) expect(await verifies(a.content.toString('utf8').trim())).toBe(true);
  });

  test('resend of someone with no active license says why', async () => {
    const lone = await ok(['mint', '--tier', 'lite', '--email', 'lone@example.com']);
    await ok(['revoke', lone.licenseKey]);
    const r = await cli(['resend', 'lone@example.com']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`lone@example.com has no active license (${lone.licenseKey}: revoked)`);
  });

  test('--preview renders without sending or queueing', async () => {
    const before = smtp.inbox.length;
    const p = await cli(['resend', 'jane@example.com', '--preview']);
    expect(p.exitCode, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^From: DataTools <licenses@datatools.test>\nReply-To: help@datatools.test\nTo: jane@example.com\nSubject: Your DataTools licenses\n/);
    const m = await ok(['mint', '--tier', 'pro', '--email', 'preview@example.com', '--send', '--preview']);
    expect(m.mail).toMatchObject({ status: 'preview', preview: { to: 'preview@example.com', subject: 'Your DataTools license', attachments: [`${m.licenseKey}.lic`] } });
    expect(m.mail.preview.text).toContain(m.blob);
    const noSend = await cli(['mint', '--tier', 'pro', '--email', 'preview@example.com', '--preview']);
    expect(noSend.exitCode).toBe(2);
    expect(noSend.stderr).toContain('--preview shows the mail that --send would send; add --send');
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.inbox).toHaveLength(before);
    expect((await ok(['outbox'])).messages).toEqual([]);
  });
});

describe('when delivery fails, the message waits in the outbox', () => {
  test('SMTP refuses the login: clear error, the license is minted, the message stays pending, a later retry sends it once', async () => {
    const before = smtp.inbox.length;
    const wrong = { LICENSE_ADMIN_SMTP_URL: smtpUrl(smtp.port, 'wrong-Pa55') };
    const human = await cli(['mint', '--tier', 'pro', '--email', 'auth@example.com', '--send'], wrong);
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stderr).toMatch(/warning: the email to auth@example\.com was not sent: the SMTP server refused the login for user "shop" \(535\)/);
    expect(human.stderr).toMatch(/kept in the outbox \(#\d+\); it will be retried after 2026-11-25 12:01 UTC/);
    const m = await ok(['mint', '--tier', 'pro', '--email', 'auth2@example.com', '--send'], wrong);
    expect(m.mail).toMatchObject({ status: 'pending', error: expect.stringContaining('(535)'), nextAttemptAt: '2026-11-25T12:01:00.000Z' });
    const pending = (await ok(['outbox'])).messages;
    expect(pending.map((x: { to: string; status: string; attempts: number }) => [x.to, x.status, x.attempts])).toEqual([['auth@example.com', 'pending', 1], ['auth2@example.com', 'pending', 1]]);
    expect(pending[0].lastError).toMatch(/refused the login/);
    const stillWrong = await cli(['outbox', 'retry', '--all'], wrong);
    expect(stillWrong.exitCode).toBe(1);
    expect(stillWrong.stderr).toContain('2 of 2 message(s) not sent; they stay in the outbox');
    const retried = await ok(['outbox', 'retry', '--all']);
    expect(retried).toMatchObject({ sent: 2, pending: 0, failed: 0 });
    const inbox = await settle(smtp, before + 2);
    expect(inbox.slice(before).map((x) => x.envelope.rcptTo[0]).sort()).toEqual(['auth2@example.com', 'auth@example.com']);
    expect((await ok(['outbox'])).messages).toEqual([]);
    const again = await cli(['outbox', 'retry', String(m.mail.outboxId)]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/already sent at .*; it is never sent twice/);
  });

  test('SMTP server down, then up: "outbox retry" delivers exactly once', async () => {
    const down = await startSmtp();
    const port = down.port;
    await down.close();
    const over = { LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${port}` };
    const m = await ok(['mint', '--tier', 'core', '--email', 'down@example.com', '--send'], over);
    expect(m.mail).toMatchObject({ status: 'pending', error: `connection refused by 127.0.0.1:${port}: no SMTP server is listening there` });
    const up = await startSmtpOnPort(port);
    try {
      const notDue = await ok(['outbox', 'retry'], over);
      expect(notDue).toMatchObject({ sent: 0, results: [] });
      const due = await ok(['outbox', 'retry'], { ...over, LICENSE_ADMIN_NOW: LATER });
      expect(due).toMatchObject({ sent: 1, results: [{ status: 'sent', to: 'down@example.com' }] });
      expect(await ok(['outbox', 'retry', '--all'], { ...over, LICENSE_ADMIN_NOW: LATER })).toMatchObject({ sent: 0, results: [] });
      const inbox = await settle(up, 1);
      expect(inbox).toHaveLength(1);
      expect(inbox[0]!.attachments[0]!.content.toString('utf8').trim()).toBe(m.blob);
    } finally {
      await up.close();
    }
  });

  test('killed between the mint commit and the send: the next "outbox retry" delivers it, once', async () => {
    const before = smtp.inbox.length;
    const crashed = await cli(['mint', '--tier', 'pro', '--email', 'crash@example.com', '--send', '--json'], { LICENSE_ADMIN_TEST_CRASH_AFTER_COMMIT: '1' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.stdout).toBe('');
    const [license] = await ok(['show', 'crash@example.com']);
    expect(license.events.map((e: { type: string }) => e.type)).toEqual(['minted', 'mail_queued']);
    expect((await ok(['outbox'])).messages).toMatchObject([{ to: 'crash@example.com', status: 'pending', attempts: 0 }]);
    expect(await ok(['outbox', 'retry'])).toMatchObject({ sent: 1 });
    expect(await ok(['outbox', 'retry', '--all'])).toMatchObject({ sent: 0 });
    const inbox = await settle(smtp, before + 1);
    expect(inbox.slice(before).map((x) => x.envelope.rcptTo[0])).toEqual(['crash@example.com']);
    expect(await verifies(inbox[before]!.attachments[0]!.content.toString('utf8').trim())).toBe(true);
  });

  test('a rejected recipient is failed at once and listed with the reason', async () => {
    const m = await ok(['mint', '--tier', 'pro', '--email', 'bounce@example.com', '--send']);
    expect(m.mail).toMatchObject({ status: 'failed', nextAttemptAt: null, error: expect.stringMatching(/rejected the recipient \(550\)/) });
    const listed = await cli(['outbox']);
    expect(listed.stdout).toMatch(/failed.*bounce@example\.com/);
  });
});

describe('mail test', () => {
  test('sends a test message', async () => {
    const before = smtp.inbox.length;
    const r = await ok(['mail', 'test', 'me@example.com']);
    expect(r).toMatchObject({ ok: true, to: 'me@example.com', smtp: { host: '127.0.0.1', user: 'shop', passwordSet: true } });
    const inbox = await smtp.waitFor(before + 1);
    expect(inbox[before]!.subject).toBe('DataTools: test message from license-admin');
  });

  test.each([
    ['auth', (port: number) => smtpUrl(port, 'nope-nope'), 'me@example.com', /^error: auth: the SMTP server refused the login for user "shop" \(535\)/m],
    ['recipient', (port: number) => smtpUrl(port), 'bounce@example.com', /^error: recipient: the SMTP server rejected the recipient \(550\)/m],
    ['refused', () => 'smtp://127.0.0.1:1', 'me@example.com', /^error: refused: connection refused by 127\.0\.0\.1:1/m],
    ['tls', (port: number) => `smtps://127.0.0.1:${port}`, 'me@example.com', /^error: tls: TLS with 127\.0\.0\.1:\d+ failed/m],
  ])('says what failed: %s', async (_kind, url, to, message) => {
    const r = await cli(['mail', 'test', to], { LICENSE_ADMIN_SMTP_URL: url(smtp.port) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^Next: /m);
  });

  test('no SMTP configured names the command and the variable', async () => {
    const r = await cli(['mail', 'test', 'me@example.com'], { LICENSE_ADMIN_SMTP_URL: undefined });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no SMTP server configured: run "license-admin config smtp .*", or set LICENSE_ADMIN_SMTP_URL/);
  });
});

describe('config smtp', () => {
  test('settings in config.json, the password in the OS keychain; mint --send uses both', async () => {
    const h = await newHome();
    const set = await runCli(['config', 'smtp', '--host', '127.0.0.1', '--port', String(smtp.port), '--secure', 'none', '--user', 'shop', '--from', FROM, '--password-stdin', '--json'],
      { home: h, env: { LICENSE_ADMIN_NOW: NOW }, input: `${PASSWORD}\n` });
    expect(set.exitCode, set.stderr).toBe(0);
    expect(set.json()).toMatchObject({ passwordStored: true, smtp: { host: '127.0.0.1', port: smtp.port, secure: 'none', user: 'shop', from: FROM } });
    expect(readFileSync(join(h, '.license-admin', 'config.json'), 'utf8')).not.toContain(PASSWORD);
    const before = smtp.inbox.length;
    const m = await runCli(['mint', '--tier', 'pro', '--email', 'kc@example.com', '--send', '--json'], { home: h, env: { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: NOW } });
    expect(m.exitCode, m.stderr).toBe(0);
    expect(m.json().mail.status).toBe('sent');
    expect((await smtp.waitFor(before + 1))[before]!.authUser).toBe('shop');
  });

  test('with LICENSE_ADMIN_SMTP_URL set, config smtp saves but says the variable wins', async () => {
    const h = await newHome();
    const r = await runCli(['config', 'smtp', '--host', 'smtp.example.com', '--from', FROM, '--json'], { home: h, env: { LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ overriddenBy: 'LICENSE_ADMIN_SMTP_URL' });
    expect(r.stderr).toMatch(/LICENSE_ADMIN_SMTP_URL is set in this environment and overrides these settings/);
    const plain = await runCli(['config', 'smtp', '--json'], { home: h });
    expect(plain.json()).toMatchObject({ overriddenBy: null, smtp: { host: 'smtp.example.com' } });
  });

  test('flag errors name the flag and change nothing', async () => {
    const h = await newHome();
    const r = await runCli(['config', 'smtp', '--host', 'smtp.example.com', '--from', 'nobody'], { home: h });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--from "nobody" is not an email address');
    expect(JSON.parse(readFileSync(join(h, '.license-admin', 'config.json'), 'utf8')).smtp).toBeUndefined();
  });

  test('with DKIM configured, the message arrives DKIM-signed', async () => {
    const open = await startSmtp();
    try {
      const h = await newHome();
      writeFileSync(join(h, '.license-admin', 'dkim.pem'), dkimKey);
      const set = await runCli(['config', 'smtp', '--host', '127.0.0.1', '--port', String(open.port), '--secure', 'none', '--from', FROM,
        '--dkim-domain', 'datatools.test', '--dkim-selector', 'mail2026', '--dkim-key', 'dkim.pem'], { home: h });
      expect(set.exitCode, set.stderr).toBe(0);
      const m = await runCli(['mint', '--tier', 'pro', '--email', 'dkim@example.com', '--send', '--json'], { home: h, env: { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: NOW } });
      expect(m.exitCode, m.stderr).toBe(0);
      const [received] = await open.waitFor(1);
      const signature = received!.headerLines.find((h) => h.key === 'dkim-signature')?.line ?? '';
      expect(signature).toMatch(/d=datatools\.test/);
      expect(signature).toMatch(/s=mail2026/);
    } finally {
      await open.close();
    }
  });
});

describe('secrets', () => {
  test('no SMTP password, signing key or DKIM key in anything the CLI printed', () => {
    const transcript = readFileSync(TRANSCRIPT, 'utf8');
    expect(transcript.length).toBeGreaterThan(1000);
    const seed = Buffer.from(SEED, 'hex');
    const dkimBody = dkimKey.split('\n').slice(1, 3).join('');
    const forbidden = [
      PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(`\0shop\0${PASSWORD}`).toString('base64'), 'wrong-Pa55', 'nope-nope',
      SEED, SEED.toUpperCase(), seed.toString('base64'), seed.toString('base64url'), dkimBody, 'BEGIN PRIVATE KEY',
    ];
    for (const secret of forbidden) expect(transcript.includes(secret), `found a secret in ${TRANSCRIPT}`).toBe(false);
  });
});
