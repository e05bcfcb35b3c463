import type { Redis } from 'ioredis';
import type { Consumer } from '../../canonical/index.js';
import type { Logger } from '../../runtime/logger.js';
import type { AccessRules } from '../access/rules.js';
import type { StringKeyValueCache } from '../cache/keyValueCache.js';
import type { GatewayConfig, SubgraphName } from '../config.js';
import type { Caching } from '../setup.js';
import type { PersistedQueryManifest } from '../governance/manifest.js';
import type { Shield } from '../shield/index.js';
import { formatGatewayError } from './errors.js';
import { Pipeline } from './pipeline.js';
import type { Stage } from './stage.js';
import { accessLogStage } from './stages/accessLog.js';
import { actingUserStage } from './stages/actingUser.js';
import { authenticationStage, VerifiedCredentials } from './stages/authentication.js';
import { fetchCacheStage } from './stages/fetchCache.js';
import { fieldAccessStage } from './stages/fieldAccess.js';
import { metricsStage, type GatewayMetrics } from './stages/metrics.js';
import { operationLimitsStage } from './stages/operationLimits.js';
import { persistedOperationsStage } from './stages/persistedOperations.js';
import { quotasStage } from './stages/quotas.js';
import { responseCacheStage } from './stages/responseCache.js';
import { shieldStage } from './stages/shield.js';
import { staleIfErrorStage } from './stages/staleIfError.js';
import { tracingStage } from './stages/tracing.js';

/** What the stages are built from: the configuration and the gateway's shared parts. */
export interface StageDeps {
  config: GatewayConfig;
  logger: Logger;
  /** The Redis connection of the counters replicas share (quotas); absent: counted per process. */
  counters: Redis | undefined;
  manifest: PersistedQueryManifest;
  /** The APQ registrations (memory, or Redis shared by replicas). */
  apqCache: StringKeyValueCache;
  /** The caches, when on. */
  caching: Caching | undefined;
  shields: ReadonlyMap<string, Shield>;
  /** The field rules of the supergraph currently served. */
  rules: () => AccessRules;
  /** The gateway's Prometheus metrics. */
  metrics: GatewayMetrics;
}

/**
 * THE order of a request through the gateway — the one place it is written (docs/architecture.md
 * draws it). HTTP and graphql-ws run this list (gateway/pipeline/http.ts,
 * gateway/subscriptions/server.ts); Apollo Server runs its execution hooks; every subgraph fetch
 * runs its fetch stages (gateway/subgraphs/dataSource.ts), outermost first.
 */
export function gatewayStages(deps: StageDeps): Stage[] {
  const { config, caching } = deps;
  const responseCacheOn = caching !== undefined && config.cache.responseTtlMs > 0;
  return [
    // ── around every HTTP request, outermost first; their fetch hooks wrap every subgraph fetch ──
    accessLogStage(deps.logger),
    tracingStage(),
    metricsStage({ metrics: deps.metrics, manifest: deps.manifest }),
    // ── per request, both transports ──
    authenticationStage(config.auth, deps.logger, new VerifiedCredentials()),
    actingUserStage(),
    quotasStage(config, deps.logger, deps.counters),
    persistedOperationsStage({
      manifest: deps.manifest,
      persistedOnly: new Set<Consumer>(config.persistedOnlyConsumers),
      apq: { cache: deps.apqCache, ttlSeconds: config.apqTtlSeconds },
    }),
    ...(responseCacheOn
      ? [
          responseCacheStage({
            cache: caching.tagged.cache,
            ttlMs: config.cache.responseTtlMs,
            typeTtlMs: config.cache.typeTtlMs,
            counted: deps.metrics.cache('response'),
          }),
        ]
      : []),
    // ── per operation (parse, validate, plan, execute) ──
    operationLimitsStage(config.limits, config.maxCostByConsumer),
    fieldAccessStage({ rules: deps.rules }),
    // ── per subgraph fetch, outermost first ──
    ...(caching
      ? [
          fetchCacheStage({
            cache: caching.tagged.cache,
            ttlMs: (s) => config.cache.fetchTtlMs[s as SubgraphName] ?? 0,
            counted: deps.metrics.cache('fetch'),
          }),
        ]
      : []),
    staleIfErrorStage({ lastKnown: caching?.tagged.store, staleTtlMs: config.staleTtlMs }),
    shieldStage({ shields: deps.shields, cache: caching?.tagged.cache }),
    // ── every error a client receives ──
    { name: 'error redaction', formatError: formatGatewayError },
  ];
}

/** The gateway's pipeline: {@link gatewayStages} in a {@link Pipeline}. */
export const gatewayPipeline = (deps: StageDeps): Pipeline => new Pipeline(gatewayStages(deps));
