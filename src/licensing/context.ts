// What license operations need, passed in (never globals): tests give a fixed clock and a temp ledger.
import type { Config } from '../config/config.js';
import type { LicenseFormat } from '../license/format.js';
import type { SigningKey } from '../license/ed25519-key.js';
import type { Ledger } from '../ledger/ledger.js';
import { newEventId, type EventType, type LedgerEvent } from '../ledger/events.js';

export interface OpsContext {
  ledger: Ledger;
  config: Config;
  format: LicenseFormat;
  clock: () => Date;
  random: (n: number) => Uint8Array;
  /** Who did it: "cli:alice", "webhook:stripe", "server". */
  actor: string;
  /** Where the change was made: "cli", "server", "import". */
  source: string;
}

export interface SigningContext extends OpsContext {
  signer: SigningKey;
}

/**
 * When a ledger is given, a new event sorts after every event already recorded for its license (even
 * with a skewed or frozen clock), so "revoke then reinstate" keeps that order on every replica.
 */
export function makeEvent(
  ctx: Pick<OpsContext, 'clock' | 'random' | 'actor' | 'source'> & { ledger?: Pick<Ledger, 'lastEventAt'> },
  type: EventType,
  licenseKey: string,
  data: Record<string, unknown>,
): LedgerEvent {
  let now = ctx.clock();
  const last = type === 'minted' || type === 'imported' ? null : ctx.ledger?.lastEventAt(licenseKey);
  if (last && Date.parse(last) >= now.getTime()) now = new Date(Date.parse(last) + 1);
  return { id: newEventId(now, ctx.random), licenseKey, type, at: now.toISOString(), actor: ctx.actor, source: ctx.source, data };
}
