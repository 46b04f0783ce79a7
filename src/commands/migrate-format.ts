import { resolve } from 'node:path';
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { createJwsFormat } from '../license/jws-format.js';
import { isBuiltinFormat, loadFormat } from '../license/load-format.js';
import { deliveryJson, mailerFor, type MailJson } from './mail.js';
import { planReissueIn, reissueLicenses, type ReissueItem, type ReissuePlan } from '../usecases/reissue.js';
import { safeText } from '../cli/terminal-text.js';
import { productIds } from '../config/products.js';
import { UserError } from '../errors.js';

export interface MigrateFormatFlags {
  to: string;
  dryRun?: boolean;
  send?: boolean;
}

export interface MigrateFormatResult {
  to: string;
  dryRun: boolean;
  count: number;
  licenses: ReissueItem[];
  skipped: ReissuePlan['skipped'];
  /** With --send: one license mail per re-signed license, queued in the same transaction. */
  mail?: (MailJson & { licenseKey: string })[];
}

export async function migrateFormat(flags: MigrateFormatFlags, app: AppContext): Promise<MigrateFormatResult> {
  const config = app.config();
  // It re-signs every license with one product's key and format: with several products that would re-sign
  // the others' licenses wrongly, so it waits until it can go product by product.
  const products = productIds(config);
  if (products.length > 1) throw new UserError(`migrate-format re-signs every license in the ledger, and this ledger has ${products.length} products (${products.join(', ')}); it works on a one-product ledger only for now`);
  // Typed at a shell: a plugin path is relative to the current directory.
  const target = await loadFormat({ ...config, format: isBuiltinFormat(flags.to) ? 'jws' : resolve(flags.to) }, app.paths.configDir);
  const store = await app.store();
  if (flags.dryRun) {
    const plan = await store.read((tx) => planReissueIn(tx, target.name, app.clock()));
    return { to: target.name, dryRun: true, count: plan.items.length, licenses: plan.items, skipped: plan.skipped };
  }
  const readers = [await app.format(), createJwsFormat(config.blobTag ?? undefined)];
  const ctx = await app.signing();
  if (!flags.send) {
    const { plan } = await store.transaction((tx) => reissueLicenses(tx, target, readers, ctx));
    return { to: target.name, dryRun: false, count: plan.items.length, licenses: plan.items, skipped: plan.skipped };
  }
  const mailer = await mailerFor(app);
  try {
    await mailer.prepare(); // a bad SMTP setting fails here, before anything is re-signed
    const result = await store.transaction((tx) => reissueLicenses(tx, target, readers, ctx, (l, event) => mailer.compose('license', [l], `reissue:${event!.id}`)));
    const { plan } = result;
    const queued = result.mail.map((m) => ({ id: m.queued.id, licenseKey: m.licenseKey }));
    const deliveries = await mailer.deliverAfterCommit(queued.map((q) => q.id));
    const mail = queued.map((q) => {
      const delivery = deliveries.find((d) => d.id === q.id);
      return { licenseKey: q.licenseKey, ...(delivery ? deliveryJson(delivery) : { status: 'pending' as const, outboxId: q.id, to: '', messageId: '' }) };
    });
    return { to: target.name, dryRun: false, count: plan.items.length, licenses: plan.items, skipped: plan.skipped, mail };
  } finally {
    mailer.close();
  }
}

export async function migrateFormatCommand(flags: MigrateFormatFlags, app: AppContext): Promise<void> {
  const result = await migrateFormat(flags, app);
  if (app.json) return app.out.json(result);
  for (const l of result.licenses) app.out.data(`${safeText(l.licenseKey)}  ${safeText(l.email)}  ${safeText(l.tier)}  ${l.from} -> ${l.to}  ${l.expiresAt ? `expires ${l.expiresAt.slice(0, 10)}` : 'lifetime'}`);
  for (const s of result.skipped) app.out.info(`skipped ${safeText(s.licenseKey)} (${s.from}): ${safeText(s.reason)}`);
  if (result.count === 0) return app.out.info(`Every active license is already in the ${result.to} format; nothing to do.`);
  if (result.dryRun) return app.out.info(`${result.count} active license(s) would be re-signed in the ${result.to} format (dry run: nothing was written).`);
  app.out.info(color.green(`Re-signed ${result.count} active license(s) in the ${result.to} format (same keys, same expiry).`));
  const unsent = result.mail?.filter((m) => m.status !== 'sent') ?? [];
  if (result.mail) app.out.info(`Emailed ${result.mail.length - unsent.length} of ${result.mail.length}.`);
  for (const m of unsent) app.out.warn(`the email for ${m.licenseKey} was not sent${'error' in m && m.error ? `: ${safeText(String(m.error))}` : ''}; it stays in the outbox (#${'outboxId' in m ? m.outboxId : '?'}) for "license-admin outbox retry"`);
  if (result.to === 'jws' && app.config().format !== 'jws') app.out.info('New licenses are still minted in the configured format; set "format": "jws" in config.json when the build that reads it has shipped.');
}
