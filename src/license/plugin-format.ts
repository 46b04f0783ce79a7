// A format plugin as a LicenseFormat: every call goes to its worker, every answer is checked, and
// encode() only returns a blob that decodes back to the same claims with a signature we made.
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { UserError } from '../errors.js';
import type { LicenseClaims } from '../verify/claims.js';
import type { BlobSigner, DecodedBlob, LicenseFormat } from './format.js';
import { startPluginWorker, type CallOutcome } from './plugin-channel.js';
import { blobProblem, claimsDifference, readDecoded, signatureProblem, type Signature } from './plugin-checks.js';
import type { Command, DecodeResult } from './plugin-protocol.js';

export interface PluginFormatOptions {
  /** Absolute path of the module. */
  path: string;
  /** How the user wrote it (config.json "format" or --format), for messages. */
  label: string;
  /** Key files and keyrings the plugin may not open. */
  protectedPaths: string[];
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}

export interface PluginFormat extends LicenseFormat {
  readonly plugin: string;
  /** Decodes many blobs in a few round trips; later decode() calls for them are answered from memory. */
  prefetch(blobs: readonly string[]): void;
  close(): Promise<void>;
}

const PREFETCH_CHUNK = 1000;

const NAME = /^[A-Za-z0-9._-]{1,40}$/;
export const DEFAULT_PLUGIN_TIMEOUT_MS = 10_000;

function keyAccess(who: string, violations: string[]): UserError {
  return new UserError(`${who} tried to ${violations[0]}, which a format plugin may not do: it never gets the signing key and signs only through the sign(bytes) function it is handed. Nothing was written.`);
}

export async function loadPluginFormat(options: PluginFormatOptions): Promise<PluginFormat> {
  const who = `format plugin "${options.label}"`;
  if (!existsSync(options.path)) throw new UserError(`${who}: no such file ${options.path} (the format is "jws" or the path of a plugin module)`);
  const timeoutMs = options.timeoutMs ?? DEFAULT_PLUGIN_TIMEOUT_MS;
  const started = await startPluginWorker({ path: options.path, protectedPaths: options.protectedPaths, env: options.env, timeoutMs });
  if (!started.ok) {
    if (started.violations.length > 0) throw keyAccess(who, started.violations);
    throw new UserError(`${who} could not be loaded: ${started.reason}`);
  }
  const channel = started.channel;
  const name = channel.declaredName ?? basename(options.path, extname(options.path));
  if (!NAME.test(name) || name === 'jws') {
    await channel.close();
    throw new UserError(`${who} is named "${name}"; a plugin's name is 1-40 letters, digits, dot, dash or underscore, and not "jws"`);
  }
  let refusal: UserError | null = null;

  const checked = (command: Command, outcome: CallOutcome): Extract<CallOutcome, { type: 'done' }> => {
    if (outcome.type === 'timeout') throw (refusal = new UserError(`${who} did not answer ${command.op}() within ${timeoutMs} ms (an endless loop?); nothing was written`));
    if (outcome.type === 'gone') throw (refusal = new UserError(`${who} stopped: its worker thread exited (process.exit or an uncaught error in a callback); nothing was written`));
    if (outcome.violations.length > 0) throw (refusal = keyAccess(who, outcome.violations));
    return outcome;
  };
  const call = (command: Command) => {
    if (refusal) throw refusal;
    return checked(command, channel.call(command));
  };
  // Encodes (with their read-back) run one at a time on the worker; callers may start several at once.
  let encodes: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(job: () => Promise<T>): Promise<T> => {
    const run = encodes.then(job);
    encodes = run.catch(() => undefined);
    return run;
  };
  const callEncode = async (command: Command, sign: (bytes: Uint8Array) => Promise<Uint8Array>) => {
    if (refusal) throw refusal;
    return checked(command, await channel.callAsync(command, sign));
  };

  const prefetched = new Map<string, DecodedBlob | string>();
  const decodeChecked = (blob: string): DecodedBlob | string => {
    const ready = prefetched.get(blob);
    if (ready !== undefined) return prefetched.delete(blob), ready;
    const outcome = call({ op: 'decode', blob });
    return outcome.ok ? readDecoded(outcome.value) : `decode() threw: ${outcome.error.message}`;
  };

  return {
    name,
    plugin: options.label,
    encode: (claims: LicenseClaims, signer: BlobSigner): Promise<string> => oneAtATime(async () => {
      const made: Signature[] = [];
      const sign = async (bytes: Uint8Array) => {
        const signature = await signer.sign(bytes);
        made.push({ bytes: new Uint8Array(bytes), signature: new Uint8Array(signature) });
        return signature;
      };
      const outcome = await callEncode({ op: 'encode', claims, kid: signer.kid }, sign);
      if (!outcome.ok) throw new UserError(`${who} failed in encode(): ${outcome.error.message}; nothing was written`);
      const blob = outcome.value;
      const problem = blobProblem(blob);
      if (problem) throw new UserError(`${who}: ${problem}; nothing was written`);
      const decoded = decodeChecked(blob as string);
      const roundTrip = typeof decoded === 'string' ? `it cannot read back the blob it just made: ${decoded}` : claimsDifference(claims, decoded.claims) ?? signatureProblem(decoded, made, signer.kid);
      if (roundTrip) throw new UserError(`${who} fails the round trip (encode, then decode): ${roundTrip}; nothing was written`);
      return blob as string;
    }),
    decode(blob: string): DecodedBlob {
      const decoded = decodeChecked(blob);
      if (typeof decoded === 'string') throw new Error(decoded.startsWith('decode() threw: ') ? decoded.slice(16) : `${who}: ${decoded}`);
      return decoded;
    },
    prefetch(blobs: readonly string[]): void {
      for (let i = 0; i < blobs.length; i += PREFETCH_CHUNK) {
        const chunk = blobs.slice(i, i + PREFETCH_CHUNK);
        const outcome = call({ op: 'decodeMany', blobs: chunk });
        if (!outcome.ok || !Array.isArray(outcome.value)) return;
        (outcome.value as DecodeResult[]).forEach((r, j) => {
          prefetched.set(chunk[j]!, r.ok ? readDecoded(r.value) : `decode() threw: ${r.error.message}`);
        });
      }
    },
    close: () => channel.close(),
  };
}
