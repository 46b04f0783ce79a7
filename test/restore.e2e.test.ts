// `restore <backup>`, the counterpart of `backup`: only a sound ledger goes in, the one it replaces is kept
// (timestamped, 0600), and a ledger that a running server holds open is not replaced under it.
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, openSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { initHome, LICENSE_SEED, newAdminIdentity, startServer } from './helpers/sync-server.js';

const admin = newAdminIdentity();
const env = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED };

async function homeWithBackup() {
  const home = await initHome(env);
  const cli = (args: string[]) => runCli(args, { home, env });
  const first = (await cli(['mint', '--tier', 'pro', '--email', 'first@example.com', '--json'])).json().licenseKey as string;
  const backup = join(home, 'backup.sqlite');
  expect((await cli(['backup', backup])).exitCode).toBe(0);
  const second = (await cli(['mint', '--tier', 'pro', '--email', 'second@example.com', '--json'])).json().licenseKey as string;
  return { home, cli, backup, first, second, ledger: join(home, '.license-admin', 'ledger.sqlite') };
}

const keysOf = async (cli: (args: string[]) => Promise<{ json(): unknown }>) => ((await cli(['list', '--json'])).json() as { licenseKey: string }[]).map((l) => l.licenseKey).sort();

describe('restore', () => {
  it('puts the backup in place and keeps what it replaced as a 0600 copy', async () => {
    const h = await homeWithBackup();
    const r = await h.cli(['restore', h.backup, '--yes', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const result = r.json();
    expect(result).toMatchObject({ restored: h.backup, ledger: h.ledger, licenses: 1, events: 1 });
    expect(result.replacedCopy).toMatch(/ledger\.sqlite\.replaced-\d{4}-\d\d-\d\dT/);
    expect(statSync(result.replacedCopy).mode & 0o777).toBe(0o600);
    expect(statSync(h.ledger).mode & 0o777).toBe(0o600);
    expect(await keysOf(h.cli)).toEqual([h.first]);
    const replaced = await runCli(['list', '--json', '--ledger', result.replacedCopy], { home: h.home, env });
    expect((replaced.json() as { licenseKey: string }[]).map((l) => l.licenseKey).sort()).toEqual([h.first, h.second].sort());
    // The restored ledger works as usual.
    expect((await h.cli(['mint', '--tier', 'core', '--email', 'third@example.com'])).exitCode).toBe(0);
    const text = await h.cli(['restore', h.backup, '--yes']);
    expect(text.stderr).toMatch(/Restored 1 license\(s\) and 1 event\(s\) from .*backup\.sqlite/);
    expect(text.stderr).toMatch(/kept as .*replaced-/);
  });

  it('asks for --yes when it cannot ask, and changes nothing', async () => {
    const h = await homeWithBackup();
    const r = await h.cli(['restore', h.backup]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(await keysOf(h.cli)).toEqual([h.first, h.second].sort());
  });

  it('refuses what is not a sound ledger of this version, naming the file, and changes nothing', async () => {
    const h = await homeWithBackup();
    const text = join(h.home, 'notes.txt');
    writeFileSync(text, 'just some text, long enough to not look like an empty database file at all\n'.repeat(10));
    const empty = join(h.home, 'other.sqlite');
    const other = new Database(empty);
    other.exec('CREATE TABLE t (x)');
    other.close();
    const newer = join(h.home, 'newer.sqlite');
    copyFileSync(h.backup, newer);
    const db = new Database(newer);
    db.pragma('user_version = 999');
    db.close();
    const damaged = join(h.home, 'damaged.sqlite');
    copyFileSync(h.backup, damaged);
    const fd = openSync(damaged, 'r+');
    const size = statSync(damaged).size;
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.max(4096, size - 8192));
    closeSync(fd);
    for (const [file, message] of [
      [join(h.home, 'missing.sqlite'), /missing\.sqlite: no such file/],
      [text, /notes\.txt is not a SQLite database/],
      [empty, /other\.sqlite is a SQLite database but not a license-admin ledger/],
      [newer, /newer\.sqlite was written by a newer license-admin \(schema 999/],
      [damaged, /damaged\.sqlite (is damaged|is not a SQLite database)/],
    ] as const) {
      const r = await h.cli(['restore', file, '--yes']);
      expect(r.exitCode, `${file}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(await keysOf(h.cli)).toEqual([h.first, h.second].sort());
  });

  it('refuses while a server has the ledger open', async () => {
    const h = await homeWithBackup();
    const server = await startServer({ adminKeys: [admin.publicKey], home: h.home });
    try {
      const r = await h.cli(['restore', h.backup, '--yes']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/is open in another process \(a running "license-admin serve"/);
      expect(existsSync(`${h.ledger}.replaced`)).toBe(false);
    } finally {
      await server.stop();
    }
    expect(await keysOf(h.cli)).toEqual([h.first, h.second].sort());
    expect((await h.cli(['restore', h.backup, '--yes'])).exitCode).toBe(0);
  });
});
