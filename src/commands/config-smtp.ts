// `config smtp`: the SMTP settings in config.json; the password goes to the OS keychain, never the file.
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { parsePositiveInt } from '../cli/parse-flags.js';
import { readStdin } from '../cli/read-stdin.js';
import { saveConfig, type SmtpConfig } from '../config/config.js';
import { UsageError, UserError } from '../errors.js';

export interface SmtpFlags {
  host?: string;
  port?: string;
  secure?: string;
  user?: string;
  from?: string;
  replyTo?: string;
  dkimDomain?: string;
  dkimSelector?: string;
  dkimKey?: string;
  passwordStdin?: boolean;
}

const ADDRESS = /^([^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/;
const DEFAULT_PORT = { tls: 465, starttls: 587, none: 25 } as const;

/** Pure: the new `smtp` section from the old one and the flags, or a UsageError naming the flag. */
export function applySmtpFlags(old: SmtpConfig | undefined, f: SmtpFlags): SmtpConfig {
  const host = f.host?.trim() ?? old?.host;
  if (!host) throw new UsageError('missing --host (the SMTP server, e.g. smtp.fastmail.com)');
  if (f.secure !== undefined && !['tls', 'starttls', 'none'].includes(f.secure)) throw new UsageError(`--secure must be tls, starttls or none, not "${f.secure}"`);
  const secure = (f.secure ?? old?.secure ?? 'starttls') as SmtpConfig['secure'];
  const port = f.port !== undefined ? parsePositiveInt(f.port, '--port') : old?.port ?? DEFAULT_PORT[secure];
  if (port > 65535) throw new UsageError(`--port must be 1-65535, not ${port}`);
  const from = f.from?.trim() ?? old?.from;
  if (!from) throw new UsageError('missing --from (the sender address, e.g. "My App <licenses@example.com>")');
  if (!ADDRESS.test(from)) throw new UsageError(`--from "${from}" is not an email address`);
  if (f.replyTo !== undefined && f.replyTo !== '' && !ADDRESS.test(f.replyTo)) throw new UsageError(`--reply-to "${f.replyTo}" is not an email address`);
  const user = f.user !== undefined ? f.user.trim() : old?.user;
  const replyTo = f.replyTo !== undefined ? f.replyTo.trim() : old?.replyTo;
  const dkimGiven = [f.dkimDomain, f.dkimSelector, f.dkimKey].filter((v) => v !== undefined).length;
  if (dkimGiven > 0 && dkimGiven < 3) throw new UsageError('DKIM needs all three of --dkim-domain, --dkim-selector and --dkim-key <private key file>');
  const dkim = dkimGiven === 3 ? { domainName: f.dkimDomain!, keySelector: f.dkimSelector!, privateKeyFile: f.dkimKey! } : old?.dkim;
  return { host, port, secure, ...(user ? { user } : {}), from, ...(replyTo ? { replyTo } : {}), ...(dkim ? { dkim } : {}) };
}

export async function configSmtpCommand(flags: SmtpFlags, app: AppContext): Promise<void> {
  const config = app.config();
  const changing = Object.entries(flags).some(([k, v]) => k !== 'passwordStdin' && v !== undefined);
  const smtp = changing || flags.passwordStdin ? applySmtpFlags(config.smtp, flags) : config.smtp;
  if (!smtp) throw new UsageError('no SMTP settings yet; give at least --host and --from');
  let passwordStored = false;
  if (flags.passwordStdin) {
    if (!smtp.user) throw new UsageError('--password-stdin needs --user (the password belongs to that login)');
    const password = await readPassword(app);
    if (!password) throw new UserError('the password read from stdin is empty; nothing was changed');
    const [{ createKeychain }, { smtpKeychainAccount }] = await Promise.all([import('../keys/keychain.js'), import('../mail/smtp-settings.js')]);
    try {
      await createKeychain().set(smtpKeychainAccount(smtp.user, smtp.host), password);
    } catch {
      throw new UserError('the OS keychain is not reachable here, so the SMTP password was not stored (and nothing was changed); set LICENSE_ADMIN_SMTP_PASSWORD in the environment instead');
    }
    passwordStored = true;
  }
  if (changing) saveConfig(app.paths.configFile, { ...config, smtp });
  // The variable wins over config.json (smtp-settings.ts): saying "saved" without this would mislead.
  const overriddenBy = app.env.LICENSE_ADMIN_SMTP_URL ? 'LICENSE_ADMIN_SMTP_URL' : null;
  if (overriddenBy) app.out.warn('LICENSE_ADMIN_SMTP_URL is set in this environment and overrides these settings; mail goes where it says until you unset it.');
  if (app.json) return app.out.json({ smtp, passwordStored, configFile: app.paths.configFile, overriddenBy });
  if (changing || passwordStored) app.out.info(color.green(`Saved the SMTP settings to ${app.paths.configFile}${passwordStored ? ' and the password to the OS keychain' : ''}.`));
  app.out.data(Object.entries(smtp).map(([k, v]) => `  ${k.padEnd(8)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join('\n'));
  app.out.info('Check them with "license-admin mail test you@example.com".');
}

async function readPassword(app: AppContext): Promise<string> {
  if (process.stdin.isTTY) {
    if (!app.prompts.interactive) throw new UsageError('--password-stdin reads the password from a pipe, e.g. `printf %s "$PASS" | license-admin config smtp --password-stdin`');
    return app.prompts.password('SMTP password');
  }
  return (await readStdin()).replace(/\r?\n$/, '');
}
