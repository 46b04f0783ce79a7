// The portal's mails (the sign-in link, the renewal reminder) in the same template language and with the
// same override files as the license mails: `portal-sign-in.subject.txt`, `portal-sign-in.txt`,
// `portal-sign-in.html`, `reminder.*` in config.templatesDir. Each mail carries exactly one link.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { checkNames, parseTemplate, renderTemplate, type Template, type TemplateScope } from './templates.js';
import { TEMPLATE_FILES, type TemplatePart } from './default-templates.js';

export type PortalMailKind = 'portal-sign-in' | 'reminder';
export type PortalMailTemplates = Record<PortalMailKind, Record<TemplatePart, Template>>;

export const PORTAL_MAIL_FIELDS: Record<PortalMailKind, readonly string[]> = {
  'portal-sign-in': ['productName', 'supportEmail', 'link', 'minutes'],
  reminder: ['productName', 'supportEmail', 'link', 'greetingName', 'licenseKey', 'tier', 'expiry', 'days'],
};

const FOOT_TEXT = `Questions? Just reply to this email{{#supportEmail}} or write to {{supportEmail}}{{/supportEmail}}.

-- {{productName}}
`;
const HEAD_HTML = `<!doctype html>
<html><body style="margin:0;padding:24px;background:#f6f6f6;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222">
<div style="max-width:600px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
`;
const FOOT_HTML = `<p style="color:#666;font-size:13px">Questions? Just reply to this email{{#supportEmail}} or write to {{supportEmail}}{{/supportEmail}}.</p>
</div>
</body></html>
`;
const BUTTON = (label: string) =>
  `<p><a href="{{link}}" style="display:inline-block;padding:10px 18px;background:#2f5bd3;color:#fff;border-radius:6px;text-decoration:none">${label}</a></p>`;

export const DEFAULT_PORTAL_MAIL: Record<PortalMailKind, Record<TemplatePart, string>> = {
  'portal-sign-in': {
    subject: 'Sign in to see your {{productName}} licenses',
    text: `Hi,

Someone (hopefully you) asked to see the {{productName}} licenses of this address. Open this link to sign in:

{{link}}

The link works once, for {{minutes}} minutes. If you did not ask for it, ignore this email: nothing happens.

${FOOT_TEXT}`,
    html: `${HEAD_HTML}<p>Hi,</p>
<p>Someone (hopefully you) asked to see the {{productName}} licenses of this address.</p>
${BUTTON('Sign in')}
<p>The link works once, for {{minutes}} minutes. If you did not ask for it, ignore this email: nothing happens.</p>
${FOOT_HTML}`,
  },
  reminder: {
    subject: 'Your {{productName}} license ends on {{expiry}}',
    text: `Hi {{greetingName}},

Your {{productName}} license {{licenseKey}} ({{tier}}) is valid until {{expiry}}, in {{days}} days.

You can renew it or download it again here:

{{link}}

${FOOT_TEXT}`,
    html: `${HEAD_HTML}<p>Hi {{greetingName}},</p>
<p>Your {{productName}} license <code>{{licenseKey}}</code> ({{tier}}) is valid until <b>{{expiry}}</b>, in {{days}} days.</p>
<p>You can renew it or download it again in the portal:</p>
${BUTTON('Open the portal')}
${FOOT_HTML}`,
  },
};

const KINDS: PortalMailKind[] = ['portal-sign-in', 'reminder'];
const PARTS: TemplatePart[] = ['subject', 'text', 'html'];

export function loadPortalMailTemplates(templatesDir: string | undefined, configDir: string): PortalMailTemplates {
  const dir = templatesDir ? (isAbsolute(templatesDir) ? templatesDir : join(configDir, templatesDir)) : null;
  const set = {} as PortalMailTemplates;
  for (const kind of KINDS) {
    set[kind] = {} as Record<TemplatePart, Template>;
    for (const part of PARTS) {
      const file = dir ? join(dir, TEMPLATE_FILES[part](kind as never)) : null;
      const [source, where] = file && existsSync(file) ? [readFileSync(file, 'utf8'), file] : [DEFAULT_PORTAL_MAIL[kind][part], `built-in ${TEMPLATE_FILES[part](kind as never)}`];
      const template = parseTemplate(part === 'subject' ? source.trim() : source, where);
      checkNames(template, where, PORTAL_MAIL_FIELDS[kind], {});
      set[kind][part] = template;
    }
  }
  return set;
}

export const BUILT_IN_PORTAL_MAIL = (): PortalMailTemplates => loadPortalMailTemplates(undefined, '.');

export function renderPortalMail(templates: PortalMailTemplates, kind: PortalMailKind, scope: TemplateScope): { subject: string; text: string; html: string } {
  const t = templates[kind];
  return {
    subject: renderTemplate(t.subject, scope, { html: false }).replace(/\s*\n\s*/g, ' ').trim(),
    text: renderTemplate(t.text, scope, { html: false }),
    html: renderTemplate(t.html, scope, { html: true }),
  };
}
