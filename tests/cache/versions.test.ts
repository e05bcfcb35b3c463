import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../canonical/index.js';
import {
  createOrderVersions,
  customerVersionId,
  MemoryOrderVersions,
  RedisOrderVersions,
  versionIdsOfEvent,
  type OrderVersions,
} from '../../events/index.js';
import { cleanupPrefix, describeRedis, freePort, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { orderVersionsContract } from './versionsContract.js';

orderVersionsContract('MemoryOrderVersions', (opts) => new MemoryOrderVersions(opts));

await describeRedis('RedisOrderVersions', () => {
  const keyPrefix = uniquePrefix();
  afterAll(() => cleanupPrefix(keyPrefix));
  orderVersionsContract(
    'RedisOrderVersions',
    (opts) => new RedisOrderVersions({ url: redisUrl(), keyPrefix, ...opts }),
  );

  describe('RedisOrderVersions', () => {
    const open: OrderVersions[] = [];
    const raw = new Redis(redisUrl());
    afterEach(async () => {
      await Promise.all(open.splice(0).map((v) => v.close()));
    });
    afterAll(() => raw.disconnect());
    const versions = (opts: Partial<ConstructorParameters<typeof RedisOrderVersions>[0]> = {}): RedisOrderVersions => {
      const v = new RedisOrderVersions({ url: redisUrl(), keyPrefix, ...opts });
      open.push(v);
      return v;
    };

    it('should keep one clock key without TTL and one expiring key per id, under the prefix', async () => {
      const v = versions({ ttlMs: 60_000 });
      await v.bump(['ORD-LAYOUT', customerVersionId('CUST-LAYOUT')]);
      const clock = await raw.get(`${keyPrefix}version-clock`);
      expect(Number(clock)).toBeGreaterThan(0);
      expect(await raw.pttl(`${keyPrefix}version-clock`)).toBe(-1);
      expect(await raw.get(`${keyPrefix}version:ORD-LAYOUT`)).toBe(clock);
      expect(await raw.get(`${keyPrefix}version:customer:CUST-LAYOUT`)).toBe(clock);
      const ttl = await raw.pttl(`${keyPrefix}version:ORD-LAYOUT`);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it('should default to a 7-day TTL refreshed by every bump', async () => {
      const v = versions();
      await v.bump(['ORD-TTL']);
      await raw.pexpire(`${keyPrefix}version:ORD-TTL`, 1000);
      await v.bump(['ORD-TTL']);
      expect(await raw.pttl(`${keyPrefix}version:ORD-TTL`)).toBeGreaterThan(7 * 24 * 3600 * 1000 - 60_000);
    });

    it('should share versions between instances on one prefix (a subgraph writes, gateway replicas read)', async () => {
      const ingest = versions();
      const replicaA = versions();
      const replicaB = versions();
      const before = (await replicaA.get(['ORD-SHARED'])).get('ORD-SHARED')!;
      await ingest.bump(['ORD-SHARED']);
      expect((await replicaA.get(['ORD-SHARED'])).get('ORD-SHARED')).toBeGreaterThan(before);
      expect(await replicaB.get(['ORD-SHARED'])).toEqual(await replicaA.get(['ORD-SHARED']));
    });

    it("should not see another prefix's versions", async () => {
      const other = uniquePrefix();
      try {
        await versions().bump(['ORD-PREFIXED']);
        expect((await versions({ keyPrefix: other }).get(['ORD-PREFIXED'])).get('ORD-PREFIXED')).toBe(0);
      } finally {
        await cleanupPrefix(other);
      }
    });

    it('should reject a bump within timeoutMs when Redis is unreachable, naming it', async () => {
      const port = await freePort();
      const v = versions({ url: `redis://127.0.0.1:${port}`, timeoutMs: 200, onError: () => undefined });
      const started = Date.now();
      await expect(v.bump(['ORD-DOWN'])).rejects.toThrow(
        new RegExp(`bump versions of ORD-DOWN failed: Redis at redis://127.0.0.1:${port}.* unreachable for 200 ms`),
      );
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('should refuse a url that is not redis:// or rediss://', () => {
      expect(() => new RedisOrderVersions({ url: 'http://localhost:6379' })).toThrow(
        /expected redis:\/\/… or rediss:\/\/…, got "http:\/\/localhost:6379"/,
      );
    });
  });

  describe('createOrderVersions', () => {
    it('should build the Redis store from REDIS_URL or redisUrl, and the memory store without', async () => {
      const fromEnv = createOrderVersions({ REDIS_URL: redisUrl() });
      const explicit = createOrderVersions({ redisUrl: redisUrl(), keyPrefix });
      const memory = createOrderVersions({ REDIS_URL: '' });
      const memoryExplicit = createOrderVersions({ redisUrl: undefined, keyPrefix });
      try {
        expect(fromEnv).toBeInstanceOf(RedisOrderVersions);
        expect((fromEnv as RedisOrderVersions).key('X')).toBe('ovg:version:X');
        expect(explicit).toBeInstanceOf(RedisOrderVersions);
        expect((explicit as RedisOrderVersions).key('X')).toBe(`${keyPrefix}version:X`);
        expect(memory).toBeInstanceOf(MemoryOrderVersions);
        expect(memoryExplicit).toBeInstanceOf(MemoryOrderVersions);
      } finally {
        await Promise.all([fromEnv, explicit, memory, memoryExplicit].map((v) => v.close()));
      }
    });
  });
});

describe('versionIdsOfEvent', () => {
  const ev = (type: string, data: Record<string, unknown>) =>
    cloudEvent({ id: 'oms:e1', source: 'oms', type, subject: 'ORD-1', time: '2026-01-01T00:00:00.000Z', data });

  it("should bump the order, and the customer's lists for a placed order only", () => {
    expect(versionIdsOfEvent(ev('order.placed', { customerId: 'CUST-1' }))).toEqual([
      'ORD-1',
      'ORD-1@oms',
      'customer:CUST-1',
    ]);
    expect(versionIdsOfEvent(ev('order.cancelled', { customerId: 'CUST-1' }))).toEqual(['ORD-1', 'ORD-1@oms']);
    expect(versionIdsOfEvent(ev('order.placed', {}))).toEqual(['ORD-1', 'ORD-1@oms']);
  });
});

describe('MemoryOrderVersions', () => {
  it('should drop expired versions as it goes, so memory stays bounded by the ids bumped within the TTL', async () => {
    let now = 0;
    const v = new MemoryOrderVersions({ ttlMs: 1000, now: () => now });
    for (let i = 0; i < 100; i++) await v.bump([`ORD-${i}`]);
    now = 2000;
    await v.bump(['ORD-NEW']);
    expect((v as unknown as { versions: Map<string, unknown> }).versions.size).toBe(1);
    expect((await v.get(['ORD-0'])).get('ORD-0')).toBe(0);
  });
});
