// Throwaway PostgreSQL cluster for tests (recipe: /work/shared/NOTES.md).
// Each call starts its own cluster in a temp dir on a free 127.0.0.1 port; stop() (or process exit) removes it.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface PostgresInstance {
  /** postgres://postgres@127.0.0.1:PORT/DBNAME (trust auth, no password) */
  url: string;
  stop(): Promise<void>;
}

const INSTALL_HINT = 'PostgreSQL server binaries not found. Install them with: apt-get install -y postgresql';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function findBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const preferred = '/usr/lib/postgresql/15/bin';
  if (existsSync(join(preferred, 'initdb'))) return preferred;
  // Fall back to whatever major Debian installed.
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const dir = `/usr/lib/postgresql/${v}/bin`;
      if (existsSync(join(dir, 'initdb'))) return dir;
    }
  } catch {
    /* no /usr/lib/postgresql */
  }
  throw new Error(INSTALL_HINT);
}

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root). */
async function pgRun(bin: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    const { stdout } = await execFileP(file, argv, { timeout: timeoutMs, env: pgEnv() });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    throw new Error(`${bin} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

function pgRunSync(bin: string, args: string[]): void {
  const [file, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(file, argv, { stdio: 'ignore', timeout: 10_000, env: pgEnv() });
}

/** The parent's env without libpq variables that could point the tools at another server. */
function pgEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C.UTF-8' };
  for (const k of Object.keys(env)) if (k.startsWith('PG')) delete env[k];
  return env;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

// Clusters still running. Three layers make sure none leaks:
//  - process 'exit' (normal end of a test process),
//  - SIGTERM/SIGINT/SIGHUP (vitest stops its fork workers with SIGTERM, where 'exit' handlers do NOT run),
//  - a tiny detached watchdog per cluster that kills the postmaster once this process is gone (even after SIGKILL).
interface Cluster {
  dir: string;
  watchdog?: ChildProcess;
}
const live = new Map<string, Cluster>();

/** Immediate shutdown without waiting: SIGQUIT to the postmaster (what `pg_ctl -m immediate` sends), then remove the dir. */
function killClusterNow(c: Cluster): void {
  try {
    const pid = Number(readFileSync(join(c.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
  } catch {
    /* not running */
  }
  try {
    rmSync(c.dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* the watchdog removes it later */
  }
}

function cleanupAll(): void {
  for (const c of live.values()) killClusterNow(c);
  live.clear();
}

let hooksInstalled = false;
function installProcessHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanupAll);
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of signals) {
    const handler = () => {
      for (const [s, h] of handlers) process.off(s, h);
      cleanupAll();
      // Re-raise so the default action (or the remaining listeners) still ends the process.
      process.kill(process.pid, sig);
    };
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
}

// Fixed script, values passed as positional parameters (no string interpolation):
// waits for $1 (this process) to die, then SIGQUITs the postmaster of cluster dir $2 and removes the dir.
const WATCHDOG = [
  'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
  'if [ -f "$2/data/postmaster.pid" ]; then kill -QUIT "$(head -n 1 "$2/data/postmaster.pid")" 2>/dev/null; sleep 2; fi',
  'rm -rf "$2"',
].join('\n');

function startWatchdog(dir: string): ChildProcess | undefined {
  try {
    const child = spawn('sh', ['-c', WATCHDOG, 'pg-watchdog', String(process.pid), dir], {
      detached: true,
      stdio: 'ignore',
    });
    child.on('error', () => undefined);
    child.unref();
    return child;
  } catch {
    return undefined;
  }
}

export async function startPostgres(): Promise<PostgresInstance> {
  const bin = findBinDir();
  installProcessHooks();
  // As root, the dir must be reachable by the postgres user, so use /tmp rather than a possibly private TMPDIR.
  const base = isRoot ? '/tmp' : (process.env.TMPDIR ?? '/tmp');
  const dir = await mkdtemp(join(base, 'pgtest.'));
  const cluster: Cluster = { dir };
  live.set(dir, cluster);
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const dbName = 'la_test';
  try {
    if (isRoot) await execFileP('chown', ['postgres:', dir]);
    cluster.watchdog = startWatchdog(dir);
    await pgRun(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);

    // A free port can be taken by a parallel worker between probing and binding: retry a few times.
    let port = 0;
    let lastErr: unknown;
    for (let attempt = 0; attempt < 4 && !port; attempt++) {
      const candidate = await freePort();
      try {
        await pgRun(join(bin, 'pg_ctl'), [
          '-D', data, '-l', log, '-w', '-t', '60',
          '-o', `-p ${candidate} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
          'start',
        ], 90_000);
        port = candidate;
      } catch (err) {
        lastErr = err;
      }
    }
    if (!port) {
      let tail = '';
      try {
        tail = readFileSync(log, 'utf8').split('\n').slice(-20).join('\n');
      } catch {
        /* no log */
      }
      throw new Error(`could not start PostgreSQL: ${(lastErr as Error)?.message ?? lastErr}\n--- server log ---\n${tail}`);
    }
    await pgRun(join(bin, 'createdb'), ['-h', dir, '-p', String(port), '-U', 'postgres', dbName]);

    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/${dbName}`,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await pgRun(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
        } catch {
          /* already down */
        }
        live.delete(dir);
        cluster.watchdog?.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    try {
      pgRunSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
    } catch {
      /* not running */
    }
    live.delete(dir);
    cluster.watchdog?.kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
