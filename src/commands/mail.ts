// `mail test`, and the shared glue that lets mint / renew / resend queue a license mail inside their
// transaction and deliver it after the commit.
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { UserError } from '../errors.js';
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import type { EnqueueResult } from '../mail/outbox.js';
import type { LicenseMail } from '../usecases/context.js';
import type { TemplateKind } from '../mail/default-templates.js';
import type { DeliveryResult } from '../mail/deliver.js';
import type { Mailer } from '../mail/mailer.js';
import { formatPreview, type MailPreview } from '../mail/preview.js';
import { formatMailFailure } from '../mail/smtp-errors.js';
import { safeText } from '../cli/terminal-text.js';

export async function mailerFor(app: AppContext): Promise<Mailer> {
  const [{ Mailer }, { createKeychain }] = await Promise.all([import('../mail/mailer.js'), import('../keys/keychain.js')]);
  return new Mailer({
    ledger: await app.ledger(), config: app.configOrNull(), configDir: app.paths.configDir, env: app.env, secrets: createKeychain(),
    clock: app.clock, random: app.random, actor: app.actor, source: 'cli',
  });
}

/** What --json shows under `mail`. */
export type MailJson =
  | { status: 'preview'; preview: MailPreview }
  | { status: 'queued'; by: 'server'; to: string }
  | { status: 'sent' | 'pending' | 'failed'; outboxId: number; to: string; messageId: string; error?: string; hint?: string; nextAttemptAt?: string | null };

export function deliveryJson(r: DeliveryResult): MailJson {
  return {
    status: r.status, outboxId: r.id, to: r.to, messageId: r.messageId,
    ...(r.failure ? { error: r.failure.message, hint: r.failure.hint, nextAttemptAt: r.nextAttemptAt ?? null } : {}),
  };
}

export function reportDelivery(app: AppContext, r: DeliveryResult): void {
  if (r.status === 'sent') return app.out.info(color.green(`Emailed ${safeText(r.to)} (outbox #${r.id}).`));
  const when = r.status === 'pending' ? `it will be retried after ${r.nextAttemptAt?.slice(0, 16).replace('T', ' ')} UTC` : 'it will not be retried automatically';
  app.out.warn(`the email to ${safeText(r.to)} was not sent: ${safeText(formatMailFailure(r.failure!))}.\n  It is kept in the outbox (#${r.id}); ${when}. Send it now with "license-admin outbox retry ${r.id}".`);
}

export function printPreview(app: AppContext, preview: MailPreview): void {
  app.out.data(formatPreview(preview));
}

export interface LicenseMailFlags {
  send?: boolean;
  preview?: boolean;
}

/**
 * Runs a license operation, its mail composed here and queued by the use case inside its transaction when
 * --send is given (rendered instead with --preview), then delivered after the commit. `idempotencyKey` names
 * the mail from the event the operation wrote (one mail per renewal, per change, per license minted).
 */
export async function withLicenseMail<T extends { license: LicenseRow; mail?: EnqueueResult | null }>(
  app: AppContext,
  flags: LicenseMailFlags,
  kind: TemplateKind,
  idempotencyKey: (license: LicenseRow, event?: LedgerEvent) => string,
  operation: (mail?: LicenseMail) => Promise<T>,
): Promise<{ result: T; mail?: MailJson; delivery?: DeliveryResult }> {
  if (!flags.send) {
    if (flags.preview) throw new UserError('--preview shows the mail that --send would send; add --send', { exitCode: 2 });
    return { result: await operation() };
  }
  const mailer = await mailerFor(app);
  try {
    if (flags.preview) {
      await mailer.settings().catch(() => undefined);
      mailer.templates();
      const result = await operation();
      return { result, mail: { status: 'preview', preview: mailer.preview(kind, [result.license]) } };
    }
    await mailer.prepare();
    const result = await operation((license, event) => mailer.compose(kind, [license], idempotencyKey(license, event)));
    const queuedId = result.mail?.id;
    if (queuedId === undefined) return { result };
    const [delivery] = await mailer.deliverAfterCommit([queuedId]);
    if (!delivery) return { result, mail: { status: 'pending', outboxId: queuedId, to: result.license.email, messageId: '' } };
    return { result, mail: deliveryJson(delivery), delivery };
  } finally {
    mailer.close();
  }
}

/** Human output for the mail part of mint / renew. */
export function reportLicenseMail(app: AppContext, outcome: { mail?: MailJson | undefined; delivery?: DeliveryResult | undefined }): void {
  if (outcome.mail?.status === 'preview') return printPreview(app, outcome.mail.preview);
  if (outcome.delivery) reportDelivery(app, outcome.delivery);
}

export async function mailTestCommand(address: string, app: AppContext): Promise<void> {
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw new UserError(`"${address}" is not an email address`, { exitCode: 2 });
  const [{ resolveSmtpSettings, describeSmtp }, { createSmtpTransport, MailSendError }, { createKeychain }, { newMessageId }] = await Promise.all([
    import('../mail/smtp-settings.js'), import('../mail/transport.js'), import('../keys/keychain.js'), import('../mail/compose.js'),
  ]);
  const config = app.configOrNull();
  const settings = await resolveSmtpSettings({ config, configDir: app.paths.configDir, env: app.env, secrets: createKeychain() });
  const transport = createSmtpTransport(settings);
  const productName = config?.productName ?? 'license-admin';
  const messageId = newMessageId(settings.from, app.clock(), app.random);
  try {
    const { response } = await transport.send({
      to: address, messageId, attachments: [], html: null,
      subject: `${productName}: test message from license-admin`,
      text: `This is a test message from license-admin.\n\nIf you can read it, ${productName} license emails sent from ${settings.from} through ${settings.host}:${settings.port} will arrive.\n`,
    });
    if (app.json) return app.out.json({ ok: true, to: address, messageId, response, smtp: describeSmtp(settings) });
    app.out.info(color.green(`Sent a test message to ${address} through ${settings.host}:${settings.port} (${response}).`));
  } catch (error) {
    if (!(error instanceof MailSendError)) throw error;
    const f = error.failure;
    if (app.json) app.out.json({ ok: false, to: address, error: { kind: f.kind, code: f.code ?? null, responseCode: f.responseCode ?? null, message: f.message, hint: f.hint }, smtp: describeSmtp(settings) });
    throw new UserError(`${f.kind}: ${f.message}.\nNext: ${f.hint}`);
  } finally {
    transport.close();
  }
}
