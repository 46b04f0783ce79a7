// Renewal reminders: which licenses are due one (pure), and queueing one (a mail in the outbox under a key
// unique to the license and the reminder's date, so no replica or second pass can queue it twice). The
// server's reminder task and `license-admin reminders --dry-run` share these rules.
import { licenseStatus } from '../ledger/license-view.js';
import type { LicenseRow } from '../ledger/project.js';
import type { NewOutboxMessage } from '../mail/outbox.js';
import type { LedgerTx } from './ledger-port.js';

const DAY_MS = 86_400_000;

export interface DueReminder {
  licenseKey: string;
  email: string;
  product: string;
  expiresAt: string;
  /** The reminder's date: expiry minus daysBefore (YYYY-MM-DD, UTC). */
  remindOn: string;
  /** Which of the configured days this is (30, 7, ...). */
  daysBefore: number;
  /** Whole days left until the expiry, rounded up. */
  daysLeft: number;
}

export const reminderKey = (r: Pick<DueReminder, 'licenseKey' | 'remindOn'>): string => `reminder:${r.licenseKey.toUpperCase()}:${r.remindOn}`;

/**
 * For each active, expiring license whose reminder date has come: the latest configured day passed (a
 * license first seen 5 days before its end gets the 7-day reminder, not the 30-day one as well).
 */
export function dueReminders(licenses: readonly LicenseRow[], now: Date, days: readonly number[]): DueReminder[] {
  const out: DueReminder[] = [];
  for (const row of licenses) {
    if (!row.expiresAt || row.forgottenAt || !row.email || licenseStatus(row, now) !== 'active') continue;
    const end = Date.parse(row.expiresAt);
    const passed = days.filter((d) => end - d * DAY_MS <= now.getTime());
    if (passed.length === 0) continue;
    const daysBefore = Math.min(...passed);
    out.push({
      licenseKey: row.licenseKey, email: row.email, product: row.product, expiresAt: row.expiresAt,
      remindOn: new Date(end - daysBefore * DAY_MS).toISOString().slice(0, 10), daysBefore, daysLeft: Math.ceil((end - now.getTime()) / DAY_MS),
    });
  }
  return out;
}

/** Queues the reminder unless the license changed since (renewed, revoked, forgotten); true when a new mail was queued. */
export async function queueReminder(tx: LedgerTx, due: DueReminder, now: Date, compose: (license: LicenseRow, idempotencyKey: string) => NewOutboxMessage): Promise<boolean> {
  const row = await tx.getLicense(due.licenseKey);
  if (!row || row.expiresAt !== due.expiresAt || dueReminders([row], now, [due.daysBefore]).length === 0) return false;
  return (await tx.enqueueMail(compose(row, reminderKey(due)))).created;
}
