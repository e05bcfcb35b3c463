/** Time and number helpers shared by the subscription benchmark's modules. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Monotonic milliseconds (`performance.now()`). */
export const now = (): number => performance.now();

/** A `performance.now()` reading as epoch milliseconds, comparable with the server's timestamps. */
export const epochOf = (t: number): number => performance.timeOrigin + t;

/** The `q` quantile of ascending `sorted` (nearest rank); NaN when empty. */
export function percentile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (n: number, d = 1): number =>
  Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : Number.NaN;

export const median = (xs: number[]): number => percentile(Float64Array.from(xs).sort(), 0.5);

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export const ms = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)}` : '–');
