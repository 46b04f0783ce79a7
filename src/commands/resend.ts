// `resend <key | email>`: all of that person's active licenses in one message ("I lost my license").
import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';
import { newEventId } from '../ledger/events.js';
import { resendLicenses, resendTarget } from '../usecases/resend.js';
import { deliveryJson, mailerFor, printPreview, reportDelivery } from './mail.js';
import { safeText } from '../cli/terminal-text.js';

export async function resendCommand(target: string, opts: { preview?: boolean }, app: AppContext): Promise<void> {
  const store = await app.store();
  const now = app.clock();
  // Who and what first (a wrong key is reported before a missing SMTP setting), without the write lock.
  const { email, licenses: active } = await store.read((tx) => resendTarget(tx, target, now));
  const mailer = await mailerFor(app);
  try {
    if (opts.preview) {
      await mailer.settings().catch(() => undefined);
      const preview = mailer.preview('license', active);
      if (app.json) return app.out.json({ to: email, licenseKeys: active.map((r) => r.licenseKey), mail: { status: 'preview', preview } });
      return printPreview(app, preview);
    }
    await mailer.prepare();
    const { outboxId: id, merged } = await store.transaction((tx) => resendLicenses(tx, target, now, (licenses) => mailer.compose('license', licenses, `resend:${newEventId(now, app.random)}`)));
    if (merged) app.out.info(`The same message to ${safeText(email)} is already in the outbox (#${merged.id}, ${merged.status}, queued ${merged.createdAt.slice(0, 16).replace('T', ' ')} UTC); sending that one now instead of queueing another.`);
    const [delivery] = await mailer.deliverAfterCommit([id]);
    if (!delivery) {
      if (merged) throw new UserError(`outbox message #${id} is being sent right now by another process (or the server); nothing new was queued`);
      throw new Error(`outbox message ${id} could not be claimed right after it was queued`);
    }
    if (app.json) app.out.json({ to: email, licenseKeys: active.map((r) => r.licenseKey), mail: { ...deliveryJson(delivery), merged: merged !== null } });
    else reportDelivery(app, delivery);
    if (delivery.status !== 'sent') throw new UserError(`not sent; the message stays in the outbox (#${delivery.id}) for "license-admin outbox retry"`);
  } finally {
    mailer.close();
  }
}
