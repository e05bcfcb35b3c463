/** Why the shield refused a fetch without (or before finishing) calling the subgraph. */
export const SHIELD_REFUSAL_REASONS = ['rate_limited', 'circuit_open', 'concurrency', 'timeout'] as const;

/**
 * - `rate_limited`: no token in the subgraph's bucket, or the subgraph itself answered 429 and its
 *   `Retry-After` has not passed yet.
 * - `circuit_open`: the breaker is open (or half-open with its one probe already in flight).
 * - `concurrency`: every slot is busy and the wait queue is full, or the wait would outlast the deadline.
 * - `timeout`: the subgraph did not answer before the deadline (`timeoutMs`); its signal was aborted.
 */
export type ShieldRefusalReason = (typeof SHIELD_REFUSAL_REASONS)[number];

/**
 * Thrown by {@link Shield.run} when the shield refuses a fetch. The caller serves the last known
 * slice (stale-if-error) or, with nothing cached, maps it to the public `RATE_LIMITED` /
 * `UPSTREAM_UNAVAILABLE` codes; this class never reaches a client as is.
 */
export class ShieldRefusal extends Error {
  override readonly name = 'ShieldRefusal';

  constructor(
    /** The subgraph whose shield refused. */
    readonly subgraph: string,
    readonly reason: ShieldRefusalReason,
    /** When trying again may succeed, in ms from now; 0 when there is no better hint than "later". */
    readonly retryAfterMs: number,
    detail: string,
  ) {
    super(`${subgraph} shield refused the fetch (${reason}): ${detail}`);
  }
}

/** True for a {@link ShieldRefusal} (also across module copies, by name and shape). */
export function isShieldRefusal(error: unknown): error is ShieldRefusal {
  return (
    error instanceof ShieldRefusal ||
    (error instanceof Error &&
      error.name === 'ShieldRefusal' &&
      typeof (error as Partial<ShieldRefusal>).reason === 'string')
  );
}
