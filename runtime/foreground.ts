/**
 * Latency-critical work of a process, and the background work that gives way to it. The embedded
 * stack runs the exception engine (eventually consistent) in the thread that runs the status
 * tracker (webhook → change published, the latency that counts, issue 11): each engine event first
 * waits until no tracker work runs, so a burst of webhooks is published first and the engine
 * catches up after it — never waiting longer than its bound, so it never stalls for good.
 */
export class ForegroundWork {
  private active = 0;
  private waiters = new Set<() => void>();

  /** Foreground calls in progress. */
  get running(): number {
    return this.active;
  }

  /** Runs `fn` as foreground work. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await fn();
    } finally {
      if (--this.active === 0) {
        const waiters = this.waiters;
        this.waiters = new Set();
        for (const w of waiters) w();
      }
    }
  }

  /** Callers of {@link idle} waiting now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Resolves once no foreground work runs, after the I/O callbacks already due (which may start
   * some), or after `maxWaitMs` whatever runs. A wait that times out leaves nothing behind: under
   * foreground work that never pauses, each one stayed queued (with its timer) until it did.
   */
  async idle(maxWaitMs: number): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.active === 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, maxWaitMs);
      this.waiters.add(done);
    });
  }
}
