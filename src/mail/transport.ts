// The one file that talks SMTP (nodemailer). Errors come out described (smtp-errors.ts) and scrubbed of
// the password, so nothing downstream can leak it into a log or the outbox.
import nodemailer from 'nodemailer';
import type { MailAttachment } from './outbox.js';
import { describeSmtpError, formatMailFailure, type MailFailure } from './smtp-errors.js';
import type { SmtpSettings } from './smtp-settings.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string | null;
  attachments: MailAttachment[];
  messageId: string;
}

export interface MailTransport {
  /** Resolves with the server's final reply once it accepted the message. Throws MailSendError. */
  send(mail: OutgoingMail): Promise<{ response: string }>;
  close(): void;
}

export class MailSendError extends Error {
  constructor(readonly failure: MailFailure) {
    super(formatMailFailure(failure));
    this.name = 'MailSendError';
  }
}

export interface TransportOptions {
  /** Keep connections open and send in parallel (the server, the benchmark). */
  pool?: boolean;
  maxConnections?: number;
}

export function createSmtpTransport(settings: SmtpSettings, options: TransportOptions = {}): MailTransport {
  const tls = settings.tls;
  const base = {
    host: settings.host,
    port: settings.port,
    secure: tls === 'tls',
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'none',
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    // Fail in seconds, not nodemailer's minutes: the CLI is waiting and the outbox will retry.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    ...(settings.dkim ? { dkim: settings.dkim } : {}),
  };
  const transporter = options.pool
    ? nodemailer.createTransport({ ...base, pool: true, maxConnections: options.maxConnections ?? 5, maxMessages: Infinity })
    : nodemailer.createTransport(base);
  const endpoint = { host: settings.host, port: settings.port, origin: settings.origin, ...(settings.user ? { user: settings.user } : {}) };
  return {
    async send(mail) {
      try {
        const info = await transporter.sendMail({
          from: settings.from,
          ...(settings.replyTo ? { replyTo: settings.replyTo } : {}),
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          ...(mail.html !== null ? { html: mail.html } : {}),
          messageId: mail.messageId,
          attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType, encoding: 'utf8' })),
        });
        return { response: String(info.response ?? '') };
      } catch (error) {
        throw new MailSendError(redactFailure(describeSmtpError(error, endpoint), settings.password));
      }
    },
    close() {
      transporter.close();
    },
  };
}

function redactFailure(f: MailFailure, secret: string | undefined): MailFailure {
  if (!secret) return f;
  const hide = (s: string) => [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')].reduce((acc, v) => acc.split(v).join('***'), s);
  return { ...f, message: hide(f.message), hint: hide(f.hint) };
}
