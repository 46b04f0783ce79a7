// Signing keys end to end through the built binary, with the real OS keychain (gnome-keyring under
// dbus-run-session in CI; see scripts/test.sh). No fake keychain stands in for it.
import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempHome } from './helpers/cli.js';

const { Entry } = createRequire(import.meta.url)('@napi-rs/keyring') as typeof import('@napi-rs/keyring');
const SEED = 'a3f1c2d4e5b6a7980112233445566778899aabbccddeeff00112233445566778';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
}

describe('keys in the OS keychain', () => {
  test('init, show, mint, verify, rotate, backup and restore', async () => {
    const home = await tempHome();
    const init = await runCli(['init', '--yes', '--product', 'datatools', '--blob-tag', 'DTLIC3', '--json'], { home });
    expect(init.exitCode, init.stderr).toBe(0);
    const kid1 = init.json().kid as string;

    // The private half is in the keychain, and nowhere under the home directory.
    const stored = new Entry('license-admin', `signing-key:${kid1}`).getPassword();
    expect(stored).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const seedHex = Buffer.from(stored!, 'base64').toString('hex');
    for (const file of filesUnder(home)) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(stored!)), file).toBe(false);
      expect(bytes.includes(Buffer.from(seedHex)), file).toBe(false);
      expect(bytes.includes(Buffer.from(stored!, 'base64')), file).toBe(false);
    }

    const show = await runCli(['keys', 'show', '--json'], { home });
    expect(show.exitCode).toBe(0);
    expect(show.json()).toMatchObject({ kid: kid1, jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', kid: kid1 }] } });
    const human = await runCli(['keys', 'show'], { home });
    expect(human.stdout).toContain('BEGIN PUBLIC KEY');
    expect(human.stdout).toContain("from 'license-admin/verify'");
    expect(human.stdout).toContain('bytes.fromhex(');

    const minted = await runCli(['mint', '--tier', 'pro', '--email', 'jane@example.com', '--json'], { home });
    expect(minted.exitCode, minted.stderr).toBe(0);
    const blob1 = minted.json().blob as string;
    expect(minted.json().kid).toBe(kid1);

    const rotate = await runCli(['keys', 'rotate', '--json'], { home });
    expect(rotate.exitCode, rotate.stderr).toBe(0);
    const kid2 = rotate.json().kid as string;
    expect(kid2).not.toBe(kid1);
    expect(rotate.json().previousKid).toBe(kid1);

    const minted2 = await runCli(['mint', '--tier', 'lite', '--email', 'bob@example.com', '--json'], { home });
    expect(minted2.json().kid).toBe(kid2);
    for (const blob of [blob1, minted2.json().blob as string]) {
      const verified = await runCli(['verify', blob, '--json'], { home });
      expect(verified.exitCode, verified.stdout).toBe(0);
      expect(verified.json()).toMatchObject({ valid: true, license: { product: 'datatools' } });
    }
    const shown = (await runCli(['keys', 'show', '--json'], { home })).json();
    expect(shown.kid).toBe(kid2);
    expect(shown.jwks.keys.map((k: { kid: string }) => k.kid).sort()).toEqual([kid1, kid2].sort());

    const backupFile = join(home, 'escrow.lakeys');
    const noPass = await runCli(['keys', 'backup', backupFile], { home });
    expect(noPass.exitCode).toBe(1);
    expect(noPass.stderr).toContain('LICENSE_ADMIN_BACKUP_PASSPHRASE');
    const backup = await runCli(['keys', 'backup', backupFile], { home, env: { LICENSE_ADMIN_BACKUP_PASSPHRASE: 'correct horse battery' } });
    expect(backup.exitCode, backup.stderr).toBe(0);
    expect((statSync(backupFile).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(backupFile, 'utf8')).not.toContain(seedHex);

    // Restore into a fresh machine (another home, the same keychain service but new entries are written).
    for (const kid of [kid1, kid2]) new Entry('license-admin', `signing-key:${kid}`).deletePassword();
    const lost = await runCli(['mint', '--tier', 'pro', '--email', 'x@example.com'], { home });
    expect(lost.exitCode).toBe(1);
    expect(lost.stderr).toMatch(/keychain has no private key/);
    const wrong = await runCli(['keys', 'import', backupFile], { home, env: { LICENSE_ADMIN_BACKUP_PASSPHRASE: 'not-the-backup-passphrase' } });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    const restore = await runCli(['keys', 'import', backupFile, '--json'], { home, env: { LICENSE_ADMIN_BACKUP_PASSPHRASE: 'correct horse battery' } });
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.json().restored).toEqual(expect.arrayContaining([{ kid: kid1, active: false }, { kid: kid2, active: true }]));
    const again = await runCli(['mint', '--tier', 'pro', '--email', 'x@example.com', '--json'], { home });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json().kid).toBe(kid2);
    for (const kid of [kid1, kid2]) new Entry('license-admin', `signing-key:${kid}`).deletePassword();
  });

  test('importing the legacy env var key shows the public key and never prints the private key', async () => {
    const home = await tempHome();
    await runCli(['init', '--yes', '--product', 'datatools'], { home, env: { LICENSE_ADMIN_PRIVATE_KEY: SEED } });
    const imported = await runCli(['keys', 'import', '--from-env', 'DATATOOLS_LICENSE_PRIVKEY', '--json'], { home, env: { DATATOOLS_LICENSE_PRIVKEY: SEED } });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const { kid, publicKeyHex } = imported.json();
    expect(publicKeyHex).toMatch(/^[0-9a-f]{64}$/);
    expect(imported.stdout + imported.stderr).not.toContain(SEED);
    expect(new Entry('license-admin', `signing-key:${kid}`).getPassword()).toBe(Buffer.from(SEED, 'hex').toString('base64'));

    // The same key as a PKCS#8 PEM (what Python's cryptography writes) has the same kid.
    const { privateKey } = generateKeyPairSync('ed25519');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const pemHome = await tempHome();
    const pemFile = join(pemHome, 'key.pem');
    (await import('node:fs')).writeFileSync(pemFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await runCli(['init', '--yes'], { home: pemHome, env: { LICENSE_ADMIN_PRIVATE_KEY: SEED } });
    const fromPem = (await runCli(['keys', 'import', pemFile, '--json'], { home: pemHome })).json();
    const fromSeed = (await runCli(['keys', 'import', '-', '--json'], { home: pemHome, input: der.subarray(der.length - 32).toString('hex') })).json();
    expect(fromPem.kid).toBe(fromSeed.kid);
    for (const k of [kid, fromPem.kid]) new Entry('license-admin', `signing-key:${k}`).deletePassword();
  });
});

