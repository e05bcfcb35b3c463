/** A monotonic millisecond clock; injectable so tests can move time by hand. */
export type Clock = () => number;

/** `performance.now()`: monotonic, unaffected by wall-clock steps. */
export const monotonic: Clock = () => performance.now();

/**
 * Resolves once `clock()` has reached `target`. Timers may fire a little early against another
 * clock, so it sleeps again for whatever is left; it never resolves before `target`.
 */
export async function sleepUntil(target: number, clock: Clock = monotonic): Promise<void> {
  for (let left = target - clock(); left > 0; left = target - clock()) {
    await new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}
