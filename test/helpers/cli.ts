// Runs the BUILT CLI (node bin/license-admin.js) the way a user would, in an isolated HOME.
// Every run is appended to .test-output/cli-transcript.jsonl so a test can scan all CLI output for leaked secrets.
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_BIN = join(REPO_ROOT, 'bin', 'license-admin.js');
export const TRANSCRIPT = join(REPO_ROOT, '.test-output', 'cli-transcript.jsonl');

export interface CliOptions {
  /** Becomes HOME; config/data live under it. */
  home: string;
  /** Extra env; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, then stdin is closed. Without it stdin is /dev/null (non-interactive). */
  input?: string;
  /** Never rejects on a non-zero exit anyway; accepted for readability. */
  reject?: false;
  /** Working directory (default: the repo root). */
  cwd?: string;
  /** Kill after this many ms (default 50 s, below the 60 s test timeout). */
  timeoutMs?: number;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Set when the process was killed by a signal (exitCode is then 128 + signal number). */
  signal?: string;
  timedOut: boolean;
  /** stdout parsed as JSON; throws with stdout/stderr shown if it is not JSON. */
  json<T = any>(): T;
}

// Variables that only exist because we run under npm/vitest; a user's shell wouldn't have them.
const STRIP_EXACT = new Set([
  'TEST', 'VITEST', 'NODE_ENV', 'PROD', 'DEV', 'BASE_URL', 'MODE', 'SSR', 'FORCE_TTY', 'COLOR', 'FORCE_COLOR', 'INIT_CWD',
]);
const STRIP_PREFIX = ['VITEST_', 'npm_', 'LICENSE_ADMIN_'];

/** The environment the CLI sees. Keeps PATH, DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR etc. so the OS keychain works. */
export function cliEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (STRIP_EXACT.has(k) || STRIP_PREFIX.some((p) => k.startsWith(p))) continue;
    env[k] = v;
  }
  Object.assign(env, {
    NO_COLOR: '1',
    HOME: home,
    LICENSE_ADMIN_HOME: join(home, '.license-admin'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
  });
  for (const [k, v] of Object.entries(extra)) env[k] = v;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function execaOptions(opts: CliOptions) {
  return {
    cwd: opts.cwd ?? REPO_ROOT,
    env: cliEnv(opts.home, opts.env),
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    timeout: opts.timeoutMs ?? 50_000,
    forceKillAfterDelay: 2_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
  } as const;
}

function record(args: string[], stdout: string, stderr: string, exitCode: number | undefined): void {
  try {
    mkdirSync(dirname(TRANSCRIPT), { recursive: true });
    appendFileSync(TRANSCRIPT, JSON.stringify({ args, stdout, stderr, exitCode }) + '\n');
  } catch {
    /* transcript is best effort */
  }
}

function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Array.isArray(v)) return v.map(toText).join('');
  return v == null ? '' : String(v);
}

function exitCodeOf(exitCode: number | undefined, signal: string | undefined): number {
  if (typeof exitCode === 'number') return exitCode;
  if (signal) {
    const n = (constants.signals as Record<string, number>)[signal];
    return 128 + (n ?? 0);
  }
  return 1;
}

export async function runCli(args: string[], opts: CliOptions): Promise<CliResult> {
  const result = await execa('node', [CLI_BIN, ...args], execaOptions(opts));
  const stdout = toText(result.stdout);
  const stderr = toText(result.stderr);
  record(args, stdout, stderr, result.exitCode);
  return {
    exitCode: exitCodeOf(result.exitCode, result.signal),
    stdout,
    stderr,
    ...(result.signal ? { signal: result.signal } : {}),
    timedOut: Boolean(result.timedOut),
    json<T = any>(): T {
      try {
        return JSON.parse(stdout) as T;
      } catch (err) {
        throw new Error(
          `CLI stdout is not JSON (${(err as Error).message}) for: license-admin ${args.join(' ')}\n` +
            `exit ${result.exitCode}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
        );
      }
    },
  };
}

/** Starts the CLI and returns the execa child (await it for the result; .kill() it for interruption tests). Never rejects. */
export function spawnCli(args: string[], opts: CliOptions) {
  const child = execa('node', [CLI_BIN, ...args], execaOptions(opts));
  child.then(
    (r) => record(args, toText(r.stdout), toText(r.stderr), r.exitCode),
    () => undefined,
  );
  return child;
}

const homes = new Set<string>();
let homeHooksInstalled = false;

function removeHomes(): void {
  for (const h of homes) rmSync(h, { recursive: true, force: true, maxRetries: 3 });
  homes.clear();
}

// 'exit' covers a normal end; vitest stops fork workers with SIGTERM, where 'exit' handlers don't run.
function installHomeHooks(): void {
  if (homeHooksInstalled) return;
  homeHooksInstalled = true;
  process.on('exit', removeHomes);
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    const handler = () => {
      for (const [s, h] of handlers) process.off(s, h);
      removeHomes();
      // Re-raise so the default action (or the remaining listeners) still ends the process.
      process.kill(process.pid, sig);
    };
    handlers.set(sig, handler);
    process.on(sig, handler);
  }
}

/** A fresh empty directory to use as HOME; removed when the test process ends. */
export async function tempHome(): Promise<string> {
  installHomeHooks();
  const home = await mkdtemp(join(tmpdir(), 'la-home-'));
  homes.add(home);
  return home;
}

/** A failed --json run: stdout is exactly one error object (README, scripting contract), nothing else. */
export function jsonErrorOf(r: CliResult): { code: string; message: string } {
  const body = r.json<{ error?: { code: string; message: string } }>();
  if (!body.error || Object.keys(body).length !== 1 || typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`expected only {"error":{"code","message"}} on stdout, got:\n${r.stdout}`);
  }
  return body.error;
}
