import { libraryLogger } from '../../runtime/logger.js';
import { withTimeout } from '../../events/async.js';

/** Receives a cache failure; `context` names the operation and, past the first, how many were not reported. */
export type CacheErrorHandler = (error: Error, context: string) => void;

/** Options of {@link CacheGuard}. */
export interface CacheGuardOptions {
  /**
   * Longest one cache operation may take before it counts as failed (a miss, a skipped write), ms.
   * A hung Redis costs a request at most this much per cache call.
   * @default 50
   */
  timeoutMs?: number;
  /** Failures are reported at most once per this interval, ms; the others are counted in the next report. @default 10000 */
  reportIntervalMs?: number;
  /** Where failures are reported. @default logs them (pino, `"name":"cache"`) */
  onError?: CacheErrorHandler;
  /** The clock, in ms (for tests). @default Date.now */
  now?: () => number;
  /** After a failure, how long every call is a miss without trying (one try after it). @default 250 */
  failFastMs?: number;
}

export const DEFAULT_CACHE_TIMEOUT_MS = 50;
export const DEFAULT_REPORT_INTERVAL_MS = 10_000;
export const DEFAULT_FAIL_FAST_MS = 250;

const defaultOnError: CacheErrorHandler = (error, context) => {
  libraryLogger('cache').warn({ err: error.message, context }, 'cache unavailable: serving misses');
};

/**
 * Runs cache operations so that a cache outage is never a request failure: each one is bounded by
 * `timeoutMs` and any failure (error or timeout) yields the caller's fallback — a miss, a skipped
 * write — and is reported, at most once per `reportIntervalMs`. One guard may serve several
 * stores (values, tags, versions) so that one outage is reported once.
 */
export class CacheGuard {
  readonly timeoutMs: number;
  private readonly reportIntervalMs: number;
  private readonly onError: CacheErrorHandler;
  private readonly now: () => number;
  private lastReport = -Infinity;
  private suppressed = 0;
  /** After a failure, calls are misses at once until then: a down cache costs no wait per call. */
  private failFastUntil = -Infinity;
  private readonly failFastMs: number;

  constructor(opts: CacheGuardOptions = {}) {
    this.timeoutMs = positive('timeoutMs', opts.timeoutMs, DEFAULT_CACHE_TIMEOUT_MS);
    this.reportIntervalMs = positive('reportIntervalMs', opts.reportIntervalMs, DEFAULT_REPORT_INTERVAL_MS);
    this.onError = opts.onError ?? defaultOnError;
    this.now = opts.now ?? Date.now;
    this.failFastMs = opts.failFastMs ?? DEFAULT_FAIL_FAST_MS;
  }

  /** `work()`, or `fallback` when it throws, rejects or takes longer than `timeoutMs` (it is then left to finish alone). */
  async run<T>(what: string, work: () => Promise<T>, fallback: T): Promise<T> {
    if (this.now() < this.failFastUntil) {
      this.suppressed += 1;
      return fallback;
    }
    try {
      return await withTimeout(
        Promise.resolve().then(work),
        this.timeoutMs,
        () => new Error(`no answer within ${this.timeoutMs} ms`),
      );
    } catch (err) {
      this.failFastUntil = this.now() + this.failFastMs;
      this.report(err instanceof Error ? err : new Error(String(err)), what);
      return fallback;
    }
  }

  /** Reports `error` unless a report went out less than `reportIntervalMs` ago (then it is counted). */
  report(error: Error, what: string): void {
    const now = this.now();
    if (now - this.lastReport < this.reportIntervalMs) {
      this.suppressed += 1;
      return;
    }
    const more = this.suppressed ? ` (and ${this.suppressed} more cache failures since the last report)` : '';
    this.lastReport = now;
    this.suppressed = 0;
    try {
      this.onError(error, `cache ${what} failed, served as a miss${more}`);
    } catch {
      // a reporter that throws must not turn a miss into an error
    }
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`cache option ${name}: expected a positive number of ms, got ${JSON.stringify(value)}`);
  return value;
}
