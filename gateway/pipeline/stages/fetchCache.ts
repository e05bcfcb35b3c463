import { sliceVersionId } from '../../../events/versions.js';
import { rootOrderIdsOf } from '../../cache/orderIds.js';
import type { TaggedCache } from '../../cache/tagged.js';
import type { Stage, SubgraphResponse } from '../stage.js';
import type { CacheCounter } from './metrics.js';

/** Where a subgraph response carries its Cache-Control bound (not serialized into the caches). */
const MAX_AGE = Symbol('maxAgeMs');

/** Records the subgraph's Cache-Control bound on its parsed response. */
export function withMaxAge(response: SubgraphResponse, cacheControl: string | null): SubgraphResponse {
  const maxAgeMs = cacheControlMaxAgeMs(cacheControl);
  if (maxAgeMs !== undefined) Object.defineProperty(response, MAX_AGE, { value: maxAgeMs, enumerable: false });
  return response;
}

/**
 * The longest a subgraph lets its answer be kept, ms: `s-maxage`, else `max-age`; 0 for
 * `no-store` or `no-cache`; undefined when it says nothing (then the configured TTL alone).
 * `private` is not a refusal here: the gateway keys the answers of subgraphs whose answers vary
 * by caller (row rules) by the caller's scope.
 */
export function cacheControlMaxAgeMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const directives = header
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  const seconds = (name: string): number | undefined => {
    const m = directives.map((d) => new RegExp(`^${name}=(\\d+)$`).exec(d)).find(Boolean);
    return m ? Number(m[1]) : undefined;
  };
  const age = seconds('s-maxage') ?? seconds('max-age');
  return age === undefined ? undefined : age * 1000;
}

/** Options of {@link fetchCacheStage}. */
export interface FetchCacheOptions {
  cache: TaggedCache;
  /** Fresh lifetime of a subgraph's fetches, ms (CACHE_TTL_<SUBGRAPH>_MS; 0 = off). */
  ttlMs: (subgraph: string) => number;
  /** Counts hits and misses (`ovg_cache_requests_total{cache="fetch"}`). @default none */
  counted?: CacheCounter;
}

/**
 * The fetch cache: once the operation is resolved, the orders it starts from; then a subgraph fetch of an operation that starts from known orders (`order(id:)`)
 * is answered from the cache while the entry is current (the versions of those orders' slices in
 * this subgraph are unchanged). A miss reads the versions before the fetch and stores the answer
 * under them, for the configured TTL bounded by the subgraph's Cache-Control. Errors and stale
 * slices are never stored.
 */
export function fetchCacheStage(opts: FetchCacheOptions): Stage {
  return {
    name: 'fetch cache',
    onOperation({ schema, operation, variables, context }) {
      // The subgraph fetches of single-order operations are keyed on that order.
      context.rootOrderIds = rootOrderIdsOf(schema, operation, variables);
    },
    async onSubgraphFetch(fetch, next) {
      const ttl = opts.ttlMs(fetch.subgraph);
      const ids = fetch.context.rootOrderIds;
      if (!(ttl > 0) || !ids?.length) return next();
      const hit = await opts.cache.get(fetch.key);
      if (hit !== undefined) {
        opts.counted?.hit();
        return JSON.parse(hit) as SubgraphResponse;
      }
      opts.counted?.miss();
      const snapshot = await opts.cache.snapshot(ids.map((id) => sliceVersionId(id, fetch.subgraph)));
      fetch.snapshot = snapshot;
      const response = await next();
      if (!snapshot || fetch.servedStale || response.errors?.length) return response;
      const ttlMs = Math.min(ttl, (response as { [MAX_AGE]?: number })[MAX_AGE] ?? Infinity);
      if (ttlMs > 0)
        await opts.cache.set(fetch.key, JSON.stringify(response), {
          ttlMs,
          versions: snapshot,
          tags: ids.map((id) => `order:${id}:${fetch.subgraph}`),
        });
      return response;
    },
  };
}
