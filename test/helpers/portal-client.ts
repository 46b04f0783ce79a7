// A buyer's browser without the browser: a cookie jar, the portal's forms read from the HTML, posts with
// the page's CSRF token. What an outside script following the scripting contract does.
import type { ReceivedMail } from './smtp.js';

export class PortalClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string, private readonly forwardedFor?: string) {}

  async get(path: string): Promise<{ res: Response; html: string }> {
    const res = await fetch(new URL(path, this.base), { headers: this.headers(), redirect: 'manual' });
    this.keep(res);
    return { res, html: await res.text() };
  }

  async post(path: string, fields: Record<string, string>): Promise<{ res: Response; html: string }> {
    const res = await fetch(new URL(path, this.base), {
      method: 'POST', redirect: 'manual', body: new URLSearchParams(fields).toString(),
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.keep(res);
    return { res, html: await res.text() };
  }

  /** Posts the page's form whose action is `action`, with its hidden fields plus `fields`. */
  async submit(html: string, action: string, fields: Record<string, string> = {}): Promise<{ res: Response; html: string }> {
    const form = formsOf(html).find((f) => f.action === action);
    if (!form) throw new Error(`no form posting to ${action} on the page`);
    return this.post(action, { ...form.hidden, ...fields });
  }

  private headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return { ...(cookie ? { cookie } : {}), ...(this.forwardedFor ? { 'x-forwarded-for': this.forwardedFor } : {}) };
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
  }
}

export interface ParsedForm {
  method: string;
  action: string;
  hidden: Record<string, string>;
  inputs: string[];
}

export function formsOf(html: string): ParsedForm[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => {
    const attrs = m[1]!;
    const hidden: Record<string, string> = {};
    const inputs: string[] = [];
    for (const input of m[2]!.matchAll(/<input\b([^>]*)>/g)) {
      const name = /name="([^"]*)"/.exec(input[1]!)?.[1];
      if (!name) continue;
      inputs.push(name);
      if (/type="hidden"/.test(input[1]!)) hidden[name] = decodeHtml(/value="([^"]*)"/.exec(input[1]!)?.[1] ?? '');
    }
    return { method: /method="([^"]*)"/.exec(attrs)?.[1] ?? 'get', action: decodeHtml(/action="([^"]*)"/.exec(attrs)?.[1] ?? ''), hidden, inputs };
  });
}

const decodeHtml = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Every http(s) URL in the mail's text and HTML parts (deduplicated per part). */
export function linksIn(mail: ReceivedMail): { text: string[]; html: string[] } {
  const find = (s: string) => [...new Set([...s.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => decodeHtml(m[0])))];
  return { text: find(mail.text ?? ''), html: find(typeof mail.html === 'string' ? mail.html : '') };
}
