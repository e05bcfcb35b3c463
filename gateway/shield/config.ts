import { EnvReader } from '../../runtime/env.js';
import { checkNumber } from './validate.js';

/** The shield's settings for one subgraph; every field has an environment variable (see {@link shieldConfigFromEnv}). */
export interface ShieldConfig {
  /**
   * Upstream calls per second, sustained, from all gateway replicas together (`_RATE_PER_SECOND`).
   * @default 25 for erp (its simulator allows 50 calls/s, and one fetch may cost it two calls), 500 for the others
   */
  ratePerSecond: number;
  /** Token-bucket capacity: the most calls after an idle spell, on top of the rate (`_BURST`). @default 20 for erp, 500 for the others */
  burst: number;
  /** Upstream calls in flight at once, per replica (`_MAX_CONCURRENCY`). @default 8 for erp, 64 for the others */
  maxConcurrency: number;
  /** Calls waiting for a concurrency slot, per replica; more are refused (`_MAX_QUEUE`). @default 32 for erp, 256 for the others */
  maxQueue: number;
  /**
   * Deadline of one shielded fetch, ms, from its start: queueing, every attempt and every backoff
   * included; the call's signal is aborted when it passes (`_TIMEOUT_MS`).
   * @default 2000
   */
  timeoutMs: number;
  /** Retries after the first attempt, at most (`_RETRIES`). @default 2 */
  retries: number;
  /** Cap of the first retry's backoff, ms; doubles per retry, full jitter (`_RETRY_BASE_MS`). @default 50 */
  retryBaseMs: number;
  /** Cap of any backoff, ms (`_RETRY_MAX_MS`). @default 1000 */
  retryMaxMs: number;
  /** Retries allowed per request over a 10 s window, per replica (`_RETRY_BUDGET_RATIO`). @default 0.1 */
  retryBudgetRatio: number;
  /** Retries allowed per second whatever the traffic, per replica (`_RETRY_BUDGET_MIN_PER_SECOND`). @default 1 */
  retryBudgetMinPerSecond: number;
  /** Consecutive failures that open the circuit (`_BREAKER_FAILURES`). @default 5 */
  breakerFailures: number;
  /** How long an open circuit refuses before one probe, ms (`_BREAKER_COOLDOWN_MS`). @default 5000 */
  breakerCooldownMs: number;
  /**
   * Roughly how many gateway replicas share the Redis rate limit; while Redis is unreachable each
   * replica limits itself to `ratePerSecond / replicasHint` (`_REPLICAS_HINT`).
   * @default 1
   */
  replicasHint: number;
}

/** Built-in defaults of a subgraph without its own (every one but erp). */
export const SHIELD_DEFAULTS: Readonly<ShieldConfig> = Object.freeze({
  ratePerSecond: 500,
  burst: 500,
  maxConcurrency: 64,
  maxQueue: 256,
  timeoutMs: 2000,
  retries: 2,
  retryBaseMs: 50,
  retryMaxMs: 1000,
  retryBudgetRatio: 0.1,
  retryBudgetMinPerSecond: 1,
  breakerFailures: 5,
  breakerCooldownMs: 5000,
  replicasHint: 1,
});

/** Built-in defaults that differ per subgraph: the ERP is a rate-limited system of record. */
export const SUBGRAPH_SHIELD_DEFAULTS: Readonly<Record<string, Partial<ShieldConfig>>> = Object.freeze({
  erp: { ratePerSecond: 25, burst: 10, maxConcurrency: 8, maxQueue: 32 },
});

/** The built-in configuration of `subgraph`. */
export function defaultShieldConfig(subgraph: string): ShieldConfig {
  return { ...SHIELD_DEFAULTS, ...SUBGRAPH_SHIELD_DEFAULTS[subgraph] };
}

