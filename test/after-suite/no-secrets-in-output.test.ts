// Runs after the whole suite (scripts/test.sh, second pass): no private key, password, token or webhook
// secret that any test handed to the CLI appears in anything the CLI printed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { TRANSCRIPT } from '../helpers/cli.js';

const TEST_DIR = join(import.meta.dirname, '..');
const SECRET_NAME = /(seed|secret|password|passphrase|token|private_key|privkey|smtp_url)/i;

/** Every secret-looking literal the tests use, in the forms it could leak in. */
export function secretsUsedByTests(): Set<string> {
  const secrets = new Set<string>();
  const add = (value: string) => {
    if (value.length < 8) return;
    secrets.add(value);
    if (/^[0-9a-f]{64}$/i.test(value)) {
      const bytes = Buffer.from(value, 'hex');
      secrets.add(bytes.toString('base64'));
      secrets.add(bytes.toString('base64url'));
    }
  };
  const files = readdirSync(TEST_DIR, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.parentPath.includes('after-suite'));
  for (const file of files) {
    const source = readFileSync(join(file.parentPath, file.name), 'utf8');
    for (const m of source.matchAll(/([A-Za-z_][\w]*)\s*[:=]\s*'([^'\n]+)'(?:\.repeat\((\d+)\))?/g)) {
      const [, name, literal, times] = m as unknown as [string, string, string, string | undefined];
      if (!SECRET_NAME.test(name)) continue;
      add(times ? literal.repeat(Number(times)) : literal);
    }
  }
  return secrets;
}

test('no secret used by a test appears in any CLI output of the suite', () => {
  const transcript = readFileSync(TRANSCRIPT, 'utf8');
  const calls = transcript.trim().split('\n').length;
  expect(calls).toBeGreaterThan(100);
  const secrets = secretsUsedByTests();
  expect(secrets.size).toBeGreaterThan(10);
  const leaks = [...secrets].filter((s) => transcript.includes(s));
  expect(leaks.map((s) => `${s.slice(0, 4)}… (${s.length} chars)`)).toEqual([]);
  expect(transcript).not.toMatch(/BEGIN (ENCRYPTED )?PRIVATE KEY/);
});
