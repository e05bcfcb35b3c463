/** How one upstream call ended: its value, or what it threw. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * The caller's reading of one upstream call, which drives retry and the breaker:
 * - `'ok'`: the subgraph answered usefully. Not retried; a breaker success.
 * - `'fatal'`: the subgraph answered, but retrying cannot help (e.g. a 400 for a bad request).
 *   Not retried; a breaker success (the subgraph is up; the request was the problem).
 * - `'retryable'`: no usable answer that may be transient (network error, 5xx, 408). Retried
 *   within the policy and budget; a breaker failure.
 * - `{ rateLimited: ms }`: the subgraph refused for load (429) and asked to wait `ms`
 *   (`Retry-After`). The shield pauses calls to it for `ms` and retries no sooner; not a
 *   breaker failure.
 *
 * Whatever the verdict, the last outcome is what the caller finally gets (its value returned, its
 * error rethrown) when no retry follows.
 */
export type Verdict = 'ok' | 'fatal' | 'retryable' | { rateLimited: number };

/** Classifies a settled call; see {@link Verdict}. Must not throw. */
export type Classify<T> = (outcome: Settled<T>) => Verdict;

/** Values are `'ok'`; errors are `'retryable'`. */
export const defaultClassify: Classify<unknown> = (outcome) => (outcome.ok ? 'ok' : 'retryable');

/** Used when a 429 names no (valid) `Retry-After`, ms. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * A `Retry-After` header in ms from `nowMs`: delay-seconds or an HTTP-date
 * (https://www.rfc-editor.org/rfc/rfc9110#field.retry-after); undefined when absent or invalid.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs = Date.now()): number | undefined {
  const raw = header?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day name.
  const at = /^[A-Za-z]{3}/.test(raw) ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The verdict for an HTTP status: 429 → `rateLimited` (its `Retry-After`, else 1 s); 408 and
 * 5xx → `'retryable'`; other 4xx → `'fatal'`; anything else → `'ok'`.
 */
export function verdictForStatus(status: number, retryAfter?: string | null): Verdict {
  if (status === 429) return { rateLimited: parseRetryAfter(retryAfter) ?? DEFAULT_RETRY_AFTER_MS };
  if (status === 408 || status >= 500) return 'retryable';
  if (status >= 400) return 'fatal';
  return 'ok';
}
