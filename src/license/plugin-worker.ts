// The thread a format plugin runs in (started by plugin-channel.ts). It has no private key, a scrubbed
// environment and the guards of plugin-guards.ts; every sign() goes back to the main thread.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { installGuards } from './plugin-guards.js';
import { SLOT, type Command, type DecodeResult, type Ready, type Reply, type SerializedError, type SignAnswer, type WorkerInit } from './plugin-protocol.js';

interface LoadedPlugin {
  name?: unknown;
  encode: (claims: unknown, signer: { kid: string; sign(bytes: Uint8Array): Uint8Array }) => unknown;
  decode: (blob: string) => unknown;
}

const init = workerData as WorkerInit;
const control = new Int32Array(init.control);
const guards = installGuards(init.protectedPaths);
// A plugin's console.log must not land in a --json document on stdout: its output goes to stderr.
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
for (const level of ['log', 'info', 'debug'] as const) console[level] = console.error;

process.on('exit', () => {
  Atomics.store(control, SLOT.workerGone, 1);
  Atomics.notify(control, SLOT.toMain);
});

function toMain(message: Reply): void {
  try {
    init.replyPort.postMessage(message);
  } catch (error) {
    if (message.type === 'sign') throw error;
    // e.g. a function or a class instance in the result: say so instead of dying silently
    init.replyPort.postMessage({ type: 'done', ok: false, error: { message: `returned a value that cannot be passed back (${(error as Error).message})` }, violations: message.violations } satisfies Reply);
  }
  Atomics.store(control, SLOT.toMain, 1);
  Atomics.notify(control, SLOT.toMain);
}

function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { message: error.message, name: error.name };
  return { message: `threw a non-Error value: ${String(error)}` };
}

function sign(bytes: Uint8Array): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('sign() takes a Uint8Array (the exact bytes to sign)');
  Atomics.store(control, SLOT.toWorker, 0);
  toMain({ type: 'sign', bytes: new Uint8Array(bytes) });
  for (;;) {
    const answer = receiveMessageOnPort(init.signPort)?.message as SignAnswer | undefined;
    if (answer) {
      if (!answer.ok) throw new Error(answer.message);
      return Buffer.from(answer.signature.buffer, answer.signature.byteOffset, answer.signature.byteLength);
    }
    Atomics.wait(control, SLOT.toWorker, 0);
  }
}

function pickPlugin(mod: Record<string, unknown>): LoadedPlugin | null {
  const candidate = (typeof mod.default === 'object' && mod.default !== null ? mod.default : mod) as Record<string, unknown>;
  if (typeof candidate.encode !== 'function' || typeof candidate.decode !== 'function') return null;
  return candidate as unknown as LoadedPlugin;
}

async function run(plugin: LoadedPlugin, command: Command): Promise<unknown> {
  if (command.op === 'encode') return await plugin.encode(command.claims, { kid: command.kid, sign });
  if (command.op === 'decode') return await plugin.decode(command.blob);
  const results: DecodeResult[] = [];
  for (const blob of command.blobs) {
    try {
      results.push({ ok: true, value: await plugin.decode(blob) });
    } catch (error) {
      results.push({ ok: false, error: serializeError(error) });
    }
  }
  return results;
}

async function main(): Promise<void> {
  let plugin: LoadedPlugin | null;
  try {
    plugin = pickPlugin((await import(init.pluginUrl)) as Record<string, unknown>);
    if (!plugin) throw new Error('it exports no encode() and decode() functions (export default { name, encode, decode })');
  } catch (error) {
    parentPort!.postMessage({ type: 'ready', ok: false, error: serializeError(error), violations: guards.violations } satisfies Ready);
    return;
  }
  const loaded = plugin;
  init.commandPort.on('message', (command: Command) => {
    const before = guards.violations.length;
    run(loaded, command).then(
      (value) => toMain({ type: 'done', ok: true, value, violations: guards.violations.slice(before) }),
      (error: unknown) => toMain({ type: 'done', ok: false, error: serializeError(error), violations: guards.violations.slice(before) }),
    );
  });
  const name = typeof loaded.name === 'string' ? loaded.name : null;
  parentPort!.postMessage({ type: 'ready', ok: true, name, violations: guards.violations } satisfies Ready);
}

void main();
