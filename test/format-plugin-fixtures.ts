// Shared setup for the format plugin tests: a home with the example plugin configured, ledger counts,
// and plugins that misbehave in every way we promise to catch.
import Database from 'better-sqlite3';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT, runCli, tempHome } from './helpers/cli.js';

export const SEED_HEX = '5f1e9a7c3b2d4e6f80112233445566778899aabbccddeeff0011223344556677';
export const EXAMPLE_PLUGIN = join(REPO_ROOT, 'examples', 'dtlic2-format.mjs');
export const PYTHON_VERIFIER = join(REPO_ROOT, 'examples', 'verify_dtlic2.py');
export const KEY_ENV = { LICENSE_ADMIN_PRIVATE_KEY: SEED_HEX };

export function publicKeyHex(seedHex = SEED_HEX): string {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]);
  const x = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x as string;
  return Buffer.from(x, 'base64url').toString('hex');
}

export const configDirOf = (home: string) => join(home, '.license-admin');
export const ledgerOf = (home: string) => join(configDirOf(home), 'ledger.sqlite');

export function setFormat(home: string, format: string): void {
  const file = join(configDirOf(home), 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...config, format }, null, 2));
}

/** init --yes, then the example plugin copied next to config.json and configured by a relative path. */
export async function homeWithExamplePlugin(extraEnv: Record<string, string> = KEY_ENV, initArgs: string[] = [], input?: string): Promise<string> {
  const home = await tempHome();
  const init = await runCli(['init', '--yes', '--product', 'datatools', ...initArgs, '--json'], { home, env: extraEnv, ...(input !== undefined ? { input } : {}) });
  expect(init.exitCode, init.stderr).toBe(0);
  copyFileSync(EXAMPLE_PLUGIN, join(configDirOf(home), 'dtlic2-format.mjs'));
  setFormat(home, './dtlic2-format.mjs');
  return home;
}

export function ledgerCounts(home: string): { licenses: number; events: number; digest: string } {
  const db = new Database(ledgerOf(home), { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const digest = JSON.stringify(db.prepare('SELECT license_key, blob, format, expires_at FROM licenses ORDER BY license_key').all());
    return { licenses: count('licenses'), events: count('events'), digest };
  } finally {
    db.close();
  }
}

/** A plugin module that reuses the example for everything it does not override. */
export function pluginSource(body: string, header = ''): string {
  return `import example from ${JSON.stringify(EXAMPLE_PLUGIN)};\n${header}\nexport default { name: 'dtlic2', decode: (b) => example.decode(b), encode: (c, s) => example.encode(c, s), ${body} };\n`;
}

export interface BadPlugin {
  file: string;
  source: (configDir: string) => string;
  /** What the error must say besides naming the plugin. */
  says: RegExp;
}

export const BAD_PLUGINS: BadPlugin[] = [
  { file: 'throws.mjs', source: () => pluginSource(`encode() { throw new Error('legacy field "seat_count" is missing'); }`), says: /failed in encode\(\): legacy field "seat_count" is missing/ },
  { file: 'returns-number.mjs', source: () => pluginSource('encode() { return 42; }'), says: /encode\(\) returned a number, not a string blob/ },
  { file: 'returns-object.mjs', source: () => pluginSource(`encode(c, s) { return { blob: example.encode(c, s) }; }`), says: /encode\(\) returned an object, not a string blob/ },
  { file: 'returns-lines.mjs', source: () => pluginSource(`encode(c, s) { return example.encode(c, s) + '\\n'; }`), says: /line breaks or control characters/ },
  { file: 'changes-tier.mjs', source: () => pluginSource(`decode(b) { const d = example.decode(b); return { ...d, claims: { ...d.claims, tier: 'enterprise' } }; }`), says: /round trip.*claim "tier" came back as "enterprise" instead of "pro"/ },
  { file: 'decode-shape.mjs', source: () => pluginSource(`decode(b) { return { claims: example.decode(b).claims, signature: 'abc' }; }`), says: /round trip.*decode\(\) returned signedBytes as nothing, not a Uint8Array/ },
  { file: 'forged.mjs', source: () => pluginSource(`encode(c, s) { s.sign(new Uint8Array([1, 2, 3])); return example.encode(c, { kid: s.kid, sign: () => new Uint8Array(64) }); }`), says: /round trip.*signature in the blob is not one that sign\(\) returned/ },
  { file: 'signs-extra.mjs', source: () => pluginSource(`encode(c, s) { s.sign(new TextEncoder().encode('{"sub":"FREE-LICENSE"}')); return example.encode(c, s); }`), says: /round trip.*encode\(\) had sign\(\) sign bytes that are not the ones in the blob/ },
  { file: 'no-sign.mjs', source: () => pluginSource(`encode(c) { return example.encode(c, { kid: 'x', sign: () => new Uint8Array(64) }); }`), says: /round trip.*never called sign\(\)/ },
  { file: 'reads-env.mjs', source: () => pluginSource(`encode(c, s) { let k; try { k = process.env.LICENSE_ADMIN_PRIVATE_KEY; } catch {} return example.encode(c, s); }`), says: /tried to read LICENSE_ADMIN_PRIVATE_KEY from the environment/ },
  { file: 'reads-env-on-load.mjs', source: () => pluginSource('', 'const stolen = process.env.LICENSE_ADMIN_PRIVATE_KEY;'), says: /tried to read LICENSE_ADMIN_PRIVATE_KEY from the environment/ },
  { file: 'reads-key-file.mjs', source: (dir) => pluginSource(`encode(c, s) { try { for (const f of readdirSync(${JSON.stringify(join(dir, 'keys'))})) readFileSync(${JSON.stringify(join(dir, 'keys'))} + '/' + f); } catch {} return example.encode(c, s); }`, `import { readdirSync, readFileSync } from 'node:fs';`), says: /tried to open .*keys/ },
  { file: 'runs-secret-tool.mjs', source: () => pluginSource(`encode(c, s) { try { execFileSync('secret-tool', ['search', 'service', 'license-admin']); } catch {} return example.encode(c, s); }`, `import { execFileSync } from 'node:child_process';`), says: /tried to run a program \(secret-tool\)/ },
  { file: 'opens-keychain.mjs', source: () => pluginSource(`encode(c, s) { const { Entry } = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))})('@napi-rs/keyring'); return example.encode(c, s); }`, `import { createRequire } from 'node:module';`), says: /tried to load the native module .*keychain is off limits/ },
  { file: 'exits.mjs', source: () => pluginSource('encode() { process.exit(3); }'), says: /stopped: its worker thread exited/ },
  { file: 'syntax-error.mjs', source: () => 'export default { encode( {', says: /could not be loaded: .*SyntaxError|could not be loaded: .*Unexpected/ },
  { file: 'exports-nothing.mjs', source: () => 'export const hello = 1;', says: /could not be loaded: it exports no encode\(\) and decode\(\) functions/ },
];

/** Looks through the environment it gets (and chats on console.log): a plugin that finds no secret mints normally. */
export const ENV_SNOOPER = pluginSource(`encode(c, s) { console.log('snoop: looking around'); const found = Object.keys(process.env).filter((k) => /PRIVATE|PASSPHRASE|LICENSE_ADMIN/.test(k)); if (found.length) throw new Error('saw ' + found.join()); return example.encode(c, s); }`);
