import type { Redis } from 'ioredis';
import { createLogger } from '../../runtime/logger.js';
import {
  checkBucketOptions,
  checkCost,
  MemoryTokenBucket,
  type RateDecision,
  type RateLimiter,
  type TokenBucketOptions,
} from './tokenBucket.js';
import { checkNumber } from './validate.js';

/**
 * One atomic take. KEYS[1]: the bucket, a hash {tokens, at}. ARGV: ratePerSecond, burst, cost.
 * Time comes from the server (TIME), so replicas whose clocks disagree share one refill; a server
 * clock that steps back refills nothing. The key expires once it would be full again (a missing
 * bucket is a full one), so idle buckets cost nothing. Returns {granted 1|0, retryAfterMs}.
 * Redis ≥ 5 replicates scripts by effects, which allows writes after TIME.
 */
const TAKE = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
elseif now > at then
  tokens = math.min(burst, tokens + (now - at) * rate / 1000)
end
local granted = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  granted = 1
else
  wait = math.max(1, math.ceil((cost - tokens) * 1000 / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {granted, wait}`;

const COMMAND = 'ovgShieldTake';
type Take = (key: string, ratePerSecond: number, burst: number, cost: number) => Promise<[number, number]>;

/** Reports a Redis outage, once per outage; never throws back. */
export type RateLimiterErrorHandler = (error: Error, context: string) => void;

/** Options of {@link RedisTokenBucket}. */
export interface RedisTokenBucketOptions extends TokenBucketOptions {
  /**
   * The connection (ioredis 6). The bucket does not own it: close it yourself. A client created
   * with `lazyConnect` is connected on first use. Several buckets may share one client.
   */
  redis: Redis;
  /**
   * Prepended to every bucket key: the bucket `erp` lives at `<keyPrefix>bucket:erp`. Every
   * replica that must share a limit uses the same prefix (and the same Redis).
   * @default 'ovg:shield:'
   */
  keyPrefix?: string;
  /**
   * How many gateway replicas share this limit, roughly. While Redis is unreachable each replica
   * falls back to a bucket in its own memory at `ratePerSecond / replicasHint` (and
   * `burst / replicasHint`, at least 1), so the replicas together stay near the shared rate as long
   * as the hint is not below the real count. With the default each replica alone may use the whole
   * rate during an outage.
   * @default 1
   */
  replicasHint?: number;
  /**
   * Longest wait for Redis's answer, ms; past it the local fallback decides (the script may still
   * run later and take a token: that only errs on the safe side). A connection that is not ready
   * is not waited for at all.
   * @default 100
   */
  timeoutMs?: number;
  /**
   * Told once when the limiter falls back to local buckets (and again only after Redis has
   * answered in between).
   * @default a `warn` line on the `shield` logger
   */
  onError?: RateLimiterErrorHandler;
}

let defaultLogger: ReturnType<typeof createLogger> | undefined;
const logFallback: RateLimiterErrorHandler = (error, context) => {
  defaultLogger ??= createLogger('shield');
  defaultLogger.warn({ err: error }, context);
};

/**
 * {@link RateLimiter} shared by every gateway replica through Redis: one hash per bucket, taken
 * by one Lua script (EVALSHA; ioredis loads it on each connection once). It never throws into the
 * request path: when Redis is down, slow or erroring, it decides with a local
 * {@link MemoryTokenBucket} at `ratePerSecond / replicasHint` and reports the outage once.
 * See https://redis.io/docs/latest/develop/interact/programmability/eval-intro/.
 */
export class RedisTokenBucket implements RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly keyPrefix: string;
  private readonly redis: Redis;
  private readonly run: Take;
  private readonly fallbackBucket: MemoryTokenBucket;
  private readonly timeoutMs: number;
  private readonly onError: RateLimiterErrorHandler;
  private falling = false;

  constructor(opts: RedisTokenBucketOptions) {
    ({ ratePerSecond: this.ratePerSecond, burst: this.burst } = checkBucketOptions('RedisTokenBucket', opts));
    this.keyPrefix = opts.keyPrefix ?? 'ovg:shield:';
    if (/\s/.test(this.keyPrefix))
      throw new TypeError(
        `RedisTokenBucket option keyPrefix: expected no whitespace, got ${JSON.stringify(this.keyPrefix)}`,
      );
    const replicas = checkNumber('RedisTokenBucket', 'replicasHint', opts.replicasHint ?? 1, 1, 10_000, true);
    this.timeoutMs = checkNumber('RedisTokenBucket', 'timeoutMs', opts.timeoutMs ?? 100, 1, 60_000, true);
    this.onError = opts.onError ?? logFallback;
    this.redis = opts.redis;
    this.fallbackBucket = new MemoryTokenBucket({
      ratePerSecond: this.ratePerSecond / replicas,
      burst: Math.max(1, Math.floor(this.burst / replicas)),
    });
    const commands = this.redis as unknown as Record<string, Take | undefined>;
    if (typeof commands[COMMAND] !== 'function') this.redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE });
    this.run = (commands[COMMAND] as Take).bind(this.redis);
  }

  /** The Redis key of bucket `key`. */
  key(key: string): string {
    return `${this.keyPrefix}bucket:${key}`;
  }

  /** True while decisions are local (Redis unreachable since the last take). */
  get degraded(): boolean {
    return this.falling;
  }

  async take(key: string, cost = 1): Promise<RateDecision> {
    checkCost('RedisTokenBucket', cost, this.burst);
    const status = this.redis.status;
    if (status === 'wait') this.redis.connect().catch(() => undefined);
    if (status !== 'ready') return this.fallback(key, cost, new Error(`the connection is ${status}`));
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      });
      const [granted, retryAfterMs] = await Promise.race([
        this.run(this.key(key), this.ratePerSecond, this.burst, cost),
        timeout,
      ]);
      this.falling = false;
      return granted === 1 ? { ok: true } : { ok: false, retryAfterMs };
    } catch (error) {
      return this.fallback(key, cost, error instanceof Error ? error : new Error(String(error)));
    } finally {
      clearTimeout(timer);
    }
  }

  private fallback(key: string, cost: number, error: Error): RateDecision {
    if (!this.falling) {
      this.falling = true;
      try {
        this.onError(
          error,
          `shield rate limit: Redis unreachable (${error.message}); limiting locally at ${this.fallbackBucket.ratePerSecond}/s per replica until it answers`,
        );
      } catch {
        // A reporter that throws must not break the request path.
      }
    }
    return this.fallbackBucket.takeNow(key, Math.min(cost, this.fallbackBucket.burst));
  }
}
