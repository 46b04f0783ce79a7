// Work a portal request starts but does not wait for: the sign-in answer must not take longer for an
// address we know (looking up its licenses, queueing the mail) than for one we don't, so that work runs
// after the answer. createApp waits for it on drain and close.
import type { Logger } from '../server/logger.js';

export class PortalJobs {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Starts `job` on a later turn of the event loop: the answer is written first, whatever the job finds. */
  start(name: string, job: () => Promise<void>): void {
    const p: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve)).then(job).catch((error: unknown) => {
      this.log.error('portal job failed', { job: name, error: (error as Error)?.name ?? 'Error', message: (error as Error)?.message?.slice(0, 200) });
    }).finally(() => this.running.delete(p));
    this.running.add(p);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
