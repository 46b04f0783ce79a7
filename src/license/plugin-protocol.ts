// What the main thread and a format plugin's worker say to each other (see plugin-channel.ts).
// The worker answers synchronously-awaited calls: it posts on a MessagePort, then wakes the waiting
// thread through a shared Int32Array (Atomics), because `encode`/`decode` are sync APIs.
import type { MessagePort } from 'node:worker_threads';

/** Slots of the shared Int32Array. */
export const SLOT = {
  /** Set to 1 by the worker when a message for the main thread is waiting. */
  toMain: 0,
  /** Set to 1 by the main thread when a sign() answer for the worker is waiting. */
  toWorker: 1,
  /** Set to 1 when the worker thread has exited. */
  workerGone: 2,
} as const;
export const SLOT_COUNT = 3;

export interface WorkerInit {
  /** file: URL of the plugin module. */
  pluginUrl: string;
  /** Files and directories the plugin may not read (key files, keyrings). */
  protectedPaths: string[];
  control: SharedArrayBuffer;
  replyPort: MessagePort;
  signPort: MessagePort;
  commandPort: MessagePort;
}

export type Command =
  | { op: 'encode'; claims: unknown; kid: string }
  | { op: 'decode'; blob: string }
  /** Many decodes in one round trip (verifying a whole log); the value is DecodeResult[]. */
  | { op: 'decodeMany'; blobs: string[] };

export type DecodeResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

export interface SerializedError {
  message: string;
  name?: string;
}

/** Worker -> main messages on the reply port. */
export type Reply =
  | { type: 'sign'; bytes: unknown }
  | { type: 'done'; ok: true; value: unknown; violations: string[] }
  | { type: 'done'; ok: false; error: SerializedError; violations: string[] };

/** Main -> worker answers to a sign request. */
export type SignAnswer = { ok: true; signature: Uint8Array } | { ok: false; message: string };

/** The handshake after loading the plugin (on the worker's parentPort). */
export type Ready =
  | { type: 'ready'; ok: true; name: string | null; violations: string[] }
  | { type: 'ready'; ok: false; error: SerializedError; violations: string[] };

// Secrets a plugin must never read: ours by name, anyone's by the usual words.
const SECRET_ENV = /^LICENSE_ADMIN_|PRIVATE|SECRET|PASSWORD|PASSPHRASE|PASSWD|TOKEN|CREDENTIAL|API_?KEY/i;

export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV.test(name);
}

/** The environment a plugin worker starts with: everything but secrets and our own settings. */
export function pluginEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !isSecretEnvName(k)) out[k] = v;
  return out;
}
