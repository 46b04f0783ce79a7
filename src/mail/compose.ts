// From licenses to a ready-to-queue message: subject, both bodies, one .lic attachment per license. Pure.
import type { LicenseRow } from '../ledger/project.js';
import type { TemplateKind } from './default-templates.js';
import type { MailAttachment, NewOutboxMessage } from './outbox.js';
import type { TemplateSet } from './template-files.js';
import { renderTemplate, type TemplateScope } from './templates.js';

export interface ComposeInput {
  kind: TemplateKind;
  /** All for the same person; the first one's name and email address the mail. */
  licenses: readonly LicenseRow[];
  productName: string;
  supportEmail?: string | undefined;
  templates: TemplateSet;
  idempotencyKey: string;
  messageId: string;
  now: Date;
}

export function licenseFilename(licenseKey: string): string {
  return `${licenseKey}.lic`;
}

export function licenseScope(row: LicenseRow): TemplateScope {
  return {
    licenseKey: row.licenseKey,
    tier: row.tier,
    expiry: row.expiresAt ? row.expiresAt.slice(0, 10) : 'never (lifetime license)',
    expiresAt: row.expiresAt ?? '',
    lifetime: row.expiresAt === null,
    issued: row.issuedAt.slice(0, 10),
    updatesUntil: row.updatesUntil ? row.updatesUntil.slice(0, 10) : '',
    seats: row.seats === null ? '' : String(row.seats),
    features: row.features.join(', '),
    blob: row.blob,
    filename: licenseFilename(row.licenseKey),
  };
}

export function composeLicenseMail(input: ComposeInput): NewOutboxMessage {
  const first = input.licenses[0];
  if (!first) throw new Error('composeLicenseMail: no licenses');
  const items = input.licenses.map(licenseScope);
  const scope: TemplateScope = {
    ...items[0],
    name: first.name,
    greetingName: first.name.trim() || 'there',
    email: first.email,
    productName: input.productName,
    supportEmail: input.supportEmail ?? '',
    count: items.length,
    many: items.length > 1,
    licenses: items,
  };
  const t = input.templates[input.kind];
  const attachments: MailAttachment[] = input.licenses.map((l) => ({
    filename: licenseFilename(l.licenseKey), content: `${l.blob}\n`, contentType: 'application/octet-stream',
  }));
  return {
    idempotencyKey: input.idempotencyKey,
    kind: input.kind,
    to: first.email,
    subject: renderTemplate(t.subject, scope, { html: false }).replace(/\s*\n\s*/g, ' ').trim(),
    text: renderTemplate(t.text, scope, { html: false }),
    html: renderTemplate(t.html, scope, { html: true }),
    attachments,
    messageId: input.messageId,
    licenseKeys: input.licenses.map((l) => l.licenseKey),
    createdAt: input.now,
  };
}

/** "<hex.time@domain>": unique, and the same on every retry of one outbox row. */
export function newMessageId(from: string, now: Date, random: (n: number) => Uint8Array): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'license-admin.invalid';
  return `<${Buffer.from(random(12)).toString('hex')}.${now.getTime().toString(36)}@${domain}>`;
}
