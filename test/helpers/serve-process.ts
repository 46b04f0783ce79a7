// `license-admin serve` as a child process (the built binary), for the end-to-end server tests: an
// initialised home, the server's JSON "listening" document, its stderr (the JSON log) and a way to stop it.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import { runCli, spawnCli, tempHome } from './cli.js';
import { GUMROAD_TOKEN, SELLER_ID } from './server-harness.js';

export interface ServeHome {
  home: string;
  env: Record<string, string>;
}

/** `init` in a fresh home with a plaintext key file; env carries the webhook secrets and SMTP. */
export async function setupServeHome(extra: Record<string, string> = {}, smtpPort?: number): Promise<ServeHome> {
  const home = await tempHome();
  const env = {
    LICENSE_ADMIN_PRIVATE_KEY: randomBytes(32).toString('hex'),
    ...(smtpPort ? { LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, LICENSE_ADMIN_MAIL_FROM: 'licenses@dashtool.example' } : {}),
    LICENSE_ADMIN_GUMROAD_TOKEN: GUMROAD_TOKEN,
    LICENSE_ADMIN_GUMROAD_SELLER_ID: SELLER_ID,
    LICENSE_ADMIN_DEFAULT_TIER: 'pro',
    LICENSE_ADMIN_POLL_MS: '100',
    ...extra,
  };
  const init = await runCli(['init', '--yes', '--product', 'dashtool', '--key-storage', 'plaintext-file'], { home, env });
  expect(init.exitCode, init.stderr).toBe(0);
  return { home, env };
}

export interface ServeProcess {
  child: ReturnType<typeof spawnCli>;
  ready: Promise<{ url: string; adminUrl: string; pid: number }>;
  /** Everything the server logged so far. */
  stderr(): string;
  /** SIGTERM, then the exit code (null when it had to be killed after timeoutMs). */
  stop(timeoutMs?: number): Promise<number | null>;
}

export function startServe({ home, env }: ServeHome, extraArgs: string[] = []): ServeProcess {
  const child = spawnCli(['serve', '--port', '0', '--json', ...extraArgs], { home, env, timeoutMs: 300_000 });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
  const ready = new Promise<{ url: string; adminUrl: string; pid: number }>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve(JSON.parse(out) as { url: string; adminUrl: string; pid: number });
      } catch {
        /* not the whole document yet */
      }
    });
    void child.then((r) => reject(new Error(`serve exited early (${r.exitCode}): ${String(r.stderr)}`)));
  });
  return {
    child,
    ready,
    stderr: () => err,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
      const result = await Promise.race([child, timer]);
      if (result === null) {
        child.kill('SIGKILL');
        await child;
        return null;
      }
      return result.exitCode ?? null;
    },
  };
}

export const ledgerPath = (home: string) => join(home, '.license-admin', 'ledger.sqlite');

/** One SQL statement against the server's database (the SQLite ledger, or PostgreSQL when databaseUrl is given). */
export async function sql<T = Record<string, unknown>>(target: { home: string; databaseUrl?: string | undefined }, text: string, params: unknown[] = []): Promise<T[]> {
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      let i = 0;
      return (await client.query(text.replace(/\?/g, () => `$${++i}`), params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(ledgerPath(target.home));
  try {
    db.pragma('busy_timeout = 10000');
    const stmt = db.prepare(text);
    return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
  } finally {
    db.close();
  }
}
