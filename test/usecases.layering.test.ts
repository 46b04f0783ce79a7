// The licensing core stays a core: src/usecases imports no adapter (CLI, HTTP server), no store and no
// database driver, so the CLI, the server, webhooks and (later) the portal can only reach a rule through it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const DIR = join(import.meta.dirname, '..', 'src', 'usecases');
const FORBIDDEN = [/^\.\.\/(cli|commands|server|stores|sync)\//, /^(better-sqlite3|pg|node:http|node:https|node:net|nodemailer|commander)$/];

const importsOf = (source: string) => [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);

test.each(readdirSync(DIR).filter((f) => f.endsWith('.ts')))('src/usecases/%s imports no adapter, store or driver', (file) => {
  const imports = importsOf(readFileSync(join(DIR, file), 'utf8'));
  expect(imports.length).toBeGreaterThan(0);
  expect(imports.filter((spec) => FORBIDDEN.some((re) => re.test(spec)))).toEqual([]);
});

test('the rules live once: nothing outside src/usecases writes a license event of its own', () => {
  const offenders: string[] = [];
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  for (const file of walk(join(import.meta.dirname, '..', 'src'))) {
    if (!file.endsWith('.ts') || file.includes(`${join('src', 'usecases')}`)) continue;
    const text = readFileSync(file, 'utf8');
    // A license change is an event of one of these types made in code (imports and sync carry events they read).
    if (/type:\s*'(renewed|revoked|reinstated|changed|note_added|forgotten|reissued)'/.test(text) || /'(renewed|revoked|reinstated|changed|note_added|forgotten|reissued)',\s*\w+\.licenseKey/.test(text)) offenders.push(file);
  }
  expect(offenders).toEqual([]);
});
