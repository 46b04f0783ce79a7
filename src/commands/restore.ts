// restore <backup>: the counterpart of `backup`. The backup is checked, copied next to the ledger and
// checked again there, the ledger it replaces is kept as a timestamped 0600 copy, then an atomic rename
// puts the backup in place, and opening it brings an older schema up to date.
import { chmodSync, copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';
import { copyLedger, inspectLedgerFile, lockExclusively } from '../ledger/ledger-file.js';

export interface RestoreResult {
  restored: string;
  ledger: string;
  replacedCopy: string | null;
  licenses: number;
  events: number;
  schema: { backup: number; now: number };
}

export async function restoreCommand(backup: string, opts: { yes?: boolean }, app: AppContext): Promise<void> {
  const target = app.paths.ledgerFile;
  const info = inspectLedgerFile(backup);
  const replacing = existsSync(target);
  if (replacing && !opts.yes) {
    if (!app.prompts.interactive) throw new UserError(`restore replaces the ledger at ${target}; pass --yes to confirm (not asking: stdin is not a terminal)`, { exitCode: 2 });
    const ok = await app.prompts.confirm(`Replace the ledger at ${target} with ${backup} (${info.licenses} licenses)? A copy of the current one is kept.`);
    if (!ok) throw new UserError('nothing was changed');
  }
  const stamp = app.clock().toISOString().replace(/[:.]/g, '-');
  const incoming = `${target}.restoring-${stamp}`;
  copyFileSync(backup, incoming);
  chmodSync(incoming, 0o600);
  let replacedCopy: string | null = null;
  try {
    inspectLedgerFile(incoming); // the copy, not only the original, is what goes in place
    if (replacing) {
      const live = lockExclusively(target);
      try {
        replacedCopy = `${target}.replaced-${stamp}`;
        copyLedger(live, replacedCopy);
        live.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        live.close();
      }
      // Nothing of the old file may be applied to the new one.
      for (const side of ['-wal', '-shm']) rmSync(`${target}${side}`, { force: true });
    }
    renameSync(incoming, target);
  } catch (error) {
    rmSync(incoming, { force: true });
    throw error;
  }
  const ledger = await app.ledger(); // migrates an older backup forward
  const now = ledger.db.pragma('user_version', { simple: true }) as number;
  const result: RestoreResult = { restored: backup, ledger: target, replacedCopy, licenses: info.licenses, events: info.events, schema: { backup: info.schema, now } };
  if (app.json) return app.out.json(result);
  app.out.info(`Restored ${info.licenses} license(s) and ${info.events} event(s) from ${backup} into ${target}${info.schema < now ? ` (schema ${info.schema} brought up to ${now})` : ''}.`);
  if (replacedCopy) app.out.info(`The ledger it replaced is kept as ${replacedCopy} (readable by you only).`);
  app.out.info('With a server: "license-admin sync" brings back what happened there since the backup.');
}
