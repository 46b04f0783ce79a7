// `outbox`: messages not yet delivered; `outbox retry`: send the due ones (or all, or some) now.
import type { AppContext } from '../cli/app-context.js';
import { outColor } from '../cli/colors.js';
import { table } from '../cli/render.js';
import { fitRows, terminalColumns } from '../cli/table-fit.js';
import { UsageError, UserError } from '../errors.js';
import type { DeliveryResult } from '../mail/deliver.js';
import type { OutboxMessage, OutboxStatus } from '../mail/outbox.js';
import { deliveryJson, mailerFor, reportDelivery } from './mail.js';
import { safeText } from '../cli/terminal-text.js';

/** The list shape for --json (no bodies: they hold the license blobs). */
export function outboxEntry(m: OutboxMessage) {
  return {
    id: m.id, status: m.status, kind: m.kind, to: m.to, subject: m.subject, licenseKeys: m.licenseKeys, attempts: m.attempts,
    createdAt: m.createdAt, nextAttemptAt: m.nextAttemptAt, lastError: m.lastError, sentAt: m.sentAt, messageId: m.messageId, idempotencyKey: m.idempotencyKey,
  };
}

export async function outboxListCommand(opts: { all?: boolean }, app: AppContext): Promise<void> {
  const mailer = await mailerFor(app);
  const statuses: OutboxStatus[] = opts.all ? ['pending', 'sending', 'failed', 'sent', 'cancelled'] : ['pending', 'sending', 'failed'];
  const messages = mailer.outbox.list({ statuses, limit: 10_000 });
  if (app.json) return app.out.json({ messages: messages.map(outboxEntry) });
  if (messages.length === 0) return app.out.info(opts.all ? 'The outbox is empty.' : 'Nothing waiting: every queued message was sent.');
  const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');
  const head = ['Id', 'Status', 'To', 'Subject', 'Tries', 'Next try (UTC)', 'Last error'];
  const rows = messages.map((m) => [String(m.id), statusColor(m.status), m.to, m.subject, String(m.attempts), m.status === 'pending' ? when(m.nextAttemptAt) : '-', m.lastError ?? '']);
  app.out.data(table(head, fitRows(head, rows, terminalColumns(), [0, 1, 4, 5])));
  app.out.info('Send due messages now with "license-admin outbox retry" (add --all to include failed and not-yet-due ones).');
}

function statusColor(s: OutboxStatus): string {
  return s === 'failed' ? outColor.red(s) : s === 'sent' ? outColor.green(s) : outColor.yellow(s);
}

export async function outboxRetryCommand(ids: string[], opts: { all?: boolean }, app: AppContext): Promise<void> {
  const wanted = ids.map((id) => {
    if (!/^\d+$/.test(id)) throw new UsageError(`outbox retry expects message ids (numbers from "license-admin outbox"), got "${id}"`);
    return Number(id);
  });
  if (wanted.length && opts.all) throw new UsageError('give message ids or --all, not both');
  const mailer = await mailerFor(app);
  try {
    const results: DeliveryResult[] = [];
    const skipped: { id: number; reason: string }[] = [];
    if (wanted.length) {
      results.push(...(await mailer.deliver({ ids: wanted })));
      for (const id of wanted.filter((id) => !results.some((r) => r.id === id))) skipped.push({ id, reason: whyNotClaimed(mailer.outbox.get(id), app.clock()) });
    } else {
      // Due messages in batches (a failed one is rescheduled into the future, so the loop ends);
      // --all in one claim, since it also takes what just failed.
      for (;;) {
        const batch = await mailer.deliver(opts.all ? { all: true, limit: 10_000 } : { limit: 100 });
        results.push(...batch);
        if (batch.length < 100 || opts.all) break;
      }
    }
    const count = (s: DeliveryResult['status']) => results.filter((r) => r.status === s).length;
    const summary = { sent: count('sent'), pending: count('pending'), failed: count('failed') };
    if (app.json) app.out.json({ ...summary, results: results.map(deliveryJson), skipped });
    else {
      for (const r of results) reportDelivery(app, r);
      for (const s of skipped) app.out.warn(`#${s.id}: ${safeText(s.reason)}`);
      if (results.length === 0 && skipped.length === 0) app.out.info('Nothing is due. "license-admin outbox" lists what is waiting; --all sends failed and not-yet-due messages too.');
    }
    if (summary.pending + summary.failed > 0) throw new UserError(`${summary.pending + summary.failed} of ${results.length} message(s) not sent; they stay in the outbox`);
    if (wanted.length && skipped.length === wanted.length) throw new UserError('none of the given messages could be sent');
  } finally {
    mailer.close();
  }
}

function whyNotClaimed(m: OutboxMessage | null, now: Date): string {
  if (!m) return 'no such message in the outbox';
  if (m.status === 'sent') return `already sent at ${m.sentAt}; it is never sent twice ("license-admin resend" makes a new message)`;
  if (m.status === 'cancelled') return `cancelled (${m.lastError ?? 'no reason recorded'})`;
  if (m.status === 'sending') return `another process is sending it (claimed until ${m.claimedUntil}; now ${now.toISOString()})`;
  return `not claimable (status ${m.status})`;
}
