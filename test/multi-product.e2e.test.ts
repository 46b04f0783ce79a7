// Several products in one ledger, through the built binary: `config product add`, `mint --product`, each
// product with its own prefix, tiers and (after `keys rotate --product`) its own key; verify, list, search and
// stats span them. A home made before there were several products keeps working as the first product.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { jsonErrorOf, REPO_ROOT, runCli, tempHome } from './helpers/cli.js';
import { initHome, LICENSE_SEED, newAdminIdentity, startServer } from './helpers/sync-server.js';

const env = { LICENSE_ADMIN_KEY_PASSPHRASE: 'a long passphrase for the key file' };
let home: string;
const cli = (args: string[]) => runCli(args, { home, env });
const json = async <T = any>(args: string[]) => {
  const r = await cli([...args, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.json<T>();
};

beforeAll(async () => {
  home = await tempHome();
  const init = await runCli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--tiers', 'core,pro', '--key-storage', 'file'], { home, env });
  expect(init.exitCode, init.stderr).toBe(0);
});

describe('two products', () => {
  let firstKid: string;
  let studioKid: string;

  test('config product add: a second product with its own prefix and tiers; clashes are refused', async () => {
    firstKid = (await json(['keys', 'show'])).kid;
    const added = await json(['config', 'product', 'add', 'studio', '--prefix', 'ST1', '--tiers', 'solo,team', '--name', 'Studio']);
    expect(added).toMatchObject({ product: { id: 'studio', prefix: 'ST1', tiers: ['solo', 'team'], name: 'Studio', format: 'jws' }, products: ['datatools', 'studio'] });
    const sameprefix = await cli(['config', 'product', 'add', 'other', '--prefix', 'DT1', '--tiers', 'x']);
    expect(sameprefix.exitCode).toBe(1);
    expect(sameprefix.stderr).toMatch(/products datatools and other have the same key prefix "DT1"/);
    const list = await json(['config', 'product', 'list']);
    expect(list.products.map((p: { id: string }) => p.id)).toEqual(['datatools', 'studio']);
    // The first product stays the top of config.json: an older license-admin still reads it.
    const config = JSON.parse(readFileSync(join(home, '.license-admin', 'config.json'), 'utf8'));
    expect(config).toMatchObject({ product: 'datatools', prefix: 'DT1', products: [{ id: 'studio', prefix: 'ST1' }] });
  });

  test('mint needs --product once there are several, names them, and uses that product\'s prefix and tiers', async () => {
    const none = await cli(['mint', '--tier', 'pro', '--email', 'both@example.com', '--json']);
    expect(none.exitCode).toBe(2);
    expect(jsonErrorOf(none).message).toMatch(/there are 2 products \(datatools, studio\); say which with --product/);
    const wrongTier = await cli(['mint', '--product', 'studio', '--tier', 'pro', '--email', 'both@example.com']);
    expect(wrongTier.exitCode).toBe(1);
    expect(wrongTier.stderr).toMatch(/unknown tier "pro"; the tiers are solo, team/);
    const data = await json(['mint', '--product', 'datatools', '--tier', 'pro', '--email', 'both@example.com']);
    const studio = await json(['mint', '--product', 'Studio', '--tier', 'team', '--email', 'both@example.com']);
    expect(data).toMatchObject({ product: 'datatools', tier: 'pro' });
    expect(data.licenseKey).toMatch(/^DT1-PRO-/);
    expect(studio).toMatchObject({ product: 'studio', tier: 'team' });
    expect(studio.licenseKey).toMatch(/^ST1-TEAM-/);
    for (const blob of [data.blob, studio.blob]) expect((await json(['verify', blob])).valid).toBe(true);
    const wrong = await cli(['verify', studio.blob, '--product', 'datatools', '--json']);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.json()).toMatchObject({ valid: false, reason: 'wrong-product' });
  });

  test('keys rotate --product gives one product its own key; the other keeps signing with its own', async () => {
    const rotated = await json(['keys', 'rotate', '--product', 'studio', '--key-storage', 'file']);
    studioKid = rotated.kid;
    expect(rotated).toMatchObject({ product: 'studio', active: true, previousKid: firstKid });
    expect(studioKid).not.toBe(firstKid);
    const studio = await json(['mint', '--product', 'studio', '--tier', 'solo', '--email', 'solo@example.com']);
    const data = await json(['mint', '--product', 'datatools', '--tier', 'core', '--email', 'core@example.com']);
    expect((await json(['verify', studio.blob])).license.kid).toBe(studioKid);
    expect((await json(['verify', data.blob])).license.kid).toBe(firstKid);
    expect((await json(['keys', 'show', '--product', 'studio'])).kid).toBe(studioKid);
    expect((await json(['keys', 'show'])).kid).toBe(firstKid);
    // Re-signing a license (renew, edit) uses its own product's key and tiers, not the first product's.
    const renewed = await json(['renew', studio.licenseKey, '--years', '2']);
    expect((await json(['verify', renewed.blob])).license).toMatchObject({ kid: studioKid, product: 'studio' });
    const edited = await json(['edit', studio.licenseKey, '--tier', 'team']);
    expect((await json(['verify', edited.blob])).license).toMatchObject({ kid: studioKid, product: 'studio', tier: 'team' });
  });

  test('list, search and stats span the products; list and stats filter by one', async () => {
    const studioOnly = await json<{ product: string }[]>(['list', '--product', 'studio']);
    expect(studioOnly.map((l) => l.product)).toEqual(['studio', 'studio']);
    const all = await json<{ product: string }[]>(['list']);
    expect(new Set(all.map((l) => l.product))).toEqual(new Set(['datatools', 'studio']));
    const buyer = await json<{ product: string; seats: unknown; features: unknown }[]>(['search', 'both@example.com']);
    expect(buyer.map((l) => l.product).sort()).toEqual(['datatools', 'studio']);
    const stats = await json(['stats']);
    expect(stats.byProduct).toEqual({ datatools: { active: 2, expired: 0, revoked: 0 }, studio: { active: 2, expired: 0, revoked: 0 } });
    expect((await json(['stats', '--product', 'studio'])).total).toBe(2);
    const text = await cli(['stats']);
    expect(text.stdout).toMatch(/Product[\s\S]*studio/);
    expect((await cli(['list', '--product', 'nosuch'])).exitCode).toBe(2);
  });

  test('search, export and import take --product; import into a ledger of several products needs it', async () => {
    const found = await json<{ product: string }[]>(['search', 'both@example.com', '--product', 'studio']);
    expect(found.map((l) => l.product)).toEqual(['studio']);
    const file = join(home, 'studio.jsonl');
    const exported = await cli(['export', '--product', 'studio', '--output', file]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { product: string; license_key: string });
    expect(lines.map((l) => l.product)).toEqual(['studio', 'studio']);
    const other = await tempHome();
    const o = (args: string[]) => runCli(args, { home: other, env });
    expect((await o(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--tiers', 'core,pro', '--key-storage', 'file'])).exitCode).toBe(0);
    expect((await o(['config', 'product', 'add', 'studio', '--prefix', 'ST1', '--tiers', 'solo,team'])).exitCode).toBe(0);
    const unsaid = await o(['import', file]);
    expect(unsaid.exitCode).toBe(2);
    expect(unsaid.stderr).toMatch(/say which with --product/);
    const imported = await o(['import', file, '--product', 'studio', '--json']);
    expect(imported.exitCode, imported.stderr).toBe(0);
    const there = (await o(['list', '--product', 'studio', '--json'])).json<{ licenseKey: string }[]>();
    expect(there.map((l) => l.licenseKey).sort()).toEqual(lines.map((l) => l.license_key).sort());
  });

  test('config tiers and product-map edit one product, named with --product', async () => {
    const unsaid = await cli(['config', 'tiers', 'add', 'agency']);
    expect(unsaid.exitCode).toBe(2);
    expect((await json(['config', 'tiers', 'add', 'agency', '--product', 'studio'])).tiers).toEqual(['solo', 'team', 'agency']);
    expect((await json(['config', 'tiers', 'list', '--product', 'datatools'])).tiers).toEqual(['core', 'pro']);
    const map = await json(['config', 'product-map', 'set', '--provider', 'gumroad', '--match', 'studio-app', '--tier', 'agency', '--product', 'studio']);
    expect(map.productMap).toEqual([{ provider: 'gumroad', match: 'studio-app', tier: 'agency' }]);
    expect((await json(['config', 'product-map', 'list', '--product', 'datatools'])).productMap).toEqual([]);
    const inUse = await cli(['config', 'tiers', 'remove', 'team', '--product', 'studio']);
    expect(inUse.exitCode).toBe(1);
    expect(inUse.stderr).toMatch(/2 license\(s\) in the ledger are team/);
  });

  test('migrate-format, which re-signs every license with one product\'s key, refuses a ledger of several products', async () => {
    const r = await cli(['migrate-format', '--to', 'jws', '--json']);
    expect(r.exitCode).toBe(1);
    expect(jsonErrorOf(r).message).toMatch(/this ledger has 2 products \(datatools, studio\); it works on a one-product ledger only for now/);
  });
});

describe('mint --product through a server that sells both', () => {
  test('the server mints the studio license (its prefix, tiers and product); the first product still mints as before', async () => {
    const admin = newAdminIdentity();
    const serverEnv = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED, LICENSE_ADMIN_ADMIN_KEYS: admin.publicKey };
    const serverHome = await initHome(serverEnv);
    expect((await runCli(['config', 'product', 'add', 'studio', '--prefix', 'ST1', '--tiers', 'solo,team'], { home: serverHome, env: serverEnv })).exitCode).toBe(0);
    const server = await startServer({ adminKeys: [admin.publicKey], home: serverHome });
    try {
      const cliEnv = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED, LICENSE_ADMIN_ADMIN_KEY: admin.seed };
      const here = await initHome(cliEnv);
      const c = (args: string[]) => runCli(args, { home: here, env: cliEnv });
      expect((await c(['config', 'product', 'add', 'studio', '--prefix', 'ST1', '--tiers', 'solo,team'])).exitCode).toBe(0);
      expect((await c(['remote', 'add', server.url])).exitCode).toBe(0);
      const st = await c(['mint', '--product', 'studio', '--tier', 'solo', '--email', 'remote@example.com', '--json']);
      expect(st.exitCode, st.stderr).toBe(0);
      expect(st.json()).toMatchObject({ mintedBy: 'remote', product: 'studio', tier: 'solo' });
      expect(st.json().licenseKey).toMatch(/^ST1-SOLO-/);
      const dt = await c(['mint', '--product', 'datatools', '--tier', 'pro', '--email', 'remote@example.com', '--json']);
      expect(dt.json()).toMatchObject({ mintedBy: 'remote', product: 'datatools' });
      const onServer = (await runCli(['list', '--product', 'studio', '--json'], { home: serverHome, env: serverEnv })).json<{ licenseKey: string }[]>();
      expect(onServer.map((l) => l.licenseKey)).toEqual([st.json().licenseKey]);
      // A mixed ledger syncs byte for byte: a local studio mint and a revoke go up, and both sides export the same.
      const local = await c(['mint', '--local', '--product', 'studio', '--tier', 'team', '--email', 'offline@example.com', '--json']);
      expect(local.exitCode, local.stderr).toBe(0);
      expect((await c(['revoke', dt.json().licenseKey, '--reason', 'refund'])).exitCode).toBe(0);
      const sync = await c(['sync', '--json']);
      expect(sync.exitCode, sync.stderr).toBe(0);
      const exported = async (home: string, env: Record<string, string>) => {
        const r = await runCli(['export'], { home, env });
        expect(r.exitCode, r.stderr).toBe(0);
        return r.stdout;
      };
      const mine = await exported(here, cliEnv);
      expect(mine.trim().split('\n')).toHaveLength(3);
      expect(mine).toContain('"product":"studio"');
      expect(await exported(serverHome, serverEnv)).toBe(mine);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('a second product with a plugin format', () => {
  test('each product mints in its own format, and verify reads both', async () => {
    const h = await tempHome();
    const keyEnv = { LICENSE_ADMIN_PRIVATE_KEY: '5f'.repeat(32) };
    const c = (args: string[]) => runCli(args, { home: h, env: keyEnv });
    expect((await c(['init', '--yes', '--product', 'webapp', '--prefix', 'WA1', '--tiers', 'basic,pro'])).exitCode).toBe(0);
    const plugin = join(REPO_ROOT, 'examples', 'dtlic2-format.mjs');
    const added = await c(['config', 'product', 'add', 'datatools', '--prefix', 'DT1', '--tiers', 'pro', '--format', plugin, '--json']);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.json().product.format).toBe(plugin);
    const viaPlugin = await c(['mint', '--product', 'datatools', '--tier', 'pro', '--email', 'p@example.com', '--json']);
    expect(viaPlugin.exitCode, viaPlugin.stderr).toBe(0);
    expect(viaPlugin.json()).toMatchObject({ product: 'datatools', format: 'dtlic2' });
    expect(viaPlugin.json().blob).toMatch(/^DTLIC2:/);
    const viaJws = await c(['mint', '--product', 'webapp', '--tier', 'basic', '--email', 'p@example.com', '--json']);
    expect(viaJws.json()).toMatchObject({ product: 'webapp', format: 'jws' });
    for (const [blob, product] of [[viaPlugin.json().blob, 'datatools'], [viaJws.json().blob, 'webapp']] as const) {
      const v = await c(['verify', blob, '--json']);
      expect(v.exitCode, v.stderr).toBe(0);
      expect(v.json()).toMatchObject({ valid: true, license: { product } });
    }
  });
});
