import { CacheGuard, type CacheGuardOptions } from './guard.js';
import type { CacheStore } from './store.js';

/** Options of {@link errorsAreMisses}: a {@link CacheGuard} to share, or the options of a new one. */
export type ErrorsAreMissesOptions = CacheGuardOptions | { guard: CacheGuard };

/**
 * Decorates a {@link CacheStore} so that a cache outage degrades to misses, never to errors
 * (STYLE.md, practice 8): every operation is bounded by the guard's timeout (50 ms by default, so a
 * hung Redis never stalls a request), a failed or late `get` is a miss, a failed `set` or `delete`
 * is skipped, and failures are reported at most once per interval. `close` is passed through.
 */
export function errorsAreMisses(store: CacheStore, opts: ErrorsAreMissesOptions = {}): CacheStore {
  const guard = 'guard' in opts ? opts.guard : new CacheGuard(opts);
  return {
    get: (key) => guard.run('get', () => store.get(key), undefined),
    set: (key, value, ttlMs) => guard.run('set', () => store.set(key, value, ttlMs), undefined),
    delete: (keys) =>
      keys.length === 0 ? Promise.resolve() : guard.run('delete', () => store.delete(keys), undefined),
    close: () => store.close(),
  };
}
