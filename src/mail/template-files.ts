// Loads the creator's template overrides from config.templatesDir (missing files fall back to the
// defaults) and checks every placeholder up front, so a typo fails before any license is minted.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../errors.js';
import { DEFAULT_TEMPLATES, LICENSE_FIELDS, TEMPLATE_FILES, TOP_FIELDS, type TemplateKind, type TemplatePart } from './default-templates.js';
import { checkNames, parseTemplate, type Template } from './templates.js';

export type TemplateSet = Record<TemplateKind, Record<TemplatePart, Template>>;

const KINDS: TemplateKind[] = ['license', 'renewed'];
const PARTS: TemplatePart[] = ['subject', 'text', 'html'];

/** Pure: parse and check template sources (`where` names the file in errors). */
export function compileTemplates(sourceOf: (kind: TemplateKind, part: TemplatePart) => { source: string; where: string }): TemplateSet {
  const set = {} as TemplateSet;
  for (const kind of KINDS) {
    set[kind] = {} as Record<TemplatePart, Template>;
    for (const part of PARTS) {
      const { source, where } = sourceOf(kind, part);
      const template = parseTemplate(part === 'subject' ? source.trim() : source, where);
      checkNames(template, where, TOP_FIELDS, { licenses: LICENSE_FIELDS });
      set[kind][part] = template;
    }
  }
  return set;
}

export function loadTemplates(templatesDir: string | undefined, configDir: string): TemplateSet {
  const dir = templatesDir ? (isAbsolute(templatesDir) ? templatesDir : join(configDir, templatesDir)) : null;
  if (dir && !existsSync(dir)) throw new UserError(`config.json templatesDir: ${dir} does not exist (remove the setting to use the built-in templates)`);
  return compileTemplates((kind, part) => {
    const file = dir ? join(dir, TEMPLATE_FILES[part](kind)) : null;
    if (file && existsSync(file)) return { source: readFileSync(file, 'utf8'), where: file };
    return { source: DEFAULT_TEMPLATES[kind][part], where: `built-in ${TEMPLATE_FILES[part](kind)}` };
  });
}
