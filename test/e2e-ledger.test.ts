// The everyday commands end to end: the built binary, a temp HOME, --json, a fixed clock.
import Database from 'better-sqlite3';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, tempHome } from './helpers/cli.js';

const SEED = '11'.repeat(32);
let home: string;
const NOW = '2026-11-25T12:00:00Z';
const env = (now = NOW) => ({ LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: now });
const cli = (args: string[], now?: string) => runCli(args, { home, env: env(now) });
const ledgerPath = () => join(home, '.license-admin', 'ledger.sqlite');

async function mint(args: string[], now?: string) {
  const r = await cli(['mint', ...args, '--json'], now);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.json();
}

beforeAll(async () => {
  home = await tempHome();
  const init = await runCli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--blob-tag', 'DTLIC3'], { home, env: env() });
  expect(init.exitCode, init.stderr).toBe(0);
});

describe('mint', () => {
  test('prints the scripting-contract fields and a blob that verifies', async () => {
    const m = await mint(['--tier', 'pro', '--email', 'Jane@Example.com', '--name', 'Jane Doe', '--note', 'comp copy']);
    expect(m).toMatchObject({ email: 'Jane@Example.com', tier: 'pro', status: 'active', revokedAt: null, expiresAt: '2027-11-25T12:00:00.000Z' });
    expect(m.licenseKey).toMatch(/^DT1-PRO-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{5}$/);
    expect(m.blob).toMatch(/^DTLIC3:/);
    const v = await cli(['verify', m.blob, '--json']);
    expect(v.exitCode).toBe(0);
    expect(v.json()).toMatchObject({ valid: true, license: { licenseKey: m.licenseKey, email: 'Jane@Example.com', tier: 'pro' } });
  });

  test.each([
    [['--tier', 'pro'], 2, /--email/],
    [['--email', 'a@b.co'], 2, /--tier/],
    [['--tier', 'gold', '--email', 'a@b.co'], 1, /unknown tier "gold"; the tiers are lite, core, pro, enterprise/],
    [['--tier', 'pro', '--email', 'not-an-email'], 1, /is not an email address/],
    [['--tier', 'pro', '--email', 'a@b.co', '--years', '1', '--lifetime'], 2, /only one of/],
    [['--tier', 'pro', '--email', 'a@b.co', '--expires', 'soon'], 2, /--expires expects a date/],
  ])('mint %j fails with exit %i and a clear message', async (args, code, message) => {
    const r = await cli(['mint', ...args]);
    expect(r.exitCode).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  test('lifetime, explicit expiry, seats, features; one order id gives one license', async () => {
    expect((await mint(['--tier', 'core', '--email', 'life@example.com', '--lifetime'])).expiresAt).toBeNull();
    expect((await mint(['--tier', 'core', '--email', 'date@example.com', '--expires', '2030-01-31'])).expiresAt).toBe('2030-01-31T00:00:00.000Z');
    const withOrder = await mint(['--tier', 'lite', '--email', 'order@example.com', '--order-id', 'GR-123', '--seats', '3', '--features', 'a,b']);
    const dup = await cli(['mint', '--tier', 'lite', '--email', 'order@example.com', '--order-id', 'GR-123']);
    expect(dup.exitCode).toBe(1);
    expect(dup.stderr).toContain(`order GR-123 already has license ${withOrder.licenseKey}`);
    const v = (await cli(['verify', withOrder.blob, '--json'])).json();
    expect(v.license).toMatchObject({ seats: 3, features: ['a', 'b'] });
    const renewed = (await cli(['renew', withOrder.licenseKey, '--json'])).json();
    expect((await cli(['verify', renewed.blob, '--json'])).json().license).toMatchObject({ seats: 3, features: ['a', 'b'] });
  });
});

describe('the lifecycle', () => {
  test('revoke, reinstate, renew, note, show with history', async () => {
    const m = await mint(['--tier', 'pro', '--email', 'cycle@example.com', '--name', 'Cy Cle']);
    const key = m.licenseKey as string;

    const typo = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    const bad = await cli(['revoke', typo]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/typo/);

    const revoked = await cli(['revoke', key.toLowerCase(), '--reason', 'refund', '--json']);
    expect(revoked.json()).toMatchObject({ licenseKey: key, status: 'revoked', revokeReason: 'refund', changed: true });
    expect((await cli(['revoke', key, '--json'])).json().changed).toBe(false);
    // The blob still verifies (it cannot know), but verify says what the ledger knows.
    const checked = (await cli(['verify', m.blob, '--json'])).json();
    expect(checked).toMatchObject({ valid: true, ledger: { status: 'revoked', revokeReason: 'refund' } });
    expect((await cli(['verify', m.blob])).stdout).toMatch(/Ledger\s+revoked since \d{4}-\d\d-\d\d \(refund\)/);
    const renewRevoked = await cli(['renew', key]);
    expect(renewRevoked.exitCode).toBe(1);
    expect(renewRevoked.stderr).toMatch(/is revoked; "license-admin reinstate/);
    expect((await cli(['reinstate', key, '--json'])).json()).toMatchObject({ status: 'active', revokedAt: null });

    // Renewing early extends from the current expiry, not from today.
    const renewed = (await cli(['renew', key, '--years', '2', '--json'], '2027-06-01T00:00:00Z')).json();
    expect(renewed.expiresAt).toBe('2029-11-25T12:00:00.000Z');
    expect(renewed.blob).not.toBe(m.blob);
    const v = (await cli(['verify', renewed.blob, '--json'], '2029-01-01T00:00:00Z')).json();
    expect(v).toMatchObject({ valid: true, license: { licenseKey: key, expiresAt: '2029-11-25T12:00:00.000Z' } });
    // Renewing after expiry extends from today.
    expect((await cli(['renew', key, '--json'], '2031-03-01T00:00:00Z')).json().expiresAt).toBe('2032-03-01T00:00:00.000Z');
    expect((await cli(['renew', key, '--until', '2040-01-01', '--json'])).json().expiresAt).toBe('2040-01-01T00:00:00.000Z');

    await cli(['note', key, 'asked for an invoice']);
    const shown = (await cli(['show', key, '--json'])).json();
    expect(shown.notes).toBe('asked for an invoice');
    expect(shown.events.map((e: { type: string }) => e.type)).toEqual(['minted', 'revoked', 'reinstated', 'renewed', 'renewed', 'renewed', 'note_added']);
    for (const e of shown.events) expect(e).toMatchObject({ id: expect.any(String), at: expect.any(String), actor: expect.stringMatching(/^cli:/), source: 'cli' });

    const human = await cli(['show', 'CYCLE@example.com']);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain(key);
    expect(human.stdout).toMatch(/note added/);
  });
});

describe('finding licenses', () => {
  test('search matches email, name, key and order id, any case, as substrings', async () => {
    const a = await mint(['--tier', 'pro', '--email', 'alice.smith@corp.example', '--name', 'Alice Smith', '--order-id', 'ORD-777']);
    for (const needle of ['ALICE', 'corp.exam', 'smith', 'ord-77', a.licenseKey.slice(8, 17).toLowerCase(), 'ce']) {
      const found = (await cli(['search', needle, '--json'])).json() as { licenseKey: string; status: string; revokedAt: null }[];
      expect(found.map((f) => f.licenseKey), needle).toContain(a.licenseKey);
      expect(found[0]).toHaveProperty('status');
      expect(found[0]).toHaveProperty('revokedAt');
    }
    expect((await cli(['search', 'nobody-has-this', '--json'])).json()).toEqual([]);
  });

  test('list filters by tier, status, expiry window and issue date; --csv is complete', async () => {
    const old = await mint(['--tier', 'enterprise', '--email', 'old@example.com', '--years', '1'], '2025-12-01T00:00:00Z');
    const expired = await mint(['--tier', 'enterprise', '--email', 'gone@example.com', '--years', '1'], '2024-01-01T00:00:00Z');
    const revoked = await mint(['--tier', 'enterprise', '--email', 'rev@example.com']);
    await cli(['revoke', revoked.licenseKey]);
    const keys = async (...args: string[]) => ((await cli(['list', '--tier', 'enterprise', ...args, '--json'])).json() as { licenseKey: string }[]).map((l) => l.licenseKey).sort();
    expect(await keys()).toEqual([old.licenseKey, expired.licenseKey, revoked.licenseKey].sort());
    expect(await keys('--active')).toEqual([old.licenseKey]);
    expect(await keys('--expired')).toEqual([expired.licenseKey]);
    expect(await keys('--revoked')).toEqual([revoked.licenseKey]);
    expect(await keys('--expiring-within', '30d')).toEqual([old.licenseKey]);
    expect(await keys('--issued-since', '2025-01-01')).toEqual([old.licenseKey, revoked.licenseKey].sort());
    const csv = (await cli(['list', '--csv'])).stdout.trim().split('\r\n');
    expect(csv[0]).toMatch(/^licenseKey,product,name,email,tier,status/);
    const all = (await cli(['list', '--json'])).json() as unknown[];
    expect(csv).toHaveLength(all.length + 1);
    const conflict = await cli(['list', '--active', '--revoked']);
    expect(conflict.exitCode).toBe(2);
  });

  test('stats counts by tier and status', async () => {
    const stats = (await cli(['stats', '--json'])).json();
    const all = (await cli(['list', '--json'])).json() as { status: string; tier: string }[];
    expect(stats.total).toBe(all.length);
    expect(stats.byStatus.revoked).toBe(all.filter((l) => l.status === 'revoked').length);
    expect(stats.byTier.enterprise.expired).toBe(all.filter((l) => l.tier === 'enterprise' && l.status === 'expired').length);
  });
});

describe('export, backup, forget', () => {
  test('export jsonl has the legacy log fields first and every license', async () => {
    const out = join(home, 'export.jsonl');
    const r = await cli(['export', '--format', 'jsonl', '-o', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const all = (await cli(['list', '--json'])).json() as { licenseKey: string; blob: string }[];
    expect(lines).toHaveLength(all.length);
    expect(Object.keys(lines[0]!).slice(0, 7)).toEqual(['license_key', 'name', 'email', 'tier', 'issued_at', 'expires_at', 'blob']);
    const byKey = new Map(lines.map((l) => [l.license_key, l]));
    for (const l of all) expect(byKey.get(l.licenseKey)?.blob).toBe(l.blob);
    const csv = await cli(['export', '--format', 'csv']);
    expect(csv.stdout.trim().split('\r\n')).toHaveLength(all.length + 1);
  });

  test('backup is a consistent, openable copy', async () => {
    const file = join(home, 'backup.sqlite');
    const r = await cli(['backup', file, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect((statSync(ledgerPath()).mode & 0o777).toString(8)).toBe('600');
    expect((copy.prepare('SELECT count(*) n FROM licenses').get() as { n: number }).n).toBe(r.json().licenses);
    copy.close();
    expect((await cli(['backup', file])).exitCode).toBe(1);
  });

  test('forget removes the person from licenses and history, after confirmation', async () => {
    const m = await mint(['--tier', 'pro', '--email', 'erase.me@example.com', '--name', 'Erase Me', '--note', 'lives in Berlin']);
    await mint(['--tier', 'lite', '--email', 'ERASE.ME@example.com']);
    const noYes = await cli(['forget', '--email', 'erase.me@example.com']);
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toMatch(/--yes/);
    const r = await cli(['forget', '--email', 'erase.me@example.com', '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().licenseKeys).toHaveLength(2);
    expect((await cli(['search', 'erase', '--json'])).json()).toEqual([]);
    const shown = (await cli(['show', m.licenseKey, '--json'])).json();
    expect(shown).toMatchObject({ email: '', name: '', blob: '', notes: null, forgotten: true });
    const db = new Database(ledgerPath(), { readonly: true });
    const dump = JSON.stringify(db.prepare('SELECT * FROM events').all()) + JSON.stringify(db.prepare('SELECT * FROM licenses').all());
    db.close();
    expect(dump).not.toMatch(/erase\.me|Erase Me|Berlin/i);
    // Not in the file's free space or the WAL either (secure_delete + a checkpoint after forget).
    for (const file of [ledgerPath(), `${ledgerPath()}-wal`]) {
      if (!existsSync(file)) continue;
      const raw = readFileSync(file).toString('latin1');
      expect(raw.includes('erase.me@example.com') || raw.includes('ERASE.ME@example.com') || raw.includes('lives in Berlin'), file).toBe(false);
    }
    expect((await cli(['forget', '--email', 'erase.me@example.com', '--yes'])).exitCode).toBe(1);

    // Export -> import keeps the forgotten license (keys and dates, no person) and the rest, losslessly.
    const exported = join(home, 'after-forget.jsonl');
    expect((await cli(['export', '-o', exported])).exitCode).toBe(0);
    const other = await tempHome();
    await runCli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--blob-tag', 'DTLIC3'], { home: other, env: env() });
    const imported = await runCli(['import', exported, '--json'], { home: other, env: env() });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.json().counts.invalid).toBe(0);
    expect((await runCli(['show', m.licenseKey, '--json'], { home: other, env: env() })).json()).toMatchObject({ forgotten: true, email: '', blob: '' });
    const reExported = join(other, 're-export.jsonl');
    await runCli(['export', '-o', reExported], { home: other, env: env() });
    const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n');
    expect(lines(reExported)).toEqual(lines(exported));
  });

  test('import refuses a tier the config does not know, naming the line', async () => {
    const file = join(home, 'odd-tier.jsonl');
    (await import('node:fs')).writeFileSync(file, `${JSON.stringify({ license_key: 'DT1-PRO-zz11-ww22', name: 'P', email: 'p@example.com', tier: 'platinum', issued_at: '2024-01-01', expires_at: null, blob: 'DTLIC2:abc.def' })}\n`);
    const r = await cli(['import', file, '--json']);
    expect(r.json().counts).toMatchObject({ new: 0, invalid: 1 });
    expect(JSON.stringify(r.json().invalid)).toMatch(/tier \\"platinum\\" is not one of the configured tiers/);
  });
});

describe('robustness', () => {
  test('a mint waits for another process holding a write transaction, then succeeds', async () => {
    const db = new Database(ledgerPath());
    db.exec("BEGIN IMMEDIATE; UPDATE licenses SET notes = notes WHERE 0;");
    const pending = cli(['mint', '--tier', 'pro', '--email', 'concurrent@example.com', '--json']);
    await new Promise((r) => setTimeout(r, 1500));
    db.exec('COMMIT');
    db.close();
    const r = await pending;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().email).toBe('concurrent@example.com');
  });

  test('commands without init, and usage errors, say what to do', async () => {
    const empty = await tempHome();
    for (const command of [['list'], ['search', 'jane'], ['stats']]) {
      const r = await runCli(command, { home: empty });
      expect(r.exitCode, command.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/no configuration at .*run "license-admin init" first/);
    }
    const typo = await runCli(['list', '--ledger', join(empty, 'typo.sqlite')], { home });
    expect(typo.exitCode).toBe(1);
    expect(typo.stderr).toMatch(/no ledger at .*typo\.sqlite/);
    expect(existsSync(join(empty, 'typo.sqlite'))).toBe(false);
    const notALedger = await runCli(['list', '--ledger', join(import.meta.dirname, '..', 'README.md')], { home });
    expect(notALedger.exitCode).toBe(1);
    expect(notALedger.stderr).toMatch(/not a license-admin ledger/);
    expect(notALedger.stderr).not.toMatch(/at .*\.js:\d+/);
    const badBackup = await cli(['backup', join(empty, 'no', 'such', 'dir', 'x.sqlite')]);
    expect(badBackup.exitCode).toBe(1);
    expect(badBackup.stderr).not.toMatch(/bug in license-admin/);
    const badExport = await cli(['export', '-o', join(empty, 'no', 'such', 'dir', 'x.jsonl')]);
    expect(badExport.exitCode).toBe(1);
    expect(badExport.stderr).toMatch(/^error: .*no such file or directory/m);
    const m = await runCli(['mint', '--tier', 'pro', '--email', 'a@b.co'], { home: empty, env: { LICENSE_ADMIN_PRIVATE_KEY: SEED } });
    expect(m.exitCode).toBe(1);
    expect(m.stderr).toMatch(/run "license-admin init" first/);
    const usage = await runCli(['mint', '--bogus'], { home: empty });
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toMatch(/unknown option/);
    const help = await runCli(['mint', '--help'], { home: empty });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/Example/);
    expect(existsSync(join(empty, '.license-admin', 'config.json'))).toBe(false);
  });
});
