import { checkNumber } from './validate.js';

/** Options of {@link ConcurrencyLimiter}. */
export interface ConcurrencyLimiterOptions {
  /** Most calls in flight at once; ≥ 1. */
  maxConcurrent: number;
  /** Most calls waiting for a slot; one more is refused at once. 0: never wait. */
  maxQueue: number;
}

/** The answer of {@link ConcurrencyLimiter.acquire}: a slot (release it exactly once; extra calls do nothing), or why not. */
export type Permit = { ok: true; release: () => void } | { ok: false; why: 'queue_full' | 'wait_timeout' };

interface Waiter {
  grant: (release: () => void) => void;
  timer: NodeJS.Timeout;
}

/**
 * A semaphore with a bounded FIFO wait queue: at most `maxConcurrent` calls hold a slot; up to
 * `maxQueue` more wait for one, each for a bounded time. Memory stays bounded whatever the load:
 * what does not fit is refused, not buffered.
 */
export class ConcurrencyLimiter {
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private active = 0;
  private readonly waiters = new Set<Waiter>();

  constructor(opts: ConcurrencyLimiterOptions) {
    this.maxConcurrent = checkNumber('ConcurrencyLimiter', 'maxConcurrent', opts.maxConcurrent, 1, 1_000_000, true);
    this.maxQueue = checkNumber('ConcurrencyLimiter', 'maxQueue', opts.maxQueue, 0, 1_000_000, true);
  }

  /** Calls holding a slot. */
  get inFlight(): number {
    return this.active;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.waiters.size;
  }

  /**
   * A slot now if one is free; else waits up to `maxWaitMs` in the queue (refused at once when
   * the queue is full or `maxWaitMs` ≤ 0). Slots pass to waiters in arrival order.
   */
  acquire(maxWaitMs: number): Promise<Permit> {
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return Promise.resolve({ ok: true, release: this.releaser() });
    }
    if (this.waiters.size >= this.maxQueue) return Promise.resolve({ ok: false, why: 'queue_full' });
    if (!(maxWaitMs > 0)) return Promise.resolve({ ok: false, why: 'wait_timeout' });
    return new Promise<Permit>((resolve) => {
      const waiter: Waiter = {
        grant: (release) => resolve({ ok: true, release }),
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve({ ok: false, why: 'wait_timeout' });
        }, maxWaitMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** A release function for one held slot: hands the slot to the first waiter, or frees it. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.values().next();
      if (next.done) {
        this.active -= 1;
        return;
      }
      this.waiters.delete(next.value);
      clearTimeout(next.value.timer);
      next.value.grant(this.releaser());
    };
  }
}
