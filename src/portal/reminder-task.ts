// Background task: mails renewal reminders (portal.reminderDays before expiry) with a link to the portal.
// The outbox's unique idempotency key makes one mail per license and date across replicas; the reminder
// row records it for `reminders --dry-run`.
import type { BackgroundTask } from '../server/background.js';
import type { ServerDeps } from '../server/deps.js';
import { dueReminders, queueReminder } from '../usecases/reminders.js';
import { portalSettings } from './portal-settings.js';
import { reminderId } from '../stores/portal-store.js';
import { publicLink } from './sign-in.js';

export function createReminderTask(deps: ServerDeps): BackgroundTask {
  return {
    name: 'reminders',
    async run() {
      const settings = portalSettings(deps.config);
      const sender = deps.mail;
      if (!settings.enabled || settings.reminderDays.length === 0 || !sender?.portalMail) return false;
      const now = deps.clock();
      const active = await deps.store.transaction((tx) => tx.activeLicenses(now));
      const due = dueReminders(active, now, settings.reminderDays);
      if (due.length === 0) return false;
      const queued = await deps.store.portal.remindersQueued(due.map((d) => d.licenseKey));
      const link = publicLink(deps.publicUrl!(), '/portal');
      let sent = 0;
      for (const d of due.filter((x) => !queued.has(reminderId(x.licenseKey, x.remindOn)))) {
        const created = await deps.store.transaction((tx) => queueReminder(tx, d, now, (license, idempotencyKey) => sender.portalMail!({
          kind: 'reminder', to: license.email, idempotencyKey, licenseKeys: [license.licenseKey], now,
          scope: { link, greetingName: license.name.trim() || 'there', licenseKey: license.licenseKey, tier: license.tier, expiry: d.expiresAt.slice(0, 10), days: d.daysLeft },
        })));
        await deps.store.portal.claimReminder(d.licenseKey, d.remindOn, d.daysBefore, now);
        if (created) sent++;
      }
      if (sent > 0) {
        deps.log.info('reminders queued', { count: sent });
        deps.wake?.();
      }
      return false;
    },
  };
}
