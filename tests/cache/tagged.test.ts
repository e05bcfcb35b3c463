import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryOrderVersions, RedisOrderVersions, type OrderVersions } from '../../events/versions.js';
import {
  CacheGuard,
  CacheTags,
  createCacheStore,
  createTaggedCache,
  MemoryTagIndex,
  RedisTagIndex,
  TaggedCache,
  type CacheSetup,
  type CacheStore,
} from '../../gateway/cache/index.js';
import { DEFAULT_CACHE_CONFIG } from '../../gateway/cache/config.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { taggedCacheContract, type TaggedSetup } from './taggedContract.js';

const quiet = { onError: () => undefined };

/** `store` with a hook that runs before each write goes out. */
function hooked(store: CacheStore): { store: CacheStore; hook: (before: () => Promise<void>) => void } {
  let before: (() => Promise<void>) | undefined;
  return {
    store: {
      ...store,
      set: async (k, v, ttl) => {
        await before?.();
        return store.set(k, v, ttl);
      },
    },
    hook: (b) => {
      before = b;
    },
  };
}

taggedCacheContract('memory', async (): Promise<TaggedSetup> => {
  const versions = new MemoryOrderVersions();
  const raw = createCacheStore();
  const { store, hook } = hooked(raw);
  const cache = new TaggedCache({ store, versions, tags: new MemoryTagIndex(), guard: { timeoutMs: 1000, ...quiet } });
  return { cache, ingest: versions, raw, beforeEachWrite: hook, close: () => cache.close() };
});

/** Versions that fail (or hang) on demand, counting reads. */
class FlakyVersions extends MemoryOrderVersions {
  mode: 'ok' | 'reject' | 'hang' = 'ok';
  reads = 0;
  override async get(ids: string[]): Promise<Map<string, number>> {
    this.reads += 1;
    if (this.mode === 'reject') throw new Error('versions store down');
    if (this.mode === 'hang') return new Promise(() => undefined);
    return super.get(ids);
  }
  override async snapshot(ids: string[]) {
    if (this.mode === 'reject') throw new Error('versions store down');
    if (this.mode === 'hang') return new Promise<never>(() => undefined);
    return super.snapshot(ids);
  }
}

describe('TaggedCache when the versions cannot be read', () => {
  const setup = () => {
    const versions = new FlakyVersions();
    const reports: string[] = [];
    const cache = new TaggedCache({
      store: createCacheStore(),
      versions,
      guard: { timeoutMs: 50, onError: (e, c) => reports.push(`${c}: ${e.message}`) },
    });
    return { versions, cache, reports };
  };

  it('should make one versions read per hit', async () => {
    const { versions, cache } = setup();
    await cache.set('k', 'v', { ttlMs: 60_000, versions: (await cache.snapshot(['ORD-1', 'ORD-2', 'customer:C']))! });
    versions.reads = 0;
    for (let i = 0; i < 3; i++) expect(await cache.get('k')).toBe('v');
    expect(versions.reads).toBe(3);
  });

  it('should miss rather than serve an entry it cannot check, and report it', async () => {
    const { versions, cache, reports } = setup();
    await cache.set('k', 'v', { ttlMs: 60_000, versions: (await cache.snapshot(['ORD-1']))! });
    versions.mode = 'reject';
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.snapshot(['ORD-1'])).toBeUndefined();
    expect(reports).toEqual(['cache read versions failed, served as a miss: versions store down']);
    versions.mode = 'ok';
    // Right after a failure the guard fails fast (no waiting on a store that just failed) …
    expect(await cache.get('k')).toBeUndefined();
    // … and tries again once the fail-fast window (250 ms) has passed.
    await new Promise((r) => setTimeout(r, 300));
    expect(await cache.get('k')).toBe('v');
  });

  it('should miss within the timeout when the versions hang, and not store what it cannot check', async () => {
    const { versions, cache } = setup();
    const before = (await cache.snapshot(['ORD-1']))!;
    await cache.set('k', 'v', { ttlMs: 60_000, versions: before });
    versions.mode = 'hang';
    const started = performance.now();
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.set('k2', 'v', { ttlMs: 60_000, versions: before })).toBe(false);
    expect(performance.now() - started).toBeLessThan(100 + 300);
  });
});

