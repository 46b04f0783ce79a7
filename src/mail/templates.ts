// A small, logic-less template language (a subset of Mustache), pure:
//   {{name}}                    a value (HTML-escaped in HTML templates)
//   {{#licenses}}...{{/licenses}} repeat for each item of a list, or show once if the value is truthy
//   {{^many}}...{{/many}}         show when the value is empty / false
// A section tag alone on its line takes its line with it, so templates read like the mail they make.
// Unknown names and unbalanced sections are errors with file:line, found when the template is loaded.
import { UserError } from '../errors.js';

export type TemplateValue = string | number | boolean | null | undefined | TemplateScope[];
export interface TemplateScope {
  [name: string]: TemplateValue;
}

type Node =
  | { type: 'text'; text: string }
  | { type: 'var'; name: string; line: number }
  | { type: 'section'; name: string; inverted: boolean; children: Node[]; line: number };

export interface Template {
  source: string;
  nodes: Node[];
}

const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

export function parseTemplate(source: string, where: string): Template {
  const root: Node[] = [];
  const stack: { name: string; children: Node[]; line: number }[] = [];
  const current = () => stack[stack.length - 1]?.children ?? root;
  const lineAt = (index: number) => source.slice(0, index).split('\n').length;
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    const [whole, sigil, name] = match as unknown as [string, string, string];
    let start = match.index;
    let end = start + whole.length;
    if (sigil) {
      // Standalone section tag: swallow the indentation before it and the newline after it.
      const lineStart = source.lastIndexOf('\n', start - 1) + 1;
      const after = /^[ \t]*(\r?\n|$)/.exec(source.slice(end));
      if (after && /^[ \t]*$/.test(source.slice(lineStart, start)) && lineStart >= last) {
        start = lineStart;
        end += after[0].length;
      }
    }
    if (start > last) current().push({ type: 'text', text: source.slice(last, start) });
    last = end;
    const line = lineAt(match.index);
    if (sigil === '/') {
      const open = stack.pop();
      if (!open) throw new UserError(`${where}:${line}: {{/${name}}} closes a section that was never opened`);
      if (open.name !== name) throw new UserError(`${where}:${line}: {{/${name}}} closes {{#${open.name}}} from line ${open.line}`);
      continue;
    }
    if (sigil) {
      const section: Node = { type: 'section', name, inverted: sigil === '^', children: [], line };
      current().push(section);
      stack.push({ name, children: section.children, line });
    } else {
      current().push({ type: 'var', name, line });
    }
  }
  if (last < source.length) current().push({ type: 'text', text: source.slice(last) });
  const open = stack.pop();
  if (open) throw new UserError(`${where}:${open.line}: {{#${open.name}}} is never closed (add {{/${open.name}}})`);
  return { source, nodes: root };
}

/** Throws naming file:line for a placeholder that is not in `known` (top level) or `itemKnown` (inside a list). */
export function checkNames(template: Template, where: string, known: readonly string[], lists: Record<string, readonly string[]>): void {
  const walk = (nodes: Node[], names: readonly string[]) => {
    for (const n of nodes) {
      if (n.type === 'text') continue;
      if (!names.includes(n.name)) {
        throw new UserError(`${where}:${n.line}: unknown placeholder {{${n.name}}}; known: ${[...new Set(names)].join(', ')}`);
      }
      if (n.type === 'section') walk(n.children, lists[n.name] ? [...names, ...lists[n.name]!] : names);
    }
  };
  walk(template.nodes, known);
}

export function renderTemplate(template: Template, scope: TemplateScope, options: { html: boolean }): string {
  const escape = options.html ? escapeHtml : (s: string) => s;
  const render = (nodes: Node[], scopes: TemplateScope[]): string => {
    let out = '';
    for (const n of nodes) {
      if (n.type === 'text') out += n.text;
      else if (n.type === 'var') out += escape(toText(lookup(scopes, n.name)));
      else {
        const value = lookup(scopes, n.name);
        if (n.inverted) {
          if (isEmpty(value)) out += render(n.children, scopes);
        } else if (Array.isArray(value)) {
          for (const item of value) out += render(n.children, [item, ...scopes]);
        } else if (!isEmpty(value)) {
          out += render(n.children, scopes);
        }
      }
    }
    return out;
  };
  return render(template.nodes, [scope]);
}

function lookup(scopes: TemplateScope[], name: string): TemplateValue {
  for (const s of scopes) if (Object.prototype.hasOwnProperty.call(s, name)) return s[name];
  return undefined;
}

function isEmpty(v: TemplateValue): boolean {
  return v === undefined || v === null || v === false || v === '' || v === 0 || (Array.isArray(v) && v.length === 0);
}

function toText(v: TemplateValue): string {
  if (v === undefined || v === null || v === false) return '';
  if (Array.isArray(v)) return String(v.length);
  return String(v);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
