/**
 * Runs asynchronous tasks one at a time, in the order they were queued: the transactions of a
 * single database connection must not interleave.
 */
export class WriteQueue {
  private running = false;
  private readonly waiting: Array<() => void> = [];

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running = true;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running = false;
    }
  }
}
