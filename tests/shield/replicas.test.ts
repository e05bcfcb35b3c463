import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { defaultShieldConfig, isShieldRefusal, RedisTokenBucket, Shield } from '../../gateway/shield/index.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sleep } from './rateLimiterContract.js';

await describeRedis('Shield replicas sharing a Redis rate limit', () => {
  const keyPrefix = uniquePrefix();
  const clients: Redis[] = [];
  afterAll(async () => {
    await cleanupPrefix(keyPrefix);
    for (const r of clients) r.disconnect();
  });

  it('should keep the ERP at its configured rate from all replicas together under 2,000 client req/s', async () => {
    const config = defaultShieldConfig('erp');
    const replicas = await Promise.all(
      [0, 1].map(async () => {
        const redis = new Redis(redisUrl());
        clients.push(redis);
        if (redis.status !== 'ready') await once(redis, 'ready');
        const limiter = new RedisTokenBucket({
          ratePerSecond: config.ratePerSecond,
          burst: config.burst,
          keyPrefix,
          redis,
        });
        return new Shield({ name: 'erp', limiter });
      }),
    );
    let upstream = 0;
    const started = performance.now();
    const pending: Promise<unknown>[] = [];
    // 100 ticks of 10 ms, 10 distinct fetches per replica per tick: 2,000 req/s for 1 s.
    for (let tick = 0; tick < 100; tick++) {
      // Alternate which replica asks first, as two real replicas interleave.
      for (const r of tick % 2 === 0 ? [0, 1] : [1, 0]) {
        const shield = replicas[r]!;
        for (let i = 0; i < 10; i++) {
          pending.push(
            shield
              .run(`erp|order-${r}-${tick}-${i}`, async () => ((upstream += 1), 'ok'))
              .catch((e: unknown) => {
                if (!isShieldRefusal(e)) throw e;
              }),
          );
        }
      }
      await sleep(10);
    }
    await Promise.all(pending);
    const seconds = (performance.now() - started) / 1000;
    // Each replica alone would allow burst + rate × t: together, twice as much if they did not share.
    expect(upstream).toBeLessThanOrEqual(config.burst + Math.ceil(config.ratePerSecond * seconds) + 1);
    expect(upstream).toBeGreaterThanOrEqual(config.burst + config.ratePerSecond * 0.8);
    const stats = replicas.map((s) => s.stats());
    expect(stats[0]!.upstreamCalls + stats[1]!.upstreamCalls).toBe(upstream);
    expect(stats.every((s) => s.upstreamCalls > 0)).toBe(true);
  });
});
