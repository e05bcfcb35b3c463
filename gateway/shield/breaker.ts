import { monotonic, type Clock } from './clock.js';
import { checkNumber } from './validate.js';

/** What the breaker lets through: everything, nothing, or one probe. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit (any success in between starts the count over); ≥ 1. @default 5 */
  failureThreshold?: number;
  /** How long the circuit stays open before it lets one probe through, ms. @default 5000 */
  cooldownMs?: number;
  /** The clock, ms. @default performance.now */
  now?: Clock;
}

/**
 * Holds one admitted call's place: report its outcome once (later reports are ignored).
 * - `success`: the subgraph answered (also an answer the caller considers an error, such as a
 *   400, and a 429: the subgraph is alive, only busy).
 * - `failure`: no usable answer: a network error, a 5xx, a timeout.
 * - `abandon`: the call never reached the subgraph (refused later in the shield); a probe's
 *   place is given back so another call may probe.
 */
export interface BreakerTicket {
  success(): void;
  failure(): void;
  abandon(): void;
}

/** The answer of {@link CircuitBreaker.admit}. */
export type Admission =
  | { ok: true; ticket: BreakerTicket }
  | { ok: false; reason: 'circuit_open' | 'rate_limited'; retryAfterMs: number };

type Phase =
  | { phase: 'closed'; failures: number }
  | { phase: 'open'; until: number }
  | { phase: 'half_open'; probing: boolean };

/**
 * A circuit breaker (https://martinfowler.com/bliki/CircuitBreaker.html): closed → open after
 * `failureThreshold` consecutive failures → after `cooldownMs`, half-open: one probe goes through
 * while the others are refused → closed when the probe succeeds, open for another cooldown when
 * it fails.
 *
 * Rate limiting is not failure: a 429 is reported as a success (the subgraph is up) and the
 * caller calls {@link pause} with its `Retry-After`; until then every call is refused as
 * `rate_limited` without reaching the subgraph, whatever the circuit's state. Outcomes of calls
 * admitted before the last state change are ignored, so a slow failure from before a recovery
 * does not count against the recovered subgraph.
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  private readonly now: Clock;
  private current: Phase = { phase: 'closed', failures: 0 };
  /** Bumped on every change of phase; tickets from an older generation report nothing. */
  private generation = 0;
  private pausedUntil = -Infinity;

  constructor(opts: CircuitBreakerOptions = {}) {
    this.failureThreshold = checkNumber(
      'CircuitBreaker',
      'failureThreshold',
      opts.failureThreshold ?? 5,
      1,
      1_000_000,
      true,
    );
    this.cooldownMs = checkNumber('CircuitBreaker', 'cooldownMs', opts.cooldownMs ?? 5000, 1, 86_400_000);
    this.now = opts.now ?? monotonic;
  }

  /** The state now (an open circuit whose cooldown has passed reads as half-open). */
  get state(): BreakerState {
    return this.refresh().phase;
  }

  /** Admits a call (returning its ticket) or refuses it, saying for how long, roughly. */
  admit(): Admission {
    const now = this.now();
    const p = this.refresh();
    switch (p.phase) {
      case 'open':
        return { ok: false, reason: 'circuit_open', retryAfterMs: Math.max(1, Math.ceil(p.until - now)) };
      case 'half_open':
        if (p.probing) return { ok: false, reason: 'circuit_open', retryAfterMs: this.cooldownMs };
        if (now < this.pausedUntil) return this.paused(now);
        p.probing = true;
        return { ok: true, ticket: this.ticket(true) };
      case 'closed':
        if (now < this.pausedUntil) return this.paused(now);
        return { ok: true, ticket: this.ticket(false) };
      default:
        return assertNever(p);
    }
  }

  /** The subgraph asked for a pause (429 + `Retry-After`): refuse every call for `ms`. Pauses only extend. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.max(0, ms));
  }

  private paused(now: number): Admission {
    return { ok: false, reason: 'rate_limited', retryAfterMs: Math.max(1, Math.ceil(this.pausedUntil - now)) };
  }

  /** Applies the lazy open → half-open transition and returns the phase. */
  private refresh(): Phase {
    if (this.current.phase === 'open' && this.now() >= this.current.until)
      this.enter({ phase: 'half_open', probing: false });
    return this.current;
  }

  private enter(next: Phase): void {
    this.current = next;
    this.generation += 1;
  }

  private ticket(probe: boolean): BreakerTicket {
    const generation = this.generation;
    let settled = false;
    const settle = (outcome: 'success' | 'failure' | 'abandon'): void => {
      if (settled) return;
      settled = true;
      this.report(generation, probe, outcome);
    };
    return { success: () => settle('success'), failure: () => settle('failure'), abandon: () => settle('abandon') };
  }

  private report(generation: number, probe: boolean, outcome: 'success' | 'failure' | 'abandon'): void {
    if (generation !== this.generation) return;
    const p = this.current;
    switch (p.phase) {
      case 'closed':
        if (outcome === 'success') p.failures = 0;
        else if (outcome === 'failure' && ++p.failures >= this.failureThreshold) this.open();
        return;
      case 'half_open':
        if (!probe) return;
        if (outcome === 'success') this.enter({ phase: 'closed', failures: 0 });
        else if (outcome === 'failure') this.open();
        else p.probing = false;
        return;
      case 'open':
        return;
      default:
        assertNever(p);
    }
  }

  private open(): void {
    this.enter({ phase: 'open', until: this.now() + this.cooldownMs });
  }
}

function assertNever(value: never): never {
  throw new Error(`CircuitBreaker: unexpected phase ${JSON.stringify(value)}`);
}