/** Each field's variable suffix, and its bounds. */
const FIELDS: { [K in keyof ShieldConfig]: { env: string; min: number; max: number; integer: boolean } } = {
  ratePerSecond: { env: 'RATE_PER_SECOND', min: 0.001, max: 1_000_000, integer: false },
  burst: { env: 'BURST', min: 1, max: 1_000_000, integer: true },
  maxConcurrency: { env: 'MAX_CONCURRENCY', min: 1, max: 100_000, integer: true },
  maxQueue: { env: 'MAX_QUEUE', min: 0, max: 1_000_000, integer: true },
  timeoutMs: { env: 'TIMEOUT_MS', min: 1, max: 600_000, integer: true },
  retries: { env: 'RETRIES', min: 0, max: 10, integer: true },
  retryBaseMs: { env: 'RETRY_BASE_MS', min: 1, max: 60_000, integer: true },
  retryMaxMs: { env: 'RETRY_MAX_MS', min: 1, max: 600_000, integer: true },
  retryBudgetRatio: { env: 'RETRY_BUDGET_RATIO', min: 0, max: 10, integer: false },
  retryBudgetMinPerSecond: { env: 'RETRY_BUDGET_MIN_PER_SECOND', min: 0, max: 100_000, integer: false },
  breakerFailures: { env: 'BREAKER_FAILURES', min: 1, max: 10_000, integer: true },
  breakerCooldownMs: { env: 'BREAKER_COOLDOWN_MS', min: 1, max: 3_600_000, integer: true },
  replicasHint: { env: 'REPLICAS_HINT', min: 1, max: 10_000, integer: true },
};
const KEYS = Object.keys(FIELDS) as (keyof ShieldConfig)[];

/**
 * Validates a whole {@link ShieldConfig} (programmatic configuration; the environment is checked by
 * {@link shieldConfigFromEnv}). Throws a TypeError naming the first bad field and its value.
 */
export function checkShieldConfig(owner: string, config: ShieldConfig): ShieldConfig {
  for (const key of KEYS) {
    const { min, max, integer } = FIELDS[key];
    checkNumber(owner, `config.${key}`, config[key], min, max, integer);
  }
  if (config.retryMaxMs < config.retryBaseMs) {
    throw new TypeError(
      `${owner} option config.retryMaxMs: expected at least retryBaseMs (${config.retryBaseMs}), got ${config.retryMaxMs}`,
    );
  }
  return config;
}

/** `erp` → `ERP`, `order-lines` → `ORDER_LINES`. */
export const envSegment = (subgraph: string): string => subgraph.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * Reads every subgraph's {@link ShieldConfig} from the environment. Each value is, in order:
 * `SHIELD_<NAME>_<FIELD>` (e.g. `SHIELD_ERP_RATE_PER_SECOND`), else `SHIELD_DEFAULT_<FIELD>`
 * (which applies to every subgraph, erp included), else the subgraph's built-in default
 * ({@link defaultShieldConfig}). Also refused: a `SHIELD_*` variable that names no subgraph or
 * field (a typo would otherwise be silently ignored) and `RETRY_MAX_MS` below `RETRY_BASE_MS`.
 *
 * Throws one `ConfigError` naming every bad value, unless `reader` is given: then the problems
 * are added to it and its owner calls `done()`.
 */
export function shieldConfigFromEnv(
  env: NodeJS.ProcessEnv,
  subgraphNames: readonly string[],
  reader?: EnvReader,
): Record<string, ShieldConfig> {
  const r = reader ?? new EnvReader(env);
  const read = (name: string, fallback: number, f: (typeof FIELDS)[keyof ShieldConfig]): number =>
    f.integer ? r.int(name, fallback, f.min, f.max) : r.number(name, fallback, f.min, f.max);

  const shared: Partial<ShieldConfig> = {};
  for (const key of KEYS) {
    const name = `SHIELD_DEFAULT_${FIELDS[key].env}`;
    if (r.has(name)) shared[key] = read(name, SHIELD_DEFAULTS[key], FIELDS[key]);
  }

  const configs: Record<string, ShieldConfig> = {};
  for (const subgraph of subgraphNames) {
    const builtIn = defaultShieldConfig(subgraph);
    const config = { ...builtIn };
    for (const key of KEYS) {
      config[key] = read(`SHIELD_${envSegment(subgraph)}_${FIELDS[key].env}`, shared[key] ?? builtIn[key], FIELDS[key]);
    }
    if (config.retryMaxMs < config.retryBaseMs) {
      r.problems.push(
        `SHIELD_${envSegment(subgraph)}_RETRY_MAX_MS must be at least its RETRY_BASE_MS (${config.retryBaseMs}); received ${config.retryMaxMs}`,
      );
    }
    configs[subgraph] = config;
  }

  const segments = ['DEFAULT', ...subgraphNames.map(envSegment)];
  const known = new Set(segments.flatMap((s) => KEYS.map((k) => `SHIELD_${s}_${FIELDS[k].env}`)));
  for (const name of Object.keys(env)
    .filter((n) => n.startsWith('SHIELD_'))
    .sort()) {
    if (!known.has(name)) {
      r.problems.push(
        `${name} is not a shield setting; expected SHIELD_<${segments.join('|')}>_<${KEYS.map((k) => FIELDS[k].env).join('|')}>`,
      );
    }
  }

  if (!reader) r.done();
  return configs;
}
