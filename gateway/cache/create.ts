import type { Keyv } from 'keyv';
import type { OrderVersions } from '../../events/versions.js';
import type { CacheConfig } from './config.js';
import { errorsAreMisses } from './errorsAreMisses.js';
import { CacheGuard, type CacheErrorHandler } from './guard.js';
import { createKeyv, DEFAULT_MAX_BYTES, keyvStore, type CacheStore } from './store.js';
import { TaggedCache } from './tagged.js';
import { createTagIndex } from './tagIndex.js';

/** What {@link createTaggedCache} builds; `cache.close()` releases all of it. */
export interface CacheSetup {
  cache: TaggedCache;
  /** The entries' store, errors as misses: e.g. the APQ store, `keyValueCache(store)` (keys `apq:…`). */
  store: CacheStore;
  /** The raw Keyv under `store` (throws on errors), for whoever needs keyv itself. */
  keyv: Keyv<string>;
  /** The guard every call goes through: one report per outage, whichever part failed. */
  guard: CacheGuard;
}

/** Options of {@link createTaggedCache}. */
export interface CreateTaggedCacheOptions {
  /** Prefix of every Redis key (`<prefix>cache:…`, `<prefix>cache-tag:…`). @default 'ovg:' */
  prefix?: string;
  /** Where cache failures are reported (at most once per 10 s). @default logs them (pino, `"name":"cache"`) */
  onError?: CacheErrorHandler;
}

/**
 * The gateway's cache for its configuration: entries and tags in Redis when `redisUrl` is set
 * (shared by every replica), else in this process (an LRU of `maxEntries`); every call bounded by
 * `redisTimeoutMs` and failing as a miss; served only while `versions` say the entry is current.
 */
export function createTaggedCache(
  config: Pick<CacheConfig, 'redisUrl' | 'maxEntries' | 'redisTimeoutMs'> &
    Partial<Pick<CacheConfig, 'maxBytes' | 'redisMaxBytes' | 'ttlJitterPercent'>>,
  versions: OrderVersions,
  opts: CreateTaggedCacheOptions = {},
): CacheSetup {
  const guard = new CacheGuard({
    timeoutMs: config.redisTimeoutMs,
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  const where = { redisUrl: config.redisUrl, ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}) };
  const keyv = createKeyv({
    ...where,
    maxEntries: config.maxEntries,
    ...(config.maxBytes ? { maxBytes: config.maxBytes } : {}),
    ...(config.redisMaxBytes ? { redisMaxBytes: config.redisMaxBytes } : {}),
  });
  const raw = keyvStore(keyv);
  // One entry key per KB of the byte budget (8 MB: 8,192; the default 256 MB: 262,144, about 40 MB).
  const tags = createTagIndex({
    ...where,
    maxTags: config.maxEntries,
    maxKeys: Math.max(1024, Math.floor((config.maxBytes ?? DEFAULT_MAX_BYTES) / 1024)),
  });
  // The TaggedCache guards its own calls; `store` is for everyone else (e.g. APQ).
  // With Redis, a near copy of what this replica stored saves a round trip per hit (versions are still read).
  const near = config.redisUrl
    ? {
        near: {
          maxEntries: Math.min(config.maxEntries, 20_000),
          maxBytes: Math.floor((config.maxBytes ?? DEFAULT_MAX_BYTES) / 4),
          ttlMs: 60_000,
        },
      }
    : {};
  return {
    cache: new TaggedCache({
      store: raw,
      versions,
      tags,
      guard,
      ...near,
      ...(config.ttlJitterPercent ? { ttlJitter: config.ttlJitterPercent / 100 } : {}),
    }),
    store: errorsAreMisses(raw, { guard }),
    keyv,
    guard,
  };
}
