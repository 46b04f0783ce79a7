// SMTP settings (URL, config, password sources) and what each real failure is reported as.
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.js';
import type { SecretStore } from '../src/keys/keychain.js';
import { applySmtpFlags } from '../src/commands/config-smtp.js';
import { describeSmtpError } from '../src/mail/smtp-errors.js';
import { defaultFrom, parseSmtpUrl, resolveSmtpSettings, describeSmtp } from '../src/mail/smtp-settings.js';
import { createSmtpTransport, MailSendError } from '../src/mail/transport.js';
import { startSmtp } from './helpers/smtp.js';

/** An in-memory SecretStore (the real OS keychain is exercised by the e2e test). */
const secretsWith = (entries: Record<string, string>, broken = false): SecretStore => ({
  async get(account) {
    if (broken) throw new Error('no D-Bus');
    return entries[account] ?? null;
  },
  async set() {},
  async delete() {
    return false;
  },
});

const config = (over: Partial<Config> = {}): Config => ({ ...DEFAULT_CONFIG, ...over });
const SMTP = { host: 'smtp.example.com', port: 587, secure: 'starttls' as const, user: 'me@example.com', from: 'App <licenses@example.com>' };

describe('parseSmtpUrl', () => {
  test.each([
    ['smtp://127.0.0.1:2525', { host: '127.0.0.1', port: 2525, tls: 'opportunistic' }],
    ['smtp://mail.example.com', { host: 'mail.example.com', port: 587, tls: 'opportunistic' }],
    ['smtps://u:p@mail.example.com', { host: 'mail.example.com', port: 465, tls: 'tls', user: 'u', password: 'p' }],
    ['smtp://me%40example.com:p%3Aa%2Fss%40@h.example:25', { host: 'h.example', port: 25, tls: 'opportunistic', user: 'me@example.com', password: 'p:a/ss@' }],
  ])('%s', (url, expected) => {
    expect(parseSmtpUrl(url)).toEqual(expected);
  });

  test.each([
    ['not a url :Zq9secret@', /not a valid URL/],
    ['http://u:secret@example.com', /must start with smtp:\/\/ or smtps:\/\/, not http:/],
  ])('%s is rejected without echoing the URL', (url, message) => {
    expect(() => parseSmtpUrl(url)).toThrow(message);
    try {
      parseSmtpUrl(url);
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
      expect((e as Error).message).not.toContain('Zq9');
    }
  });
});

