// A SIGKILL in the middle of minting never leaves a half-written license: SQLite's transaction is the
// unit, and the license row and its event are written in the same one.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli, spawnCli, tempHome } from './helpers/cli.js';

test('killing mints at random moments leaves the ledger consistent', async () => {
  const home = await tempHome();
  const env = { LICENSE_ADMIN_PRIVATE_KEY: '22'.repeat(32) };
  expect((await runCli(['init', '--yes'], { home, env })).exitCode).toBe(0);
  let killed = 0;
  let finished = 0;
  for (let round = 0; round < 4; round++) {
    const children = Array.from({ length: 6 }, (_, i) => spawnCli(['mint', '--tier', 'pro', '--email', `r${round}-${i}@example.com`], { home, env }));
    await Promise.all(
      children.map(async (child, i) => {
        await new Promise((r) => setTimeout(r, 60 + ((round * 6 + i) * 37) % 400));
        if (child.exitCode === null && child.kill('SIGKILL')) killed++;
        const result = await child;
        if (result.exitCode === 0) finished++;
      }),
    );
  }
  expect(killed).toBeGreaterThan(0);

  const db = new Database(join(home, '.license-admin', 'ledger.sqlite'));
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  const licenses = db.prepare('SELECT license_key FROM licenses ORDER BY 1').all() as { license_key: string }[];
  const minted = db.prepare("SELECT license_key FROM events WHERE type = 'minted' ORDER BY 1").all() as { license_key: string }[];
  expect(licenses).toEqual(minted);
  expect(licenses.length).toBeGreaterThanOrEqual(finished);
  for (const { license_key } of licenses) {
    const row = db.prepare('SELECT blob, email FROM licenses WHERE license_key = ?').get(license_key) as { blob: string; email: string };
    expect(row.blob.length).toBeGreaterThan(100);
  }
  db.close();
  // And the ledger keeps working afterwards.
  const after = await runCli(['mint', '--tier', 'pro', '--email', 'after@example.com', '--json'], { home, env });
  expect(after.exitCode, after.stderr).toBe(0);
});
