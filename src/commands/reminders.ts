// `reminders --dry-run`: who the server would send a renewal reminder now (portal.reminderDays), and who
// already got theirs. Reads the server's store (the SQLite ledger or DATABASE_URL); sends nothing.
import type { AppContext } from '../cli/app-context.js';
import { table } from '../cli/render.js';
import { safeText } from '../cli/terminal-text.js';
import { UsageError } from '../errors.js';
import { portalSettings } from '../portal/portal-settings.js';
import { openStore } from '../server/open-store.js';
import { reminderId } from '../stores/portal-store.js';
import { dueReminders } from '../usecases/reminders.js';

export interface RemindersFlags {
  dryRun?: boolean;
  databaseUrl?: string;
}

export async function remindersCommand(flags: RemindersFlags, app: AppContext): Promise<void> {
  if (!flags.dryRun) throw new UsageError('reminders are sent by "license-admin serve"; add --dry-run to see who would get one now');
  const settings = portalSettings(app.config());
  const now = app.clock();
  const store = await openStore({ databaseUrl: flags.databaseUrl, ledgerFile: app.paths.ledgerFile, random: app.random });
  try {
    const due = dueReminders(await store.transaction((tx) => tx.activeLicenses(now)), now, settings.reminderDays);
    const queued = await store.portal.remindersQueued(due.map((d) => d.licenseKey));
    const rows = due.map((d) => ({ ...d, alreadySent: queued.has(reminderId(d.licenseKey, d.remindOn)) }));
    if (app.json) return app.out.json({ enabled: settings.enabled, reminderDays: settings.reminderDays, reminders: rows });
    if (!settings.enabled) app.out.info('The portal is off (portal.enabled in config.json), so serve sends no reminders; this is who it would remind.');
    if (rows.length === 0) return app.out.info(`No license is due a reminder (days before expiry: ${settings.reminderDays.join(', ') || 'none'}).`);
    app.out.data(table(['License', 'Email', 'Expires', 'Reminder', 'Status'], rows.map((r) => [
      r.licenseKey, safeText(r.email), r.expiresAt.slice(0, 10), `${r.daysBefore} days (${r.remindOn})`, r.alreadySent ? 'sent' : 'would send',
    ])));
  } finally {
    await store.close();
  }
}