describe('resolveSmtpSettings', () => {
  const resolve = (c: Config | null, env: Record<string, string>, secrets = secretsWith({})) => resolveSmtpSettings({ config: c, configDir: '/tmp', env, secrets });

  test('LICENSE_ADMIN_SMTP_URL overrides the config; from falls back to MAIL_FROM, smtp.from, supportEmail, licenses@host', async () => {
    const url = { LICENSE_ADMIN_SMTP_URL: 'smtp://u:p@127.0.0.1:2525' };
    expect(await resolve(config({ smtp: SMTP }), url)).toMatchObject({ host: '127.0.0.1', port: 2525, user: 'u', password: 'p', from: SMTP.from, origin: 'LICENSE_ADMIN_SMTP_URL' });
    expect((await resolve(config({ smtp: SMTP }), { ...url, LICENSE_ADMIN_MAIL_FROM: 'x@y.z' })).from).toBe('x@y.z');
    expect((await resolve(config({ supportEmail: 'help@app.example' }), url)).from).toBe('help@app.example');
    expect((await resolve(null, url)).from).toBe('licenses@localhost');
    expect(defaultFrom(null, 'smtp.shop.example')).toBe('licenses@shop.example');
  });

  test('config: the password from LICENSE_ADMIN_SMTP_PASSWORD, else the keychain account smtp:<user>@<host>', async () => {
    const c = config({ smtp: SMTP, supportEmail: 'help@example.com' });
    expect(await resolve(c, { LICENSE_ADMIN_SMTP_PASSWORD: 'env-pass' })).toMatchObject({ password: 'env-pass', tls: 'starttls', replyTo: 'help@example.com' });
    expect((await resolve(c, {}, secretsWith({ 'smtp:me@example.com@smtp.example.com': 'kc-pass' }))).password).toBe('kc-pass');
  });

  test.each([
    [null, {}, /no SMTP server configured: run "license-admin config smtp --host/],
    [config({ smtp: SMTP }), {}, /no SMTP password for me@example.com@smtp.example.com: store it with "license-admin config smtp --password-stdin"/],
  ])('missing pieces are named (%#)', async (c, env, message) => {
    await expect(resolve(c, env)).rejects.toThrow(message);
  });

  test('an unreachable keychain points at the env variable', async () => {
    await expect(resolve(config({ smtp: SMTP }), {}, secretsWith({}, true))).rejects.toThrow(/keychain is not reachable here; set LICENSE_ADMIN_SMTP_PASSWORD/);
  });

  test('a missing DKIM key file names the setting', async () => {
    const c = config({ smtp: { ...SMTP, user: undefined as unknown as string, dkim: { domainName: 'example.com', keySelector: 's1', privateKeyFile: 'nope.pem' } } });
    await expect(resolve(c, {})).rejects.toThrow(/smtp\.dkim\.privateKeyFile: cannot read \/tmp\/nope\.pem \(ENOENT\)/);
  });

  test('describeSmtp never includes the password', async () => {
    const s = await resolve(config({ smtp: SMTP }), { LICENSE_ADMIN_SMTP_PASSWORD: 'hunter2-pw' });
    expect(JSON.stringify(describeSmtp(s))).not.toContain('hunter2-pw');
    expect(describeSmtp(s)).toMatchObject({ passwordSet: true, host: 'smtp.example.com' });
  });
});

describe('config smtp flags (pure)', () => {
  test.each([
    [undefined, { host: 'h.example', from: 'a@b.example' }, { host: 'h.example', port: 587, secure: 'starttls', from: 'a@b.example' }],
    [undefined, { host: 'h.example', from: 'a@b.example', secure: 'tls' }, { port: 465, secure: 'tls' }],
    [SMTP, { port: '2525', secure: 'none' }, { host: SMTP.host, port: 2525, secure: 'none', user: SMTP.user }],
    [SMTP, { user: '' }, { host: SMTP.host, from: SMTP.from }],
  ])('%j + %j', (old, flags, expected) => {
    const result = applySmtpFlags(old, flags);
    expect(result).toMatchObject(expected);
    if ('user' in flags && flags.user === '') expect(result.user).toBeUndefined();
  });

  test.each([
    [{ from: 'a@b.example' }, /missing --host/],
    [{ host: 'h' }, /missing --from/],
    [{ host: 'h', from: 'nobody' }, /--from "nobody" is not an email address/],
    [{ host: 'h', from: 'a@b.example', secure: 'ssl' }, /--secure must be tls, starttls or none/],
    [{ host: 'h', from: 'a@b.example', port: '99999' }, /--port must be 1-65535/],
    [{ host: 'h', from: 'a@b.example', dkimDomain: 'b.example' }, /DKIM needs all three/],
  ])('%j is refused', (flags, message) => {
    expect(() => applySmtpFlags(undefined, flags)).toThrow(message);
  });
});

describe('real failures, described', () => {
  const send = async (settings: Parameters<typeof createSmtpTransport>[0], to = 'jane@example.com') => {
    const t = createSmtpTransport(settings);
    try {
      await t.send({ to, subject: 's', text: 't', html: null, attachments: [], messageId: '<x@example.com>' });
      return null;
    } catch (e) {
      expect(e).toBeInstanceOf(MailSendError);
      return (e as MailSendError).failure;
    } finally {
      t.close();
    }
  };
  const base = { host: '127.0.0.1', from: 'a@shop.example', origin: 'config' as const };

  test('connection refused', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    expect(await send({ ...base, port, tls: 'none' })).toMatchObject({ kind: 'refused', message: `connection refused by 127.0.0.1:${port}: no SMTP server is listening there` });
  });

  test('TLS: implicit TLS against a plain server, and STARTTLS required but not offered', async () => {
    const smtp = await startSmtp();
    try {
      expect(await send({ ...base, port: smtp.port, tls: 'tls' })).toMatchObject({ kind: 'tls', hint: expect.stringMatching(/"tls" for 465/) });
      expect(await send({ ...base, port: smtp.port, tls: 'starttls' })).toMatchObject({ kind: 'tls', code: 'ETLS' });
    } finally {
      await smtp.close();
    }
  });

  test('with LICENSE_ADMIN_SMTP_URL in use, hints name the URL, never config flags that would change nothing', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const refused = await send({ ...base, origin: 'LICENSE_ADMIN_SMTP_URL', port, tls: 'none' });
    expect(refused).toMatchObject({ kind: 'refused', hint: expect.stringContaining('the host and port in LICENSE_ADMIN_SMTP_URL') });
    expect(refused!.hint).not.toMatch(/--host|--port|config smtp/);
    const smtp = await startSmtp();
    try {
      const tls = await send({ ...base, origin: 'LICENSE_ADMIN_SMTP_URL', port: smtp.port, tls: 'tls' });
      expect(tls).toMatchObject({ kind: 'tls', hint: expect.stringMatching(/smtps:\/\/ for 465/) });
      expect(tls!.hint).not.toMatch(/--secure/);
    } finally {
      await smtp.close();
    }
    for (const error of [{ code: 'EDNS', message: 'getaddrinfo ENOTFOUND x.invalid' }, { code: 'EAUTH', message: 'Invalid login', responseCode: 535 }, { code: 'ETIMEDOUT', message: 'timeout' }]) {
      const f = describeSmtpError(Object.assign(new Error(error.message), error), { host: 'x.invalid', port: 587, origin: 'LICENSE_ADMIN_SMTP_URL' });
      expect(f.hint).toContain('LICENSE_ADMIN_SMTP_URL');
      expect(f.hint).not.toMatch(/--host|--port|config smtp/);
    }
  });

  test('auth refused (535) and rejected recipient (550), password scrubbed', async () => {
    const smtp = await startSmtp({ users: { u: 'good' }, rejectRecipients: ['nobody@example.com'] });
    try {
      const auth = await send({ ...base, port: smtp.port, tls: 'none', user: 'u', password: 'bad-Secret-77' });
      expect(auth).toMatchObject({ kind: 'auth', code: 'EAUTH', responseCode: 535, permanent: false });
      expect(JSON.stringify(auth)).not.toContain('bad-Secret-77');
      const rcpt = await send({ ...base, port: smtp.port, tls: 'none', user: 'u', password: 'good' }, 'nobody@example.com');
      expect(rcpt).toMatchObject({ kind: 'recipient', responseCode: 550, permanent: true });
      expect(await send({ ...base, port: smtp.port, tls: 'none', user: 'u', password: 'good' })).toBeNull();
    } finally {
      await smtp.close();
    }
  });

  test.each([
    [{ code: 'EDNS', message: 'getaddrinfo ENOTFOUND smtp.nowhere.invalid', command: 'CONN' }, 'dns', /cannot resolve the SMTP host "smtp.nowhere.invalid" \(DNS: ENOTFOUND\)/],
    [{ code: 'ETIMEDOUT', message: 'Greeting never received', command: 'CONN' }, 'timeout', /did not answer in time/],
    [{ code: 'EENVELOPE', responseCode: 450, command: 'RCPT TO', message: 'greylisted' }, 'recipient', /temporarily refused/],
    [{ code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM', message: 'sender not allowed' }, 'sender', /refused the sender/],
    [{ code: 'EENVELOPE', responseCode: 530, command: 'MAIL FROM', message: 'Authentication Required' }, 'auth', /requires a login/],
  ])('nodemailer error %j is %s', (error, kind, message) => {
    const f = describeSmtpError(Object.assign(new Error(error.message), error), { host: 'smtp.nowhere.invalid', port: 587 });
    expect(f.kind).toBe(kind);
    expect(f.message).toMatch(message);
  });
});
