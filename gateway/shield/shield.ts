import { CircuitBreaker, type BreakerState } from './breaker.js';
import { defaultClassify, type Classify, type Settled, type Verdict } from './classify.js';
import { monotonic, sleepUntil } from './clock.js';
import { SingleFlight } from './coalesce.js';
import { ConcurrencyLimiter } from './concurrency.js';
import { checkShieldConfig, defaultShieldConfig, type ShieldConfig } from './config.js';
import { SHIELD_REFUSAL_REASONS, ShieldRefusal, type ShieldRefusalReason } from './errors.js';
import { decideRetry, RetryBudget } from './retry.js';
import { MemoryTokenBucket, type RateLimiter } from './tokenBucket.js';

/** Options of {@link Shield}. */
export interface ShieldOptions {
  /** The subgraph's name: the rate-limit bucket's key and the subject of refusals. */
  name: string;
  /** Overrides of the subgraph's built-in configuration. @default defaultShieldConfig(name) */
  config?: Partial<ShieldConfig>;
  /**
   * The rate limiter; pass a `RedisTokenBucket` (with `config.ratePerSecond` and `config.burst`)
   * to hold the rate across every replica.
   * @default a MemoryTokenBucket at `config.ratePerSecond` / `config.burst` (this process only)
   */
  limiter?: RateLimiter;
  /** The backoff's random source, in [0, 1). @default Math.random */
  random?: () => number;
}

/** Counters since the shield was made, and its state now; for tests and `/metrics`. */
export interface ShieldStats {
  /** Calls to {@link Shield.run}. */
  calls: number;
  /** Calls that joined an identical call in flight instead of fetching. */
  coalesced: number;
  /** Invocations of the upstream call (first attempts and retries). */
  upstreamCalls: number;
  /** Retries made (included in `upstreamCalls`). */
  retries: number;
  /** Retries the budget refused. */
  retriesDenied: number;
  /** Fetches refused with a {@link ShieldRefusal}, by reason (a coalesced sharer is not counted again). */
  refused: Record<ShieldRefusalReason, number>;
  /** The circuit breaker's state. */
  breaker: BreakerState;
  /** Upstream calls holding a concurrency slot now. */
  inFlight: number;
  /** Calls waiting for a concurrency slot now. */
  queued: number;
  /** Rate-limit tokens left in this replica's bucket, when the limiter can tell without a round trip (the memory bucket). */
  tokens?: number | undefined;
}

type Attempt<T> =
  | { kind: 'settled'; outcome: Settled<T>; verdict: Verdict }
  | { kind: 'refused'; refusal: ShieldRefusal };

/**
 * The shield around one subgraph's fetches. For each {@link run}: identical calls in flight are
 * coalesced (one upstream call, one shared result); then each attempt passes the circuit
 * breaker, takes a rate-limit token, waits for a concurrency slot, and calls upstream with a
 * signal aborted at the deadline; a failed attempt is retried with backoff within the retry
 * budget. Refusals are thrown as {@link ShieldRefusal}; the caller then serves the last known
 * slice.
 */
export class Shield {
  readonly name: string;
  readonly config: Readonly<ShieldConfig>;
  private readonly limiter: RateLimiter;
  private readonly breaker: CircuitBreaker;
  private readonly concurrency: ConcurrencyLimiter;
  private readonly budget: RetryBudget;
  private readonly flights = new SingleFlight();
  private readonly random: () => number;
  private readonly counts = {
    calls: 0,
    coalesced: 0,
    upstreamCalls: 0,
    retries: 0,
    retriesDenied: 0,
    refused: Object.fromEntries(SHIELD_REFUSAL_REASONS.map((r) => [r, 0])) as Record<ShieldRefusalReason, number>,
  };

  constructor(opts: ShieldOptions) {
    if (!opts.name)
      throw new TypeError(`Shield option name: expected a subgraph name, got ${JSON.stringify(opts.name)}`);
    this.name = opts.name;
    const overrides = Object.entries(opts.config ?? {}).filter(([, v]) => v !== undefined);
    const c = checkShieldConfig('Shield', { ...defaultShieldConfig(opts.name), ...Object.fromEntries(overrides) });
    this.config = Object.freeze(c);
    this.limiter = opts.limiter ?? new MemoryTokenBucket({ ratePerSecond: c.ratePerSecond, burst: c.burst });
    this.breaker = new CircuitBreaker({ failureThreshold: c.breakerFailures, cooldownMs: c.breakerCooldownMs });
    this.concurrency = new ConcurrencyLimiter({ maxConcurrent: c.maxConcurrency, maxQueue: c.maxQueue });
    this.budget = new RetryBudget({ ratio: c.retryBudgetRatio, minPerSecond: c.retryBudgetMinPerSecond });
    this.random = opts.random ?? Math.random;
  }

