// HTTP pieces of the portal's pages: the security headers every page carries, cookies (jshttp `cookie`),
// form bodies, and the HTML answers.
import { parse as parseCookies, serialize } from 'cookie';
import type { IncomingMessage } from 'node:http';
import type { RouteResponse } from '../server/router.js';

export const SESSION_COOKIE = 'la_portal_session';
export const FORM_COOKIE = 'la_portal_form';

/** No inline script or style, nothing from elsewhere (the logo may be an https image), never framed, no Referer. */
export function securityHeaders(logoUrl: string | null): Record<string, string> {
  const img = logoUrl ? `'self' ${new URL(logoUrl).origin}` : `'self'`;
  return {
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src ${img}; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

export function cookiesOf(req: IncomingMessage): Record<string, string | undefined> {
  const header = req.headers.cookie;
  return header ? parseCookies(header) : {};
}

export interface CookieOptions {
  secure: boolean;
  maxAgeSeconds: number;
}

export function setCookie(name: string, value: string, o: CookieOptions): string {
  return serialize(name, value, { httpOnly: true, sameSite: 'lax', secure: o.secure, path: '/portal', maxAge: o.maxAgeSeconds });
}

export function clearCookie(name: string, secure: boolean): string {
  return serialize(name, '', { httpOnly: true, sameSite: 'lax', secure, path: '/portal', maxAge: 0 });
}

/** application/x-www-form-urlencoded fields (the first of each name). */
export function formFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!(k in out)) out[k] = v;
  return out;
}

export function htmlPage(status: number, html: string, headers: Record<string, string>, cookies: string[] = []): RouteResponse {
  return { status, html, headers: cookies.length ? { ...headers, 'set-cookie': cookies } : headers };
}
