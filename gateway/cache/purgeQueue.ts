/**
 * Gathers the cache purges the event stream asks for and runs them together, every `intervalMs`:
 * every gateway replica reads every event, and a purge per event was one Redis transaction per
 * event and replica (at 200 events/s, the largest item of an idle gateway's CPU). Purges only
 * reclaim space early — versions keep the cache correct (docs/caching.md) — so a purge that waits
 * a few tens of milliseconds serves nothing stale.
 */
export class PurgeQueue {
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** The purge in progress, if any: the next one starts after it (never two at once). */
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  /**
   * @param purge purges the entries tagged with any of the tags (TaggedCache.purge; it reports its own failures)
   * @param intervalMs how long the first tag of a batch waits. @default 50
   * @param maxTags tags gathered before a batch runs at once, whatever the interval (bounds the set). @default 10000
   */
  constructor(
    private readonly purge: (tags: string[]) => Promise<void>,
    private readonly intervalMs = 50,
    private readonly maxTags = 10_000,
  ) {}

  /** Tags whose entries are to be purged with the next batch. */
  add(tags: readonly string[]): void {
    if (this.stopped || tags.length === 0) return;
    for (const t of tags) this.pending.add(t);
    if (this.pending.size >= this.maxTags) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Tags waiting for the next batch (for tests and metrics). */
  get size(): number {
    return this.pending.size;
  }

  /** Runs the waiting tags' purge now (after the one in progress); resolves when it is done. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size > 0) {
      const tags = [...this.pending];
      this.pending = new Set();
      this.running = this.running.then(() => this.purge(tags)).catch(() => undefined);
    }
    return this.running;
  }

  /** Takes no more tags, and runs those waiting. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.flush();
  }
}
