// Runs async jobs one at a time. The SQLite store shares one connection, so a transaction that awaits
// must not let another request's statements slip into it.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
