import type { Clock } from '../clock.js';
import type { HealthRows } from '../health.js';

/** The most samples held before they are written whatever the time. */
const MAX_HELD = 500;

/**
 * The exception engine's event-lag samples, written in batches (one multi-row INSERT about once per
 * `flushMs`) instead of one statement per event: `operationsHealth` reads percentiles over 15
 * minutes, so a sample may reach the table a second late. Samples of a process that dies before
 * its next flush are lost (they are statistics, not state).
 */
export class LagBuffer {
  private held: Array<{ hop: string; lagMs: number; at: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly health: Pick<HealthRows, 'recordLags'>,
    private readonly now: Clock,
    private readonly onError: (err: Error) => void,
    private readonly flushMs = 1000,
  ) {}

  /** Holds one sample (ms on `hop`, taken now). */
  add(hop: string, lagMs: number): void {
    if (!Number.isFinite(lagMs)) return;
    this.held.push({ hop, lagMs, at: this.now() });
    if (this.held.length >= MAX_HELD) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Writes what is held; resolves when written (errors go to `onError`). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.held;
    this.held = [];
    if (batch.length > 0)
      this.flushing = this.flushing.then(() =>
        this.health.recordLags(batch).catch((err: unknown) => this.onError(err as Error)),
      );
    return this.flushing;
  }
}
