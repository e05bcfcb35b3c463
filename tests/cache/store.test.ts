import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  approximateBytes,
  createCacheStore,
  keyValueCache,
  LruMap,
  type CacheStore,
} from '../../gateway/cache/index.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sleep } from './versionsContract.js';

/** What every CacheStore does, memory or Redis. */
function cacheStoreContract(name: string, make: () => CacheStore): void {
  describe(`${name}: CacheStore`, () => {
    const open: CacheStore[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    const store = (): CacheStore => {
      const s = make();
      open.push(s);
      return s;
    };

    it('should get what was set, and undefined for an absent key', async () => {
      const s = store();
      await s.set('k1', '{"a":1}', 10_000);
      expect(await s.get('k1')).toBe('{"a":1}');
      expect(await s.get('absent')).toBeUndefined();
    });

    it('should expire an entry after its TTL', async () => {
      const s = store();
      await s.set('short', 'v', 100);
      await s.set('long', 'v', 10_000);
      await sleep(200);
      expect(await s.get('short')).toBeUndefined();
      expect(await s.get('long')).toBe('v');
    });

    it('should delete the given keys only', async () => {
      const s = store();
      await Promise.all(['a', 'b', 'c'].map((k) => s.set(k, k, 10_000)));
      await s.delete(['a', 'b', 'absent']);
      await s.delete([]);
      expect([await s.get('a'), await s.get('b'), await s.get('c')]).toEqual([undefined, undefined, 'c']);
    });

    it('should refuse a TTL that is not a positive number', async () => {
      await expect(store().set('k', 'v', 0)).rejects.toThrow(/expected a positive TTL in ms, got 0/);
    });
  });
}

cacheStoreContract('memory', () => createCacheStore());

describe('in-memory store', () => {
  it('should keep at most maxEntries, evicting the least recently used', async () => {
    const s = createCacheStore({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) await s.set(k, k, 10_000);
    expect(await s.get('a')).toBe('a');
    await s.set('d', 'd', 10_000);
    expect(await s.get('b')).toBeUndefined();
    expect([await s.get('a'), await s.get('c'), await s.get('d')]).toEqual(['a', 'c', 'd']);
  });

  it('should bound the LruMap itself and refuse a bound that is not a positive integer', () => {
    const m = new LruMap<string, number>(2);
    m.set('x', 1).set('y', 2).set('x', 3).set('z', 4);
    expect([...m.entries()]).toEqual([
      ['x', 3],
      ['z', 4],
    ]);
    expect(() => new LruMap(0)).toThrow(/positive integer, got 0/);
  });

  it('should count the bytes it holds, and give them back on delete and overwrite (issue 16 #3)', () => {
    const m = new LruMap<string, string>(1000, 1_000_000);
    m.set('a', 'x'.repeat(10_000));
    expect(m.bytes).toBe(approximateBytes('a', 'x'.repeat(10_000)));
    expect(m.bytes).toBeGreaterThanOrEqual(20_000);
    m.set('a', 'y');
    expect(m.bytes).toBe(approximateBytes('a', 'y'));
    m.delete('a');
    expect(m.bytes).toBe(0);
  });

  it('should evict the least recently used past its byte budget, however few the entries, and not keep one larger than the budget', () => {
    const big = 'x'.repeat(30_000); // ~60 KB each
    const m = new LruMap<string, string>(100_000, 150_000);
    m.set('a', big).set('b', big);
    m.get('a');
    m.set('c', big);
    expect([...m.keys()]).toEqual(['a', 'c']);
    expect(m.bytes).toBeLessThanOrEqual(150_000);
    m.set('huge', 'x'.repeat(100_000));
    expect(m.has('huge')).toBe(false);
    expect([...m.keys()]).toEqual(['a', 'c']);
  });

  it('should bound the in-memory cache store by CACHE_MAX_BYTES: 1,500 large answers under different keys do not pile up', async () => {
    const s = createCacheStore({ maxBytes: 1_048_576 });
    const answer = 'x'.repeat(126_000 / 2); // a ~126 KB answer
    for (let i = 0; i < 1500; i++) await s.set(`response:op-${i}`, answer, 3_600_000);
    let kept = 0;
    for (let i = 0; i < 1500; i++) if ((await s.get(`response:op-${i}`)) !== undefined) kept++;
    expect(kept).toBeGreaterThan(0);
    expect(kept * 126_000).toBeLessThanOrEqual(1_048_576);
    expect(await s.get('response:op-1499')).toBe(answer);
  });
});

describe('keyValueCache', () => {
  it('should convert Apollo TTLs in seconds to ms, with a default for none', async () => {
    const calls: [string, number][] = [];
    const store: CacheStore = {
      get: async () => undefined,
      set: async (key, _v, ttlMs) => void calls.push([key, ttlMs]),
      delete: async () => undefined,
      close: async () => undefined,
    };
    const kv = keyValueCache(store, 5000);
    await kv.set('apq:1', 'q', { ttl: 300 });
    await kv.set('apq:2', 'q', { ttl: null });
    await kv.set('apq:3', 'q');
    expect(calls).toEqual([
      ['apq:1', 300_000],
      ['apq:2', 5000],
      ['apq:3', 5000],
    ]);
  });
});

await describeRedis('Redis store (keyv on ioredis)', () => {
  const prefix = uniquePrefix();
  const raw = new Redis(redisUrl());
  afterAll(async () => {
    raw.disconnect();
    await cleanupPrefix(prefix);
  });

  cacheStoreContract('Redis', () => createCacheStore({ redisUrl: redisUrl(), prefix }));

  it("should write the value itself under a clean key <prefix>cache:<key> with a PX TTL, not keyv's doubled namespace", async () => {
    const s = createCacheStore({ redisUrl: redisUrl(), prefix });
    try {
      await s.set('response:abc', 'v', 60_000);
      const keys = await raw.keys(`${prefix}*`);
      expect(keys).toContain(`${prefix}cache:response:abc`);
      expect(keys.filter((k) => k.includes('::') || k.includes('keyv'))).toEqual([]);
      expect(await raw.get(`${prefix}cache:response:abc`)).toBe('v');
      const ttl = await raw.pttl(`${prefix}cache:response:abc`);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await s.close();
    }
  });

  it("should serve Apollo Server's APQ cache (keyValueCache) from the same keyv store, ttl in seconds", async () => {
    const s = createCacheStore({ redisUrl: redisUrl(), prefix });
    const apq = keyValueCache(s);
    try {
      await apq.set('apq:hash1', '{ order(id: "ORD-1") { id } }', { ttl: 60 });
      expect(await s.get('apq:hash1')).toBe('{ order(id: "ORD-1") { id } }');
      const ttl = await raw.pttl(`${prefix}cache:apq:hash1`);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await s.set('apq:hash2', 'q2', 60_000);
      expect(await apq.get('apq:hash2')).toBe('q2');
      await apq.delete('apq:hash2');
      expect(await apq.get('apq:hash2')).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  cacheStoreContract('Redis with a byte budget', () =>
    createCacheStore({ redisUrl: redisUrl(), prefix: `${prefix}budget-contract:`, redisMaxBytes: 1_048_576 }),
  );

  it('should keep the cache within CACHE_REDIS_MAX_BYTES in Redis, evicting the oldest written, and give bytes back on delete (issue 16 #3)', async () => {
    const own = `${prefix}budget:`;
    const s = createCacheStore({ redisUrl: redisUrl(), prefix: own, redisMaxBytes: 300_000 });
    try {
      const answer = 'x'.repeat(100_000);
      for (let i = 0; i < 10; i++) await s.set(`response:op-${i}`, answer, 3_600_000);
      const total = Number(await raw.get(`${own}cache:__budget:total`));
      expect(total).toBeGreaterThan(0);
      expect(total).toBeLessThanOrEqual(300_000);
      const kept = (await raw.keys(`${own}cache:response:*`)).sort();
      // ~100 KB each within 300,000 bytes: the two written last (op-8, op-9) are what is left.
      expect(kept).toEqual([`${own}cache:response:op-8`, `${own}cache:response:op-9`]);
      expect(await s.get('response:op-9')).toBe(answer);
      expect(await s.get('response:op-0')).toBeUndefined();
      await s.delete(['response:op-9']);
      expect(Number(await raw.get(`${own}cache:__budget:total`))).toBeLessThan(total);
    } finally {
      await s.close();
    }
  });

  it('should run its budget script by EVALSHA, sending the script text at most once, not with every write', async () => {
    const own = `${prefix}evalsha:`;
    const s = createCacheStore({ redisUrl: redisUrl(), prefix: own, redisMaxBytes: 300_000 });
    const monitor = await raw.monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((a) => String(a).startsWith(own))) commands.push(String(args[0]).toLowerCase());
    });
    try {
      for (let i = 0; i < 5; i++) await s.set(`response:${i}`, 'v', 60_000);
      for (let waited = 0; commands.filter((c) => c.startsWith('eval')).length < 5 && waited < 5000; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      // EVAL only when the server did not know the script yet (NOSCRIPT), once.
      expect(commands.filter((c) => c === 'eval').length).toBeLessThanOrEqual(1);
      expect(commands.filter((c) => c === 'evalsha').length).toBeGreaterThanOrEqual(4);
    } finally {
      monitor.disconnect();
      await s.close();
    }
  });

  it("should see one replica's writes from another replica's store", async () => {
    const a = createCacheStore({ redisUrl: redisUrl(), prefix });
    const b = createCacheStore({ redisUrl: redisUrl(), prefix });
    try {
      await a.set('shared', 'from-a', 60_000);
      expect(await b.get('shared')).toBe('from-a');
      await b.delete(['shared']);
      expect(await a.get('shared')).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
