// Turning nodemailer's errors (code EDNS, ESOCKET, ETLS, EAUTH, EENVELOPE..., plus the SMTP reply code)
// into what failed and what to do next. Pure.

export type MailFailureKind = 'dns' | 'refused' | 'timeout' | 'connection' | 'tls' | 'auth' | 'recipient' | 'sender' | 'message' | 'config' | 'unknown';

export interface MailFailure {
  kind: MailFailureKind;
  /** One line: what failed. */
  message: string;
  /** What to do next. */
  hint: string;
  /** True when retrying the same message cannot help (the recipient address was refused for good). */
  permanent: boolean;
  code?: string;
  responseCode?: number;
}

export interface SmtpEndpoint {
  host: string;
  port: number;
  user?: string;
  /** Where the settings came from: hints name that place, never flags that would change nothing. */
  origin?: 'LICENSE_ADMIN_SMTP_URL' | 'config';
}

/** The words a hint uses for "change this setting", per origin. */
const FIX_WORDS = {
  config: {
    host: 'the host name ("license-admin config smtp --host ...")',
    hostAndPort: '--host and --port',
    security: 'match --secure to the port: "tls" for 465 (TLS from the start), "starttls" for 587, "none" only for a local relay',
    securityShort: '--secure matches the port',
    password: 'LICENSE_ADMIN_SMTP_PASSWORD, or "license-admin config smtp ... --password-stdin"',
    login: 'set the user with "license-admin config smtp --user ..." and provide the password',
    settings: '"license-admin config smtp"',
  },
  LICENSE_ADMIN_SMTP_URL: {
    host: 'the host in LICENSE_ADMIN_SMTP_URL (it overrides config.json)',
    hostAndPort: 'the host and port in LICENSE_ADMIN_SMTP_URL',
    security: 'match the scheme of LICENSE_ADMIN_SMTP_URL to the port: smtps:// for 465 (TLS from the start), smtp:// for 587 (STARTTLS) or a local relay',
    securityShort: "LICENSE_ADMIN_SMTP_URL's scheme (smtps:// or smtp://) matches the port",
    password: 'user:password in LICENSE_ADMIN_SMTP_URL, or LICENSE_ADMIN_SMTP_PASSWORD',
    login: 'put user:password in LICENSE_ADMIN_SMTP_URL',
    settings: 'LICENSE_ADMIN_SMTP_URL',
  },
} as const;

interface NodemailerError {
  code?: string;
  responseCode?: number;
  command?: string;
  message?: string;
}

const TLS_PATTERN = /\b(SSL|TLS|certificate|self[- ]signed|wrong version number|handshake|CERT_|UNABLE_TO_VERIFY|ERR_TLS)/i;

export function describeSmtpError(error: unknown, at: SmtpEndpoint): MailFailure {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as NodemailerError;
  const raw = (e.message ?? 'unknown error').split('\n')[0]!.trim();
  const where = `${at.host}:${at.port}`;
  const base = { ...(e.code ? { code: e.code } : {}), ...(e.responseCode ? { responseCode: e.responseCode } : {}) };
  const w = FIX_WORDS[at.origin ?? 'config'];
  const fail = (kind: MailFailureKind, message: string, hint: string, permanent = false): MailFailure => ({ kind, message, hint, permanent, ...base });

  if (e.code === 'EDNS' || /ENOTFOUND|EAI_AGAIN/.test(raw)) {
    return fail('dns', `cannot resolve the SMTP host "${at.host}" (DNS: ${/EAI_AGAIN/.test(raw) ? 'EAI_AGAIN, temporary' : 'ENOTFOUND'})`,
      `check ${w.host} and that this machine can resolve it`);
  }
  if (/ECONNREFUSED/.test(raw)) {
    return fail('refused', `connection refused by ${where}: no SMTP server is listening there`,
      `check ${w.hostAndPort} (587 is usually STARTTLS, 465 TLS, 25 server-to-server) and that the server is up`);
  }
  if (e.code === 'ETIMEDOUT' || /timed? ?out/i.test(raw)) {
    return fail('timeout', `${where} did not answer in time (${raw})`, `a firewall may drop the port; check ${w.hostAndPort}, or try again later`);
  }
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS' || TLS_PATTERN.test(raw)) {
    return fail('tls', `TLS with ${where} failed: ${raw}`,
      w.security);
  }
  if (e.code === 'EAUTH') {
    return fail('auth', `the SMTP server refused the login${at.user ? ` for user "${at.user}"` : ''} (${e.responseCode ?? 'no code'}): ${stripPrefix(raw)}`,
      `check the user name and password (${w.password}); many providers need an app password`);
  }
  if (e.code === 'ENOAUTH' || e.responseCode === 530) {
    return fail('auth', `${where} requires a login (${raw})`, w.login);
  }
  if (e.code === 'EENVELOPE' && /RCPT/i.test(e.command ?? '')) {
    const permanent = (e.responseCode ?? 0) >= 500;
    return fail('recipient', `the SMTP server ${permanent ? 'rejected' : 'temporarily refused'} the recipient (${e.responseCode ?? '?'}): ${stripPrefix(raw)}`,
      permanent ? 'check the address for typos; the message is kept as failed and can be retried after a fix' : 'greylisting or a full mailbox: the message will be retried', permanent);
  }
  if (e.code === 'EENVELOPE') {
    return fail('sender', `the SMTP server refused the sender (${e.responseCode ?? '?'}): ${stripPrefix(raw)}`,
      'the from-address must be one your SMTP account may send as ("license-admin config smtp --from ...", or LICENSE_ADMIN_MAIL_FROM)');
  }
  if (e.code === 'EMESSAGE' || /^DATA/i.test(e.command ?? '')) {
    return fail('message', `the SMTP server refused the message (${e.responseCode ?? '?'}): ${stripPrefix(raw)}`, 'a spam filter or size limit; check the server logs');
  }
  if (e.code === 'ECONFIG') return fail('config', `the mail settings are invalid: ${raw}`, `check ${w.settings}`);
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET' || /ECONNRESET|EPIPE|socket|closed/i.test(raw)) {
    return fail('connection', `the connection to ${where} failed: ${raw}`, `check that the server is up and ${w.securityShort}; the message will be retried`);
  }
  return fail('unknown', `sending failed: ${raw}`, 'check "license-admin mail test <your address>"');
}

function stripPrefix(message: string): string {
  return message.replace(/^(Invalid login|Mail command failed|Can't send mail - all recipients were rejected|Data command failed):\s*/i, '');
}

/** "auth: the SMTP server refused ... Next: check ..." for people and for outbox.last_error. */
export function formatMailFailure(f: MailFailure): string {
  return `${f.message}. Next: ${f.hint}`;
}
