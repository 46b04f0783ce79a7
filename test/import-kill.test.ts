// A SIGKILL in the middle of a large import leaves the ledger exactly as before; re-running completes it.
import Database from 'better-sqlite3';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { spawnCli } from './helpers/cli.js';
import { FIXTURE_SEED, FIXTURES, initHome, NOW } from './import-fixture-setup.js';

const ROWS = 20_000;

async function writeBigLog(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < ROWS; i++) {
    const id = i.toString(36).padStart(5, '0');
    // Blobs no key here can verify: decoding fails fast, so the test spends its time writing.
    const line = JSON.stringify({ license_key: `DT1-PRO-k${id}-beef`, name: `Buyer ${i}`, email: `b${i}@example.com`, tier: 'pro', issued_at: '2024-01-01', expires_at: '2025-01-01', blob: `OLDBLOB-${id}-${'x'.repeat(200)}` });
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
}

function inspect(file: string): { integrity: string; licenses: number; events: number } {
  const db = new Database(file);
  try {
    const integrity = (db.pragma('integrity_check', { simple: true }) as string);
    const n = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return { integrity, licenses: n('licenses'), events: n('events') };
  } finally {
    db.close();
  }
}

test('SIGKILL while writing: ledger unchanged and intact; the re-run imports everything', async () => {
  const h = await initHome();
  expect((await h.cli(['import', join(FIXTURES, 'legacy-quirks.jsonl')])).exitCode).toBe(0);
  const big = join(h.home, 'big.jsonl');
  await writeBigLog(big);
  const before = inspect(h.ledgerFile);
  expect(before).toEqual({ integrity: 'ok', licenses: 5, events: 5 });

  const child = spawnCli(['import', big, '--json'], { home: h.home, env: { LICENSE_ADMIN_PRIVATE_KEY: FIXTURE_SEED, LICENSE_ADMIN_NOW: NOW } });
  let stderr = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (!killTimer && stderr.includes('in one transaction')) killTimer = setTimeout(() => child.kill('SIGKILL'), 400);
  });
  const result = await child;
  expect(stderr).toContain(`Writing ${ROWS} imported license(s) in one transaction`);
  expect(result.signal).toBe('SIGKILL');
  expect(inspect(h.ledgerFile)).toEqual(before);

  const rerun = await h.cli(['import', big, '--json']);
  expect(rerun.exitCode, rerun.stderr).toBe(0);
  expect(rerun.json()).toMatchObject({ counts: { new: ROWS, present: 0, invalid: 0 }, eventsWritten: ROWS, unverified: ROWS });
  expect(inspect(h.ledgerFile)).toEqual({ integrity: 'ok', licenses: ROWS + 5, events: ROWS + 5 });
}, 120_000);
