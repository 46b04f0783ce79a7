// The README's first command on a fresh clone: `npm run demo` in a copy of the repository's files with no
// dist/ (the copy shares node_modules, as `npm ci` would have filled it) builds, then runs the first job.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import { cliEnv, REPO_ROOT } from './helpers/cli.js';

const clone = mkdtempSync(join(tmpdir(), 'la-fresh-'));
afterAll(() => rmSync(clone, { recursive: true, force: true }));

test('npm run demo works on a fresh clone (it builds first)', async () => {
  // What a clone holds: tracked files and new ones not ignored (so uncommitted work is what gets tested).
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(REPO_ROOT, file))) continue; // deleted in the working tree
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(clone, file));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'));
  expect(existsSync(join(clone, 'dist'))).toBe(false);

  const r = await execa('npm', ['run', 'demo'], { cwd: clone, env: cliEnv(clone), extendEnv: false, reject: false, timeout: 280_000 });
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stderr).toMatch(/\$ license-admin verify/);
  expect(r.stdout).toMatch(/VALID/);
  expect(r.stdout).toContain('jane@example.com');
  expect(existsSync(join(clone, 'dist', 'main.js'))).toBe(true);
}, 300_000);
