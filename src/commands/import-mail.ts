// `import --mint-missing --send`: each license minted is queued in the outbox inside the import's one
// transaction (as `mint --send` does, with the same idempotency key `mint:<licenseKey>`), then delivered
// after the commit. A license minted already expired is minted but not mailed.
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import type { ApplyOptions, ApplyResult } from '../import/apply.js';
import type { LicenseRow } from '../ledger/project.js';
import type { DeliveryResult } from '../mail/deliver.js';
import { deliveryJson, mailerFor, reportDelivery, type MailJson } from './mail.js';
import { safeText } from '../cli/terminal-text.js';

export interface MintMailSummary {
  queued: number;
  sent: number;
  pending: number;
  failed: number;
  /** Minted already expired: not mailed. */
  notMailed: { licenseKey: string; email: string; reason: string }[];
  messages: MailJson[];
}

const CHUNK = 100;

export async function mintMail(app: AppContext, apply: (mail: Pick<ApplyOptions, 'mail' | 'onMailQueued'>) => Promise<ApplyResult>): Promise<{ applied: ApplyResult; mail: MintMailSummary; deliveries: DeliveryResult[] }> {
  const mailer = await mailerFor(app);
  try {
    await mailer.prepare(); // no SMTP, no password, a broken template: fail before anything is minted
    const now = app.clock().getTime();
    const queued: number[] = [];
    const notMailed: MintMailSummary['notMailed'] = [];
    const applied = await apply({
      mail: (license: LicenseRow) => {
        if (license.expiresAt !== null && Date.parse(license.expiresAt) <= now) {
          notMailed.push({ licenseKey: license.licenseKey, email: license.email, reason: `already expired on ${license.expiresAt.slice(0, 10)}` });
          return null;
        }
        return mailer.compose('license', [license], `mint:${license.licenseKey}`);
      },
      onMailQueued: (q) => queued.push(q.id),
    });
    const deliveries: DeliveryResult[] = [];
    for (let i = 0; i < queued.length; i += CHUNK) deliveries.push(...(await mailer.deliverAfterCommit(queued.slice(i, i + CHUNK))));
    const count = (status: DeliveryResult['status']) => deliveries.filter((d) => d.status === status).length;
    return {
      applied, deliveries,
      mail: { queued: queued.length, sent: count('sent'), pending: queued.length - count('sent') - count('failed'), failed: count('failed'), notMailed, messages: deliveries.map(deliveryJson) },
    };
  } finally {
    mailer.close();
  }
}

export function reportMintMail(app: AppContext, mail: MintMailSummary, deliveries: DeliveryResult[]): void {
  app.out.info(`Mail: ${mail.queued} queued in the outbox, ${mail.sent} sent${mail.pending ? `, ${mail.pending} pending` : ''}${mail.failed ? `, ${mail.failed} failed` : ''}.`);
  for (const d of deliveries) if (d.status !== 'sent') reportDelivery(app, d);
  for (const n of mail.notMailed) app.out.info(color.yellow(`not mailed ${safeText(n.licenseKey)}: ${safeText(n.reason)} (mint it with --from now, or renew it, to send a valid one)`));
}
