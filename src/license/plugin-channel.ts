// Main-thread side of a format plugin's worker: starts it, then makes calls into it. The main thread waits on
// a shared Int32Array and answers the worker's sign() requests in between, so the private key never leaves
// this thread. `decode` blocks (it stays synchronous for its callers); `encode` waits asynchronously, because
// its signer may be remote (an HSM, a KMS): the worker stays blocked in its sync sign() meanwhile.
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

// Node 20 has Atomics.waitAsync (V8); TypeScript's lib types it only from es2024.
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: unknown } }).waitAsync;

export type CallOutcome = Extract<Reply, { type: 'done' }> | { type: 'timeout' } | { type: 'gone' };

export interface PluginChannel {
  /** The name the module declares, if any. */
  declaredName: string | null;
  /** Runs one command in the worker, answering sign() requests with `sign` (absent: sign() fails). */
  call(command: Command): CallOutcome;
  /** Runs one command, answering sign() requests with the async `sign`; the plugin's timeout does not count signing time. */
  callAsync(command: Command, sign: (bytes: Uint8Array) => Promise<Uint8Array>): Promise<CallOutcome>;
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
  let asyncCallOpen = false;
  const start = (command: Command): CallOutcome | null => {
    // One command at a time: a second one would read the first one's replies.
    if (asyncCallOpen) throw new Error('a format plugin call is already in progress on this worker');
    if (gone || Atomics.load(control, SLOT.workerGone)) return { type: 'gone' };
    commands.port1.postMessage(command);
    return null;
  };
  /** One look at the reply port: a reply, a sign request, or how long to wait (0: gone or timed out). */
  const poll = (deadline: number): CallOutcome | { type: 'sign'; bytes: unknown } | { type: 'wait'; ms: number } => {
    Atomics.store(control, SLOT.toMain, 0);
    const message = receiveMessageOnPort(reply.port1)?.message as Reply | undefined;
    if (message) return message;
    if (Atomics.load(control, SLOT.workerGone)) return (gone = true), { type: 'gone' };
    const left = deadline - Date.now();
    if (left <= 0) {
      gone = true;
      void worker.terminate();
      return { type: 'timeout' };
    }
    return { type: 'wait', ms: left };
  };
  const answer = (signed: SignAnswer) => {
    signing.port1.postMessage(signed);
    Atomics.store(control, SLOT.toWorker, 1);
    Atomics.notify(control, SLOT.toWorker);
  };
  const call = (command: Command): CallOutcome => {
    const refused = start(command);
    if (refused) return refused;
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const step = poll(deadline);
      if (step.type === 'sign') answer({ ok: false, message: 'sign() is only available inside encode()' });
      else if (step.type === 'wait') Atomics.wait(control, SLOT.toMain, 0, step.ms);
      else return step;
    }
  };
  const callAsync = async (command: Command, sign: (bytes: Uint8Array) => Promise<Uint8Array>): Promise<CallOutcome> => {
    const refused = start(command);
    if (refused) return refused;
    asyncCallOpen = true;
    // An Atomics.waitAsync promise does not keep Node's event loop alive; the (otherwise unref'd) worker does.
    worker.ref();
    try {
      let deadline = Date.now() + options.timeoutMs;
      for (;;) {
        const step = poll(deadline);
        if (step.type === 'sign') {
          answer(await answerSign(step.bytes, sign));
          deadline = Date.now() + options.timeoutMs;
        } else if (step.type === 'wait') {
          const waited = waitAsync(control, SLOT.toMain, 0, step.ms);
          if (waited.async) await waited.value;
        } else return step;
      }
    } finally {
      asyncCallOpen = false;
      worker.unref();
    }
  };
  return { ok: true, channel: { declaredName: ready.name, call, callAsync, close: async () => void (await worker.terminate()) } };
}

async function answerSign(bytes: unknown, sign: (bytes: Uint8Array) => Promise<Uint8Array>): Promise<SignAnswer> {
  if (!(bytes instanceof Uint8Array)) return { ok: false, message: 'sign() takes a Uint8Array' };
  try {
    return { ok: true, signature: new Uint8Array(await sign(bytes)) };
  } catch (error) {
    return { ok: false, message: `signing failed: ${(error as Error).message}` };
  }
}
