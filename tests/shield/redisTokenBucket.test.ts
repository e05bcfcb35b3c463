import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisTokenBucket } from '../../gateway/shield/index.js';
import {
  cleanupPrefix,
  describeOwnRedis,
  describeRedis,
  freePort,
  redisUrl,
  startOwnRedis,
  uniquePrefix,
} from '../helpers/redis.js';
import { hammer, sleep } from './rateLimiterContract.js';

/** A client that neither retries commands nor queues them while disconnected. */
const client = (url: string, extra: Record<string, unknown> = {}): Redis => {
  const r = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 50, ...extra });
  r.on('error', () => undefined);
  return r;
};

await describeRedis('RedisTokenBucket across replicas', () => {
  const keyPrefix = uniquePrefix();
  const clients: Redis[] = [];
  const connect = async (): Promise<Redis> => {
    const r = client(redisUrl());
    clients.push(r);
    if (r.status !== 'ready') await once(r, 'ready');
    return r;
  };
  afterAll(async () => {
    await cleanupPrefix(keyPrefix);
    for (const r of clients) r.disconnect();
  });

  it('should hold one rate across two replicas (two connections) sharing a prefix', async () => {
    const errors: string[] = [];
    const opts = { ratePerSecond: 50, burst: 5, keyPrefix, onError: (_: Error, c: string) => errors.push(c) };
    const a = new RedisTokenBucket({ ...opts, redis: await connect() });
    const b = new RedisTokenBucket({ ...opts, redis: await connect() });
    const started = performance.now();
    const granted = await hammer([a, b], 'erp', 1000, 10, 5);
    const seconds = (performance.now() - started) / 1000;
    // One replica alone would be granted ~55 here; two unshared ones ~110.
    expect(granted).toBeLessThanOrEqual(5 + Math.ceil(50 * seconds) + 1);
    expect(granted).toBeGreaterThanOrEqual(5 + 50 * 0.8);
    expect(errors).toEqual([]);
  });

  it('should store bucket <keyPrefix>bucket:<key> as a hash that expires once it would be full again', async () => {
    const redis = await connect();
    const limiter = new RedisTokenBucket({ ratePerSecond: 10, burst: 4, keyPrefix, redis });
    expect(limiter.key('oms')).toBe(`${keyPrefix}bucket:oms`);
    await limiter.take('oms', 2);
    const ttl = await redis.pttl(`${keyPrefix}bucket:oms`);
    // Two tokens short at 10/s: full in 200 ms; the key lives one more second.
    expect(ttl).toBeGreaterThan(900);
    expect(ttl).toBeLessThanOrEqual(1200);
    expect(Object.keys(await redis.hgetall(`${keyPrefix}bucket:oms`)).sort()).toEqual(['at', 'tokens']);
  });
});

describe('RedisTokenBucket without Redis', () => {
  const clients: Redis[] = [];
  afterEach(() => {
    for (const r of clients.splice(0)) r.disconnect();
  });

  it('should fall back to a local bucket at rate / replicasHint, never throw, and report once', async () => {
    const redis = client(`redis://127.0.0.1:${await freePort()}`);
    clients.push(redis);
    const reports: string[] = [];
    const limiter = new RedisTokenBucket({
      ratePerSecond: 40,
      burst: 20,
      replicasHint: 4,
      redis,
      onError: (_, c) => reports.push(c),
    });
    const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter.take('erp')));
    // burst 20 / 4 replicas = 5 local tokens.
    expect(decisions.filter((d) => d.ok)).toHaveLength(5);
    expect(limiter.degraded).toBe(true);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/Redis unreachable .*limiting locally at 10\/s per replica/);
  });
});

describeOwnRedis('RedisTokenBucket on a Redis of its own', () => {
  it('should fall back after timeoutMs when a connected Redis does not answer', async () => {
    const own = await startOwnRedis();
    const redis = client(own.url);
    const admin = client(own.url);
    try {
      await Promise.all([redis, admin].map((r) => (r.status === 'ready' ? undefined : once(r, 'ready'))));
      const reports: string[] = [];
      const limiter = new RedisTokenBucket({
        ratePerSecond: 10,
        burst: 2,
        timeoutMs: 30,
        redis,
        onError: (_, c) => reports.push(c),
      });
      await admin.call('CLIENT', 'PAUSE', '300', 'ALL');
      const started = performance.now();
      const decisions = await Promise.all([limiter.take('k'), limiter.take('k'), limiter.take('k')]);
      expect(performance.now() - started).toBeLessThan(250);
      expect(decisions.map((d) => d.ok)).toEqual([true, true, false]);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(/no answer within 30 ms/);
    } finally {
      redis.disconnect();
      admin.disconnect();
      await own.dispose();
    }
  });

  it('should fall back while Redis is down, use it again when it is back, and report each outage once', async () => {
    const own = await startOwnRedis();
    const redis = client(own.url);
    try {
      if (redis.status !== 'ready') await once(redis, 'ready');
      const reports: string[] = [];
      const limiter = new RedisTokenBucket({
        ratePerSecond: 1000,
        burst: 100,
        redis,
        onError: (_, c) => reports.push(c),
      });
      expect((await limiter.take('k')).ok).toBe(true);
      expect(limiter.degraded).toBe(false);

      await own.stop();
      await sleep(20);
      for (let i = 0; i < 5; i++) expect((await limiter.take('k')).ok).toBe(true);
      expect(limiter.degraded).toBe(true);
      expect(reports).toHaveLength(1);

      await own.start();
      if (redis.status !== 'ready') await once(redis, 'ready');
      expect((await limiter.take('k')).ok).toBe(true);
      expect(limiter.degraded).toBe(false);
      expect(await redis.exists('ovg:shield:bucket:k')).toBe(1);

      await own.stop();
      await sleep(20);
      await limiter.take('k');
      expect(reports).toHaveLength(2);
    } finally {
      redis.disconnect();
      await own.dispose();
    }
  });
});
