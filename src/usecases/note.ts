// A note on a license (history only; forgotten people get none).
import { UserError } from '../errors.js';
import { nextEvent, type EventContext } from './context.js';
import { requireLicense } from './find-license.js';
import type { LedgerTx } from './ledger-port.js';
import type { ChangeResult } from './result.js';
import { writeEvent } from './write-event.js';

export async function addNote(tx: LedgerTx, keyInput: string, text: string, ctx: EventContext): Promise<ChangeResult> {
  if (!text.trim()) throw new UserError('the note is empty', { exitCode: 2 });
  const row = await requireLicense(tx, keyInput);
  if (row.forgottenAt) throw new UserError(`${row.licenseKey} belongs to a forgotten person; notes about them are not kept`);
  return writeEvent(tx, await nextEvent(tx, ctx, 'note_added', row.licenseKey, { text }));
}
