import { parseSignableDate, parsePositiveInt } from '../cli/parse-flags.js';
import { requireValue } from '../cli/prompts.js';
import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';
import { toView, type LicenseView } from '../ledger/license-view.js';
import { mintLicense, presignMint, type MintRequest } from '../usecases/mint.js';
import { color } from '../cli/colors.js';
import { mintThroughServerOrBreakGlass } from './mint-remote.js';
import { mailerFor, reportLicenseMail, withLicenseMail, type MailJson } from './mail.js';
import { chooseMintRoute } from '../sync/remote-mint.js';
import { safeText } from '../cli/terminal-text.js';
import { chooseProduct } from '../config/products.js';

export interface MintFlags {
  tier?: string;
  email?: string;
  name?: string;
  years?: string;
  expires?: string;
  lifetime?: boolean;
  updatesUntil?: string;
  seats?: string;
  features?: string;
  orderId?: string;
  note?: string;
  send?: boolean;
  preview?: boolean;
  local?: boolean;
  remote?: boolean;
  product?: string;
}

export async function mintRequestFromFlags(flags: MintFlags, app: AppContext): Promise<MintRequest> {
  const config = app.productConfig(chooseProduct(app.config(), flags.product));
  const tier = await requireValue(app.prompts, flags.tier, '--tier', () => app.prompts.select('Tier', config.tiers, config.tiers.includes('pro') ? 'pro' : undefined));
  const email = await requireValue(app.prompts, flags.email, '--email', () => app.prompts.input("Buyer's email", { validate: (v) => /@/.test(v) || 'an email address, please' }));
  const name = flags.name ?? (app.prompts.interactive && flags.email === undefined ? await app.prompts.input("Buyer's name (optional)") : undefined);
  return {
    tier: tier.toLowerCase(),
    email: email.trim(),
    ...(name ? { name } : {}),
    ...(flags.years !== undefined ? { years: parsePositiveInt(flags.years, '--years') } : {}),
    ...(flags.expires !== undefined ? { expiresAt: parseSignableDate(flags.expires, '--expires') } : {}),
    ...(flags.lifetime ? { lifetime: true } : {}),
    ...(flags.updatesUntil !== undefined ? { updatesUntil: parseSignableDate(flags.updatesUntil, '--updates-until') } : {}),
    ...(flags.seats !== undefined ? { seats: parsePositiveInt(flags.seats, '--seats') } : {}),
    ...(flags.features ? { features: flags.features.split(',').map((f) => f.trim()).filter(Boolean) } : {}),
    ...(flags.orderId ? { gumroadOrderId: flags.orderId } : {}),
    ...(flags.note ? { note: flags.note } : {}),
  };
}

export async function mintCommand(flags: MintFlags, app: AppContext): Promise<void> {
  const request = await mintRequestFromFlags(flags, app);
  const product = chooseProduct(app.config(), flags.product);
  const viaServer = chooseMintRoute(flags, app.config()) === 'remote';
  // Who will mail it is settled before anyone is contacted: this machine when it can, else the server
  // (which refuses before minting when it cannot either). No mint is followed by "but the mail failed to start".
  const localMail = flags.send && !flags.preview ? await localMailProblem(app) : null;
  if (localMail && !viaServer) throw new UserError(`--send: ${localMail}; nothing was minted`);
  const remote = viaServer ? await mintThroughServerOrBreakGlass(request, app, { localMailProblem: localMail, product }) : null;
  const { license, mail, delivery } = remote?.kind === 'remote' && remote.mailedByServer
    ? { license: remote.license, mail: { status: 'queued', by: 'server', to: remote.license.email } as MailJson, delivery: undefined }
    : remote?.kind === 'remote'
      ? { license: remote.license, ...(await mailRemoteMint(remote.license, flags, app)) }
      : await mintLocally(request, flags, app, product, remote?.licenseKey).then((o) => {
          remote?.settle();
          return { ...o, license: toView(o.result.license, app.clock()) };
        });
  const mintedBy = remote?.kind === 'remote' ? 'remote' : 'local';
  if (app.json) return app.out.json({ ...license, mintedBy, ...(mail ? { mail } : {}) });
  app.out.info(color.green(`Minted ${safeText(license.tier)} license for ${safeText(license.email)}${license.expiresAt ? `, valid until ${license.expiresAt.slice(0, 10)}` : ' (lifetime)'}${mintedBy === 'remote' ? ' on the server' : ''}.`));
  app.out.data(`License key: ${safeText(license.licenseKey)}\n\n${safeText(license.blob)}`);
  if (mail?.status === 'queued') app.out.info(`The server queued the license email to ${safeText(license.email)} (this machine has no SMTP settings).`);
  else reportLicenseMail(app, { mail, delivery });
}

/** Why this machine cannot send a license mail right now (no SMTP settings, no password), or null. */
async function localMailProblem(app: AppContext): Promise<string | null> {
  const mailer = await mailerFor(app);
  try {
    await mailer.prepare();
    return null;
  } catch (error) {
    if (error instanceof UserError) return error.message;
    throw error;
  } finally {
    mailer.close();
  }
}

/** A server-minted license is already in the local ledger; --send mails it from here, like a local mint. */
async function mailRemoteMint(remote: LicenseView, flags: MintFlags, app: AppContext) {
  const store = await app.store();
  return withLicenseMail(app, flags, 'license', (l) => `mint:${l.licenseKey}`, (mail) =>
    store.transaction(async (tx) => {
      const license = await tx.getLicense(remote.licenseKey);
      if (!license) throw new UserError(`the server minted ${remote.licenseKey} but it is not in the local ledger yet; run "license-admin pull", then "license-admin resend ${remote.licenseKey}"`);
      const message = mail?.(license);
      return { license, mail: message ? await tx.enqueueMail(message) : null };
    }),
  );
}

/** With --send the mail is queued inside the mint transaction and delivered after the commit. */
async function mintLocally(request: MintRequest, flags: MintFlags, app: AppContext, product: string, licenseKey?: string) {
  const ctx = await app.signing(product);
  const store = await app.store();
  // Signed before the ledger's write transaction opens: a remote signer's round trip must not hold it.
  const presigned = await presignMint(request, ctx, licenseKey ? { licenseKey } : {});
  return withLicenseMail(app, flags, 'license', (l) => `mint:${l.licenseKey}`, (mail) =>
    store.transaction((tx) => mintLicense(tx, request, ctx, { existing: 'error', mail: mail ?? null, presigned, ...(licenseKey ? { licenseKey } : {}) })),
  );
}
