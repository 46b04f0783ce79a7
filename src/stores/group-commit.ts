// Group commit: requests that arrive together share one transaction, so one fsync (synchronous = FULL)
// covers them all instead of one each. better-sqlite3 blocks the event loop during that fsync; deliveries
// that arrive meanwhile are read in the next turn and go into the next batch, so the fsyncs per second
// stay bounded however fast the deliveries come.
export class GroupCommit<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  /** `commit` writes every item in one transaction and returns one result per item, in order. */
  constructor(private readonly commit: (items: I[]) => Promise<O[]>) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O callbacks: every request already read joins this batch.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending.splice(0);
    try {
      const results = await this.commit(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }
}
