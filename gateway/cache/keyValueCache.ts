import type { CacheStore } from './store.js';

/**
 * Apollo Server's `KeyValueCache<string>` shape (@apollo/utils.keyvaluecache), declared here so
 * that the gateway does not depend on that package directly.
 */
export interface StringKeyValueCache {
  get(key: string): Promise<string | undefined>;
  /** `ttl` in seconds, as Apollo Server passes it; absent or null: `defaultTtlMs`. */
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/** Entries written without a TTL (APQ without `persistedQueries.ttl`) live this long: 1 day. */
export const DEFAULT_KEY_VALUE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A {@link CacheStore} as Apollo Server's cache, e.g. the APQ store:
 * `persistedQueries: { cache: keyValueCache(errorsAreMisses(store)) }` — on an outage a
 * persisted-query lookup is a miss (PERSISTED_QUERY_NOT_FOUND: the client resends the full query)
 * instead of a failed request. See https://www.apollographql.com/docs/apollo-server/performance/apq.
 */
export function keyValueCache(store: CacheStore, defaultTtlMs = DEFAULT_KEY_VALUE_TTL_MS): StringKeyValueCache {
  return {
    get: (key) => store.get(key),
    set: (key, value, options) => {
      const ttl = options?.ttl;
      return store.set(key, value, typeof ttl === 'number' && ttl > 0 ? ttl * 1000 : defaultTtlMs);
    },
    delete: (key) => store.delete([key]),
  };
}
