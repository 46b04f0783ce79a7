// Edits a creator needs, through the built binary: edit (email, name, tier), renew --lifetime, the
// unverified-blob guard, legacy formats shown as they are, and config tiers / product-map.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempHome } from './helpers/cli.js';

const SEED = '6b'.repeat(32);
const env = { LICENSE_ADMIN_PRIVATE_KEY: SEED };

async function home(): Promise<string> {
  const h = await tempHome();
  const r = await runCli(['init', '--yes', '--product', 'edits', '--tiers', 'core,pro,team'], { home: h, env });
  expect(r.exitCode, r.stderr).toBe(0);
  return h;
}

const cli = (h: string, args: string[], extra: Record<string, string> = {}) => runCli(args, { home: h, env: { ...env, ...extra } });

async function mint(h: string, args: string[] = []) {
  const r = await cli(h, ['mint', '--tier', 'core', '--email', 'old@example.com', '--name', 'Old Name', '--seats', '3', '--features', 'export', '--json', ...args]);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.json<{ licenseKey: string; blob: string; expiresAt: string | null }>();
}

describe('edit', () => {
  test('changes email, name and tier: same key, a re-signed blob with the new claims and the old seats/features, history kept', async () => {
    const h = await home();
    const minted = await mint(h);
    const r = await cli(h, ['edit', minted.licenseKey, '--email', 'New@Example.com', '--name', 'New Name', '--tier', 'PRO', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const edited = r.json();
    expect(edited).toMatchObject({ licenseKey: minted.licenseKey, email: 'New@Example.com', name: 'New Name', tier: 'pro', changed: true, expiresAt: minted.expiresAt });
    expect(edited.blob).not.toBe(minted.blob);
    const verified = (await cli(h, ['verify', edited.blob, '--json'])).json();
    expect(verified).toMatchObject({ valid: true, license: { email: 'New@Example.com', name: 'New Name', tier: 'pro', seats: 3, features: ['export'] } });
    const shown = (await cli(h, ['show', minted.licenseKey, '--json'])).json();
    const change = shown.events.find((e: { type: string }) => e.type === 'changed');
    expect(change.data).toMatchObject({ email: 'New@Example.com', fromEmail: 'old@example.com', name: 'New Name', fromName: 'Old Name', tier: 'pro', fromTier: 'core' });
    expect((await cli(h, ['search', 'new@example', '--json'])).json()).toHaveLength(1);
    expect((await cli(h, ['search', 'old@example', '--json'])).json()).toHaveLength(0);
  });

  test('nothing to change, a bad email or tier, a revoked license: clear refusals that change nothing', async () => {
    const h = await home();
    const { licenseKey, blob } = await mint(h);
    const same = await cli(h, ['edit', licenseKey, '--email', 'old@example.com', '--json']);
    expect(same.exitCode).toBe(0);
    expect(same.json()).toMatchObject({ changed: false, blob });
    expect((await cli(h, ['edit', licenseKey])).exitCode).toBe(2);
    const badTier = await cli(h, ['edit', licenseKey, '--tier', 'gold']);
    expect(badTier.exitCode).toBe(2);
    expect(badTier.stderr).toMatch(/unknown tier "gold"; the tiers are core, pro, team/);
    expect((await cli(h, ['edit', licenseKey, '--email', 'not-an-email'])).exitCode).toBe(2);
    await cli(h, ['revoke', licenseKey]);
    const revoked = await cli(h, ['edit', licenseKey, '--name', 'X']);
    expect(revoked.exitCode).toBe(1);
    expect(revoked.stderr).toMatch(/is revoked; "license-admin reinstate/);
    const events = (await cli(h, ['show', licenseKey, '--json'])).json().events;
    expect(events.filter((e: { type: string }) => e.type === 'changed')).toHaveLength(0);
  });

  test('forget scrubs the old email and name kept in a change', async () => {
    const h = await home();
    const { licenseKey } = await mint(h);
    expect((await cli(h, ['edit', licenseKey, '--email', 'second@example.com'])).exitCode).toBe(0);
    expect((await cli(h, ['forget', '--email', 'second@example.com', '--yes'])).exitCode).toBe(0);
    const shown = await cli(h, ['show', licenseKey, '--json']);
    expect(shown.stdout).not.toContain('old@example.com');
    expect(shown.stdout).not.toContain('Old Name');
    expect(shown.stdout).not.toContain('second@example.com');
  });

  test('forget by the email a license had before an edit finds it and erases both addresses', async () => {
    const h = await home();
    const { licenseKey } = await mint(h);
    expect((await cli(h, ['edit', licenseKey, '--email', 'second@example.com'])).exitCode).toBe(0);
    const forgot = await cli(h, ['forget', '--email', 'OLD@example.com', '--yes', '--json']);
    expect(forgot.exitCode, forgot.stderr).toBe(0);
    expect(forgot.json()).toMatchObject({ licenseKeys: [licenseKey] });
    const shown = await cli(h, ['show', licenseKey, '--json']);
    expect(shown.stdout).not.toContain('old@example.com');
    expect(shown.stdout).not.toContain('second@example.com');
    const again = await cli(h, ['forget', '--email', 'old@example.com', '--yes', '--json']);
    expect(again.exitCode).toBe(1);
  });
});

describe('renew', () => {
  test('--lifetime makes it a lifetime license: no expiry in the ledger or the blob; again is a no-op', async () => {
    const h = await home();
    const { licenseKey } = await mint(h);
    const r = await cli(h, ['renew', licenseKey, '--lifetime', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ expiresAt: null, changed: true });
    const verified = (await cli(h, ['verify', r.json().blob, '--json'])).json();
    expect(verified.valid).toBe(true);
    expect(verified.license.expiresAt ?? null).toBeNull();
    expect(verified.license).toMatchObject({ seats: 3, features: ['export'] });
    const again = await cli(h, ['renew', licenseKey, '--lifetime', '--json']);
    expect(again.json()).toMatchObject({ changed: false });
    expect((await cli(h, ['renew', licenseKey, '--lifetime', '--years', '2'])).exitCode).toBe(2);
  });
});

describe('imported blobs that cannot be verified', () => {
  async function withLegacy() {
    const h = await home();
    const log = join(h, 'issued.jsonl');
    writeFileSync(log, [
      JSON.stringify({ license_key: 'DT1-PRO-ab12-cd34', name: 'Legacy Buyer', email: 'legacy@example.com', tier: 'pro', issued_at: '2026-01-01', expires_at: '2027-06-01', blob: 'DTLIC2:bm90LWEtcmVhbC1ibG9i.c2ln' }),
      '',
    ].join('\n'));
    const imported = await cli(h, ['import', log, '--json']);
    expect(imported.exitCode, imported.stderr).toBe(0);
    return h;
  }

  test('are listed with the format they really have, not as jws', async () => {
    const h = await withLegacy();
    const [license] = (await cli(h, ['list', '--json'])).json();
    expect(license).toMatchObject({ licenseKey: 'DT1-PRO-ab12-cd34', verified: false, format: 'legacy:DTLIC2' });
  });

  test('renew and edit refuse to sign them unless --accept-unverified', async () => {
    const h = await withLegacy();
    for (const args of [['renew', 'DT1-PRO-ab12-cd34'], ['edit', 'DT1-PRO-ab12-cd34', '--name', 'Checked Buyer']]) {
      const r = await cli(h, args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/could not be verified.*--accept-unverified/);
    }
    const [before] = (await cli(h, ['list', '--json'])).json();
    expect(before.blob).toBe('DTLIC2:bm90LWEtcmVhbC1ibG9i.c2ln');
    const ok = await cli(h, ['renew', 'DT1-PRO-ab12-cd34', '--accept-unverified', '--json']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ verified: true, format: 'jws' });
    expect((await cli(h, ['verify', ok.json().blob, '--json'])).json().valid).toBe(true);
  });
});

describe('config tiers and product-map', () => {
  test('tiers: add, list, remove; removing one in use is refused', async () => {
    const h = await home();
    const add = await cli(h, ['config', 'tiers', 'add', 'Studio', '--json']);
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.json().tiers).toEqual(['core', 'pro', 'team', 'studio']);
    expect((await cli(h, ['config', 'tiers', 'add', 'pro'])).stderr).toMatch(/already configured/);
    expect((await cli(h, ['config', 'tiers', 'add', 'no spaces'])).exitCode).toBe(2);
    expect((await cli(h, ['mint', '--tier', 'studio', '--email', 's@example.com'])).exitCode).toBe(0);
    const inUse = await cli(h, ['config', 'tiers', 'remove', 'studio']);
    expect(inUse.exitCode).toBe(1);
    expect(inUse.stderr).toMatch(/1 license\(s\) in the ledger are studio/);
    expect((await cli(h, ['config', 'tiers', 'remove', 'team', '--json'])).json().tiers).toEqual(['core', 'pro', 'studio']);
    expect((await cli(h, ['config', 'tiers', '--json'])).json().tiers).toEqual(['core', 'pro', 'studio']);
  });

  test('product-map: set (specific entries before a catch-all), replace, list, remove', async () => {
    const h = await home();
    expect((await cli(h, ['config', 'product-map', 'set', '--provider', 'gumroad', '--match', '*', '--tier', 'core'])).exitCode).toBe(0);
    const set = await cli(h, ['config', 'product-map', 'set', '--provider', 'gumroad', '--match', 'dtools', '--variant', 'Pro', '--tier', 'pro', '--years', 'lifetime', '--json']);
    expect(set.exitCode, set.stderr).toBe(0);
    expect(set.json()).toMatchObject({ replaced: false, productMap: [{ match: 'dtools', variant: 'Pro', tier: 'pro', years: 'lifetime' }, { match: '*', tier: 'core' }] });
    const replaced = await cli(h, ['config', 'product-map', 'set', '--provider', 'gumroad', '--match', 'DTOOLS', '--variant', 'pro', '--tier', 'team', '--json']);
    expect(replaced.json()).toMatchObject({ replaced: true, productMap: [{ tier: 'team' }, { match: '*' }] });
    expect((await cli(h, ['config', 'product-map', 'set', '--provider', 'gumroad', '--match', 'x', '--tier', 'gold'])).stderr).toMatch(/tier "gold" is not configured/);
    expect((await cli(h, ['config', 'product-map', 'set', '--provider', 'paypal', '--match', 'x', '--tier', 'pro'])).exitCode).toBe(2);
    const list = await cli(h, ['config', 'product-map', 'list']);
    expect(list.stdout).toMatch(/DTOOLS/);
    expect((await cli(h, ['config', 'tiers', 'remove', 'team'])).stderr).toMatch(/product-map entries #1 sell team/);
    const removed = await cli(h, ['config', 'product-map', 'remove', '--provider', 'gumroad', '--match', 'dtools', '--variant', 'Pro', '--json']);
    expect(removed.json().productMap).toEqual([{ provider: 'gumroad', match: '*', tier: 'core' }]);
    expect((await cli(h, ['config', 'product-map', 'remove', '--provider', 'gumroad', '--match', 'dtools'])).exitCode).toBe(1);
  });
});
