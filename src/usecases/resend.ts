// Re-delivery ("I lost my license"): every active license of one person in one message. The same message
// already waiting in the outbox is sent instead of a second copy (the buyer would get both once the first
// is retried).
import { UserError } from '../errors.js';
import { licenseStatus } from '../ledger/license-view.js';
import { looksLikeLicenseKey } from '../license/license-key.js';
import type { LicenseRow } from '../ledger/project.js';
import type { NewOutboxMessage, OutboxMessage } from '../mail/outbox.js';
import { requireLicense } from './find-license.js';
import type { LedgerTx } from './ledger-port.js';

export interface ResendTarget {
  email: string;
  /** The person's active licenses, oldest first: what the message carries. */
  licenses: LicenseRow[];
}

/** Whose licenses a key or an email means, and which of them can be sent. */
export async function resendTarget(tx: LedgerTx, target: string, now: Date): Promise<ResendTarget> {
  const byKey = looksLikeLicenseKey(target) && !target.includes('@');
  const email = byKey ? (await requireLicense(tx, target)).email : target.trim();
  if (!email) throw new UserError(`${target} belongs to a forgotten person; there is no address to send to`);
  const all = await tx.findByEmail(email);
  if (all.length === 0) throw new UserError(`no licenses for ${email}; try "license-admin search ${email.split('@')[0]}"`, { code: 'not_found' });
  const licenses = all.filter((row) => !row.forgottenAt && row.blob && licenseStatus(row, now) === 'active');
  if (licenses.length === 0) {
    throw new UserError(`${email} has no active license (${all.map((r) => `${r.licenseKey}: ${licenseStatus(r, now)}`).join(', ')}); renew or reinstate one first`);
  }
  return { email, licenses };
}

export interface ResendResult extends ResendTarget {
  outboxId: number;
  /** The unsent message that already said the same, sent instead of a new one. */
  merged: OutboxMessage | null;
}

/** `compose` makes the message for these licenses (the adapter's templates), with a fresh idempotency key. */
export async function resendLicenses(tx: LedgerTx, target: string, now: Date, compose: (licenses: readonly LicenseRow[]) => NewOutboxMessage): Promise<ResendResult> {
  const found = await resendTarget(tx, target, now);
  const message = compose(found.licenses);
  const waiting = await tx.unsentMailLike(message);
  if (waiting) return { ...found, outboxId: waiting.id, merged: waiting };
  return { ...found, outboxId: (await tx.enqueueMail(message)).id, merged: null };
}
