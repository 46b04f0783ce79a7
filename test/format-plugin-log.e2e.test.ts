// `verify --format <plugin> issued.jsonl`: a creator checks their plugin against the log their old
// minting script wrote. 10,000 DTLIC2 blobs, one tampered: exactly that one is reported, by line and key.
import { createPrivateKey, sign } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli, tempHome } from './helpers/cli.js';
import { EXAMPLE_PLUGIN, publicKeyHex, SEED_HEX } from './format-plugin-fixtures.js';

type Encode = (claims: Record<string, unknown>, signer: { kid: string; sign(b: Uint8Array): Uint8Array }) => string;

const COUNT = 10_000;
const TAMPERED_LINE = 7_342;

async function writeLog(file: string): Promise<string> {
  const { encode } = ((await import(EXAMPLE_PLUGIN)) as { default: { encode: Encode } }).default;
  const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(SEED_HEX, 'hex')]), format: 'der', type: 'pkcs8' });
  const signer = { kid: 'legacy', sign: (bytes: Uint8Array) => sign(null, bytes, key) };
  const lines: string[] = [];
  let tamperedKey = '';
  for (let i = 1; i <= COUNT; i++) {
    const licenseKey = `DT1-PRO-${String(i).padStart(4, '0')}-AAAA-BBBB-CCCCC`;
    const iat = 1_700_000_000 + i * 60;
    let blob = encode({ v: 1, iss: 'datatools', sub: licenseKey, name: `Buyer ${i}`, email: `buyer${i}@example.com`, tier: 'pro', iat, exp: iat + 20 * 365 * 86_400 }, signer);
    if (i === TAMPERED_LINE) {
      // Someone upgraded their own license: edition pro -> enterprise, signature left as it was.
      const [payload, signature] = blob.slice('DTLIC2:'.length).split('.') as [string, string];
      const json = Buffer.from(payload, 'base64').toString('utf8').replace('"edition":"pro"', '"edition":"enterprise"');
      blob = `DTLIC2:${Buffer.from(json).toString('base64')}.${signature}`;
      tamperedKey = licenseKey;
    }
    lines.push(JSON.stringify({ license_key: licenseKey, email: `buyer${i}@example.com`, issued_at: new Date(iat * 1000).toISOString(), blob }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return tamperedKey;
}

describe('verify --format <plugin> over an old issued.jsonl', () => {
  test('reports exactly the one tampered blob of 10,000, with its line number and key', async () => {
    const home = await tempHome();
    const tamperedKey = await writeLog(join(home, 'issued.jsonl'));
    // The plugin path is typed at a shell: relative to the current directory, not to the config.
    copyFileSync(EXAMPLE_PLUGIN, join(home, 'dtlic2-format.mjs'));
    const started = Date.now();
    const result = await runCli(['verify', '--format', './dtlic2-format.mjs', '--key', publicKeyHex(), 'issued.jsonl', '--json'], { home, cwd: home });
    const ms = Date.now() - started;
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.json()).toEqual({
      file: 'issued.jsonl', total: COUNT, valid: COUNT - 1, invalid: 1,
      failures: [{ line: TAMPERED_LINE, licenseKey: tamperedKey, reason: 'bad-signature', detail: expect.stringContaining('signature does not match') }],
    });
    console.info(`verify of ${COUNT} plugin-format blobs through the CLI: ${ms} ms`);

    const human = await runCli(['verify', '--format', join(home, 'dtlic2-format.mjs'), '--key', publicKeyHex(), join(home, 'issued.jsonl')], { home });
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toContain(`${COUNT} blob(s), ${COUNT - 1} valid, 1 failing`);
    expect(human.stdout).toContain(`issued.jsonl:${TAMPERED_LINE}  ${tamperedKey}  bad-signature`);
  });

  test('a log that is not in the plugin format fails line by line, naming what the plugin said', async () => {
    const home = await tempHome();
    copyFileSync(EXAMPLE_PLUGIN, join(home, 'dtlic2-format.mjs'));
    writeFileSync(join(home, 'old.jsonl'), `${JSON.stringify({ license_key: 'DT1-A', blob: 'DTLIC1:abc' })}\n{not json\n`);
    const result = await runCli(['verify', '--format', './dtlic2-format.mjs', '--key', publicKeyHex(), 'old.jsonl', '--json'], { home, cwd: home });
    expect(result.exitCode).toBe(1);
    expect(result.json().failures).toEqual([
      { line: 1, licenseKey: 'DT1-A', reason: 'malformed', detail: 'not a dtlic2 blob: does not start with DTLIC2:' },
      { line: 2, licenseKey: null, reason: 'malformed', detail: 'not a JSON line' },
    ]);
  });
});
