// Main-thread side of a format plugin's worker: starts it, then makes blocking calls into it. The main
// thread waits on a shared Int32Array and answers the worker's sign() requests in between, so the private
// key never leaves this thread and `encode`/`decode` stay synchronous for their callers.
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { pluginEnv, SLOT, SLOT_COUNT, type Command, type Ready, type Reply, type SignAnswer, type WorkerInit } from './plugin-protocol.js';

export interface StartOptions {
  /** Absolute path of the plugin module. */
  path: string;
  protectedPaths: string[];
  env: Record<string, string | undefined>;
  timeoutMs: number;
}

export type CallOutcome = Extract<Reply, { type: 'done' }> | { type: 'timeout' } | { type: 'gone' };

export interface PluginChannel {
  /** The name the module declares, if any. */
  declaredName: string | null;
  /** Runs one command in the worker, answering sign() requests with `sign` (absent: sign() fails). */
  call(command: Command, sign?: (bytes: Uint8Array) => Uint8Array): CallOutcome;
  close(): Promise<void>;
}

export type StartResult = { ok: true; channel: PluginChannel } | { ok: false; reason: string; violations: string[] };

export async function startPluginWorker(options: StartOptions): Promise<StartResult> {
  const control = new Int32Array(new SharedArrayBuffer(SLOT_COUNT * Int32Array.BYTES_PER_ELEMENT));
  const reply = new MessageChannel();
  const signing = new MessageChannel();
  const commands = new MessageChannel();
  const init: WorkerInit = {
    pluginUrl: pathToFileURL(options.path).href,
    protectedPaths: options.protectedPaths,
    control: control.buffer as SharedArrayBuffer,
    replyPort: reply.port2,
    signPort: signing.port2,
    commandPort: commands.port2,
  };
  const worker = new Worker(new URL('./plugin-worker.js', import.meta.url), {
    workerData: init,
    transferList: [reply.port2, signing.port2, commands.port2],
    env: pluginEnv(options.env),
  });

  const ready = await new Promise<Ready | string>((resolve) => {
    const timer = setTimeout(() => resolve(`it did not finish loading within ${options.timeoutMs} ms`), options.timeoutMs);
    const done = (value: Ready | string) => (clearTimeout(timer), resolve(value));
    worker.once('message', (m: Ready) => done(m));
    worker.once('error', (e) => done(`its worker failed: ${e.message}`));
    worker.once('exit', (code) => done(`its worker exited (code ${code}) while loading`));
  });
  if (typeof ready === 'string' || !ready.ok || ready.violations.length > 0) {
    await worker.terminate();
    if (typeof ready === 'string') return { ok: false, reason: ready, violations: [] };
    return { ok: false, reason: ready.ok ? 'it went looking for the signing key' : ready.error.message, violations: ready.violations };
  }
  worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
  worker.on('error', () => Atomics.store(control, SLOT.workerGone, 1));
  worker.unref();
  for (const port of [reply.port1, signing.port1, commands.port1]) port.unref();

  let gone = false;
  const call = (command: Command, sign?: (bytes: Uint8Array) => Uint8Array): CallOutcome => {
    if (gone || Atomics.load(control, SLOT.workerGone)) return { type: 'gone' };
    commands.port1.postMessage(command);
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      Atomics.store(control, SLOT.toMain, 0);
      const message = receiveMessageOnPort(reply.port1)?.message as Reply | undefined;
      if (message?.type === 'sign') {
        signing.port1.postMessage(answerSign(message.bytes, sign));
        Atomics.store(control, SLOT.toWorker, 1);
        Atomics.notify(control, SLOT.toWorker);
        continue;
      }
      if (message) return message;
      if (Atomics.load(control, SLOT.workerGone)) return (gone = true), { type: 'gone' };
      const left = deadline - Date.now();
      if (left <= 0) {
        gone = true;
        void worker.terminate();
        return { type: 'timeout' };
      }
      Atomics.wait(control, SLOT.toMain, 0, left);
    }
  };
  return { ok: true, channel: { declaredName: ready.name, call, close: async () => void (await worker.terminate()) } };
}

function answerSign(bytes: unknown, sign?: (bytes: Uint8Array) => Uint8Array): SignAnswer {
  if (!sign) return { ok: false, message: 'sign() is only available inside encode()' };
  if (!(bytes instanceof Uint8Array)) return { ok: false, message: 'sign() takes a Uint8Array' };
  try {
    return { ok: true, signature: new Uint8Array(sign(bytes)) };
  } catch (error) {
    return { ok: false, message: `signing failed: ${(error as Error).message}` };
  }
}
