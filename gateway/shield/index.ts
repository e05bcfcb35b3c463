export { Shield, type ShieldOptions, type ShieldStats } from './shield.js';
export { SHIELD_REFUSAL_REASONS, ShieldRefusal, isShieldRefusal, type ShieldRefusalReason } from './errors.js';
export {
  defaultClassify,
  parseRetryAfter,
  verdictForStatus,
  DEFAULT_RETRY_AFTER_MS,
  type Classify,
  type Settled,
  type Verdict,
} from './classify.js';
export {
  checkShieldConfig,
  defaultShieldConfig,
  envSegment,
  shieldConfigFromEnv,
  SHIELD_DEFAULTS,
  SUBGRAPH_SHIELD_DEFAULTS,
  type ShieldConfig,
} from './config.js';
export {
  MemoryTokenBucket,
  type MemoryTokenBucketOptions,
  type RateDecision,
  type RateLimiter,
  type TokenBucketOptions,
} from './tokenBucket.js';
export { RedisTokenBucket, type RedisTokenBucketOptions, type RateLimiterErrorHandler } from './redisTokenBucket.js';
export {
  CircuitBreaker,
  type Admission,
  type BreakerState,
  type BreakerTicket,
  type CircuitBreakerOptions,
} from './breaker.js';
export { ConcurrencyLimiter, type ConcurrencyLimiterOptions, type Permit } from './concurrency.js';
export {
  backoffMs,
  decideRetry,
  RetryBudget,
  type RetryBudgetOptions,
  type RetryDecision,
  type RetryPolicy,
} from './retry.js';
export { SingleFlight } from './coalesce.js';
