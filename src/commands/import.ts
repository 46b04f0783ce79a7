import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { table } from '../cli/render.js';
import { applyPlan, type ApplyOptions, type ApplyResult } from '../import/apply.js';
import { importBlobChecker } from '../import/blob-check.js';
import { buildPlan } from '../import/build-plan.js';
import { ledgerIndex } from '../import/license-index.js';
import type { ImportFormat, ImportPlan } from '../import/plan.js';
import { detectFormat } from '../import/detect.js';
import { importEventsFile } from '../import/import-events-file.js';
import { importReport, nothingImportable } from '../import/report.js';
import { validateProductMap } from '../import/tier-map.js';
import { UsageError, UserError } from '../errors.js';
import { chooseProduct } from '../config/products.js';
import type { ExpiryFrom } from '../import/plan.js';
import type { DeliveryResult } from '../mail/deliver.js';
import { mintMail, reportMintMail, type MintMailSummary } from './import-mail.js';
import { safeText } from '../cli/terminal-text.js';

export interface ImportFlags {
  format?: ImportFormat;
  dryRun?: boolean;
  strict?: boolean;
  mintMissing?: boolean;
  revokeRefunded?: boolean;
  from?: ExpiryFrom;
  send?: boolean;
  product?: string;
}

function checkFlags(flags: ImportFlags): void {
  if (flags.from && !flags.mintMissing) throw new UsageError('--from sets the expiry of the licenses --mint-missing mints; add --mint-missing');
  if (flags.send && !flags.mintMissing) throw new UsageError('--send emails the licenses --mint-missing mints; add --mint-missing');
}

/** Terminal-safe (terminal-text.ts): a name or email from a file must not move the cursor or recolour the screen. */
export const safe = safeText;

