import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryTokenBucket, RedisTokenBucket } from '../../gateway/shield/index.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { rateLimiterContract } from './rateLimiterContract.js';

rateLimiterContract('MemoryTokenBucket', (opts) => new MemoryTokenBucket(opts));

await describeRedis('RedisTokenBucket', () => {
  const keyPrefix = uniquePrefix();
  const redis = new Redis(redisUrl());
  const fallbacks: string[] = [];
  afterAll(async () => {
    await cleanupPrefix(keyPrefix);
    redis.disconnect();
  });
  // Every decision must come from Redis, none from the local fallback.
  afterEach(() => expect(fallbacks).toEqual([]));
  rateLimiterContract(
    'RedisTokenBucket',
    (opts) => new RedisTokenBucket({ ...opts, redis, keyPrefix, onError: (_, context) => fallbacks.push(context) }),
  );
});

describe('MemoryTokenBucket', () => {
  it('should refill by its injected clock and ignore a clock that steps back', async () => {
    let now = 1000;
    const limiter = new MemoryTokenBucket({ ratePerSecond: 2, burst: 1, now: () => now });
    expect(limiter.takeNow('k')).toEqual({ ok: true });
    expect(limiter.takeNow('k')).toEqual({ ok: false, retryAfterMs: 500 });
    now = 500;
    expect(limiter.takeNow('k')).toEqual({ ok: false, retryAfterMs: 500 });
    now = 1000;
    expect(limiter.takeNow('k')).toEqual({ ok: true });
  });

  it('should reject options that make no bucket, naming the option and the value', () => {
    expect(() => new MemoryTokenBucket({ ratePerSecond: 0, burst: 1 })).toThrow(
      /ratePerSecond: expected a number greater than 0, got 0/,
    );
    expect(() => new MemoryTokenBucket({ ratePerSecond: 1, burst: 0.5 })).toThrow(
      /burst: expected a number at least 1, got 0.5/,
    );
  });

  it('should forget buckets that have refilled, keeping memory bounded by the keys in recent use', () => {
    let now = 0;
    const limiter = new MemoryTokenBucket({ ratePerSecond: 1000, burst: 1, now: () => now });
    for (let i = 0; i < 1024; i++) limiter.takeNow(`old${i}`);
    now = 10;
    for (let i = 0; i < 5; i++) limiter.takeNow(`new${i}`);
    const size = (limiter as unknown as { buckets: Map<string, unknown> }).buckets.size;
    expect(size).toBeLessThanOrEqual(5);
  });
});
