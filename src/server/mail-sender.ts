// The seam between the server and the mail module: compose a license's message (pure) and deliver what
// the outbox holds. `serve` builds it from src/mail; null in ServerDeps means "no SMTP configured".
import type { LicenseRow } from '../ledger/project.js';
import type { NewOutboxMessage, Outbox } from '../mail/outbox.js';
import type { PortalMailKind } from '../mail/portal-mail-templates.js';
import type { TemplateScope } from '../mail/templates.js';

export interface PortalMailInput {
  kind: PortalMailKind;
  to: string;
  scope: TemplateScope;
  idempotencyKey: string;
  licenseKeys: string[];
  now: Date;
  requestedVia?: string;
}

export interface MailSender {
  /** Default: the "license" mail with idempotency key "mint:<licenseKey>". */
  licenseMail(license: LicenseRow, now: Date, options?: { kind?: 'license' | 'renewed'; idempotencyKey?: string }): NewOutboxMessage;
  /** Several licenses of one person in one "license" mail (a resend). */
  licensesMail?(licenses: readonly LicenseRow[], now: Date, idempotencyKey: string, requestedVia?: string): NewOutboxMessage;
  /** The portal's own mails: the sign-in link and the renewal reminder. */
  portalMail?(input: PortalMailInput): NewOutboxMessage;
  /** Claims and sends due messages; returns how many it handled (0 = nothing due). */
  deliverDue(outbox: Outbox, now: Date): Promise<number>;
  close?(): Promise<void> | void;
}