function bar(fraction: number): string {
  const width = 24;
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(fraction * 100)}%`;
}

/** Read -> plan for the CLI: the ledger, keys and config from the app; progress on a terminal. */
export async function planImport(files: string[], flags: Pick<ImportFlags, 'format' | 'strict' | 'from' | 'product'>, app: AppContext): Promise<{ plan: ImportPlan; unverified: number }> {
  const product = chooseProduct(app.config(), flags.product);
  const config = app.productConfig(product);
  const productMap = validateProductMap(config.productMap);
  const ledger = await app.ledger();
  const format = await app.format(product);
  const now = app.clock();
  const check = importBlobChecker(format, (await app.keys()).publicKeys(), now, config.product);
  let unverified = 0;
  let lastShown = 0;
  const plan = await buildPlan({
    files, ledger: ledgerIndex(ledger), config, productMap, now, defaults: { product: config.product, format: format.name, actor: app.actor },
    ...(flags.format ? { format: flags.format } : {}),
    ...(flags.strict ? { strict: true } : {}),
    ...(flags.from ? { expiryFrom: flags.from } : {}),
    ...(app.env.LICENSE_ADMIN_DEFAULT_TIER ? { defaultTier: app.env.LICENSE_ADMIN_DEFAULT_TIER } : {}),
    checkBlob: (r) => {
      const result = check(r);
      if (!result.verified) unverified++;
      return result;
    },
    onProgress: (file, rows, fraction) => {
      if (Date.now() - lastShown < 100 && fraction < 1) return;
      lastShown = Date.now();
      app.out.progress(`Reading ${file} ${bar(fraction)} ${rows.toLocaleString('en-US')} rows`);
    },
  });
  app.out.progressDone();
  return { plan, unverified };
}

export async function importCommand(files: string[], flags: ImportFlags, app: AppContext): Promise<void> {
  const kinds = files.map((file) => flags.format ?? detectFormat(file));
  if (kinds.includes('events')) return importEventsCommand(files, kinds, flags, app);
  checkFlags(flags);
  const { plan, unverified } = await planImport(files, flags, app);
  const mints = flags.mintMissing ? plan.sales.missing.length : 0;
  const revokes = flags.revokeRefunded ? plan.sales.refundedActive.length : 0;
  let applied: ApplyResult | null = null;
  let mail: MintMailSummary | null = null;
  let deliveries: DeliveryResult[] = [];
  if (!flags.dryRun && plan.events.length + mints + revokes > 0) {
    const product = chooseProduct(app.config(), flags.product);
    const ctx = { ...(mints ? await app.signing(product) : await app.ops(product)), source: 'import' };
    const licenses = plan.events.filter((e) => e.type === 'imported').length;
    app.out.info(`Writing ${licenses} imported license(s)${mints ? `, minting ${mints}` : ''}${revokes ? `, revoking ${revokes}` : ''} in one transaction...`);
    const store = await app.store();
    const run = (mail?: Pick<ApplyOptions, 'mail' | 'onMailQueued'>) => store.transaction((tx) => applyPlan(tx, plan, ctx, {
      mintMissing: Boolean(flags.mintMissing), revokeRefunded: Boolean(flags.revokeRefunded), ...mail,
      onProgress: (done, total) => app.out.progress(`Writing ${bar(done / Math.max(1, total))} ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`),
    }));
    if (flags.send && mints) {
      const sent = await mintMail(app, run);
      ({ applied, mail, deliveries } = sent);
    } else applied = await run();
    app.out.progressDone();
  }
  const report = importReport(plan, applied, Boolean(flags.dryRun), unverified);
  const failure = nothingImportable(plan, { writes: true, mintMissing: Boolean(flags.mintMissing) });
  if (app.json) {
    app.out.json({ ...report, ...(mail ? { mail } : {}), ...(failure ? { error: { code: 'nothing_importable', message: failure } } : {}) });
    return failIfNothing(failure, app);
  }
  renderPlan(plan, app);
  if (unverified) app.out.info(color.yellow(`${unverified} new license(s) have a blob that the configured format and keys cannot verify (kept as is, marked verified: false).`));
  renderSales(plan, applied, flags, app);
  if (mail) reportMintMail(app, mail, deliveries);
  if (failure) throw new UserError(safe(failure));
  if (flags.dryRun) app.out.info('Dry run: nothing was written.');
  else app.out.info(applied?.eventsWritten ? color.green(`Done: ${applied.eventsWritten} event(s) written.`) : nothingWritten(plan, flags));
}

/** Why a run wrote nothing: the ledger may already have it all, or the flags that act were not given. */
export function nothingWritten(plan: ImportPlan, flags: Pick<ImportFlags, 'mintMissing' | 'revokeRefunded'>): string {
  const s = plan.sales;
  const left = [
    !flags.mintMissing && s.missing.length ? `${s.missing.length} sale(s) have no license (--mint-missing mints them)` : '',
    s.unmapped.length ? `${s.unmapped.length} sale(s) have no tier mapping (see above)` : '',
    !flags.revokeRefunded && s.refundedActive.length ? `${s.refundedActive.length} refunded sale(s) have an active license (--revoke-refunded revokes them)` : '',
  ].filter(Boolean);
  return left.length ? `Nothing written: ${left.join('; ')}.` : 'Nothing to write: the ledger already has all of it.';
}

/** With --json the report is the one document on stdout; the failure is its `error` and the exit code. */
export function failIfNothing(failure: string | null, app: AppContext): void {
  if (!failure) return;
  app.out.info(`error: ${safe(failure)}`);
  process.exitCode = 1;
}

/** An `export --events` backup: the whole history, ids kept (docs/IMPORT.md). */
async function importEventsCommand(files: string[], kinds: ImportFormat[], flags: ImportFlags, app: AppContext): Promise<void> {
  if (files.length !== 1 || kinds.some((k) => k !== 'events')) {
    throw new UserError('an events export (export --events) is imported on its own: give that one file, then import the others', { exitCode: 2 });
  }
  if (flags.mintMissing || flags.revokeRefunded) throw new UserError('--mint-missing and --revoke-refunded are for Gumroad sales CSVs, not an events export', { exitCode: 2 });
  const report = await importEventsFile(files[0]!, await app.ledger(), {
    dryRun: Boolean(flags.dryRun), onProgress: (n) => app.out.progress(`Reading ${files[0]}: ${n.toLocaleString('en-US')} events`),
  });
  app.out.progressDone();
  if (app.json) return app.out.json(report);
  app.out.info(`${report.file}: ${report.events} event(s) of ${report.licenses} license(s), events format ${report.version}: ${report.inserted} new here, ${report.duplicates} already here.`);
  app.out.info(flags.dryRun ? 'Dry run: nothing was written.' : report.inserted ? color.green(`Done: ${report.inserted} event(s) written.`) : 'Nothing to write: the ledger already has all of it.');
}

const short = (v: string | null) => (v === null ? '(none)' : v.length > 48 ? `${v.slice(0, 45)}...` : v);

export function renderPlan(plan: ImportPlan, app: AppContext): void {
  const c = plan.counts;
  app.out.info(table(['', 'Rows'], [['New', String(c.new)], ['Already present', String(c.present)], ['Conflicting', String(c.conflicting)],
    ['Invalid', String(c.invalid)], ['Skipped', String(c.skipped)]]));
  for (const i of plan.invalid) app.out.info(color.red(`invalid  ${i.file}:${i.line}: ${safe(i.reason)}`));
  for (const k of plan.conflicts) {
    app.out.info(color.yellow(`conflict ${k.file}:${k.line}: ${safe(k.licenseKey)} differs from the ${k.against === 'ledger' ? 'ledger' : `row at ${k.against}`}:`));
    for (const f of k.fields) app.out.info(`           ${f.field}: ${safe(short(f.ledger))} (${k.against === 'ledger' ? 'ledger' : 'earlier'}) vs ${safe(short(f.file))} (file)`);
  }
  for (const s of plan.skipped.slice(0, 20)) app.out.info(color.dim(`skipped  ${s.file}:${s.line}: ${safe(s.reason)}`));
  if (plan.skipped.length > 20) app.out.info(color.dim(`... and ${plan.skipped.length - 20} more skipped (see --json)`));
}

export function renderSales(plan: ImportPlan, applied: ApplyResult | null, flags: Pick<ImportFlags, 'mintMissing' | 'revokeRefunded' | 'from'>, app: AppContext): void {
  const s = plan.sales;
  if (s.sales === 0) return;
  app.out.info(`Gumroad sales: ${s.sales}, matched to a license: ${s.matched}, without a license: ${s.missing.length + s.unmapped.length}, refunded but active: ${s.refundedActive.length}`);
  if (s.missing.length) {
    app.out.info(`Sales without a license${flags.mintMissing ? '' : ' (--mint-missing mints them)'}:`);
    app.out.info(table(['Line', 'Purchase ID', 'Email', 'Item', 'Tier', 'Expires'], s.missing.map((m) => [
      String(m.line), safe(m.purchaseId), safe(m.email), safe(m.item), m.tier, m.expiresAt === null ? 'never' : `${m.expiresAt.slice(0, 10)}${m.expired ? ' (expired)' : ''}`,
    ])));
    if (s.alreadyExpired) {
      const from = flags.from === 'now' ? 'today' : 'the purchase date';
      app.out.info(color.yellow(`${s.alreadyExpired} of these ${s.missing.length} would be minted already expired (the duration counts from ${from}).${flags.from === 'now' ? '' : ' Add --from now to count it from today instead.'}`));
    }
  }
  if (s.unmapped.length) {
    app.out.info(color.yellow('Sales with no tier mapping (add a productMap entry in config.json, or set LICENSE_ADMIN_DEFAULT_TIER):'));
    for (const u of s.unmapped) app.out.info(`  ${u.file}:${u.line} ${safe(u.purchaseId)} ${safe(u.email)}: ${safe(u.reason)}`);
  }
  if (s.refundedActive.length) {
    app.out.info(`Refunded or lost disputes with an active license${flags.revokeRefunded ? '' : ' (--revoke-refunded revokes them)'}:`);
    app.out.info(table(['Line', 'Purchase ID', 'Email', 'License', 'Why'], s.refundedActive.map((r) => [String(r.line), safe(r.purchaseId), safe(r.email), r.licenseKey, r.why])));
  }
  for (const m of applied?.minted ?? []) app.out.info(color.green(`minted   ${safe(m.licenseKey)} for ${safe(m.email)} (order ${safe(m.purchaseId)})`));
  for (const r of applied?.revoked ?? []) app.out.info(color.green(`revoked  ${safe(r.licenseKey)} (order ${safe(r.purchaseId)}, gumroad refund)`));
}
