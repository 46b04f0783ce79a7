// GDPR erasure: the person's name, email, blobs and notes leave the licenses and their events (the stores
// scrub every event of a forgotten license; SQLite also empties its WAL after the commit).
import { UserError } from '../errors.js';
import type { LedgerEvent } from '../ledger/events.js';
import { nextEvent, type EventContext } from './context.js';
import type { LedgerTx } from './ledger-port.js';

export interface ForgetResult {
  email: string;
  licenseKeys: string[];
  eventsScrubbed: number;
  events: LedgerEvent[];
}

export async function forgetPerson(tx: LedgerTx, email: string, ctx: EventContext): Promise<ForgetResult> {
  const rows = (await tx.findByEmailEver(email)).filter((r) => !r.forgottenAt);
  if (rows.length === 0) throw new UserError(`no licenses for ${email}; nothing to forget`, { code: 'not_found' });
  const licenseKeys = rows.map((r) => r.licenseKey);
  const eventsScrubbed = await tx.eventCount(licenseKeys);
  const events: LedgerEvent[] = [];
  for (const key of licenseKeys) events.push(await nextEvent(tx, ctx, 'forgotten', key, {}));
  await tx.applyEvents(events);
  return { email, licenseKeys, eventsScrubbed, events };
}
