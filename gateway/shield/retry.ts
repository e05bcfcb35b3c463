import type { Verdict } from './classify.js';
import { monotonic, type Clock } from './clock.js';
import { checkNumber } from './validate.js';

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Retries allowed per request over the window (0.1: one retry per ten requests). @default 0.1 */
  ratio?: number;
  /** Retries allowed per second regardless of traffic, so a quiet subgraph can still be retried. @default 1 */
  minPerSecond?: number;
  /** The sliding window, ms (kept in ten slots). @default 10000 */
  windowMs?: number;
  /** The clock, ms. @default performance.now */
  now?: Clock;
}

const SLOTS = 10;

/**
 * A retry budget (as in Finagle's and gRPC's retry throttling): over the last `windowMs`, retries
 * may not exceed `ratio × requests + minPerSecond × windowMs / 1000`. When a subgraph fails for
 * everyone, retries stay a small fraction of traffic instead of multiplying it.
 */
export class RetryBudget {
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly windowMs: number;
  private readonly now: Clock;
  private readonly slotMs: number;
  private readonly epochs = new Array<number>(SLOTS).fill(-1);
  private readonly requests = new Array<number>(SLOTS).fill(0);
  private readonly retries = new Array<number>(SLOTS).fill(0);

  constructor(opts: RetryBudgetOptions = {}) {
    this.ratio = checkNumber('RetryBudget', 'ratio', opts.ratio ?? 0.1, 0, 1000);
    this.minPerSecond = checkNumber('RetryBudget', 'minPerSecond', opts.minPerSecond ?? 1, 0, 1_000_000);
    this.windowMs = checkNumber('RetryBudget', 'windowMs', opts.windowMs ?? 10_000, SLOTS, 3_600_000);
    this.now = opts.now ?? monotonic;
    this.slotMs = this.windowMs / SLOTS;
  }

  /** Counts one original request (not its retries). */
  recordRequest(): void {
    this.requests[this.slot()]! += 1;
  }

  /** Spends one retry if the budget allows it; false (nothing spent) otherwise. */
  tryRetry(): boolean {
    const i = this.slot();
    let requests = 0;
    let retries = 0;
    for (let s = 0; s < SLOTS; s++) {
      requests += this.requests[s]!;
      retries += this.retries[s]!;
    }
    if (retries + 1 > this.ratio * requests + (this.minPerSecond * this.windowMs) / 1000) return false;
    this.retries[i]! += 1;
    return true;
  }

  /** The index of the current slot, clearing the slots that have left the window. */
  private slot(): number {
    const epoch = Math.floor(this.now() / this.slotMs);
    const i = ((epoch % SLOTS) + SLOTS) % SLOTS;
    if (this.epochs[i] !== epoch) {
      for (let s = 0; s < SLOTS; s++) {
        const e = this.epochs[s]!;
        if (e !== -1 && epoch - e >= SLOTS) {
          this.epochs[s] = -1;
          this.requests[s] = 0;
          this.retries[s] = 0;
        }
      }
      this.epochs[i] = epoch;
      this.requests[i] = 0;
      this.retries[i] = 0;
    }
    return i;
  }
}

/** How retries are spaced and bounded. */
export interface RetryPolicy {
  /** Retries after the first attempt, at most. */
  retries: number;
  /** The first backoff's cap, ms; it doubles for each further retry. */
  baseMs: number;
  /** The cap of any backoff, ms. */
  maxMs: number;
}

/**
 * Exponential backoff with full jitter
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): a uniform draw in
 * [0, min(maxMs, baseMs × 2^retryIndex)).
 */
export function backoffMs(
  retryIndex: number,
  policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
  random: () => number = Math.random,
): number {
  return random() * Math.min(policy.maxMs, policy.baseMs * 2 ** retryIndex);
}

/** Whether to retry, and after how long; when not, why not. */
export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; why: 'not_retryable' | 'exhausted' | 'deadline' | 'budget' };

/**
 * Decides the retry after a failed attempt: only `'retryable'` and `rateLimited` verdicts, at
 * most `policy.retries` times (`retriesSoFar` made already), never sooner than `Retry-After`,
 * not at all when the wait would reach past the deadline (`remainingMs`), and only when the
 * budget grants it (checked last, so a retry refused for another reason spends nothing).
 */
export function decideRetry(
  verdict: Verdict,
  retriesSoFar: number,
  remainingMs: number,
  policy: RetryPolicy,
  budget: RetryBudget,
  random: () => number = Math.random,
): RetryDecision {
  if (verdict === 'ok' || verdict === 'fatal') return { retry: false, why: 'not_retryable' };
  if (retriesSoFar >= policy.retries) return { retry: false, why: 'exhausted' };
  const backoff = backoffMs(retriesSoFar, policy, random);
  const delayMs = verdict === 'retryable' ? backoff : Math.max(backoff, verdict.rateLimited);
  if (delayMs >= remainingMs) return { retry: false, why: 'deadline' };
  if (!budget.tryRetry()) return { retry: false, why: 'budget' };
  return { retry: true, delayMs };
}