  /**
   * Runs `call` through the shield. Calls with the same `key` while one is in flight share it
   * (their own `call` and `classify` are not used), so the key must identify everything the
   * result depends on: the subgraph, the serialized request and the visibility scope.
   *
   * `call` receives a signal aborted at the deadline (`config.timeoutMs` after this run began)
   * and must honour it: the shield stops waiting then (`timeout`) and frees the slot.
   * `classify` reads each outcome ({@link Verdict}).
   *
   * @returns the last attempt's value; rethrows its error. When a retry is refused (budget,
   *   breaker, rate limit, concurrency) the last upstream outcome is what the caller gets.
   * @throws ShieldRefusal when the first attempt is refused, or an attempt outlasts the deadline.
   */
  run<T>(key: string, call: (signal: AbortSignal) => Promise<T>, classify: Classify<T> = defaultClassify): Promise<T> {
    this.counts.calls += 1;
    const { promise, shared } = this.flights.run(key, () => this.execute(call, classify));
    if (shared) this.counts.coalesced += 1;
    return promise;
  }

  stats(): ShieldStats {
    return {
      ...this.counts,
      refused: { ...this.counts.refused },
      breaker: this.breaker.state,
      inFlight: this.concurrency.inFlight,
      tokens: this.limiter.tokens?.(this.name),
      queued: this.concurrency.queued,
    };
  }

  private async execute<T>(call: (signal: AbortSignal) => Promise<T>, classify: Classify<T>): Promise<T> {
    const deadline = monotonic() + this.config.timeoutMs;
    const policy = { retries: this.config.retries, baseMs: this.config.retryBaseMs, maxMs: this.config.retryMaxMs };
    this.budget.recordRequest();
    let last: Settled<T> | undefined;
    for (let retriesSoFar = 0; ; retriesSoFar++) {
      const attempt = await this.attempt(call, classify, deadline);
      if (attempt.kind === 'refused') {
        if (last === undefined || attempt.refusal.reason === 'timeout') {
          this.counts.refused[attempt.refusal.reason] += 1;
          throw attempt.refusal;
        }
        return deliver(last);
      }
      last = attempt.outcome;
      const decision = decideRetry(
        attempt.verdict,
        retriesSoFar,
        deadline - monotonic(),
        policy,
        this.budget,
        this.random,
      );
      if (!decision.retry) {
        if (decision.why === 'budget') this.counts.retriesDenied += 1;
        return deliver(last);
      }
      this.counts.retries += 1;
      await sleepUntil(monotonic() + decision.delayMs);
    }
  }

  /** One attempt: breaker → rate limit → concurrency slot → the call, bounded by the deadline. */
  private async attempt<T>(
    call: (signal: AbortSignal) => Promise<T>,
    classify: Classify<T>,
    deadline: number,
  ): Promise<Attempt<T>> {
    const admission = this.breaker.admit();
    if (!admission.ok) {
      const why = admission.reason === 'circuit_open' ? 'the circuit is open' : 'the subgraph asked to wait (429)';
      return this.refuse(admission.reason, admission.retryAfterMs, why);
    }
    const { ticket } = admission;
    const rate = await this.limiter.take(this.name);
    if (!rate.ok) {
      ticket.abandon();
      return this.refuse('rate_limited', rate.retryAfterMs, `over ${this.config.ratePerSecond} calls/s`);
    }
    const permit = await this.concurrency.acquire(deadline - monotonic());
    if (!permit.ok) {
      ticket.abandon();
      const why =
        permit.why === 'queue_full'
          ? `${this.config.maxConcurrency} calls in flight and ${this.config.maxQueue} waiting`
          : `no free slot (of ${this.config.maxConcurrency}) before the deadline`;
      return this.refuse('concurrency', 0, why);
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      const left = deadline - monotonic();
      if (left <= 0) {
        ticket.abandon();
        return this.refuse('timeout', 0, `the deadline of ${this.config.timeoutMs} ms passed before the call`);
      }
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), left);
      });
      this.counts.upstreamCalls += 1;
      const outcome = await Promise.race([settle(() => call(controller.signal)), timedOut]);
      if (outcome === 'timeout') {
        controller.abort(
          new DOMException(`${this.name} did not answer within ${this.config.timeoutMs} ms`, 'TimeoutError'),
        );
        ticket.failure();
        return this.refuse('timeout', 0, `no answer within ${this.config.timeoutMs} ms`);
      }
      const verdict = classify(outcome);
      if (verdict === 'retryable') {
        ticket.failure();
      } else {
        ticket.success();
        if (typeof verdict === 'object') this.breaker.pause(verdict.rateLimited);
      }
      return { kind: 'settled', outcome, verdict };
    } finally {
      clearTimeout(timer);
      permit.release();
    }
  }

  private refuse(reason: ShieldRefusalReason, retryAfterMs: number, detail: string): Attempt<never> {
    return { kind: 'refused', refusal: new ShieldRefusal(this.name, reason, retryAfterMs, detail) };
  }
}

async function settle<T>(fn: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function deliver<T>(outcome: Settled<T>): T {
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}
