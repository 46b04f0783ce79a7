// `resend <key | email>`: all of that person's active licenses in one message ("I lost my license").
import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';
import { newEventId } from '../ledger/events.js';
import { licenseStatus } from '../ledger/license-view.js';
import { looksLikeLicenseKey } from '../license/license-key.js';
import { requireLicense } from '../licensing/find-license.js';
import { deliveryJson, mailerFor, printPreview, reportDelivery } from './mail.js';
import { safeText } from '../cli/terminal-text.js';

export async function resendCommand(target: string, opts: { preview?: boolean }, app: AppContext): Promise<void> {
  const ledger = await app.ledger();
  const now = app.clock();
  const byKey = looksLikeLicenseKey(target) && !target.includes('@');
  const email = byKey ? requireLicense(ledger, target).email : target.trim();
  if (!email) throw new UserError(`${target} belongs to a forgotten person; there is no address to send to`);
  const all = ledger.findByEmail(email);
  if (all.length === 0) throw new UserError(`no licenses for ${email}; try "license-admin search ${email.split('@')[0]}"`, { code: 'not_found' });
  const active = all.filter((row) => !row.forgottenAt && row.blob && licenseStatus(row, now) === 'active');
  if (active.length === 0) {
    throw new UserError(`${email} has no active license (${all.map((r) => `${r.licenseKey}: ${licenseStatus(r, now)}`).join(', ')}); renew or reinstate one first`);
  }
  const mailer = await mailerFor(app);
  try {
    if (opts.preview) {
      await mailer.settings().catch(() => undefined);
      const preview = mailer.preview('license', active);
      if (app.json) return app.out.json({ to: email, licenseKeys: active.map((r) => r.licenseKey), mail: { status: 'preview', preview } });
      return printPreview(app, preview);
    }
    await mailer.prepare();
    // The same message already waiting in the outbox is sent now rather than queued twice (the buyer
    // would get both once the first is retried).
    const { id, merged } = ledger.transaction(() => {
      const message = mailer.compose('license', active, `resend:${newEventId(now, app.random)}`);
      const waiting = mailer.waitingLike(message);
      return waiting ? { id: waiting.id, merged: waiting } : { id: mailer.enqueue(message).id, merged: null };
    });
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
