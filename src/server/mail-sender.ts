// The seam between the server and the mail module: compose a license's message (pure) and deliver what
// the outbox holds. `serve` builds it from src/mail; null in ServerDeps means "no SMTP configured".
import type { LicenseRow } from '../ledger/project.js';
import type { NewOutboxMessage, Outbox } from '../mail/outbox.js';

export interface MailSender {
  licenseMail(license: LicenseRow, now: Date): NewOutboxMessage;
  /** Claims and sends due messages; returns how many it handled (0 = nothing due). */
  deliverDue(outbox: Outbox, now: Date): Promise<number>;
  close?(): Promise<void> | void;
}
