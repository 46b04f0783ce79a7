// `--preview`: the message as the recipient would see it (headers + plain-text body), without sending. Pure.
import type { NewOutboxMessage } from './outbox.js';

export interface PreviewHeaders {
  from: string | null;
  replyTo?: string | undefined;
}

export interface MailPreview {
  from: string | null;
  replyTo: string | null;
  to: string;
  subject: string;
  messageId: string;
  attachments: string[];
  text: string;
  html: string | null;
}

export function toPreview(m: NewOutboxMessage, headers: PreviewHeaders): MailPreview {
  return {
    from: headers.from, replyTo: headers.replyTo ?? null, to: m.to, subject: m.subject, messageId: m.messageId,
    attachments: m.attachments.map((a) => a.filename), text: m.text, html: m.html,
  };
}

export function formatPreview(p: MailPreview): string {
  const lines = [
    `From: ${p.from ?? '(not configured: "license-admin config smtp --from ..." or LICENSE_ADMIN_MAIL_FROM)'}`,
    ...(p.replyTo ? [`Reply-To: ${p.replyTo}`] : []),
    `To: ${p.to}`,
    `Subject: ${p.subject}`,
    `Attachments: ${p.attachments.join(', ') || '(none)'}`,
    `(an HTML version of ${p.html ? p.html.length : 0} characters goes with it)`,
    '',
    p.text,
  ];
  return lines.join('\n');
}
