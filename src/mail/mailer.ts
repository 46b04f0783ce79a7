// License mail for the local ledger: compose from templates (the use cases queue it in the outbox inside
// their transaction), deliver after the commit. Settings and templates load lazily; nothing here knows the CLI.
import type { Config } from '../config/config.js';
import type { Ledger } from '../ledger/ledger.js';
import type { LicenseRow } from '../ledger/project.js';
import type { SecretStore } from '../keys/keychain.js';
import { composeLicenseMail, newMessageId } from './compose.js';
import type { TemplateKind } from './default-templates.js';
import { deliverDue, type DeliverOptions, type DeliveryResult } from './deliver.js';
import type { NewOutboxMessage } from './outbox.js';
import { toPreview, type MailPreview } from './preview.js';
import { resolveSmtpSettings, type MailEnv, type SmtpSettings } from './smtp-settings.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { loadTemplates, type TemplateSet } from './template-files.js';
import { createSmtpTransport, type MailTransport } from './transport.js';

export interface MailerDeps {
  ledger: Ledger;
  config: Config | null;
  configDir: string;
  env: MailEnv;
  secrets: SecretStore;
  clock: () => Date;
  random: (n: number) => Uint8Array;
  actor: string;
  source: string;
}

export class Mailer {
  readonly outbox: SqliteOutbox;
  private settingsCache: SmtpSettings | undefined;
  private templatesCache: TemplateSet | undefined;
  private transport: MailTransport | undefined;

  constructor(private readonly deps: MailerDeps) {
    this.outbox = new SqliteOutbox(deps.ledger, { random: deps.random, actor: deps.actor, source: deps.source });
  }

  /** Throws a UserError naming what is missing (no SMTP configured, no password). */
  async settings(): Promise<SmtpSettings> {
    this.settingsCache ??= await resolveSmtpSettings(this.deps);
    return this.settingsCache;
  }

  templates(): TemplateSet {
    this.templatesCache ??= loadTemplates(this.deps.config?.templatesDir, this.deps.configDir);
    return this.templatesCache;
  }

  /** Load (and check) everything before the license transaction, so a bad setting fails before minting. */
  async prepare(): Promise<void> {
    await this.settings();
    this.templates();
  }

  /** Pure given prepared settings/templates: safe to call inside a transaction. */
  compose(kind: TemplateKind, licenses: readonly LicenseRow[], idempotencyKey: string): NewOutboxMessage {
    const now = this.deps.clock();
    const from = this.settingsCache?.from ?? this.deps.config?.supportEmail ?? '';
    return composeLicenseMail({
      kind, licenses, templates: this.templates(), idempotencyKey, now,
      productName: this.deps.config?.productName ?? 'My App', supportEmail: this.deps.config?.supportEmail,
      messageId: newMessageId(from, now, this.deps.random),
    });
  }

  preview(kind: TemplateKind, licenses: readonly LicenseRow[]): MailPreview {
    const message = this.compose(kind, licenses, 'preview');
    return toPreview(message, { from: this.settingsCache?.from ?? null, replyTo: this.settingsCache?.replyTo });
  }

  async deliver(options: DeliverOptions): Promise<DeliveryResult[]> {
    const settings = await this.settings();
    this.transport ??= createSmtpTransport(settings);
    return deliverDue(this.outbox, this.transport, this.deps.clock, options);
  }

  /** Right after the commit that queued `ids`. The crash hook exists for the "killed between mint and send" test. */
  async deliverAfterCommit(ids: number[]): Promise<DeliveryResult[]> {
    if (this.deps.env.LICENSE_ADMIN_TEST_CRASH_AFTER_COMMIT === '1') process.kill(process.pid, 'SIGKILL');
    return this.deliver({ ids });
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}