describe('keys without a keychain', () => {
  test('an encrypted key file needs its passphrase and holds no plaintext seed', async () => {
    const home = await tempHome();
    const env = { LICENSE_ADMIN_KEY_PASSPHRASE: 'a long passphrase' };
    const init = await runCli(['init', '--yes', '--key-storage', 'file', '--json'], { home, env });
    expect(init.exitCode, init.stderr).toBe(0);
    const minted = await runCli(['mint', '--tier', 'pro', '--email', 'a@example.com', '--json'], { home, env });
    expect(minted.exitCode, minted.stderr).toBe(0);
    const noPass = await runCli(['mint', '--tier', 'pro', '--email', 'a@example.com'], { home });
    expect(noPass.exitCode).toBe(1);
    expect(noPass.stderr).toContain('LICENSE_ADMIN_KEY_PASSPHRASE');
    const wrong = await runCli(['mint', '--tier', 'pro', '--email', 'a@example.com'], { home, env: { LICENSE_ADMIN_KEY_PASSPHRASE: 'not the passphrase' } });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
  });

  test('rotate --prepare keeps signing with the old key until keys activate', async () => {
    const home = await tempHome();
    const env = { LICENSE_ADMIN_KEY_PASSPHRASE: 'a long passphrase' };
    const kid1 = (await runCli(['init', '--yes', '--key-storage', 'file', '--json'], { home, env })).json().kid as string;
    const prepared = await runCli(['keys', 'rotate', '--prepare', '--json'], { home, env });
    expect(prepared.exitCode, prepared.stderr).toBe(0);
    const kid2 = prepared.json().kid as string;
    expect(prepared.json()).toMatchObject({ active: false, previousKid: kid1 });
    const mintKid = async () => (await runCli(['mint', '--tier', 'pro', '--email', 'r@example.com', '--json'], { home, env })).json().kid;
    expect(await mintKid()).toBe(kid1);
    expect((await runCli(['keys', 'show', '--json'], { home, env })).json().jwks.keys).toHaveLength(2);
    expect((await runCli(['keys', 'activate', '--', kid2], { home, env })).exitCode).toBe(0);
    expect(await mintKid()).toBe(kid2);
    const unknown = await runCli(['keys', 'activate', 'nope'], { home, env });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/no key nope/);
  });

  test('LICENSE_ADMIN_PRIVATE_KEY that is not a registered key gets a warning', async () => {
    const home = await tempHome();
    const env = { LICENSE_ADMIN_KEY_PASSPHRASE: 'a long passphrase' };
    expect((await runCli(['init', '--yes', '--key-storage', 'file'], { home, env })).exitCode).toBe(0);
    const stray = await runCli(['mint', '--tier', 'pro', '--email', 's@example.com', '--json'], { home, env: { ...env, LICENSE_ADMIN_PRIVATE_KEY: SEED } });
    expect(stray.exitCode).toBe(0);
    expect(stray.stderr).toMatch(/LICENSE_ADMIN_PRIVATE_KEY holds key .* which is not among your keys/);
    const registered = await runCli(['mint', '--tier', 'pro', '--email', 's@example.com'], { home, env });
    expect(registered.stderr).not.toMatch(/not among your keys/);
  });

  test('a plaintext key file only on request, mode 0600, with a warning', async () => {
    const home = await tempHome();
    const init = await runCli(['init', '--yes', '--key-storage', 'plaintext-file', '--json'], { home });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/UNENCRYPTED/);
    const keyFiles = filesUnder(join(home, '.license-admin', 'keys'));
    expect(keyFiles).toHaveLength(1);
    expect((statSync(keyFiles[0]!).mode & 0o777).toString(8)).toBe('600');
  });

  test('LICENSE_ADMIN_PRIVATE_KEY signs without touching the keychain or writing a key', async () => {
    const home = await tempHome();
    const env = { LICENSE_ADMIN_PRIVATE_KEY: SEED, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };
    expect((await runCli(['init', '--yes'], { home, env })).exitCode).toBe(0);
    const minted = await runCli(['mint', '--tier', 'pro', '--email', 'a@example.com', '--json'], { home, env });
    expect(minted.exitCode, minted.stderr).toBe(0);
    const verified = await runCli(['verify', minted.json().blob, '--json'], { home, env });
    expect(verified.json().valid).toBe(true);
    const bad = await runCli(['mint', '--tier', 'pro', '--email', 'a@example.com'], { home, env: { ...env, LICENSE_ADMIN_PRIVATE_KEY: 'nonsense' } });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/LICENSE_ADMIN_PRIVATE_KEY is set but unusable/);
    expect(bad.stderr).not.toContain('nonsense');
  });
});
