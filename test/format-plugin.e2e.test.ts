// Format plugins end to end through the built binary: the example DTLIC2 plugin configured in config.json
// mints, renews and verifies; a Python app's dozen-line verifier accepts what we mint; plugins that
// misbehave are refused by name and leave the ledger untouched.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, TRANSCRIPT, jsonErrorOf } from './helpers/cli.js';
import { findPythonWithCryptography } from './helpers/python.js';
import { BAD_PLUGINS, configDirOf, ENV_SNOOPER, homeWithExamplePlugin, KEY_ENV, ledgerCounts, publicKeyHex, PYTHON_VERIFIER, SEED_HEX, setFormat } from './format-plugin-fixtures.js';

const execFileP = promisify(execFile);

async function python(blob: string): Promise<{ ok: boolean; out: string }> {
  const py = await findPythonWithCryptography();
  try {
    const { stdout } = await execFileP(py, [PYTHON_VERIFIER, publicKeyHex(), blob]);
    return { ok: true, out: stdout };
  } catch (error) {
    return { ok: false, out: String((error as { stderr?: string }).stderr) };
  }
}

/** Flips one character of the base64 payload (a different edition letter), keeping it valid base64. */
function tamper(blob: string): string {
  const [prefix, rest] = [blob.slice(0, 7), blob.slice(7)];
  const [payload, signature] = rest.split('.') as [string, string];
  const json = Buffer.from(payload, 'base64').toString('utf8').replace('"edition":"pro"', '"edition":"enterprise"');
  return `${prefix}${Buffer.from(json).toString('base64')}.${signature}`;
}

describe('the example DTLIC2 plugin, configured in config.json', () => {
  test('mint, renew and verify produce and accept DTLIC2 blobs; Python accepts them and rejects a tampered one', async () => {
    const home = await homeWithExamplePlugin();
    const minted = await runCli(['mint', '--tier', 'pro', '--email', 'jane@example.com', '--name', 'Jane Doe', '--seats', '3', '--json'], { home, env: KEY_ENV });
    expect(minted.exitCode, minted.stderr).toBe(0);
    const license = minted.json();
    expect(license).toMatchObject({ format: 'dtlic2', verified: true, tier: 'pro', email: 'jane@example.com' });
    expect(license.blob).toMatch(/^DTLIC2:[A-Za-z0-9+/]+={0,2}\.[A-Za-z0-9+/]+={0,2}$/);

    const py = await python(license.blob);
    expect(py.ok, py.out).toBe(true);
    expect(JSON.parse(py.out)).toMatchObject({ license_key: license.licenseKey, product: 'datatools', edition: 'pro', name: 'Jane Doe', seats: 3 });
    const forged = await python(tamper(license.blob));
    expect(forged.ok).toBe(false);
    expect(forged.out).toContain('InvalidSignature');

    const verified = await runCli(['verify', license.blob, '--json'], { home, env: KEY_ENV });
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(verified.json()).toMatchObject({ valid: true, license: { licenseKey: license.licenseKey, product: 'datatools', tier: 'pro', seats: 3 } });
    const rejected = await runCli(['verify', tamper(license.blob), '--json'], { home, env: KEY_ENV });
    expect(rejected.exitCode).toBe(1);
    expect(rejected.json()).toMatchObject({ valid: false, reason: 'bad-signature' });

    const renewed = await runCli(['renew', license.licenseKey, '--years', '2', '--json'], { home, env: KEY_ENV });
    expect(renewed.exitCode, renewed.stderr).toBe(0);
    expect(renewed.json()).toMatchObject({ format: 'dtlic2', licenseKey: license.licenseKey });
    expect(renewed.json().blob).not.toBe(license.blob);
    const pyRenewed = await python(renewed.json().blob);
    expect(pyRenewed.ok, pyRenewed.out).toBe(true);
    expect(JSON.parse(pyRenewed.out).expires_at).toBe(Math.floor(Date.parse(renewed.json().expiresAt) / 1000));
    const verifiedRenewal = await runCli(['verify', renewed.json().blob, '--json'], { home, env: KEY_ENV });
    expect(verifiedRenewal.json()).toMatchObject({ valid: true, license: { expiresAt: new Date(Math.floor(Date.parse(renewed.json().expiresAt) / 1000) * 1000).toISOString() } });

    // A JWS blob is not of the configured format: verify says so instead of guessing.
    const jws = await runCli(['verify', 'eyJhbGciOiJFZERTQSJ9.eyJ2IjoxfQ.c2ln', '--json'], { home, env: KEY_ENV });
    expect(jws.json()).toMatchObject({ valid: false, reason: 'malformed' });
    expect(jws.json().detail).toContain('not a dtlic2 blob: does not start with DTLIC2:');

    // The plugin's output goes nowhere near stdout, and the key appears nowhere.
    const transcript = readFileSync(TRANSCRIPT, 'utf8');
    expect(transcript).not.toContain(SEED_HEX);
  });

  test('a plugin sees no secret in its environment, so one that looks for them still mints; its console.log goes to stderr', async () => {
    const home = await homeWithExamplePlugin();
    writeFileSync(join(configDirOf(home), 'snoop.mjs'), ENV_SNOOPER);
    setFormat(home, './snoop.mjs');
    const minted = await runCli(['mint', '--tier', 'pro', '--email', 'a@example.com', '--json'], { home, env: { ...KEY_ENV, LICENSE_ADMIN_KEY_PASSPHRASE: 'not-for-plugins' } });
    expect(minted.exitCode, minted.stderr).toBe(0);
    expect(minted.json().format).toBe('dtlic2'); // stdout is still exactly one JSON document
    expect(minted.stderr).toContain('snoop: looking around');
  });
});

describe('misbehaving plugins are refused by name and nothing is written', () => {
  // The key in an encrypted file (imported from stdin), so there is a key file for a plugin to go after.
  const env = { LICENSE_ADMIN_KEY_PASSPHRASE: 'correct horse battery staple' };
  let home = '';
  let licenseKey = '';
  beforeAll(async () => {
    home = await homeWithExamplePlugin(env, ['--key-storage', 'file', '--import-key', '-'], SEED_HEX);
    expect(readdirSync(join(configDirOf(home), 'keys'))).toHaveLength(1);
    const first = await runCli(['mint', '--tier', 'pro', '--email', 'first@example.com', '--json'], { home, env });
    expect(first.exitCode, first.stderr).toBe(0);
    licenseKey = first.json().licenseKey;
  });

  test.each(BAD_PLUGINS.map((p) => [p.file, p] as const))('%s', async (file, plugin) => {
    writeFileSync(join(configDirOf(home), file), plugin.source(configDirOf(home)));
    setFormat(home, `./${file}`);
    const before = ledgerCounts(home);
    const mint = await runCli(['mint', '--tier', 'pro', '--email', 'jane@example.com', '--json'], { home, env });
    const renew = await runCli(['renew', licenseKey, '--json'], { home, env });
    for (const run of [mint, renew]) {
      expect(run.exitCode, run.stderr).toBe(1);
      expect(run.stderr).toContain(jsonErrorOf(run).message);
      expect(run.stderr).toContain(`format plugin "./${file}"`);
      expect(run.stderr).toMatch(plugin.says);
      expect(run.stderr).not.toContain(SEED_HEX);
      expect(run.stderr).not.toContain(env.LICENSE_ADMIN_KEY_PASSPHRASE);
      expect(run.stderr).not.toMatch(/\n\s+at /); // a user error, not a stack trace
    }
    expect(ledgerCounts(home)).toEqual(before);
  });
});
