// Where the SMTP settings come from: LICENSE_ADMIN_SMTP_URL (scripts, tests) overrides config.json `smtp`;
// the password comes from LICENSE_ADMIN_SMTP_PASSWORD or the OS keychain (account smtp:<user>@<host>),
// never from the config file. The settings object holds the password: never print it (see describeSmtp).
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Config } from '../config/config.js';
import { UserError } from '../errors.js';
import type { SecretStore } from '../keys/keychain.js';

/** 'opportunistic' (smtp:// URLs): STARTTLS when offered, plain otherwise. */
export type TlsMode = 'tls' | 'starttls' | 'none' | 'opportunistic';

export interface SmtpSettings {
  host: string;
  port: number;
  tls: TlsMode;
  user?: string;
  password?: string;
  from: string;
  replyTo?: string;
  dkim?: { domainName: string; keySelector: string; privateKey: string };
  origin: 'LICENSE_ADMIN_SMTP_URL' | 'config';
}

export type MailEnv = Record<string, string | undefined>;

export const smtpKeychainAccount = (user: string, host: string): string => `smtp:${user}@${host}`;

/** smtp://user:pass@host:port (STARTTLS when offered, default port 587) or smtps://... (TLS, 465). Pure. */
export function parseSmtpUrl(text: string): Pick<SmtpSettings, 'host' | 'port' | 'tls' | 'user' | 'password'> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Never echo the URL: it carries the password.
    throw new UserError('LICENSE_ADMIN_SMTP_URL is not a valid URL; expected smtp://user:password@host:port or smtps://...');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new UserError(`LICENSE_ADMIN_SMTP_URL must start with smtp:// or smtps://, not ${url.protocol}//`);
  }
  if (!url.hostname) throw new UserError('LICENSE_ADMIN_SMTP_URL has no host');
  const secure = url.protocol === 'smtps:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    tls: secure ? 'tls' : 'opportunistic',
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
  };
}

/** The from-address when none is configured: the support address, else licenses@<host> (documented). */
export function defaultFrom(config: Config | null, host: string): string {
  if (config?.supportEmail) return config.supportEmail;
  const domain = /^[\d.]+$|:/.test(host) || !host.includes('.') ? 'localhost' : host.replace(/^(smtp|mail|email)\./i, '');
  return `licenses@${domain}`;
}

export interface ResolveDeps {
  config: Config | null;
  configDir: string;
  env: MailEnv;
  secrets: SecretStore;
}

export async function resolveSmtpSettings({ config, configDir, env, secrets }: ResolveDeps): Promise<SmtpSettings> {
  const smtp = config?.smtp;
  const fromEnv = env.LICENSE_ADMIN_MAIL_FROM?.trim();
  let settings: SmtpSettings;
  if (env.LICENSE_ADMIN_SMTP_URL) {
    const parsed = parseSmtpUrl(env.LICENSE_ADMIN_SMTP_URL);
    settings = { ...parsed, from: fromEnv || smtp?.from || defaultFrom(config, parsed.host), origin: 'LICENSE_ADMIN_SMTP_URL' };
  } else if (smtp) {
    settings = {
      host: smtp.host, port: smtp.port, tls: smtp.secure,
      ...(smtp.user ? { user: smtp.user } : {}),
      from: fromEnv || smtp.from, origin: 'config',
    };
  } else {
    throw new UserError('no SMTP server configured: run "license-admin config smtp --host smtp.example.com --port 587 --secure starttls --user you --from licenses@example.com --password-stdin", or set LICENSE_ADMIN_SMTP_URL');
  }
  const replyTo = smtp?.replyTo ?? (config?.supportEmail && config.supportEmail !== settings.from ? config.supportEmail : undefined);
  if (replyTo) settings.replyTo = replyTo;
  if (smtp?.dkim) settings.dkim = loadDkim(smtp.dkim, configDir);
  if (settings.user && settings.password === undefined) settings.password = await findPassword(settings.user, settings.host, env, secrets);
  return settings;
}

async function findPassword(user: string, host: string, env: MailEnv, secrets: SecretStore): Promise<string> {
  if (env.LICENSE_ADMIN_SMTP_PASSWORD) return env.LICENSE_ADMIN_SMTP_PASSWORD;
  const account = smtpKeychainAccount(user, host);
  let stored: string | null;
  try {
    stored = await secrets.get(account);
  } catch {
    throw new UserError(`no SMTP password for ${user}@${host}: the OS keychain is not reachable here; set LICENSE_ADMIN_SMTP_PASSWORD for this process`);
  }
  if (stored === null) {
    throw new UserError(`no SMTP password for ${user}@${host}: store it with "license-admin config smtp --password-stdin" (OS keychain, account ${account}) or set LICENSE_ADMIN_SMTP_PASSWORD`);
  }
  return stored;
}

function loadDkim(dkim: NonNullable<Config['smtp']>['dkim'] & object, configDir: string): NonNullable<SmtpSettings['dkim']> {
  const file = isAbsolute(dkim.privateKeyFile) ? dkim.privateKeyFile : join(configDir, dkim.privateKeyFile);
  try {
    return { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: readFileSync(file, 'utf8') };
  } catch (error) {
    throw new UserError(`config.json smtp.dkim.privateKeyFile: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The settings for people: everything but the password. */
export function describeSmtp(s: SmtpSettings): Record<string, unknown> {
  return {
    host: s.host, port: s.port, secure: s.tls, user: s.user ?? null, from: s.from, replyTo: s.replyTo ?? null,
    dkim: s.dkim ? `${s.dkim.keySelector}._domainkey.${s.dkim.domainName}` : null, passwordSet: Boolean(s.password), origin: s.origin,
  };
}
