// The buyer's portal (docs/PORTAL.md): /portal (sign-in form, or the licenses when signed in), the
// sign-in link's "Continue" page, and the actions. HTML pages with strict security headers; every POST
// checks a CSRF token and a rate limit; a session acts only on its own email's licenses.
import { EMAIL } from '../../license/email-address.js';
import type { LicenseRow } from '../../ledger/project.js';
import { UserError } from '../../errors.js';
import { emailLicenses, renewFromPortal } from '../../portal/actions.js';
import { csrfToken, csrfValid, newCsrfSecret } from '../../portal/csrf.js';
import { clearCookie, cookiesOf, FORM_COOKIE, formFields, htmlPage, securityHeaders, SESSION_COOKIE, setCookie } from '../../portal/http.js';
import { licenseCard, ownLicenses } from '../../portal/licenses-view.js';
import { PORTAL_JS, portalCss } from '../../portal/page-templates.js';
import { BUILT_IN_PAGES, type Brand } from '../../portal/pages.js';
import type { PortalJobs } from '../../portal/portal-jobs.js';
import { portalSettings } from '../../portal/portal-settings.js';
import { hashSecret, looksLikeSecret, SIGN_IN_PURPOSE } from '../../portal/secrets.js';
import { currentSession, secureCookies, startSession, type Session } from '../../portal/session.js';
import { sendSignInLink } from '../../portal/sign-in.js';
import { SIGN_IN_RULES } from '../rate-limit.js';
import type { RequestContext, RouteResponse, Router } from '../router.js';

const NOTICES: Record<string, string> = {
  emailed: 'We have emailed your licenses to you.',
  renewed: 'Your license has been renewed: the license below is the new one.',
};

type Page = Parameters<typeof BUILT_IN_PAGES.render>[0];

