import { chmodSync, existsSync } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';

export async function backupCommand(file: string, app: AppContext): Promise<void> {
  if (existsSync(file)) throw new UserError(`${file} already exists; choose another name (a backup never overwrites)`);
  const ledger = await app.ledger();
  const started = Date.now();
  await ledger.db.backup(file, {
    progress: ({ totalPages, remainingPages }) => {
      app.out.progress(`backing up: ${Math.round(((totalPages - remainingPages) / Math.max(totalPages, 1)) * 100)}%`);
      return 200;
    },
  });
  app.out.progressDone();
  chmodSync(file, 0o600); // it holds customers' names and emails
  const licenses = (ledger.db.prepare('SELECT count(*) AS n FROM licenses').get() as { n: number }).n;
  if (app.json) return app.out.json({ file, licenses, ms: Date.now() - started });
  app.out.info(`Backed up ${licenses} license(s) to ${file} in ${Date.now() - started} ms.`);
}
