// Runs inside a plugin's worker before the plugin loads: keeps the signing key out of reach and records
// every attempt to get at it, so the main thread can refuse the plugin even if it swallowed the error.
// This stops a plugin from stumbling on or casually taking the key; it is not a sandbox for hostile code
// (docs/FORMAT-PLUGINS.md says so).
import childProcess from 'node:child_process';
import fs from 'node:fs';
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import workerThreads from 'node:worker_threads';
import { isSecretEnvName } from './plugin-protocol.js';

export class KeyAccessError extends Error {
  override name = 'KeyAccessError';
}

export interface Guards {
  violations: string[];
}

export function installGuards(protectedPaths: string[]): Guards {
  const guards: Guards = { violations: [] };
  const refuse = (what: string): never => {
    guards.violations.push(what);
    throw new KeyAccessError(`a format plugin may not ${what}`);
  };
  guardEnv(refuse);
  guardFiles(protectedPaths.map((p) => resolve(p)), refuse);
  guardProcesses(refuse);
  guardNetwork(refuse);
  syncBuiltinESMExports();
  return guards;
}

function guardEnv(refuse: (what: string) => never): void {
  const env = process.env;
  const check = (name: string | symbol) => {
    if (typeof name === 'string' && isSecretEnvName(name)) refuse(`read ${name} from the environment`);
  };
  const proxy = new Proxy(env, {
    get(target, name) {
      check(name);
      return Reflect.get(target, name);
    },
    has(target, name) {
      check(name);
      return Reflect.has(target, name);
    },
    getOwnPropertyDescriptor(target, name) {
      check(name);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
  });
  Object.defineProperty(process, 'env', { value: proxy, configurable: false, writable: false });
}

function pathOf(p: unknown): string | null {
  if (typeof p === 'string') return p;
  if (p instanceof URL) return p.protocol === 'file:' ? fileURLToPath(p) : null;
  if (Buffer.isBuffer(p)) return p.toString('utf8');
  return null;
}

function guardFiles(protectedPaths: string[], refuse: (what: string) => never): void {
  const realpath = fs.realpathSync.native;
  const isProtected = (p: unknown): boolean => {
    const raw = pathOf(p);
    if (raw === null) return false;
    const candidates = [resolve(raw)];
    try {
      candidates.push(realpath(raw));
    } catch {
      // a path that does not exist yet cannot be a link to the key
    }
    return candidates.some((c) => protectedPaths.some((root) => c === root || c.startsWith(`${root}/`) || c.startsWith(`${root}\\`)));
  };
  const wrap = (owner: Record<string, unknown>, names: string[], pathArgs = 1) => {
    for (const name of names) {
      const original = owner[name];
      if (typeof original !== 'function') continue;
      owner[name] = function guarded(this: unknown, ...args: unknown[]) {
        for (let i = 0; i < pathArgs; i++) if (isProtected(args[i])) refuse(`open ${pathOf(args[i])}`);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      };
    }
  };
  const readers = ['readFile', 'readFileSync', 'open', 'openSync', 'createReadStream', 'readdir', 'readdirSync', 'opendir', 'opendirSync', 'openAsBlob'];
  wrap(fs as unknown as Record<string, unknown>, readers);
  wrap(fs as unknown as Record<string, unknown>, ['copyFile', 'copyFileSync', 'cp', 'cpSync', 'symlink', 'symlinkSync', 'link', 'linkSync', 'rename', 'renameSync'], 2);
  wrap(fs.promises as unknown as Record<string, unknown>, ['readFile', 'open', 'readdir', 'opendir']);
  wrap(fs.promises as unknown as Record<string, unknown>, ['copyFile', 'cp', 'symlink', 'link', 'rename'], 2);
}

function guardNetwork(refuse: (what: string) => never): void {
  // sign() answers only during encode(), but a plugin could still try to send what it had signed elsewhere.
  net.Socket.prototype.connect = function connect() {
    return refuse('open a network connection');
  } as typeof net.Socket.prototype.connect;
  (dgram as unknown as Record<string, unknown>).createSocket = () => refuse('open a network socket');
  (globalThis as Record<string, unknown>).fetch = () => refuse('open a network connection (fetch)');
}

function guardProcesses(refuse: (what: string) => never): void {
  const cp = childProcess as unknown as Record<string, unknown>;
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    cp[name] = (...args: unknown[]) => refuse(`run a program (${String(args[0]).slice(0, 60)})`);
  }
  (workerThreads as unknown as Record<string, unknown>).Worker = function Worker() {
    refuse('start a thread of its own');
  };
  const proc = process as unknown as Record<string, unknown>;
  // Native addons are how the OS keychain is reached (keytar, @napi-rs/keyring); so are internal bindings.
  proc.dlopen = (_module: unknown, filename: unknown) => refuse(`load the native module ${String(filename)} (the OS keychain is off limits)`);
  proc.binding = (name: unknown) => refuse(`use process.binding(${String(name)})`);
  proc._linkedBinding = (name: unknown) => refuse(`use process._linkedBinding(${String(name)})`);
}
