import { EnvReader } from '../../runtime/env.js';
import { SUBGRAPHS } from '../../canonical/systems.js';
import type { SubgraphName } from '../config.js';

/** The gateway caches' configuration (ARCHITECTURE.md, "Caching without lying"); defaults beside each option. */
export interface CacheConfig {
  /** Whether the gateway caches at all (`CACHE_ENABLED`). @default true */
  enabled: boolean;
  /** How long a whole response is kept, ms (`CACHE_RESPONSE_TTL_MS`); 0: responses are not cached. @default 30000 */
  responseTtlMs: number;
  /**
   * How long a subgraph fetch is kept, ms, per subgraph (`CACHE_TTL_ERP_MS`, `CACHE_TTL_OMS_MS`, …);
   * 0: that subgraph's fetches are not cached.
   * @default { erp: 60000, oms: 30000, wms: 15000, carrier: 10000, returns: 30000 }
   */
  fetchTtlMs: Record<SubgraphName, number>;
  /**
   * Shorter lives for answers containing some types (`CACHE_TYPE_TTLS`, `Type=ms,…`, e.g.
   * `Shipment=10000`): a whole answer lives as long as its shortest-lived type allows. @default {}
   */
  typeTtlMs: Record<string, number>;
  /**
   * Each cache entry lives its TTL shortened by a random share up to this percentage
   * (`CACHE_TTL_JITTER_PERCENT`, 0–50), so entries written together expire spread out instead of
   * missing together. @default 20
   */
  ttlJitterPercent: number;
  /** Entries the in-memory store keeps before evicting the least recently used (`CACHE_MAX_ENTRIES`). @default 100000 */
  maxEntries: number;
  /**
   * Bytes (approximate: keys and values) the in-process caches may hold before the least recently
   * used entries are evicted (`CACHE_MAX_BYTES`): the in-memory store, and the near copy kept
   * beside Redis (at most a quarter of this). @default 268435456 (256 MiB)
   */
  maxBytes: number;
  /**
   * Bytes (approximate) the cache entries may take in Redis, over all replicas, before the oldest
   * written are evicted (`CACHE_REDIS_MAX_BYTES`); the entries live under their own prefix
   * (`<prefix>cache:`). @default 268435456 (256 MiB)
   */
  redisMaxBytes: number;
  /** Longest one cache call (Redis) may take before it counts as a miss, ms (`CACHE_REDIS_TIMEOUT_MS`). @default 50 */
  redisTimeoutMs: number;
  /** Where the caches, APQ registrations and shared counters live (`CACHE_REDIS_URL`, else `REDIS_URL`); undefined: in this process. @default undefined */
  redisUrl: string | undefined;
}

/** Every TTL stays far below the order versions' 7 days; one day is the most accepted. */
export const MAX_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_CACHE_CONFIG: Readonly<CacheConfig> = Object.freeze({
  enabled: true,
  responseTtlMs: 30_000,
  fetchTtlMs: Object.freeze(
    Object.fromEntries(SUBGRAPHS.map((s) => [s.name, s.cacheMaxAgeSeconds * 1000])) as Record<SubgraphName, number>,
  ),
  typeTtlMs: Object.freeze({}),
  ttlJitterPercent: 20,
  maxEntries: 100_000,
  maxBytes: 256 * 1_048_576,
  redisMaxBytes: 256 * 1_048_576,
  redisTimeoutMs: 50,
  redisUrl: undefined,
});

/**
 * Reads the cache configuration from an environment — throwing one `ConfigError` that names every
 * bad value — or through the caller's {@link EnvReader}, which collects the problems with the rest
 * of its configuration (the caller then calls `reader.done()`).
 */
export function cacheConfigFromEnv(source: NodeJS.ProcessEnv | EnvReader = process.env): CacheConfig {
  const reader = source instanceof EnvReader ? source : undefined;
  const r = reader ?? new EnvReader(source as NodeJS.ProcessEnv);
  const d = DEFAULT_CACHE_CONFIG;
  const fetchTtlMs = { ...d.fetchTtlMs };
  for (const name of Object.keys(fetchTtlMs) as SubgraphName[]) {
    fetchTtlMs[name] = r.int(`CACHE_TTL_${name.toUpperCase()}_MS`, d.fetchTtlMs[name], 0, MAX_CACHE_TTL_MS);
  }
  const typeTtlMs: Record<string, number> = {};
  for (const part of r
    .string('CACHE_TYPE_TTLS', '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z_]\w*)=(\d+)$/.exec(part);
    if (!m || Number(m[2]) > MAX_CACHE_TTL_MS)
      r.problems.push(`CACHE_TYPE_TTLS must be Type=<ms up to ${MAX_CACHE_TTL_MS}>[,…]; received "${part}"`);
    else typeTtlMs[m[1]!] = Number(m[2]);
  }
  const redisVar = r.has('CACHE_REDIS_URL') ? 'CACHE_REDIS_URL' : 'REDIS_URL';
  const redisUrl = r.string(redisVar, '').trim() || undefined;
  if (redisUrl && !/^rediss?:\/\/\S+$/.test(redisUrl))
    r.problems.push(`${redisVar} must be a redis:// or rediss:// URL; received "${redisUrl}"`);
  const config: CacheConfig = {
    enabled: r.bool('CACHE_ENABLED', d.enabled),
    responseTtlMs: r.int('CACHE_RESPONSE_TTL_MS', d.responseTtlMs, 0, MAX_CACHE_TTL_MS),
    fetchTtlMs,
    typeTtlMs,
    ttlJitterPercent: r.int('CACHE_TTL_JITTER_PERCENT', d.ttlJitterPercent, 0, 50),
    maxEntries: r.int('CACHE_MAX_ENTRIES', d.maxEntries, 1, 10_000_000),
    maxBytes: r.int('CACHE_MAX_BYTES', d.maxBytes, 65_536, 64 * 1_073_741_824),
    redisMaxBytes: r.int('CACHE_REDIS_MAX_BYTES', d.redisMaxBytes, 65_536, 1024 * 1_073_741_824),
    redisTimeoutMs: r.int('CACHE_REDIS_TIMEOUT_MS', d.redisTimeoutMs, 1, 10_000),
    redisUrl,
  };
  if (!reader) r.done();
  return config;
}
