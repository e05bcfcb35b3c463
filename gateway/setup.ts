import type { Redis } from 'ioredis';
import { acquireRedis, redisUrlFor } from '../runtime/redis.js';
import { createOrderVersions, type OrderVersions } from '../events/versions.js';
import type { Logger } from '../runtime/logger.js';
import { createTaggedCache, type CacheSetup } from './cache/index.js';
import type { GatewayConfig } from './config.js';
import { RedisTokenBucket, Shield } from './shield/index.js';

/** The caches of one gateway: tagged (response and fetch entries) and the last known slices (same store). */
export interface Caching {
  tagged: CacheSetup;
  close(): Promise<void>;
}

/**
 * The caches, when configured and when their entries can be kept honest: they need the order
 * versions ingest bumps — the embedded stack's shared in-memory store, or Redis shared with the
 * subgraphs. Without either, caching stays off (logged): a cache nobody invalidates would lie.
 */
export function setUpCaching(
  config: GatewayConfig,
  versions: OrderVersions | undefined,
  logger: Logger,
): Caching | undefined {
  if (!config.cache.enabled) return undefined;
  let shared = versions;
  let owned = false;
  if (!shared) {
    if (!config.redisUrl) {
      logger.warn(
        'caching is off: no order-versions store shared with the subgraphs (set REDIS_URL, or run the embedded stack)',
      );
      return undefined;
    }
    shared = createOrderVersions({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix });
    owned = true;
  }
  const tagged = createTaggedCache(config.cache, shared, {
    prefix: config.redisKeyPrefix,
    onError: (err, context) => logger.warn({ err: err.message, context }, 'cache unavailable: serving misses'),
  });
  return {
    tagged,
    close: async () => {
      await tagged.cache.close();
      if (owned) await shared.close();
    },
  };
}

/**
 * The counters replicas share (the shields' token buckets, client quotas), on the process's cache
 * connection (runtime/redis.ts: fail-fast once connected), since both fall back to local decisions
 * and report an outage themselves. Undefined without a cache Redis (`CACHE_REDIS_URL`, else `REDIS_URL`).
 */
export function sharedCounters(config: Pick<GatewayConfig, 'cache'>): Redis | undefined {
  return config.cache.redisUrl ? acquireRedis('cache', config.cache.redisUrl) : undefined;
}

/** One shield per subgraph; with `redis` (sharedCounters) their token buckets are shared by every replica. */
export function setUpShields(config: GatewayConfig, logger: Logger, redis: Redis | undefined): Map<string, Shield> {
  const byName = new Map<string, Shield>();
  for (const [name, c] of Object.entries(config.shield)) {
    const limiter = redis
      ? new RedisTokenBucket({
          redis,
          ratePerSecond: c.ratePerSecond,
          burst: c.burst,
          replicasHint: c.replicasHint,
          keyPrefix: `${config.redisKeyPrefix}shield:`,
          onError: (err) =>
            logger.warn({ err: err.message, subgraph: name }, 'shared rate limit unavailable: limiting locally'),
        })
      : undefined;
    byName.set(name, new Shield({ name, config: c, ...(limiter ? { limiter } : {}) }));
  }
  return byName;
}
