// migrate-format through the built binary: a ledger of DTLIC2 licenses (active, lifetime, revoked,
// expired, unverified legacy, already JWS) moves its active ones to JWS — dry run first, then one
// transaction, then nothing left to do — and --send mails each buyer the new blob.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newEventId } from '../src/ledger/events.js';
import { Ledger } from '../src/ledger/ledger.js';
import { generateLicenseKey } from '../src/license/license-key.js';
import { runCli, type CliResult, jsonErrorOf } from './helpers/cli.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { configDirOf, homeWithExamplePlugin, KEY_ENV, ledgerCounts, ledgerOf, pluginSource, setFormat } from './format-plugin-fixtures.js';

let smtp: SmtpInstance;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => smtp.close());

const env = () => ({ ...KEY_ENV, LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LICENSE_ADMIN_MAIL_FROM: 'shop@datatools.test' });
const cli = (home: string, args: string[], extra: Record<string, string> = {}) => runCli(args, { home, env: { ...env(), ...extra } });
async function ok(home: string, args: string[], extra: Record<string, string> = {}): Promise<any> {
  const r: CliResult = await cli(home, [...args, '--json'], extra);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.json();
}

function addUnverifiedLegacy(home: string): string {
  const licenseKey = generateLicenseKey('DT1', 'pro', (n) => randomBytes(n));
  const ledger = new Ledger(ledgerOf(home));
  try {
    const at = new Date();
    ledger.applyEvents([{
      id: newEventId(at, (n) => new Uint8Array(n).fill(7)), licenseKey, type: 'imported', at: at.toISOString(), actor: 'import', source: 'import',
      data: { product: 'datatools', name: 'Old Buyer', email: 'old@example.com', tier: 'pro', issuedAt: '2019-01-01T00:00:00.000Z', expiresAt: null, blob: 'DTLIC1:opaque-legacy-bytes', kid: null, format: 'legacy', verified: false },
    }]);
  } finally {
    ledger.close();
  }
  return licenseKey;
}

/** Everything the buyer's app sees in a license, without the signing details. */
const claimsOf = (v: any) => ({ ...v.license, kid: undefined });

