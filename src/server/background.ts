// The server's background work (fulfilment, outbox delivery) as one loop: woken when a route stores
// work, and polling anyway so work left by a crash or another replica is picked up. Every pass ends with a
// turn of the event loop: the SQLite store answers without real I/O, so a pass that always finds more work
// would otherwise never let a request (or SIGTERM) in.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from './logger.js';
import { createRepeatLimiter } from './repeat-limiter.js';

export interface BackgroundTask {
  name: string;
  /** Does one batch; returns true when there may be more to do right away. */
  run(): Promise<boolean>;
}

export class BackgroundLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private readonly repeats = createRepeatLimiter(60_000);

  constructor(
    private readonly tasks: BackgroundTask[],
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.runLoop();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Lets the batch in progress finish, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** One pass over every task until none has more (for tests and shutdown). */
  async drain(): Promise<void> {
    for (let more = true; more; ) {
      more = false;
      for (const task of this.tasks) more = (await this.safeRun(task)) || more;
    }
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      this.woken = false;
      let more = false;
      for (const task of this.tasks) {
        if (!this.running) break;
        more = (await this.safeRun(task)) || more;
      }
      if (!this.running) break;
      if (!more && !this.woken) await this.sleep();
      else await nextTurn();
    }
  }

  private async safeRun(task: BackgroundTask): Promise<boolean> {
    try {
      return await task.run();
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const { log, repeated } = this.repeats(`${task.name}:${message}`);
      if (log) this.log.error('background task failed', { task: task.name, error: message, ...(repeated ? { repeated } : {}) });
      return false;
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.intervalMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
