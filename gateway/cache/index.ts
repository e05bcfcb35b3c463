/**
 * The gateway's cache building blocks (ARCHITECTURE.md, "Caching without lying"): one small
 * key-value interface, decorators over it, and a cache that checks order versions on every read.
 */
export { cacheConfigFromEnv, DEFAULT_CACHE_CONFIG, MAX_CACHE_TTL_MS, type CacheConfig } from './config.js';
export { createTaggedCache, type CacheSetup, type CreateTaggedCacheOptions } from './create.js';
export { errorsAreMisses, type ErrorsAreMissesOptions } from './errorsAreMisses.js';
export {
  CacheGuard,
  DEFAULT_CACHE_TIMEOUT_MS,
  DEFAULT_REPORT_INTERVAL_MS,
  type CacheErrorHandler,
  type CacheGuardOptions,
} from './guard.js';
export { keyValueCache, DEFAULT_KEY_VALUE_TTL_MS, type StringKeyValueCache } from './keyValueCache.js';
export {
  approximateBytes,
  cacheNamespace,
  createCacheStore,
  createKeyv,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_ENTRIES,
  keyvStore,
  LruMap,
  type CacheStore,
  type CacheStoreOptions,
} from './store.js';
export { TaggedCache, type TaggedCacheOptions, type TaggedSetOptions } from './tagged.js';
export {
  createTagIndex,
  MemoryTagIndex,
  RedisTagIndex,
  type MemoryTagIndexOptions,
  type RedisTagIndexOptions,
  type TagIndex,
} from './tagIndex.js';
export { CacheTags, tagsOfEvent } from './tags.js';
