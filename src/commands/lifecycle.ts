import { productOfLicense } from './license-product.js';
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { parseSignableDate, parsePositiveInt } from '../cli/parse-flags.js';
import { UserError } from '../errors.js';
import { toView } from '../ledger/license-view.js';
import { editLicense } from '../usecases/edit.js';
import { forgetPerson } from '../usecases/forget.js';
import { addNote } from '../usecases/note.js';
import { renewLicense } from '../usecases/renew.js';
import type { ChangeResult } from '../usecases/result.js';
import { reinstateLicense, revokeLicense } from '../usecases/revoke.js';
import { reportLicenseMail, withLicenseMail } from './mail.js';
import { safeText } from '../cli/terminal-text.js';

function report(app: AppContext, result: ChangeResult, done: string, unchanged: string): void {
  if (app.json) return app.out.json({ ...toView(result.license, app.clock()), changed: result.changed });
  app.out.info(result.changed ? color.green(done) : unchanged);
}

export async function revokeCommand(key: string, opts: { reason?: string }, app: AppContext): Promise<void> {
  const ctx = await app.ops();
  const result = await (await app.store()).transaction((tx) => revokeLicense(tx, key, opts.reason, ctx));
  const k = result.license.licenseKey;
  report(app, result, `Revoked ${k}${opts.reason ? ` (${safeText(opts.reason)})` : ''}.`, `${k} was already revoked on ${result.license.revokedAt?.slice(0, 10)}; nothing changed.`);
}

export async function reinstateCommand(key: string, app: AppContext): Promise<void> {
  const ctx = await app.ops();
  const result = await (await app.store()).transaction((tx) => reinstateLicense(tx, key, ctx));
  const k = result.license.licenseKey;
  report(app, result, `Reinstated ${k}.`, `${k} is not revoked; nothing changed.`);
}

export async function noteCommand(key: string, text: string, app: AppContext): Promise<void> {
  const ctx = await app.ops();
  const result = await (await app.store()).transaction((tx) => addNote(tx, key, text, ctx));
  report(app, result, `Note added to ${result.license.licenseKey}.`, '');
}

export interface RenewFlags {
  years?: string;
  until?: string;
  lifetime?: boolean;
  shorten?: boolean;
  acceptUnverified?: boolean;
  send?: boolean;
  preview?: boolean;
}

export async function renewCommand(key: string, opts: RenewFlags, app: AppContext): Promise<void> {
  const request = {
    ...(opts.years !== undefined ? { years: parsePositiveInt(opts.years, '--years') } : {}),
    ...(opts.until !== undefined ? { until: parseSignableDate(opts.until, '--until') } : {}),
    ...(opts.lifetime ? { lifetime: true } : {}),
    ...(opts.shorten ? { allowShorter: true } : {}),
    ...(opts.acceptUnverified ? { acceptUnverified: true } : {}),
  };
  const ctx = await app.signing(await productOfLicense(app, key));
  const store = await app.store();
  const { result, mail, delivery } = await withLicenseMail(app, opts, 'renewed', (_l, event) => `renew:${event!.id}`,
    (licenseMail) => store.transaction((tx) => renewLicense(tx, key, request, ctx, licenseMail)));
  if (app.json) return app.out.json({ ...toView(result.license, app.clock()), changed: result.changed, ...(mail ? { mail } : {}) });
  if (!result.changed) return app.out.info(`${result.license.licenseKey} is already a lifetime license; nothing changed.`);
  app.out.info(color.green(`Renewed ${result.license.licenseKey} ${result.license.expiresAt ? `until ${result.license.expiresAt.slice(0, 10)}` : 'for a lifetime (it never expires)'}.`));
  app.out.data(safeText(result.license.blob));
  reportLicenseMail(app, { mail, delivery });
}

export async function forgetCommand(opts: { email: string; yes?: boolean }, app: AppContext): Promise<void> {
  const ledger = await app.ledger();
  const rows = ledger.findByEmailEver(opts.email).filter((r) => !r.forgottenAt);
  if (rows.length === 0) throw new UserError(`no licenses for ${opts.email}; nothing to forget`, { code: 'not_found' });
  if (!opts.yes) {
    if (!app.prompts.interactive) throw new UserError(`forget erases ${opts.email} for good; pass --yes to confirm (not asking: stdin is not a terminal)`, { exitCode: 2 });
    const ok = await app.prompts.confirm(`Erase ${opts.email} from ${rows.length} license(s) and their history? This cannot be undone.`);
    if (!ok) throw new UserError('nothing was changed');
  }
  const ctx = await app.ops();
  const { email, licenseKeys, eventsScrubbed } = await (await app.store()).transaction((tx) => forgetPerson(tx, opts.email, ctx));
  if (app.json) return app.out.json({ email, licenseKeys, eventsScrubbed });
  app.out.info(`Forgot ${safeText(email)}: removed name, email, blob and notes from ${licenseKeys.length} license(s) (${licenseKeys.join(', ')}) and scrubbed ${eventsScrubbed} history event(s). The keys and dates remain so the numbers still add up.`);
}

export interface EditFlags {
  email?: string;
  name?: string;
  tier?: string;
  acceptUnverified?: boolean;
  send?: boolean;
  preview?: boolean;
}

/** `edit <key>`: a corrected email or name, or another tier; same key, re-signed blob, history kept. */
export async function editCommand(key: string, opts: EditFlags, app: AppContext): Promise<void> {
  const ctx = await app.signing(await productOfLicense(app, key));
  const store = await app.store();
  const request = {
    ...(opts.email !== undefined ? { email: opts.email } : {}),
    ...(opts.name !== undefined ? { name: opts.name } : {}),
    ...(opts.tier !== undefined ? { tier: opts.tier } : {}),
    ...(opts.acceptUnverified ? { acceptUnverified: true } : {}),
  };
  const { result, mail, delivery } = await withLicenseMail(app, opts, 'license', (_l, event) => `change:${event!.id}`,
    (licenseMail) => store.transaction((tx) => editLicense(tx, key, request, ctx, licenseMail)));
  if (app.json) return app.out.json({ ...toView(result.license, app.clock()), changed: result.changed, ...(mail ? { mail } : {}) });
  if (!result.changed) return app.out.info(`${result.license.licenseKey} already has those details; nothing changed.`);
  const l = result.license;
  app.out.info(color.green(`Changed ${l.licenseKey}: ${l.tier} license for ${safeText(l.name ? `${l.name} <${l.email}>` : l.email)}; the blob is re-signed (the key stays the same).`));
  app.out.data(safeText(l.blob));
  reportLicenseMail(app, { mail, delivery });
}
