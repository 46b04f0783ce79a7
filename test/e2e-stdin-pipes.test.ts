// Standard input from real pipes (issue 13, item 8): a writer that starts late and an input larger than the
// pipe buffer (~64 KB). readFileSync(0) failed both with EAGAIN (exit 70); a stream waits and reads it all.
// A shell pipeline makes a real pipe; execa's own stdin would be a socket, which never showed the bug.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, expect, test } from 'vitest';
import { CLI_BIN, cliEnv, runCli, tempHome } from './helpers/cli.js';

const SEED = '5e'.repeat(32);
const env = { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: '2026-11-25T12:00:00Z' };
let home: string;
let blob: string;

beforeAll(async () => {
  home = await tempHome();
  expect((await runCli(['init', '--yes', '--product', 'pipeco', '--prefix', 'PC1'], { home, env })).exitCode).toBe(0);
  const minted = await runCli(['mint', '--tier', 'pro', '--email', 'pipe@example.com', '--json'], { home, env });
  expect(minted.exitCode, minted.stderr).toBe(0);
  blob = minted.json<{ blob: string }>().blob;
});

/** `sh -c 'producer | license-admin ARGS'`, the CLI's stdin a real pipe. */
async function piped(producer: string, args: string[], extraEnv: Record<string, string> = {}) {
  const r = await execa('sh', ['-c', `${producer} | node "$CLI" ${args.join(' ')}`], {
    env: { ...cliEnv(home, { ...env, ...extraEnv }), CLI: CLI_BIN }, extendEnv: false, reject: false, timeout: 30_000,
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

test('verify - reads a blob that arrives half a second after the command started', async () => {
  const r = await piped('(sleep 0.5; printf "%s\\n" "$BLOB")', ['verify', '-', '--json'], { BLOB: blob });
  expect(r.stderr).not.toMatch(/EAGAIN|bug in license-admin/);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, license: { email: 'pipe@example.com' } });
});

test('verify - reads more than the pipe buffer holds (a blob wrapped in 200 KB of line breaks)', async () => {
  const file = join(home, 'big-input.txt');
  const wrapped = `${'\n'.repeat(100_000)}${blob.match(/.{1,76}/g)!.join('\r\n')}${' \n'.repeat(50_000)}`;
  expect(wrapped.length).toBeGreaterThan(200_000);
  writeFileSync(file, wrapped);
  const r = await piped(`cat "${file}"`, ['verify', '-', '--json']);
  expect(r.stderr).not.toMatch(/EAGAIN|bug in license-admin/);
  expect(r.exitCode, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ valid: true });
});

test('keys import - reads a key that arrives late through a pipe', async () => {
  const other = await tempHome();
  expect((await runCli(['init', '--yes', '--product', 'pipeco', '--prefix', 'PC1', '--key-storage', 'plaintext-file'], { home: other, env: { LICENSE_ADMIN_NOW: env.LICENSE_ADMIN_NOW } })).exitCode).toBe(0);
  const r = await execa('sh', ['-c', '(sleep 0.5; printf "%s\\n" "$SEED") | node "$CLI" keys import - --key-storage plaintext-file --json'], {
    env: { ...cliEnv(other, { LICENSE_ADMIN_NOW: env.LICENSE_ADMIN_NOW }), CLI: CLI_BIN, SEED }, extendEnv: false, reject: false, timeout: 30_000,
  });
  expect(String(r.stderr)).not.toMatch(/EAGAIN|bug in license-admin/);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  // The imported key verifies the blob the first home minted with the same seed.
  const check = await runCli(['verify', blob, '--json'], { home: other, env: { LICENSE_ADMIN_NOW: env.LICENSE_ADMIN_NOW } });
  expect(check.json()).toMatchObject({ valid: true });
});
