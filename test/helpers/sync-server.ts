// A real `license-admin serve` (the built binary) for sync e2e tests: its own HOME and config, on a free
// 127.0.0.1 port, SQLite ledger or PostgreSQL (DATABASE_URL). stop() sends SIGTERM and waits.
import { randomBytes } from 'node:crypto';
import { signingKeyFromSeed } from '../../src/license/ed25519-key.js';
import { runCli, spawnCli, tempHome } from './cli.js';

export const LICENSE_SEED = '1f'.repeat(32);

export interface AdminIdentity {
  seed: string;
  publicKey: string;
}

export function newAdminIdentity(): AdminIdentity {
  const seed = randomBytes(32).toString('hex');
  return { seed, publicKey: signingKeyFromSeed(Buffer.from(seed, 'hex')).publicJwk.x };
}

export interface RunningServer {
  url: string;
  home: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function initHome(env: Record<string, string>, home?: string): Promise<string> {
  const dir = home ?? (await tempHome());
  const init = await runCli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1'], { home: dir, env });
  if (init.exitCode !== 0) throw new Error(`init failed: ${init.stderr}`);
  return dir;
}

/** Starts the server; `port` reuses a given port (restart tests). */
export async function startServer(options: { adminKeys: string[]; databaseUrl?: string; home?: string; port?: number; env?: Record<string, string> }): Promise<RunningServer> {
  const env: Record<string, string> = {
    LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED,
    LICENSE_ADMIN_ADMIN_KEYS: options.adminKeys.join(','),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const home = options.home ?? (await initHome(env));
  const child = spawnCli(['serve', '--port', String(options.port ?? 0), '--json'], { home, env, timeoutMs: 600_000 });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      try {
        const info = JSON.parse(out) as { adminUrl: string };
        clearTimeout(timer);
        resolve(info.adminUrl);
      } catch {
        /* not complete yet */
      }
    });
    child.then((r) => reject(new Error(`server exited ${r.exitCode}: ${String(r.stderr)}`)), reject);
  });
  return {
    url,
    home,
    env,
    async stop() {
      child.kill('SIGTERM');
      await child.catch(() => undefined);
    },
  };
}
