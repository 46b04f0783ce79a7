// Templates (pure): the little language, HTML escaping, the defaults, overrides with file:line errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { LicenseRow } from '../src/ledger/project.js';
import { composeLicenseMail, newMessageId } from '../src/mail/compose.js';
import { formatPreview, toPreview } from '../src/mail/preview.js';
import { loadTemplates } from '../src/mail/template-files.js';
import { parseTemplate, renderTemplate, type TemplateScope } from '../src/mail/templates.js';

const render = (source: string, scope: TemplateScope, html = false) => renderTemplate(parseTemplate(source, 't'), scope, { html });

describe('template language', () => {
  test.each([
    ['Hi {{name}}!', { name: 'Jane' }, false, 'Hi Jane!'],
    ['Hi {{ name }}!', { name: 'Jane' }, false, 'Hi Jane!'],
    ['{{missing}}.', {}, false, '.'],
    ['<b>{{name}}</b>', { name: `<script>"x"&'y'` }, true, '<b>&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;</b>'],
    ['{{name}}', { name: '<not escaped in text>' }, false, '<not escaped in text>'],
    ['{{#items}}[{{k}}]{{/items}}', { items: [{ k: 'a' }, { k: 'b' }] }, false, '[a][b]'],
    ['{{#items}}{{k}}-{{top}} {{/items}}', { top: 'T', items: [{ k: 'a' }] }, false, 'a-T '],
    ['{{#many}}s{{/many}}', { many: true }, false, 's'],
    ['{{#many}}s{{/many}}', { many: false }, false, ''],
    ['{{^many}}one{{/many}}', { many: false }, false, 'one'],
    ['{{^items}}none{{/items}}', { items: [] }, false, 'none'],
    ['a\n{{#x}}\nb\n{{/x}}\nc\n', { x: true }, false, 'a\nb\nc\n'],
    ['a\n  {{^x}}\nb\n  {{/x}}\nc', { x: true }, false, 'a\nc'],
  ])('%j with %j (html=%s) -> %j', (source, scope, html, expected) => {
    expect(render(source, scope as TemplateScope, html)).toBe(expected);
  });

  test.each([
    ['line1\n{{#a}}\n', /t:2: \{\{#a\}\} is never closed/],
    ['{{/a}}', /t:1: \{\{\/a\}\} closes a section that was never opened/],
    ['{{#a}}\n{{/b}}', /t:2: \{\{\/b\}\} closes \{\{#a\}\} from line 1/],
  ])('%j is rejected: %s', (source, message) => {
    expect(() => parseTemplate(source, 't')).toThrow(message);
  });
});

const row = (over: Partial<LicenseRow> = {}): LicenseRow => ({
  licenseKey: 'DT1-PRO-AAAA-BBBB-CCCC-DDDDD', product: 'datatools', name: 'Jane <Doe>', email: 'jane@example.com', tier: 'pro',
  issuedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2027-01-01T00:00:00.000Z', updatesUntil: null, blob: 'DTLIC3:eyJ.payload.sig', kid: 'k',
  format: 'jws', gumroadOrderId: null, orderRef: null, revokedAt: null, revokeReason: null, notes: null, source: 'cli', verified: true,
  forgottenAt: null, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', seats: null, features: [], ...over,
});

const compose = (licenses: LicenseRow[], kind: 'license' | 'renewed' = 'license', templates = loadTemplates(undefined, '/nowhere')) =>
  composeLicenseMail({ kind, licenses, productName: 'DataTools', supportEmail: 'help@datatools.app', templates, idempotencyKey: 'k', messageId: '<m@x>', now: new Date(0) });

describe('default templates', () => {
  test('one license: subject, both bodies with every fact, HTML-escaped name, a .lic attachment', () => {
    const m = compose([row()]);
    expect(m).toMatchObject({ to: 'jane@example.com', subject: 'Your DataTools license', licenseKeys: ['DT1-PRO-AAAA-BBBB-CCCC-DDDDD'], kind: 'license' });
    for (const fact of ['Hi Jane <Doe>,', 'DT1-PRO-AAAA-BBBB-CCCC-DDDDD', 'pro', '2027-01-01', 'DTLIC3:eyJ.payload.sig', 'help@datatools.app', 'DT1-PRO-AAAA-BBBB-CCCC-DDDDD.lic']) {
      expect(m.text).toContain(fact);
    }
    expect(m.html).toContain('Hi Jane &lt;Doe&gt;,');
    expect(m.html).not.toContain('<Doe>');
    expect(m.html).toContain('DTLIC3:eyJ.payload.sig');
    expect(m.text).not.toMatch(/\{\{|\}\}/);
    expect(m.attachments).toEqual([{ filename: 'DT1-PRO-AAAA-BBBB-CCCC-DDDDD.lic', content: 'DTLIC3:eyJ.payload.sig\n', contentType: 'application/octet-stream' }]);
  });

  test('several licenses: plural subject, each license and attachment once; lifetime reads as never', () => {
    const m = compose([row(), row({ licenseKey: 'DT1-CORE-EEEE-FFFF-GGGG-HHHHH', tier: 'core', expiresAt: null, blob: 'DTLIC3:second' })]);
    expect(m.subject).toBe('Your DataTools licenses');
    expect(m.text).toContain('Here are your 2 DataTools licenses.');
    expect(m.text).toContain('never (lifetime license)');
    expect(m.text.match(/License key:/g)).toHaveLength(2);
    expect(m.attachments.map((a) => a.filename)).toEqual(['DT1-PRO-AAAA-BBBB-CCCC-DDDDD.lic', 'DT1-CORE-EEEE-FFFF-GGGG-HHHHH.lic']);
  });

  test('renewed mail; no name greets "there"', () => {
    const m = compose([row({ name: '' })], 'renewed');
    expect(m.subject).toBe('Your DataTools license has been renewed');
    expect(m.text).toMatch(/^Hi there,/);
    expect(m.text).toContain('is now valid until 2027-01-01');
  });

  test('preview shows headers and the text body', () => {
    const text = formatPreview(toPreview(compose([row()]), { from: 'DataTools <licenses@datatools.app>', replyTo: 'help@datatools.app' }));
    expect(text).toMatch(/^From: DataTools <licenses@datatools.app>\nReply-To: help@datatools.app\nTo: jane@example.com\nSubject: Your DataTools license\nAttachments: DT1-PRO-AAAA-BBBB-CCCC-DDDDD.lic\n/);
    expect(text).toContain('DTLIC3:eyJ.payload.sig');
  });

  test('message ids are unique and use the from domain', () => {
    let n = 0;
    const random = (len: number) => new Uint8Array(len).fill(n++);
    const a = newMessageId('DataTools <licenses@datatools.app>', new Date(0), random);
    const b = newMessageId('licenses@datatools.app', new Date(0), random);
    expect(a).toMatch(/^<[0-9a-f]{24}\.0@datatools\.app>$/);
    expect(a).not.toBe(b);
  });
});

describe('template overrides (config.templatesDir)', () => {
  const dirWith = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'la-templates-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  test('a file replaces its part; the rest stay default', () => {
    const dir = dirWith({ 'license.subject.txt': '{{productName}} key for {{name}}\n', 'license.txt': 'Key {{licenseKey}} ({{tier}}) until {{expiry}}\n{{blob}}\n' });
    const m = compose([row()], 'license', loadTemplates(dir, '/unused'));
    expect(m.subject).toBe('DataTools key for Jane <Doe>');
    expect(m.text).toBe('Key DT1-PRO-AAAA-BBBB-CCCC-DDDDD (pro) until 2027-01-01\nDTLIC3:eyJ.payload.sig\n');
    expect(m.html).toContain('Thank you for choosing DataTools');
  });

  test('a relative templatesDir is under the config directory', () => {
    const dir = dirWith({ 'renewed.txt': 'renewed {{licenseKey}}' });
    const m = compose([row()], 'renewed', loadTemplates(dir.split('/').pop()!, tmpdir()));
    expect(m.text).toBe('renewed DT1-PRO-AAAA-BBBB-CCCC-DDDDD');
  });

  test('an unknown placeholder is an error naming file:line and the known names', () => {
    const dir = dirWith({ 'license.html': '<p>\n<p>Hi {{nmae}}</p>' });
    expect(() => loadTemplates(dir, '/unused')).toThrow(new RegExp(`${join(dir, 'license.html')}:2: unknown placeholder \\{\\{nmae\\}\\}; known: name, greetingName`));
  });

  test('per-license names only work inside {{#licenses}} or for the first license', () => {
    expect(() => loadTemplates(dirWith({ 'license.txt': '{{#licenses}}{{filename}}{{/licenses}} {{filename}}' }), '/unused')).not.toThrow();
    expect(() => loadTemplates(dirWith({ 'license.txt': '{{#many}}{{bogus}}{{/many}}' }), '/unused')).toThrow(/license\.txt:1: unknown placeholder \{\{bogus\}\}/);
  });

  test('a missing templatesDir is a clear error', () => {
    expect(() => loadTemplates('/does/not/exist', '/unused')).toThrow(/templatesDir: \/does\/not\/exist does not exist/);
  });
});
