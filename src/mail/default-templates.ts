// The mails people get when the creator has not written their own (docs/EMAIL.md lists the placeholders).
export type TemplateKind = 'license' | 'renewed';
export type TemplatePart = 'subject' | 'text' | 'html';

/** Placeholders for each license, usable inside {{#licenses}} and (for the first license) at the top level. */
export const LICENSE_FIELDS = ['licenseKey', 'tier', 'expiry', 'expiresAt', 'lifetime', 'issued', 'updatesUntil', 'seats', 'features', 'blob', 'filename'] as const;
export const TOP_FIELDS = ['name', 'greetingName', 'email', 'productName', 'supportEmail', 'count', 'many', 'licenses', ...LICENSE_FIELDS] as const;

const HTML_HEAD = `<!doctype html>
<html><body style="margin:0;padding:24px;background:#f6f6f6;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222">
<div style="max-width:600px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
`;
const HTML_BLOB = `<pre style="white-space:pre-wrap;word-break:break-all;background:#f3f3f3;border-radius:4px;padding:12px;font-size:12px">{{blob}}</pre>`;
const HTML_FOOT = `<p style="color:#666;font-size:13px">Questions? Just reply to this email{{#supportEmail}} or write to <a href="mailto:{{supportEmail}}">{{supportEmail}}</a>{{/supportEmail}}.</p>
</div>
</body></html>
`;

export const DEFAULT_TEMPLATES: Record<TemplateKind, Record<TemplatePart, string>> = {
  license: {
    subject: 'Your {{productName}} license{{#many}}s{{/many}}',
    text: `Hi {{greetingName}},

{{#many}}
Here are your {{count}} {{productName}} licenses.
{{/many}}
{{^many}}
Thank you for choosing {{productName}}! Here is your license.
{{/many}}

{{#licenses}}
License key:  {{licenseKey}}
Tier:         {{tier}}
Valid until:  {{expiry}}
{{#seats}}
Seats:        {{seats}}
{{/seats}}
{{#features}}
Features:     {{features}}
{{/features}}

To activate, paste the license below into {{productName}}, or open the attached file {{filename}}:

{{blob}}

{{/licenses}}
Please keep this email: you will need the license again when you move to a new computer.

Questions? Just reply to this email{{#supportEmail}} or write to {{supportEmail}}{{/supportEmail}}.

-- {{productName}}
`,
    html: `${HTML_HEAD}<p>Hi {{greetingName}},</p>
{{#many}}
<p>Here are your {{count}} {{productName}} licenses.</p>
{{/many}}
{{^many}}
<p>Thank you for choosing {{productName}}! Here is your license.</p>
{{/many}}
{{#licenses}}
<table style="border-collapse:collapse;margin:16px 0">
<tr><td style="padding:2px 12px 2px 0;color:#666">License key</td><td><code>{{licenseKey}}</code></td></tr>
<tr><td style="padding:2px 12px 2px 0;color:#666">Tier</td><td>{{tier}}</td></tr>
<tr><td style="padding:2px 12px 2px 0;color:#666">Valid until</td><td>{{expiry}}</td></tr>
{{#seats}}
<tr><td style="padding:2px 12px 2px 0;color:#666">Seats</td><td>{{seats}}</td></tr>
{{/seats}}
{{#features}}
<tr><td style="padding:2px 12px 2px 0;color:#666">Features</td><td>{{features}}</td></tr>
{{/features}}
</table>
<p>To activate, paste the license below into {{productName}}, or open the attached file <b>{{filename}}</b>:</p>
${HTML_BLOB}
{{/licenses}}
<p>Please keep this email: you will need the license again when you move to a new computer.</p>
${HTML_FOOT}`,
  },
  renewed: {
    subject: 'Your {{productName}} license has been renewed',
    text: `Hi {{greetingName}},

Your {{productName}} license {{licenseKey}} has been renewed and is now valid until {{expiry}}.

Please replace your current license with the one below (or open the attached file {{filename}}):

{{blob}}

Thank you for staying with {{productName}}!

Questions? Just reply to this email{{#supportEmail}} or write to {{supportEmail}}{{/supportEmail}}.

-- {{productName}}
`,
    html: `${HTML_HEAD}<p>Hi {{greetingName}},</p>
<p>Your {{productName}} license <code>{{licenseKey}}</code> has been renewed and is now valid until <b>{{expiry}}</b>.</p>
<p>Please replace your current license with the one below (or open the attached file <b>{{filename}}</b>):</p>
${HTML_BLOB}
<p>Thank you for staying with {{productName}}!</p>
${HTML_FOOT}`,
  },
};

/** File names in config.templatesDir that override the defaults. */
export const TEMPLATE_FILES: Record<TemplatePart, (kind: TemplateKind) => string> = {
  subject: (kind) => `${kind}.subject.txt`,
  text: (kind) => `${kind}.txt`,
  html: (kind) => `${kind}.html`,
};
