// The common tail of every change to an existing license: apply its one event, read the license back,
// queue its mail if asked, in the caller's transaction.
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseMail } from './context.js';
import type { LedgerTx } from './ledger-port.js';
import type { ChangeResult } from './result.js';

export async function writeEvent(tx: LedgerTx, event: LedgerEvent, mail?: LicenseMail | null): Promise<ChangeResult> {
  await tx.applyEvents([event]);
  const license = (await tx.getLicense(event.licenseKey))!;
  const message = mail ? mail(license, event) : null;
  return { license, changed: true, events: [event], mail: message ? await tx.enqueueMail(message) : null };
}
