/** The store's and the exception engine's time source, in epoch ms: injectable so tests run on a fake clock. */
export type Clock = () => number;

/** The wall clock. */
export const systemClock: Clock = () => Date.now();

/** A clock tests move by hand. */
export class FakeClock {
  constructor(private t: number = Date.UTC(2025, 0, 1)) {}
  /** The current fake time (bind-free: pass `fake.now`). */
  readonly now: Clock = () => this.t;
  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: expected ms >= 0, got ${ms}`);
    this.t += ms;
  }
  /** Sets the time to an ISO-8601 instant or epoch ms (never backwards). */
  set(to: string | number): void {
    const t = typeof to === 'number' ? to : Date.parse(to);
    if (!(t >= this.t))
      throw new RangeError(
        `FakeClock.set: expected a time at or after ${new Date(this.t).toISOString()}, got ${String(to)}`,
      );
    this.t = t;
  }
}
