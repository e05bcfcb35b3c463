import { monotonic, type Clock } from './clock.js';
import { checkNumber, checkPositive } from './validate.js';

/** The answer of {@link RateLimiter.take}: granted, or refused with the wait until enough tokens are back. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * A token bucket per key (https://en.wikipedia.org/wiki/Token_bucket): `burst` tokens at most,
 * refilled continuously at `ratePerSecond`; each call takes `cost` tokens or is refused. Over any
 * window of `t` seconds a key grants at most `burst + ratePerSecond × t` tokens.
 *
 * The port of the shield's rate limit; adapters: {@link MemoryTokenBucket} (one process) and
 * `RedisTokenBucket` (every gateway replica together). `take` never throws for an outage of its
 * backing store: a limiter that cannot reach it decides locally instead.
 */
export interface RateLimiter {
  /**
   * Takes `cost` tokens from the bucket `key` if it holds that many, else takes nothing.
   * @param cost a number from 1 to `burst` (a larger cost could never be granted: that throws a TypeError). @default 1
   */
  take(key: string, cost?: number): Promise<RateDecision>;
  /** The tokens bucket `key` holds now, when the limiter can tell without a round trip (metrics: `ovg_shield_tokens`). */
  tokens?(key: string): number | undefined;
}

/** Options of every token bucket. */
export interface TokenBucketOptions {
  /** Tokens added per second (the sustained rate), > 0. */
  ratePerSecond: number;
  /** Capacity: the most tokens a bucket holds, hence the largest burst after an idle spell; ≥ 1. A new bucket starts full. */
  burst: number;
}

/** Validates {@link TokenBucketOptions}; `owner` names the class in messages. */
export function checkBucketOptions(owner: string, opts: TokenBucketOptions): TokenBucketOptions {
  return {
    ratePerSecond: checkPositive(owner, 'ratePerSecond', opts.ratePerSecond),
    burst: checkNumber(owner, 'burst', opts.burst, 1),
  };
}

/** Validates a `take` cost against the bucket's capacity. */
export function checkCost(owner: string, cost: number, burst: number): number {
  if (typeof cost !== 'number' || !Number.isFinite(cost) || cost <= 0 || cost > burst) {
    throw new TypeError(
      `${owner}.take: expected a cost greater than 0 and at most burst (${burst}), got ${JSON.stringify(cost)}`,
    );
  }
  return cost;
}

/** Milliseconds until a bucket holding `tokens` holds `cost`, at least 1. */
export const refillWaitMs = (tokens: number, cost: number, ratePerSecond: number): number =>
  Math.max(1, Math.ceil(((cost - tokens) * 1000) / ratePerSecond));

interface Bucket {
  tokens: number;
  at: number;
}

/** Options of {@link MemoryTokenBucket}. */
export interface MemoryTokenBucketOptions extends TokenBucketOptions {
  /** The clock that refills the buckets, in ms. @default performance.now */
  now?: Clock;
}

/**
 * {@link RateLimiter} in this process's memory: the embedded default, and the fallback of
 * `RedisTokenBucket` while Redis is unreachable. Buckets that have refilled completely are
 * forgotten (a missing bucket is a full one), so memory follows the keys in recent use.
 */
export class MemoryTokenBucket implements RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  private readonly now: Clock;
  private readonly buckets = new Map<string, Bucket>();
  private sweepAt = 1024;

  constructor(opts: MemoryTokenBucketOptions) {
    ({ ratePerSecond: this.ratePerSecond, burst: this.burst } = checkBucketOptions('MemoryTokenBucket', opts));
    this.now = opts.now ?? monotonic;
  }

  async take(key: string, cost = 1): Promise<RateDecision> {
    return this.takeNow(key, cost);
  }

  /** The tokens bucket `key` holds now (a bucket never used is full); takes nothing. */
  tokens(key: string): number {
    const b = this.buckets.get(key);
    if (!b) return this.burst;
    const now = this.now();
    return now > b.at ? Math.min(this.burst, b.tokens + ((now - b.at) * this.ratePerSecond) / 1000) : b.tokens;
  }

  /** {@link take}, synchronously. */
  takeNow(key: string, cost = 1): RateDecision {
    checkCost('MemoryTokenBucket', cost, this.burst);
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    // A clock that stepped back refills nothing (and does not stall the bucket).
    if (now > b.at) b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.ratePerSecond) / 1000);
    b.at = now;
    const decision: RateDecision =
      b.tokens >= cost
        ? ((b.tokens -= cost), { ok: true })
        : { ok: false, retryAfterMs: refillWaitMs(b.tokens, cost, this.ratePerSecond) };
    this.buckets.set(key, b);
    if (this.buckets.size > this.sweepAt) this.sweep(now);
    return decision;
  }

  /** Forgets the buckets that are full by now. */
  private sweep(now: number): void {
    const fullAfterMs = (this.burst * 1000) / this.ratePerSecond;
    for (const [key, b] of this.buckets) if (now - b.at >= fullAfterMs) this.buckets.delete(key);
    this.sweepAt = Math.max(1024, this.buckets.size * 2);
  }
}
