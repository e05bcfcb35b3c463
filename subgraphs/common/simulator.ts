import { EnvReader } from '../../runtime/env.js';
import { SystemRateLimitedError, SystemUnavailableError } from './errors.js';

/** Fault knobs of a simulated system; every one may be changed while it runs. */
export interface FaultKnobs {
  /** Added latency per call, in ms. @default 0 */
  latencyMs: number;
  /** Probability (0-1) that a call fails as if the system errored. @default 0 */
  errorRate: number;
  /** The system is down: every call fails. @default false */
  outage: boolean;
  /** Calls per second the system accepts before refusing with a retry-after; 0 = unlimited. @default 0 */
  rateLimitPerSecond: number;
}

export const DEFAULT_FAULTS: FaultKnobs = { latencyMs: 0, errorRate: 0, outage: false, rateLimitPerSecond: 0 };

/**
 * The behaviour every simulated system shares: call counting (tests count system calls at the
 * port), fault injection, and a token-bucket rate limit (capacity = one second of calls).
 */
export class SystemSimulator {
  readonly faults: FaultKnobs;
  /** Calls per port method since the last {@link resetCalls}. */
  readonly calls = new Map<string, number>();
  private tokens = 0;
  private refilledAt = 0;
  private rngState: number;

  constructor(
    readonly system: string,
    faults: Partial<FaultKnobs> = {},
    seed = 1,
  ) {
    this.faults = { ...DEFAULT_FAULTS, ...faults };
    this.rngState = seed >>> 0 || 1;
  }

  /** Total calls, or calls of one method. */
  callCount(method?: string): number {
    if (method) return this.calls.get(method) ?? 0;
    let n = 0;
    for (const c of this.calls.values()) n += c;
    return n;
  }

  resetCalls(): void {
    this.calls.clear();
  }

  /** Runs one system call through the fault knobs. */
  async call<T>(method: string, work: () => T): Promise<T> {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const f = this.faults;
    if (f.outage) throw new SystemUnavailableError(this.system, 'outage');
    if (f.rateLimitPerSecond > 0) this.takeToken(f.rateLimitPerSecond);
    if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (f.errorRate > 0 && this.random() < f.errorRate) throw new SystemUnavailableError(this.system, 'injected error');
    return work();
  }

  private takeToken(rate: number): void {
    const now = performance.now();
    if (this.refilledAt === 0) {
      this.tokens = rate;
    } else {
      this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    }
    this.refilledAt = now;
    if (this.tokens < 1) {
      throw new SystemRateLimitedError(this.system, Math.max(1, Math.ceil((1 - this.tokens) / rate)));
    }
    this.tokens -= 1;
  }

  /** mulberry32: seeded, so injected error patterns repeat run to run. */
  private random(): number {
    let t = (this.rngState = (this.rngState + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * Reads fault knobs for one system from the environment (`ERP_SIM_LATENCY_MS`,
 * `ERP_SIM_ERROR_RATE`, `ERP_SIM_OUTAGE`, `ERP_SIM_RATE_LIMIT`, …); only the knobs that are set.
 * Throws a ConfigError naming every bad value.
 */
export function faultsFromEnv(system: string, env: NodeJS.ProcessEnv = process.env): Partial<FaultKnobs> {
  const p = `${system.toUpperCase()}_SIM_`;
  const r = new EnvReader(env);
  const out: Partial<FaultKnobs> = {};
  if (r.has(p + 'LATENCY_MS')) out.latencyMs = r.int(p + 'LATENCY_MS', 0, 0, 60_000);
  if (r.has(p + 'ERROR_RATE')) out.errorRate = r.number(p + 'ERROR_RATE', 0, 0, 1);
  if (r.has(p + 'RATE_LIMIT')) out.rateLimitPerSecond = r.number(p + 'RATE_LIMIT', 0, 0, 1_000_000);
  if (r.has(p + 'OUTAGE')) out.outage = r.bool(p + 'OUTAGE', false);
  r.done();
  return out;
}