describe('TaggedCache TTL jitter', () => {
  /** A store that records the TTL of every write. */
  const recording = () => {
    const inner = createCacheStore();
    const ttls: number[] = [];
    const store: CacheStore = {
      ...inner,
      set: (k, v, ttl) => {
        ttls.push(ttl);
        return inner.set(k, v, ttl);
      },
    };
    return { store, ttls };
  };

  it('should spread the expiry of entries written together over the jitter share of their TTL, never past it', async () => {
    const { store, ttls } = recording();
    const tags = new MemoryTagIndex();
    const cache = new TaggedCache({ store, versions: new MemoryOrderVersions(), tags, ttlJitter: 0.2 });
    const snapshot = (await cache.snapshot(['ORD-1']))!;
    for (let i = 0; i < 200; i++)
      await cache.set(`k${i}`, 'v', { ttlMs: 10_000, versions: snapshot, tags: ['order:ORD-1'] });
    expect(ttls).toHaveLength(200);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(10_000);
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(8_000);
    // Spread, not one instant: 200 uniform draws over 2 s leave no gap near a second.
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeGreaterThan(1_500);
    expect(new Set(ttls).size).toBeGreaterThan(150);
    expect(await cache.get('k0')).toBe('v');
  });

  it('should keep the TTL as given without a jitter, and refuse a jitter outside 0–0.5', async () => {
    const { store, ttls } = recording();
    const cache = new TaggedCache({ store, versions: new MemoryOrderVersions() });
    const snapshot = (await cache.snapshot(['ORD-1']))!;
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, 'v', { ttlMs: 10_000, versions: snapshot });
    expect(ttls).toEqual([10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(() => new TaggedCache({ store, versions: new MemoryOrderVersions(), ttlJitter: 0.9 })).toThrow(
      /expected ttlJitter between 0 and 0.5, got 0.9/,
    );
  });

  it('should take the jitter from the cache configuration (CACHE_TTL_JITTER_PERCENT, 20 by default)', async () => {
    const draws: number[] = [];
    const setup = createTaggedCache({ ...DEFAULT_CACHE_CONFIG }, new MemoryOrderVersions());
    // The configured share reaches the cache: a draw of 1 takes the whole 20 % off.
    (setup.cache as unknown as { random: () => number }).random = () => (draws.push(1), 1);
    const snapshot = (await setup.cache.snapshot(['ORD-1']))!;
    await setup.cache.set('k', 'v', { ttlMs: 1_000, versions: snapshot });
    expect(draws).toEqual([1]);
    expect(await setup.cache.get('k')).toBe('v');
    // Gone after 800 ms, where the TTL as given would keep it to 1,000.
    await new Promise((r) => setTimeout(r, 900));
    expect(await setup.cache.get('k')).toBeUndefined();
    await setup.cache.close();
  });
});

describe('MemoryTagIndex', () => {
  it('should stay within maxTags, dropping expired tags first, then the oldest', async () => {
    let now = 0;
    const index = new MemoryTagIndex({ maxTags: 10, now: () => now });
    for (let i = 0; i < 5; i++) await index.add([`short-${i}`], `k${i}`, 100);
    for (let i = 0; i < 5; i++) await index.add([`long-${i}`], `l${i}`, 60_000);
    now = 1000;
    await index.add(['new'], 'n', 60_000);
    expect(index.size).toBe(6);
    expect(await index.take(['short-0', 'long-0'])).toEqual(['l0']);
    for (let i = 0; i < 20; i++) await index.add([`more-${i}`], 'm', 60_000);
    expect(index.size).toBeLessThanOrEqual(10);
    expect(await index.take(['more-19'])).toEqual(['m']);
  });

  it('should stay within maxKeys across all its tags, dropping expired keys first, then the oldest tags (issue 16: bounded by bytes)', async () => {
    let now = 0;
    const index = new MemoryTagIndex({ maxKeys: 100, now: () => now });
    for (let t = 0; t < 5; t++) for (let k = 0; k < 12; k++) await index.add([`short-${t}`], `s${t}-${k}`, 100);
    now = 1000;
    for (let t = 0; t < 5; t++) for (let k = 0; k < 12; k++) await index.add([`long-${t}`], `l${t}-${k}`, 60_000);
    // 120 keys added, at most 100 kept: the 60 expired ones went, every live one stayed.
    expect(index.keys).toBe(60);
    expect(await index.take(['short-0'])).toEqual([]);
    expect(await index.take(['long-4'])).toHaveLength(12);
    expect(index.keys).toBe(48);
    // Past maxKeys with nothing expired: the oldest tags go, never more than 100 keys held.
    for (let i = 0; i < 500; i++) {
      await index.add([`more-${i % 50}`], `m${i}`, 60_000);
      expect(index.keys).toBeLessThanOrEqual(100);
    }
    const held = index.keys;
    const tags = [...Array.from({ length: 50 }, (_, i) => `more-${i}`), 'long-0', 'long-1', 'long-2', 'long-3'];
    expect(await index.take(tags)).toHaveLength(held);
    expect(index.keys).toBe(0);
    expect(index.size).toBe(0);
  });

  it("should prune a tag's expired keys as the tag grows", async () => {
    let now = 0;
    const index = new MemoryTagIndex({ now: () => now });
    for (let i = 0; i < 63; i++) await index.add(['hot'], `old-${i}`, 100);
    now = 1000;
    await index.add(['hot'], 'fresh', 60_000);
    expect(await index.take(['hot'])).toEqual(['fresh']);
  });
});

await describeRedis('TaggedCache on Redis', () => {
  const prefix = uniquePrefix();
  afterAll(() => cleanupPrefix(prefix));
  const url = redisUrl();

  taggedCacheContract('Redis', async (): Promise<TaggedSetup> => {
    const versions = new RedisOrderVersions({ url, keyPrefix: prefix });
    const ingest = new RedisOrderVersions({ url, keyPrefix: prefix });
    const raw = createCacheStore({ redisUrl: url, prefix });
    const { store, hook } = hooked(createCacheStore({ redisUrl: url, prefix }));
    const cache = new TaggedCache({
      store,
      versions,
      tags: new RedisTagIndex({ url, prefix }),
      guard: { timeoutMs: 2000, ...quiet },
    });
    return {
      cache,
      ingest,
      raw,
      beforeEachWrite: hook,
      close: async () => {
        await Promise.all([cache.close(), raw.close(), versions.close(), ingest.close()]);
      },
    };
  });

  describe('two gateway replicas on one prefix', () => {
    const open: { close(): Promise<void> }[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((c) => c.close()));
    });
    const replica = (): CacheSetup & { versions: OrderVersions } => {
      const versions = new RedisOrderVersions({ url, keyPrefix: prefix });
      const setup = createTaggedCache({ redisUrl: url, maxEntries: 1000, redisTimeoutMs: 2000 }, versions, {
        prefix,
        ...quiet,
      });
      open.push(setup.cache, versions);
      return { ...setup, versions };
    };

    it("should see each other's entries, bumps and purges", async () => {
      const a = replica();
      const b = replica();
      const subgraph = new RedisOrderVersions({ url, keyPrefix: prefix });
      open.push(subgraph);

      const before = (await a.cache.snapshot(['ORD-R1']))!;
      await a.cache.set('response:r1', 'v1', { ttlMs: 60_000, versions: before, tags: [CacheTags.order('ORD-R1')] });
      expect(await b.cache.get('response:r1')).toBe('v1');
      await subgraph.bump(['ORD-R1']); // a webhook answered 2xx
      expect(await a.cache.get('response:r1')).toBeUndefined();
      expect(await b.cache.get('response:r1')).toBeUndefined();

      const fresh = (await b.cache.snapshot(['ORD-R1']))!;
      await b.cache.set('response:r1', 'v2', { ttlMs: 60_000, versions: fresh, tags: [CacheTags.order('ORD-R1')] });
      expect(await a.cache.get('response:r1')).toBe('v2');
      await a.cache.purge([CacheTags.order('ORD-R1')]);
      expect(await b.store.get('response:r1')).toBeUndefined();
    });

    it('should keep its keys under the prefix: entries, tag sets with a TTL, versions', async () => {
      const a = replica();
      const before = (await a.cache.snapshot(['ORD-LAYOUT']))!;
      await a.cache.set('response:layout', 'v', {
        ttlMs: 30_000,
        versions: before,
        tags: [CacheTags.order('ORD-LAYOUT')],
      });
      await a.versions.bump(['ORD-LAYOUT-2']);
      const { Redis } = await import('ioredis');
      const r = new Redis(url);
      try {
        const keys = (await r.keys(`${prefix}*`)).map((k) => k.slice(prefix.length));
        expect(keys).toEqual(
          expect.arrayContaining([
            'cache:response:layout',
            'cache-tag:order:ORD-LAYOUT',
            'version:ORD-LAYOUT-2',
            'version-clock',
          ]),
        );
        expect(await r.smembers(`${prefix}cache-tag:order:ORD-LAYOUT`)).toEqual(['response:layout']);
        const tagTtl = await r.pttl(`${prefix}cache-tag:order:ORD-LAYOUT`);
        expect(tagTtl).toBeGreaterThan(25_000);
        expect(tagTtl).toBeLessThanOrEqual(30_000);
        await a.cache.set('response:layout-2', 'v', {
          ttlMs: 50_000,
          versions: before,
          tags: [CacheTags.order('ORD-LAYOUT')],
        });
        await a.cache.set('response:layout-3', 'v', {
          ttlMs: 1000,
          versions: before,
          tags: [CacheTags.order('ORD-LAYOUT')],
        });
        expect(await r.pttl(`${prefix}cache-tag:order:ORD-LAYOUT`)).toBeGreaterThan(45_000);
      } finally {
        r.disconnect();
      }
    });
  });

  it('should serve misses, not errors, when the tag index and store are unreachable', async () => {
    const versions = new MemoryOrderVersions();
    const reports: string[] = [];
    const guard = new CacheGuard({ timeoutMs: 50, onError: (_e, c) => reports.push(c) });
    const cache = new TaggedCache({
      store: createCacheStore({ redisUrl: 'redis://127.0.0.1:1' }),
      versions,
      tags: new RedisTagIndex({ url: 'redis://127.0.0.1:1', ...quiet }),
      guard,
    });
    try {
      const before = (await cache.snapshot(['ORD-1']))!;
      expect(await cache.set('k', 'v', { ttlMs: 1000, versions: before, tags: ['order:ORD-1'] })).toBe(false);
      expect(await cache.get('k')).toBeUndefined();
      await cache.purge(['order:ORD-1']);
      expect(reports).toHaveLength(1);
    } finally {
      await cache.close();
    }
  });
});