describe('migrate-format --to jws', () => {
  test('dry run lists, the real run re-signs the active ones with the same claims, a second run is a no-op', async () => {
    const home = await homeWithExamplePlugin();
    const a = await ok(home, ['mint', '--tier', 'pro', '--email', 'ann@example.com', '--name', 'Ann', '--seats', '3', '--features', 'export,cloud', '--updates-until', '2031-01-01']);
    const b = await ok(home, ['mint', '--tier', 'lite', '--email', 'bob@example.com', '--lifetime']);
    const c = await ok(home, ['mint', '--tier', 'pro', '--email', 'cy@example.com']);
    await ok(home, ['revoke', c.licenseKey, '--reason', 'refund']);
    const d = await ok(home, ['mint', '--tier', 'pro', '--email', 'dee@example.com', '--years', '1'], { LICENSE_ADMIN_NOW: '2020-06-01T00:00:00Z' });
    setFormat(home, 'jws');
    const f = await ok(home, ['mint', '--tier', 'core', '--email', 'fay@example.com']);
    setFormat(home, './dtlic2-format.mjs');
    const legacy = addUnverifiedLegacy(home);
    const e = await ok(home, ['mint', '--tier', 'core', '--email', 'eve@example.com'], { LICENSE_ADMIN_NOW: new Date(Date.now() - 30 * 86_400_000).toISOString() });
    await ok(home, ['renew', e.licenseKey, '--years', '1']);
    const plugin = join(configDirOf(home), 'dtlic2-format.mjs');
    const verifyCurrent = async (key: string, format = plugin) => ok(home, ['verify', '--format', format, (await ok(home, ['show', key])).blob]);
    const beforeA = await verifyCurrent(a.licenseKey);
    const beforeE = await verifyCurrent(e.licenseKey);
    const start = ledgerCounts(home);

    const dry = await ok(home, ['migrate-format', '--to', 'jws', '--dry-run']);
    expect(dry).toMatchObject({ to: 'jws', dryRun: true, count: 3 });
    expect(dry.licenses.map((l: any) => [l.licenseKey, l.from, l.to]).sort()).toEqual([a, b, e].map((l) => [l.licenseKey, 'dtlic2', 'jws']).sort());
    expect(dry.skipped).toEqual([{ licenseKey: legacy, from: 'legacy', reason: expect.stringContaining('unverified legacy blob') }]);
    const human = await cli(home, ['migrate-format', '--to', 'jws', '--dry-run']);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain(`${a.licenseKey}  ann@example.com  pro  dtlic2 -> jws`);
    expect(human.stderr).toContain('3 active license(s) would be re-signed in the jws format (dry run: nothing was written)');
    expect(ledgerCounts(home)).toEqual(start);

    const run = await ok(home, ['migrate-format', '--to', 'jws']);
    expect(run).toMatchObject({ to: 'jws', dryRun: false, count: 3 });
    const after = ledgerCounts(home);
    expect(after.events).toBe(start.events + 3);
    expect(after.licenses).toBe(start.licenses);

    const newA = await ok(home, ['show', a.licenseKey]);
    expect(newA).toMatchObject({ format: 'jws', status: 'active', verified: true });
    expect(newA.blob).toMatch(/^eyJ/);
    const verifiedA = await verifyCurrent(a.licenseKey, 'jws');
    expect(claimsOf(verifiedA)).toEqual(claimsOf(beforeA));
    expect(verifiedA.license).toMatchObject({ seats: 3, features: ['export', 'cloud'], updatesUntil: '2031-01-01T00:00:00.000Z' });
    // A renewed license keeps the issue time and expiry of its renewal, not of the first mint.
    const verifiedE = await verifyCurrent(e.licenseKey, 'jws');
    expect(claimsOf(verifiedE)).toEqual(claimsOf(beforeE));
    expect(verifiedE.license.issuedAt).not.toBe(new Date(Math.floor(Date.parse(e.issuedAt) / 1000) * 1000).toISOString());
    expect(verifiedE.license.expiresAt).toBe(new Date(Math.floor(Date.parse((await ok(home, ['show', e.licenseKey])).expiresAt) / 1000) * 1000).toISOString());
    expect((await ok(home, ['show', b.licenseKey])).format).toBe('jws');
    expect((await ok(home, ['verify', '--format', 'jws', (await ok(home, ['show', b.licenseKey])).blob])).license.expiresAt).toBeNull();
    for (const untouched of [c.licenseKey, d.licenseKey]) expect((await ok(home, ['show', untouched])).format).toBe('dtlic2');
    expect((await ok(home, ['show', f.licenseKey])).blob).toBe(f.blob);
    expect((await ok(home, ['show', legacy])).blob).toBe('DTLIC1:opaque-legacy-bytes');

    const again = await ok(home, ['migrate-format', '--to', 'jws']);
    expect(again).toMatchObject({ count: 0, licenses: [] });
    expect(ledgerCounts(home)).toEqual(after);
  });

  test('all or nothing: a target format that fails on one license leaves every license as it was', async () => {
    const home = await homeWithExamplePlugin();
    for (const email of ['p1@example.com', 'p2@example.com']) await ok(home, ['mint', '--tier', 'pro', '--email', email]);
    await ok(home, ['mint', '--tier', 'lite', '--email', 'lite@example.com']);
    for (const email of ['p3@example.com', 'p4@example.com']) await ok(home, ['mint', '--tier', 'pro', '--email', email]);
    const target = join(configDirOf(home), 'dtlic3.mjs');
    writeFileSync(target, pluginSource(`name: 'dtlic3', encode(c, s) { if (c.tier === 'lite') throw new Error('DTLIC3 has no lite edition'); return example.encode(c, s); }`));
    const before = ledgerCounts(home);
    const r = await cli(home, ['migrate-format', '--to', target, '--json']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(jsonErrorOf(r).message);
    expect(r.stderr).toContain(`format plugin "${target}" failed in encode(): DTLIC3 has no lite edition; nothing was written`);
    expect(ledgerCounts(home)).toEqual(before);
  });

  test('--send mails every re-signed license its new blob, once', async () => {
    const home = await homeWithExamplePlugin();
    const keys = [];
    for (const email of ['m1@example.com', 'm2@example.com']) keys.push((await ok(home, ['mint', '--tier', 'pro', '--email', email])).licenseKey);
    const before = smtp.inbox.length;
    const run = await ok(home, ['migrate-format', '--to', 'jws', '--send']);
    expect(run.count).toBe(2);
    expect(run.mail.map((m: any) => [m.licenseKey, m.status, m.to]).sort()).toEqual([[keys[0], 'sent', 'm1@example.com'], [keys[1], 'sent', 'm2@example.com']].sort());
    const inbox = await smtp.waitFor(before + 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.inbox).toHaveLength(before + 2);
    for (const key of keys) {
      const blob = (await ok(home, ['show', key])).blob as string;
      const mail = inbox.slice(before).find((m) => m.text?.includes(key));
      expect(mail?.attachments[0]?.content.toString('utf8').trim()).toBe(blob);
    }
    const again = await ok(home, ['migrate-format', '--to', 'jws', '--send']);
    expect(again).toMatchObject({ count: 0, mail: [] });
  });
});
