// The buyer portal through a real server (SQLite ledger and PostgreSQL), real SMTP: the scripting
// contract, the sign-in link's rules, sessions, and the actions with their CSRF, rate limit and IDOR checks.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetPerson } from '../src/usecases/forget.js';
import { verifyLicense } from '../src/verify/index.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { formsOf, linksIn, PortalClient } from './helpers/portal-client.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { freshDatabase, gumroadPing, postGumroad, startTestServer, until, type TestServer } from './helpers/server-harness.js';

let smtp: SmtpInstance;
let pgCluster: PostgresInstance;
beforeAll(async () => {
  smtp = await startSmtp();
  pgCluster = await startPostgres();
});
afterAll(async () => {
  await smtp?.close();
  await pgCluster?.stop();
});

const PORTAL = { enabled: true, products: { dashtool: { renewal: 'free' as const, renewWindowDays: 400 } } };

describe.each(['sqlite', 'postgres'] as const)('portal on %s', (kind) => {
  let s: TestServer;
  let ip = 0;
  /** Each test's browser comes from its own address (the server trusts 127.0.0.1 as a proxy). */
  const browser = () => new PortalClient(s.url, `198.51.100.${++ip}`);
  const mailsTo = (to: string) => smtp.inbox.filter((m) => m.envelope.rcptTo.includes(to));
  const signInMails = (to: string) => mailsTo(to).filter((m) => m.subject?.startsWith('Sign in'));

  beforeAll(async () => {
    s = await startTestServer({
      smtpPort: smtp.port, config: { portal: PORTAL, supportEmail: 'help@dashtool.example' },
      env: { LICENSE_ADMIN_TRUSTED_PROXIES: '127.0.0.1' },
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
    });
  });
  afterAll(async () => s?.close());

  async function buy(sale: string): Promise<{ email: string; licenseKey: string }> {
    const saleId = `${kind === 'postgres' ? 'PG' : 'SL'}${sale}`;
    expect((await postGumroad(s.url, gumroadPing(saleId))).status).toBe(200);
    await s.app.drain();
    const email = `buyer-${saleId.toLowerCase()}@example.com`;
    const [row] = await s.store.findByEmail(email);
    return { email, licenseKey: row!.licenseKey };
  }

  async function signIn(email: string, b = browser()): Promise<{ b: PortalClient; html: string; token: string }> {
    const before = signInMails(email).length;
    const form = await b.get('/portal');
    const sent = await b.submit(form.html, '/portal', { email });
    expect(sent.res.status).toBe(200);
    await s.app.drain();
    const mail = (await until(async () => signInMails(email).length > before && signInMails(email).at(-1), 10_000, 'sign-in mail'))!;
    const link = linksIn(mail).text[0]!;
    const page = await b.get(link.slice(s.url.length));
    const done = await b.submit(page.html, '/portal/continue');
    expect(done.res.status).toBe(200);
    return { b, html: done.html, token: new URL(link).searchParams.get('token')! };
  }

  it('keeps the scripting contract: one form with an email field, one link in the mail, GET shows one POST form, posting it signs in and shows the keys', async () => {
    const { email, licenseKey } = await buy('CONTRACT1');
    const b = browser();
    const first = await b.get('/portal');
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('content-type')).toMatch(/^text\/html/);
    const forms = formsOf(first.html);
    expect(forms).toHaveLength(1);
    expect(forms[0]!.method).toBe('post');
    expect(forms[0]!.inputs).toContain('email');
    const answer = await b.submit(first.html, '/portal', { email });
    expect([200, 202]).toContain(answer.res.status);
    await s.app.drain();
    const mail = await until(async () => signInMails(email)[0], 10_000, 'sign-in mail');
    const { text, html } = linksIn(mail);
    expect(text).toHaveLength(1);
    expect(html).toEqual(text);
    expect(text[0]!.startsWith(`${s.url}/`)).toBe(true);
    const page = await b.get(text[0]!.slice(s.url.length));
    expect(page.res.status).toBe(200);
    const continueForms = formsOf(page.html);
    expect(continueForms).toHaveLength(1);
    expect(continueForms[0]!.method).toBe('post');
    const signedIn = await b.submit(page.html, '/portal/continue');
    expect(signedIn.res.status).toBe(200);
    expect(signedIn.html).toContain(licenseKey);
    const session = signedIn.res.headers.getSetCookie().find((c) => c.startsWith('la_portal_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).toMatch(/Max-Age=3600/);
    expect(session).not.toMatch(/Secure/); // the public URL is http here
    // The page is there on a plain GET with the session, too.
    expect((await b.get('/portal')).html).toContain(licenseKey);
  });

  it('answers a known and an unknown address with the same status and page, and mails only the known one', async () => {
    const { email } = await buy('KNOWN1');
    const unknown = 'nobody-at-all@example.com';
    const known = browser();
    const stranger = browser();
    const a = await known.submit((await known.get('/portal')).html, '/portal', { email });
    const b = await stranger.submit((await stranger.get('/portal')).html, '/portal', { email: unknown });
    expect(a.res.status).toBe(b.res.status);
    expect(a.html).toBe(b.html);
    await s.app.drain();
    await until(async () => signInMails(email).length === 1, 10_000, 'known mail');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(unknown)).toHaveLength(0);
    expect(signInMails(email)).toHaveLength(1);
  });

  it('takes the same time for a known and an unknown address (median difference measured from another thread)', async () => {
    const known: string[] = [];
    for (let i = 0; i < 15; i++) known.push((await buy(`TIME${i}`)).email);
    const rounds = known.map((email, i) => ({ known: email, unknown: `stranger-${kind}-${i}@example.com`, order: i % 2 ? ['unknown', 'known'] : ['known', 'unknown'] }));
    const worker = new Worker(new URL('./helpers/timing-worker.mjs', import.meta.url), { workerData: { base: s.url, rounds, pauseMs: 150 } });
    type Timing = { ms: number; status: number; length: number };
    const times = await new Promise<{ known: Timing[]; unknown: Timing[]; sequence: ('known' | 'unknown')[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    await s.app.drain();
    expect(new Set([...times.known, ...times.unknown].map((t) => `${t.status}:${t.length}`)).size).toBe(1);
    // The server's own time per request (its log), in request order: free of the client's and the box's noise.
    const served = s.logLines.map((l) => JSON.parse(l) as { msg?: string; method?: string; path?: string; ms?: number })
      .filter((l) => l.msg === 'request' && l.method === 'POST' && l.path === '/portal').slice(-times.sequence.length);
    const serverMs = { known: [] as number[], unknown: [] as number[] };
    served.forEach((l, i) => serverMs[times.sequence[i]!].push(l.ms!));
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const client = { known: median(times.known.map((t) => t.ms)), unknown: median(times.unknown.map((t) => t.ms)) };
    const server = { known: median(serverMs.known), unknown: median(serverMs.unknown) };
    console.log(`[portal timing ${kind}] client median known ${client.known.toFixed(2)} ms, unknown ${client.unknown.toFixed(2)} ms; server median known ${server.known} ms, unknown ${server.unknown} ms`);
    expect(Math.abs(server.known - server.unknown)).toBeLessThan(1);
    expect(Math.abs(client.known - client.unknown)).toBeLessThan(Math.max(2, 0.5 * client.unknown));
    // The known addresses did get their links (the work happened, only after the answer).
    await until(async () => known.every((e) => signInMails(e).length === 1), 10_000, 'every known address mailed');
  });

  it('stores the token only as its SHA-256, and a token works once, never after its time, never for another purpose', async () => {
    const { email, licenseKey } = await buy('TOKEN1');
    const { b, token, html } = await signIn(email);
    expect(html).toContain(licenseKey);
    const hash = createHash('sha256').update(token).digest('hex');
    // Used: the row is gone; a second POST of the same link fails, on a fresh browser too.
    expect(await s.store.portal.consumeToken(hash, 'portal-sign-in', new Date())).toBeNull();
    const again = browser();
    const page = await again.get(`/portal/continue?token=${token}`);
    const reuse = await again.submit(page.html, '/portal/continue');
    expect(reuse.res.status).toBe(400);
    expect(reuse.html).not.toContain(licenseKey);
    expect(again.cookies.has('la_portal_session')).toBe(false);
    // Expired and other-purpose tokens (put in the store as the server would) are refused the same way.
    for (const [t, purpose, expiresAt] of [['A'.repeat(43), 'portal-sign-in', new Date(Date.now() - 1000)], ['B'.repeat(43), 'something-else', new Date(Date.now() + 600_000)]] as const) {
      await s.store.portal.addToken({ hash: createHash('sha256').update(t).digest('hex'), email, purpose, expiresAt, createdAt: new Date() });
      const c = browser();
      const p = await c.get(`/portal/continue?token=${t}`);
      expect((await c.submit(p.html, '/portal/continue')).res.status).toBe(400);
    }
    void b;
  });

  it('GET on the link (a mail scanner) does not use the token; only the POST does', async () => {
    const { email, licenseKey } = await buy('SCANNER1');
    const b = browser();
    await b.submit((await b.get('/portal')).html, '/portal', { email });
    await s.app.drain();
    const mail = await until(async () => signInMails(email)[0], 10_000, 'mail');
    const path = linksIn(mail).text[0]!.slice(s.url.length);
    const scanner = browser();
    await scanner.get(path);
    await scanner.get(path);
    const page = await b.get(path);
    const done = await b.submit(page.html, '/portal/continue');
    expect(done.html).toContain(licenseKey);
  });

  it('gives a forgotten buyer nothing', async () => {
    const { email } = await buy('FORGET1');
    await s.store.transaction((tx) => forgetPerson(tx, email, { clock: () => new Date(), random: (n) => new Uint8Array(n).map(() => Math.floor(Math.random() * 256)), actor: 'test', source: 'cli' }));
    const b = browser();
    await b.submit((await b.get('/portal')).html, '/portal', { email });
    await s.app.drain();
    await new Promise((r) => setTimeout(r, 300));
    expect(signInMails(email)).toHaveLength(0);
    expect(signInMails('')).toHaveLength(0);
  });

  it('sets the security headers on every portal page', async () => {
    const { email } = await buy('HEADERS1');
    const { b } = await signIn(email);
    for (const path of ['/portal', '/portal/continue?token=x', '/portal/static/portal.js', '/portal/static/portal.css']) {
      const { res } = await b.get(path);
      expect(res.headers.get('content-security-policy'), path).toMatch(/script-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('content-security-policy'), path).not.toMatch(/unsafe-inline/);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('"Email it to me" sends the license through the outbox and records it as from the portal', async () => {
    const { email, licenseKey } = await buy('EMAIL1');
    const { b, html } = await signIn(email);
    const before = mailsTo(email).length;
    const r = await b.submit(html, '/portal/email');
    expect(r.res.status).toBe(303);
    expect(r.res.headers.get('location')).toBe('/portal?notice=emailed');
    await s.app.drain();
    const mail = await until(async () => mailsTo(email).length === before + 1 && mailsTo(email).at(-1), 10_000, 'license mail');
    expect(mail.attachments.map((a) => a.filename)).toEqual([`${licenseKey}.lic`]);
    const events = (await s.store.eventsSince(0, 100_000)).filter((e) => e.licenseKey === licenseKey && e.type === 'mail_queued');
    expect(events.at(-1)!.data.via).toBe('portal');
    expect((await b.get('/portal?notice=emailed')).html).toContain('We have emailed your licenses');
  });

  it('downloads the blob as a .lic file, and renews (free) with a blob that verifies with the new expiry', async () => {
    const { email, licenseKey } = await buy('RENEW1');
    const { b, html } = await signIn(email);
    const before = (await s.store.getLicense(licenseKey))!;
    const download = await b.get(`/portal/download?key=${licenseKey}`);
    expect(download.res.headers.get('content-disposition')).toBe(`attachment; filename="${licenseKey}.lic"`);
    expect(download.html.trim()).toBe(before.blob);
    const r = await b.submit(html, '/portal/renew');
    expect(r.res.status).toBe(303);
    const after = (await s.store.getLicense(licenseKey))!;
    expect(Date.parse(after.expiresAt!) - Date.parse(before.expiresAt!)).toBeGreaterThan(364 * 86_400_000);
    const page = await b.get('/portal?notice=renewed');
    expect(page.html).toContain(after.expiresAt!.slice(0, 10));
    const blob = /<textarea[^>]*>([^<]+)<\/textarea>/.exec(page.html)![1]!;
    const verified = await verifyLicense(blob, { keys: [s.signer.publicJwk], product: 'dashtool' });
    expect(verified.valid && verified.license.expiresAt!.getTime()).toBe(Math.floor(Date.parse(after.expiresAt!) / 1000) * 1000);
    const history = (await s.store.eventsSince(0, 100_000)).filter((e) => e.licenseKey === licenseKey && e.type === 'renewed');
    expect(history.map((e) => e.actor)).toEqual(['portal']);
  });

  it('never lets a session see or act on another email\'s license (IDOR), and every POST needs its CSRF token', async () => {
    const alice = await buy('IDORA');
    const bob = await buy('IDORB');
    const { b, html } = await signIn(alice.email);
    expect(html).not.toContain(bob.licenseKey);
    const bobBefore = (await s.store.getLicense(bob.licenseKey))!;
    const bobMails = mailsTo(bob.email).length;
    const csrf = formsOf(html).find((f) => f.action === '/portal/email')!.hidden.csrf!;
    for (const action of ['/portal/email', '/portal/renew']) {
      const r = await b.post(action, { csrf, key: bob.licenseKey });
      expect(r.res.status, action).toBe(404);
      expect(r.html).not.toContain(bobBefore.blob);
    }
    expect((await b.get(`/portal/download?key=${bob.licenseKey}`)).res.status).toBe(404);
    await s.app.drain();
    expect(mailsTo(bob.email)).toHaveLength(bobMails);
    expect((await s.store.getLicense(bob.licenseKey))!.expiresAt).toBe(bobBefore.expiresAt);
    // CSRF: no token, a made-up one, or one from another session's page is refused.
    const other = await signIn(bob.email);
    const othersToken = formsOf(other.html).find((f) => f.action === '/portal/email')!.hidden.csrf!;
    for (const token of [undefined, 'forged-token', othersToken]) {
      const r = await b.post('/portal/email', { key: alice.licenseKey, ...(token ? { csrf: token } : {}) });
      expect(r.res.status).toBe(403);
    }
    const cross = new PortalClient(s.url, '198.51.100.250');
    expect((await cross.post('/portal', { email: alice.email })).res.status).toBe(403);
    // Signed out: the cookie no longer works.
    const signOut = await b.submit(html, '/portal/sign-out');
    expect(signOut.res.status).toBe(303);
    const stale = new PortalClient(s.url);
    for (const [k, v] of other.b.cookies) stale.cookies.set(k, v);
    await other.b.submit(other.html, '/portal/sign-out');
    const after = await stale.get('/portal');
    expect(after.html).not.toContain(bob.licenseKey);
    expect(formsOf(after.html)[0]!.inputs).toContain('email');
  });

  it('rate-limits sign-in per address and per client IP, with Retry-After', async () => {
    const { email } = await buy('LIMIT1');
    const sameIp = new PortalClient(s.url, '203.0.113.7');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const { html } = await sameIp.get('/portal');
      statuses.push((await sameIp.submit(html, '/portal', { email: `someone-${i}@example.com` })).res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const statusesByEmail: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      const c = browser();
      const { html } = await c.get('/portal');
      last = (await c.submit(html, '/portal', { email })).res;
      statusesByEmail.push(last.status);
    }
    expect(statusesByEmail).toEqual([200, 200, 200, 200, 200, 200, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(60);
    await s.app.drain();
  });

  it('rate-limits the portal actions of one session', async () => {
    const { email } = await buy('LIMIT2');
    const { b, html } = await signIn(email);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await b.submit(html, '/portal/email')).res.status);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 303, 429]);
    await s.app.drain();
  });
});
