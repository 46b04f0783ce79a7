// What every use case is given (never globals): tests pass a fixed clock and their own random.
import type { Config } from '../config/config.js';
import type { Signer } from '../license/signer.js';
import type { LicenseFormat } from '../license/format.js';
import { newEventId, type EventType, type LedgerEvent } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import type { LedgerTx } from './ledger-port.js';
import type { NewOutboxMessage } from '../mail/outbox.js';

export interface UseCaseContext {
  config: Config;
  format: LicenseFormat;
  clock: () => Date;
  random: (n: number) => Uint8Array;
  /** Who did it: "cli:alice", "webhook", "admin:<kid>". */
  actor: string;
  /** Where the change was made: "cli", "server", "import". */
  source: string;
}

export interface SigningContext extends UseCaseContext {
  signer: Signer;
}

export type EventContext = Pick<UseCaseContext, 'clock' | 'random' | 'actor' | 'source'>;

/**
 * The mail a license operation sends, composed by the adapter (templates and SMTP are theirs) and queued
 * by the use case in its own transaction; `event` is the one the operation wrote. Null sends none.
 */
export type LicenseMail = (license: LicenseRow, event?: LedgerEvent) => NewOutboxMessage | null;

/**
 * A new event for a license that sorts after `last` (its latest event so far) even with a skewed or frozen
 * clock, so "revoke then reinstate" keeps that order on every replica. Pure.
 */
export function eventAfter(ctx: EventContext, type: EventType, licenseKey: string, data: Record<string, unknown>, last: string | null): LedgerEvent {
  let now = ctx.clock();
  if (last && Date.parse(last) >= now.getTime()) now = new Date(Date.parse(last) + 1);
  return { id: newEventId(now, ctx.random), licenseKey, type, at: now.toISOString(), actor: ctx.actor, source: ctx.source, data };
}

/** The next event of an existing license, after everything already recorded for it. */
export async function nextEvent(tx: Pick<LedgerTx, 'lastEventAt'>, ctx: EventContext, type: EventType, licenseKey: string, data: Record<string, unknown>): Promise<LedgerEvent> {
  return eventAfter(ctx, type, licenseKey, data, await tx.lastEventAt(licenseKey));
}
