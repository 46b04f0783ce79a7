// Waiting for another process's SQLite write lock without blocking the event loop. better-sqlite3 is
// synchronous: its busy_timeout sleeps inside the call, so a 10 s import transaction froze every request.
// The server's connection keeps busy_timeout tiny and waits here instead, between attempts, asynchronously.
import { FOREGROUND_BUSY_WAIT_MS, StoreBusyError } from './store.js';

export { FOREGROUND_BUSY_WAIT_MS };

/** What better-sqlite3 may wait inside one call (blocking the event loop) before reporting SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 20;
/** Background work (fulfilment, outbox, CLI commands on the server store): an import may take a while. */
export const BACKGROUND_BUSY_WAIT_MS = 30_000;

export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

export interface BusyRetryOptions {
  waitMs: number;
  /** Stop waiting at once (the store is closing). */
  stopped?: () => boolean;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs op; while it fails with SQLITE_BUSY, waits (5, 10, 20 … 100 ms) and tries again, up to waitMs in all. */
export async function retryWhileBusy<T>(op: () => Promise<T>, options: BusyRetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = performance.now() + options.waitMs;
  for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
    try {
      return await op();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      const left = deadline - performance.now();
      if (left <= 0 || options.stopped?.()) throw new StoreBusyError();
      await sleep(Math.min(pause, left));
    }
  }
}
