// Every verifier we ship gives the same verdict on every blob of the hostile corpus (issue 13, item 4), the
// verdict docs/FORMAT.md gives where the case names one, and none of them throws: the embedded TypeScript
// verifier (WebCrypto; the noble fallback with crypto.subtle removed, and with no crypto at all), the CLI's
// node:crypto one and the Python recipe in docs/, run by python3 with the cryptography package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { checkBlob } from '../src/license/check-blob.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { FAILURE_REASONS, verifyLicense } from '../src/verify/index.js';
import { buildHostileCorpus, type CorpusCase } from './helpers/hostile-corpus.js';
import { findPythonWithCryptography } from './helpers/python.js';

const root = join(import.meta.dirname, '..');
const corpus = buildHostileCorpus();
let dir: string;
let corpusFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'la-corpus-'));
  corpusFile = join(dir, 'corpus.json');
  writeFileSync(corpusFile, JSON.stringify(corpus));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const optionsOf = (c: CorpusCase) => ({ keys: c.trustedKeys, now: new Date(c.now), ...(c.product !== null ? { product: c.product } : {}), ...(c.tag ? { tag: c.tag } : {}) });

async function embedded(c: CorpusCase): Promise<string> {
  try {
    const r = await verifyLicense(c.blob, optionsOf(c));
    return r.valid ? 'valid' : r.reason;
  } catch (error) {
    return `threw ${String(error)}`;
  }
}

function cli(c: CorpusCase): string {
  try {
    const r = checkBlob(c.blob, createJwsFormat(c.tag ?? undefined), optionsOf(c));
    return r.valid ? 'valid' : r.reason!;
  } catch (error) {
    return `threw ${String(error)}`;
  }
}

/** The built verifier in a fresh Node with WebCrypto taken away as some platforms lack it. */
function embeddedWithout(what: 'subtle' | 'crypto'): string[] {
  const script = `
    ${what === 'subtle' ? "Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined });" : "Object.defineProperty(globalThis, 'crypto', { value: undefined });"}
    const { readFileSync } = await import('node:fs');
    const { verifyLicense } = await import(${JSON.stringify(join(root, 'dist', 'verify', 'index.js'))});
    const out = [];
    for (const c of JSON.parse(readFileSync(${JSON.stringify(corpusFile)}, 'utf8'))) {
      const options = { keys: c.trustedKeys, now: new Date(c.now), ...(c.product !== null ? { product: c.product } : {}), ...(c.tag ? { tag: c.tag } : {}) };
      try {
        const r = await verifyLicense(c.blob, options);
        out.push(r.valid ? 'valid' : r.reason);
      } catch (error) {
        out.push('threw ' + String(error));
      }
    }
    console.log(JSON.stringify({ subtle: typeof globalThis.crypto?.subtle, out }));`;
  const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 64 << 20 })) as { subtle: string; out: string[] };
  expect(result.subtle).toBe('undefined');
  return result.out;
}

async function python(): Promise<string[]> {
  const py = await findPythonWithCryptography();
  const out = execFileSync(py, [join(root, 'docs', 'verify_license.py'), corpusFile], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.trim().split('\n').map((line) => (JSON.parse(line) as { actual: string }).actual);
}

test('the corpus is large and names every verdict', () => {
  expect(corpus.length).toBeGreaterThanOrEqual(400);
  const named = new Set(corpus.map((c) => c.expected).filter(Boolean));
  for (const reason of ['valid', ...FAILURE_REASONS]) expect(named, reason).toContain(reason);
  expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
});

test('every verifier agrees on every case, gives the documented verdict, and none throws', async () => {
  const verdicts = {
    embedded: await Promise.all(corpus.map(embedded)),
    cli: corpus.map(cli),
    python: await python(),
    nobleNoSubtle: embeddedWithout('subtle'),
    nobleNoCrypto: embeddedWithout('crypto'),
  };
  const disagreements: string[] = [];
  corpus.forEach((c, i) => {
    const got = Object.fromEntries(Object.entries(verdicts).map(([k, v]) => [k, v[i]]));
    const distinct = new Set(Object.values(got));
    if (distinct.size !== 1 || (c.expected !== undefined && !distinct.has(c.expected))) {
      disagreements.push(`${c.name}: expected ${c.expected ?? '(any, agreeing)'}, got ${JSON.stringify(got)}`);
    }
  });
  expect(disagreements).toEqual([]);
  for (const v of Object.values(verdicts)) {
    expect(v).toHaveLength(corpus.length);
    for (const verdict of v) expect(['valid', ...FAILURE_REASONS]).toContain(verdict);
  }
}, 120_000);
