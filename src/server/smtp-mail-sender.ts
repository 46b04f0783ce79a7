// The server's MailSender on the mail module: the CLI's templates and message ids, a pooled SMTP
// transport, and the shared deliverDue worker over whichever store's outbox.
import type { Config } from '../config/config.js';
import { composeLicenseMail, newMessageId } from '../mail/compose.js';
import { deliverDue } from '../mail/deliver.js';
import type { SmtpSettings } from '../mail/smtp-settings.js';
import type { TemplateSet } from '../mail/template-files.js';
import { BUILT_IN_PORTAL_MAIL, renderPortalMail, type PortalMailTemplates } from '../mail/portal-mail-templates.js';
import { createSmtpTransport } from '../mail/transport.js';
import type { Logger } from './logger.js';
import type { MailSender } from './mail-sender.js';

export interface SmtpMailSenderOptions {
  settings: SmtpSettings;
  templates: TemplateSet;
  /** The sign-in and reminder mails (default: the built-in ones). */
  portalTemplates?: PortalMailTemplates;
  config: Config;
  random: (n: number) => Uint8Array;
  clock: () => Date;
  log: Logger;
  maxConnections?: number;
  /** How long a claimed message is protected from other workers (default: the outbox's 5 minutes). */
  leaseMs?: number;
}

export function createSmtpMailSender(o: SmtpMailSenderOptions): MailSender {
  const connections = o.maxConnections ?? 5;
  const transport = createSmtpTransport(o.settings, { pool: true, maxConnections: connections });
  const portalTemplates = o.portalTemplates ?? BUILT_IN_PORTAL_MAIL();
  return {
    licenseMail(license, now, options = {}) {
      return composeLicenseMail({
        kind: options.kind ?? 'license', licenses: [license], templates: o.templates, idempotencyKey: options.idempotencyKey ?? `mint:${license.licenseKey}`, now,
        productName: o.config.productName, supportEmail: o.config.supportEmail, messageId: newMessageId(o.settings.from, now, o.random),
      });
    },
    licensesMail(licenses, now, idempotencyKey, requestedVia) {
      const message = composeLicenseMail({
        kind: 'license', licenses, templates: o.templates, idempotencyKey, now,
        productName: o.config.productName, supportEmail: o.config.supportEmail, messageId: newMessageId(o.settings.from, now, o.random),
      });
      return requestedVia ? { ...message, requestedVia } : message;
    },
    portalMail(input) {
      const parts = renderPortalMail(portalTemplates, input.kind, { productName: o.config.productName, supportEmail: o.config.supportEmail ?? '', ...input.scope });
      return {
        idempotencyKey: input.idempotencyKey, kind: input.kind, to: input.to, ...parts, attachments: [], messageId: newMessageId(o.settings.from, input.now, o.random),
        licenseKeys: input.licenseKeys, createdAt: input.now, ...(input.requestedVia ? { requestedVia: input.requestedVia } : {}),
      };
    },
    async deliverDue(outbox) {
      const results = await deliverDue(outbox, transport, o.clock, { limit: 50, concurrency: connections, ...(o.leaseMs ? { leaseMs: o.leaseMs } : {}) });
      for (const r of results) {
        if (r.status === 'sent') o.log.info('mail sent', { outboxId: r.id, licenseKey: r.licenseKeys[0] });
        else o.log.warn('mail not sent', { outboxId: r.id, status: r.status, reason: r.failure?.kind, retryAt: r.nextAttemptAt ?? null });
      }
      return results.length;
    },
    close: () => transport.close(),
  };
}