export function registerPortalRoutes(router: Router, jobs: PortalJobs): void {
  const route = (method: string, path: string, handler: (ctx: RequestContext) => Promise<RouteResponse>) =>
    router.add(method, path, async (ctx) => (portalSettings(ctx.deps.config).enabled ? handler(ctx) : { status: 404, json: { error: { code: 'not_found', message: `no route ${method} ${path}`, requestId: ctx.requestId } } }));

  route('GET', '/portal/static/portal.js', async (ctx) => ({ status: 200, text: PORTAL_JS, headers: { ...headers(ctx), 'content-type': 'text/javascript; charset=utf-8' } }));
  route('GET', '/portal/static/portal.css', async (ctx) => ({ status: 200, text: portalCss(portalSettings(ctx.deps.config).accentColor), headers: { ...headers(ctx), 'content-type': 'text/css; charset=utf-8' } }));

  route('GET', '/portal', async (ctx) => {
    const session = await currentSession(ctx.req, ctx.deps);
    if (session) return licensesPage(ctx, session, NOTICES[ctx.url.searchParams.get('notice') ?? ''] ?? null);
    return formPage(ctx, 200, 'sign-in', 'Sign in', { email: '', error: null });
  });

  route('POST', '/portal', async (ctx) => {
    const form = formFields(ctx.body);
    if (!csrfValid(cookiesOf(ctx.req)[FORM_COOKIE], form.csrf)) return formPage(ctx, 403, 'sign-in', 'Sign in', { email: '', error: 'This form expired. Please enter your email address again.' });
    const email = (form.email ?? '').trim();
    if (!EMAIL.test(email) || email.length > 254) return formPage(ctx, 400, 'sign-in', 'Sign in', { email, error: 'Please enter an email address like name@example.com.' });
    const limited = await rateLimited(ctx, 'portal-signin', email);
    if (limited) return limited;
    jobs.start('sign-in link', async () => void (await sendSignInLink(ctx.deps, email)));
    return formPage(ctx, 200, 'link-sent', 'Check your email', { minutes: Math.round(portalSettings(ctx.deps.config).signInMs / 60_000) });
  });

  // Mail scanners open links: GET only shows the button; only the POST uses the token.
  route('GET', '/portal/continue', async (ctx) => {
    const token = ctx.url.searchParams.get('token') ?? '';
    return formPage(ctx, 200, 'continue', 'Sign in', { token: looksLikeSecret(token) ? token : '' });
  });

  route('POST', '/portal/continue', async (ctx) => {
    const form = formFields(ctx.body);
    if (!csrfValid(cookiesOf(ctx.req)[FORM_COOKIE], form.csrf)) return message(ctx, 403, null, 'This page expired', 'Open the link from the email again.');
    const limited = await rateLimited(ctx, 'portal-continue', null);
    if (limited) return limited;
    const email = looksLikeSecret(form.token) ? await ctx.deps.store.portal.consumeToken(hashSecret(form.token), SIGN_IN_PURPOSE, ctx.deps.clock()) : null;
    if (!email) return message(ctx, 400, null, 'This link does not work any more', 'Sign-in links work once, for a short time. Ask for a new one on the portal.');
    const { session, cookie } = await startSession(ctx.deps, email);
    ctx.log.info('portal sign-in', {});
    return licensesPage(ctx, session, null, [cookie, clearCookie(FORM_COOKIE, secureCookies(ctx.deps))]);
  });

  route('GET', '/portal/download', async (ctx) => {
    const session = await currentSession(ctx.req, ctx.deps);
    if (!session) return message(ctx, 401, null, 'Please sign in', 'Sign in on the portal to download your license.');
    const license = await ownLicense(ctx, session, ctx.url.searchParams.get('key'));
    if (!license) return notYours(ctx, session);
    return { status: 200, text: `${license.blob}\n`, headers: { ...headers(ctx), 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${license.licenseKey.replace(/[^A-Za-z0-9-]/g, '')}.lic"` } };
  });

  route('POST', '/portal/email', (ctx) => action(ctx, async (session, license) => {
    await emailLicenses(ctx.deps, license);
    ctx.log.info('portal email', { licenseKey: license.licenseKey });
    return redirect(ctx, '/portal?notice=emailed');
  }));

  route('POST', '/portal/renew', (ctx) => action(ctx, async (session, license) => {
    const outcome = await renewFromPortal(ctx.deps, license);
    ctx.log.info('portal renew', { licenseKey: license.licenseKey, kind: outcome.kind });
    return redirect(ctx, outcome.kind === 'checkout' ? outcome.url : '/portal?notice=renewed');
  }));

  route('POST', '/portal/sign-out', async (ctx) => {
    const session = await currentSession(ctx.req, ctx.deps);
    const form = formFields(ctx.body);
    if (session && csrfValid(session.csrfSecret, form.csrf)) await ctx.deps.store.portal.endSession(session.hash);
    else if (session) return message(ctx, 403, session, 'This page expired', 'Reload the portal and try again.');
    return { ...redirect(ctx, '/portal'), headers: { ...headers(ctx), location: '/portal', 'set-cookie': clearCookie(SESSION_COOKIE, secureCookies(ctx.deps)) } };
  });
}

/** The checks every action makes, in this order: signed in, CSRF, rate limit, the license is the session's own. */
async function action(ctx: RequestContext, fn: (session: Session, license: LicenseRow) => Promise<RouteResponse>): Promise<RouteResponse> {
  const session = await currentSession(ctx.req, ctx.deps);
  if (!session) return message(ctx, 401, null, 'Please sign in', 'Your session has ended. Sign in on the portal again.');
  const form = formFields(ctx.body);
  if (!csrfValid(session.csrfSecret, form.csrf)) return message(ctx, 403, session, 'This page expired', 'Reload the portal and try again.');
  const limited = await rateLimited(ctx, 'portal-action', session.email);
  if (limited) return limited;
  const license = await ownLicense(ctx, session, form.key);
  if (!license) return notYours(ctx, session);
  try {
    return await fn(session, license);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    ctx.log.info('portal action refused', { licenseKey: license.licenseKey, reason: error.message.slice(0, 200) });
    return message(ctx, 409, session, 'That did not work', 'This license cannot be changed here. Please write to us and we will sort it out.');
  }
}

async function ownLicense(ctx: RequestContext, session: Session, key: string | null | undefined): Promise<LicenseRow | null> {
  if (!key || key.length > 128) return null;
  const row = await ctx.deps.store.getLicense(key.trim());
  return row && ownLicenses([row], session.email).length === 1 ? row : null;
}

/** Someone else's license and no license at all look the same. */
function notYours(ctx: RequestContext, session: Session): RouteResponse {
  return message(ctx, 404, session, 'No such license', 'There is no license with that key for your address.');
}

/** Per client IP, and per email when there is one; the same answer whether or not we know the address. */
async function rateLimited(ctx: RequestContext, name: string, email: string | null): Promise<RouteResponse | null> {
  const limits = ctx.deps.rateLimits!;
  const decisions = [await limits.define(`${name}-ip`, SIGN_IN_RULES).consume(ctx.deps.clientIp!(ctx.req))];
  if (email) decisions.push(await limits.define(`${name}-email`, SIGN_IN_RULES).consume(email.toLowerCase()));
  const denied = decisions.filter((d) => !d.allowed);
  if (denied.length === 0) return null;
  const retry = Math.max(...denied.map((d) => d.retryAfterSeconds), 1);
  ctx.log.warn('portal rate limited', { limit: name, retryAfter: retry });
  const minutes = Math.ceil(retry / 60);
  const res = message(ctx, 429, null, 'Too many tries', `Please wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`);
  return { ...res, headers: { ...res.headers, 'retry-after': String(retry) } };
}

function headers(ctx: RequestContext): Record<string, string> {
  return securityHeaders(portalSettings(ctx.deps.config).logoUrl);
}

function brand(ctx: RequestContext): Brand {
  const { config } = ctx.deps;
  return { productName: config.productName, supportEmail: config.supportEmail ?? '', logoUrl: portalSettings(config).logoUrl };
}

function pages(ctx: RequestContext) {
  return ctx.deps.portalPages ?? BUILT_IN_PAGES;
}

/** A page with a pre-sign-in form: its CSRF secret lives in an HttpOnly cookie of this browser. */
function formPage(ctx: RequestContext, status: number, page: Page, title: string, data: Record<string, unknown>): RouteResponse {
  const existing = cookiesOf(ctx.req)[FORM_COOKIE];
  const secret = existing && /^[A-Za-z0-9_-]{16,64}$/.test(existing) ? existing : newCsrfSecret();
  const html = pages(ctx).render(page, { title, brand: brand(ctx), signedInAs: null, csrf: csrfToken(secret) }, data);
  const cookies = secret === existing ? [] : [setCookie(FORM_COOKIE, secret, { secure: secureCookies(ctx.deps), maxAgeSeconds: 3600 })];
  return htmlPage(status, html, headers(ctx), cookies);
}

function message(ctx: RequestContext, status: number, session: Session | null, heading: string, text: string): RouteResponse {
  const html = pages(ctx).render('message', { title: heading, brand: brand(ctx), signedInAs: session?.email ?? null, csrf: session ? csrfToken(session.csrfSecret) : '' }, { heading, text });
  return htmlPage(status, html, headers(ctx));
}

async function licensesPage(ctx: RequestContext, session: Session, notice: string | null, cookies: string[] = []): Promise<RouteResponse> {
  const now = ctx.deps.clock();
  const rows = ownLicenses(await ctx.deps.store.findByEmail(session.email), session.email);
  const licenses = rows.map((r) => licenseCard(r, ctx.deps.config, now));
  const html = pages(ctx).render('licenses', { title: 'Your licenses', brand: brand(ctx), signedInAs: session.email, csrf: csrfToken(session.csrfSecret) }, { licenses, notice });
  return htmlPage(200, html, headers(ctx), cookies);
}

function redirect(ctx: RequestContext, location: string): RouteResponse {
  return { status: 303, text: '', headers: { ...headers(ctx), location } };
}
