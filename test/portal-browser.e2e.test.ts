// The buyer's whole path in real Chromium against the built `serve` (SQLite): a sale arrives by webhook,
// the buyer asks for a link, the mail arrives at the test's SMTP server, the link and Continue sign in,
// the copied blob verifies, "Email it to me" delivers one mail, and a free renewal gives a blob that
// verifies with the new expiry. Screenshots at desktop and phone width go to .test-output/portal/, and
// axe-core runs in every page.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLicense, type PublicJwk } from '../src/verify/index.js';
import { REPO_ROOT } from './helpers/cli.js';
import { linksIn } from './helpers/portal-client.js';
import { setupPortalHome } from './helpers/portal-home.js';
import { gumroadPing, postGumroad, until } from './helpers/server-harness.js';
import { startServe, type ServeProcess } from './helpers/serve-process.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';

const AXE = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const SHOTS = join(REPO_ROOT, '.test-output', 'portal');
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const;

let smtp: SmtpInstance;
let serve: ServeProcess;
let browser: Browser;
let base: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  smtp = await startSmtp();
  const home = await setupPortalHome({ enabled: true, products: { dashtool: { renewal: 'free', renewWindowDays: 400 } } }, {}, smtp.port);
  serve = startServe(home);
  base = (await serve.ready).url;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await serve?.stop();
  await smtp?.close();
});

/** axe-core in the page: no serious or critical violations. */
async function accessible(page: Page, what: string): Promise<void> {
  // The portal's CSP forbids inline scripts (as it should): axe goes in through the debugging protocol.
  await page.evaluate(AXE);
  const result = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as { violations: { id: string; impact: string | null; nodes: unknown[] }[] };
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length} nodes)`);
  expect(bad, what).toEqual([]);
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SHOTS, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS.desktop);
}

describe('portal in Chromium', () => {
  it('webhook sale → link by mail → Continue → copy and verify → Email it to me → renew (free) → new expiry verifies', async () => {
    const email = 'buyer-browser1@example.com';
    expect((await postGumroad(base, gumroadPing('BROWSER1'))).status).toBe(200);
    await until(async () => smtp.inbox.some((m) => m.envelope.rcptTo.includes(email)), 20_000, 'the license mail of the sale');
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: PublicJwk[] };

    const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text())));
    // Every resource the pages load answers (the browser's own /favicon.ico guess aside).
    page.on('response', (r) => void (r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`)));
    page.on('pageerror', (e) => void errors.push(e.message));

    await page.goto(`${base}/portal`);
    await accessible(page, 'sign-in page');
    await shoot(page, '1-sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await accessible(page, 'link sent page');
    await shoot(page, '2-link-sent');

    const mail = await until(async () => smtp.inbox.find((m) => m.envelope.rcptTo.includes(email) && m.subject?.startsWith('Sign in')), 20_000, 'sign-in mail');
    const links = linksIn(mail);
    expect(links.text).toHaveLength(1);
    expect(links.text[0]!.startsWith(`${base}/portal/continue?token=`)).toBe(true);
    await page.goto(links.text[0]!);
    await accessible(page, 'continue page');
    await shoot(page, '3-continue');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Your licenses' }).waitFor();
    await accessible(page, 'licenses page');
    await shoot(page, '4-licenses');

    // Copy: the button appears (our own script file; no inline script) and puts the blob on the clipboard.
    await page.getByRole('button', { name: 'Copy license' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const first = await verifyLicense(copied, { keys: jwks, product: 'dashtool' });
    expect(first.valid).toBe(true);
    const firstExpiry = first.valid ? first.license.expiresAt!.getTime() : 0;

    const before = smtp.inbox.filter((m) => m.envelope.rcptTo.includes(email)).length;
    await page.getByRole('button', { name: 'Email it to me' }).click();
    await page.getByText('We have emailed your licenses to you.').waitFor();
    await until(async () => smtp.inbox.filter((m) => m.envelope.rcptTo.includes(email)).length === before + 1, 20_000, 'the re-sent license');
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.inbox.filter((m) => m.envelope.rcptTo.includes(email))).toHaveLength(before + 1);

    await page.getByRole('button', { name: 'Renew' }).click();
    await page.getByText('Your license has been renewed').waitFor();
    await accessible(page, 'licenses page after renewal');
    await shoot(page, '5-renewed');
    const renewedBlob = await page.locator('textarea.blob').inputValue();
    const renewed = await verifyLicense(renewedBlob, { keys: jwks, product: 'dashtool' });
    expect(renewed.valid).toBe(true);
    expect(renewed.valid && renewed.license.expiresAt!.getTime() - firstExpiry).toBeGreaterThan(364 * 86_400_000);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Send me a sign-in link' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
