// Revoke and reinstate, by hand (CLI, admin API) or because of a payment (a refund, a dispute, a refunded
// sale found by an import). Each is one event; revoking a revoked license or reinstating an active one is a
// no-op that writes nothing.
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import { nextEvent, type EventContext } from './context.js';
import { existingLicense, requireLicense } from './find-license.js';
import type { LedgerTx } from './ledger-port.js';
import { unchanged, type ChangeResult } from './result.js';
import { writeEvent } from './write-event.js';

export async function revokeLicense(tx: LedgerTx, keyInput: string, reason: string | undefined, ctx: EventContext): Promise<ChangeResult> {
  return setRevoked(tx, await requireLicense(tx, keyInput), reason ? { reason } : {}, ctx);
}

export async function reinstateLicense(tx: LedgerTx, keyInput: string, ctx: EventContext): Promise<ChangeResult> {
  return setRevoked(tx, await requireLicense(tx, keyInput), null, ctx);
}

export interface PaymentRevocation {
  /** Why (a refund, a lost or open dispute); null reinstates (a dispute won). */
  reason: string | null;
  /** More facts for the event, e.g. the refunded purchase. */
  detail?: Record<string, unknown>;
  /** A fixed event id (the same refund found by every machine reconciling one export is one event). */
  eventId?: (event: LedgerEvent) => string;
}

/** A payment says the license must (no longer) be revoked. */
export async function settlePaymentRevocation(tx: LedgerTx, licenseKey: string, payment: PaymentRevocation, ctx: EventContext): Promise<ChangeResult> {
  const row = await existingLicense(tx, licenseKey);
  return setRevoked(tx, row, payment.reason === null ? null : { reason: payment.reason, ...payment.detail }, ctx, payment.eventId);
}

/** `revoke`: the event's data (its reason, if any), or null to reinstate. */
async function setRevoked(tx: LedgerTx, row: LicenseRow, revoke: Record<string, unknown> | null, ctx: EventContext, eventId?: (event: LedgerEvent) => string): Promise<ChangeResult> {
  if ((revoke !== null) === (row.revokedAt !== null)) return unchanged(row);
  const event = await nextEvent(tx, ctx, revoke !== null ? 'revoked' : 'reinstated', row.licenseKey, revoke ?? {});
  return writeEvent(tx, eventId ? { ...event, id: eventId(event) } : event);
}
