import { join } from 'node:path';
import {
  ALL_SUBGRAPH_NAMES,
  CONSUMERS,
  type Consumer,
  type OwnSubgraphName,
  type SystemName,
} from '../canonical/index.js';
import { ConfigError, EnvReader } from '../runtime/env.js';
import {
  DEFAULT_CONSUMER_MAX_COST,
  DEFAULT_COST_QUOTAS,
  DEFAULT_QUOTAS,
  DEFAULT_SUBSCRIPTION_CAPS,
  perConsumer,
} from './consumerBudgets.js';

export {
  DEFAULT_CONSUMER_MAX_COST,
  DEFAULT_COST_QUOTAS,
  DEFAULT_QUOTAS,
  DEFAULT_SUBSCRIPTION_CAPS,
} from './consumerBudgets.js';
import { authConfigFromEnv, developmentAuth, type AuthConfig } from './auth/index.js';
import { cacheConfigFromEnv, type CacheConfig } from './cache/config.js';
import { shieldConfigFromEnv, type ShieldConfig } from './shield/config.js';
import { projectRoot } from '../runtime/project.js';
import { redisUrlFor } from '../runtime/redis.js';
import { DEFAULT_LIMITS, type OperationLimits } from './limits/index.js';

/** The subgraphs of this graph, as named in supergraph.yaml. */
/** Every subgraph the gateway federates: the five systems of record and the graph's own (visibility). */
export const SUBGRAPH_NAMES = ALL_SUBGRAPH_NAMES;
export type SubgraphName = SystemName | OwnSubgraphName;

/** The gateway's configuration: one typed, validated place; defaults beside each option. */
export interface GatewayConfig {
  /** Port to listen on (`PORT`). @default 4000 */
  port: number;
  /** Interface to listen on (`HOST`). @default '127.0.0.1' */
  host: string;
  /**
   * Gateway processes sharing the port through node:cluster (`GATEWAY_WORKERS`, 1–64; only for
   * `node dist/gateway/main.js`). More than one needs `REDIS_URL` (and so `DATABASE_URL`): workers
   * share nothing in memory. @default 1
   */
  workers: number;
  /** The composed supergraph (`SUPERGRAPH_PATH`); hot-reloaded when it changes. @default '<repo>/supergraph.graphql' */
  supergraphPath: string;
  /**
   * Where each subgraph really is (`ERP_URL`, `OMS_URL`, …), overriding the supergraph's
   * routing_url (which names the default local ports). @default {}
   */
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** Largest request body accepted, in bytes (`BODY_LIMIT_BYTES`). @default 1048576 */
  bodyLimitBytes: number;
  /** Answer `Apollo-Query-Plan-Experimental: 1` with the query plan (`EXPOSE_QUERY_PLAN`); for tests and diagnosis. @default false */
  exposeQueryPlan: boolean;
  /** Timeout of one subgraph health probe in `/health/ready`, ms (`HEALTH_PROBE_TIMEOUT_MS`). @default 1000 */
  healthProbeTimeoutMs: number;
  /** Events a subscriber may fall behind in its queue before it is dropped as a slow consumer (`WS_MAX_QUEUED_EVENTS`; subscribers of a shared execution are written at once and bounded by their socket). @default 1000 */
  maxQueuedEvents: number;
  /** Bytes of results a subscriber may fall behind in its queue, each its own budget, before it is dropped (`WS_MAX_QUEUED_BYTES`; as above, queued subscribers only). @default 1048576 */
  maxQueuedBytes: number;
  /** Unsent bytes a subscriber's socket may hold before it is dropped (`WS_MAX_BUFFERED_BYTES`). @default 1048576 */
  maxBufferedBytes: number;
  /** A WebSocket that sends no `connection_init` within this time is closed, ms (`WS_INIT_TIMEOUT_MS`). @default 3000 */
  wsInitTimeoutMs: number;
  /** Subscriptions one connection may hold; the next gets LIMIT_EXCEEDED (`WS_MAX_SUBSCRIPTIONS_PER_CONNECTION`). @default 100 */
  maxSubscriptionsPerConnection: number;
  /** Subscriptions one caller may hold over all its connections, per gateway process (`WS_MAX_SUBSCRIPTIONS_PER_CALLER`). @default 500 */
  maxSubscriptionsPerCaller: number;
  /**
   * Per-consumer caps in place of `maxSubscriptionsPerCaller` (`WS_MAX_SUBSCRIPTIONS_PER_<CONSUMER>`,
   * e.g. `WS_MAX_SUBSCRIPTIONS_PER_STOREFRONT`); a consumer not listed has the general cap.
   * @default { storefront: 20 } ({@link DEFAULT_SUBSCRIPTION_CAPS})
   */
  maxSubscriptionsByConsumer: Partial<Record<Consumer, number>>;
  /**
   * The most one operation of a consumer's callers may cost, below `LIMIT_MAX_COST`
   * (`LIMIT_MAX_COST_<CONSUMER>`, e.g. `LIMIT_MAX_COST_STOREFRONT`); a consumer not listed has only
   * `LIMIT_MAX_COST`. @default { storefront: 2000 } ({@link DEFAULT_CONSUMER_MAX_COST})
   */
  maxCostByConsumer: Partial<Record<Consumer, number>>;
  /**
   * Bytes sent to a subscriber that its client has not acknowledged reading (WebSocket ping/pong:
   * includes the kernel's send buffer) before it is dropped (`WS_MAX_UNACKED_BYTES`). @default 4194304
   */
  maxUnackedBytes: number;
  /** The status tracker first records every order's current status (`TRACKER_SEED`). @default true */
  trackerSeed: boolean;
  /**
   * Waits between the status tracker's re-reads of an order it could not see (a slice down, rate
   * limited or served stale), ms, before the event goes back to the bus for redelivery
   * (`TRACKER_RETRY_MS`, comma-separated). @default [100, 200, 400, 800, 1600, 3200]
   */
  trackerRetryMs: number[];
  /**
   * When the bus lost its streams (its Redis restarted without persistence) or the tracker's group
   * was missing at start, the status tracker re-reads every order with a source event applied this
   * many seconds back, so no change the lost streams held goes unpublished
   * (`TRACKER_RESET_SWEEP_SECONDS`, 0–604800; 0 = no sweep). @default 3600
   */
  trackerResetSweepSeconds: number;
  /**
   * How often this replica writes its per-system breaker and freshness state to the visibility
   * store, for `Query.operationsHealth` (`HEALTH_REPORT_SECONDS`; only with a store). @default 5000
   */
  healthReportIntervalMs: number;
  /** Operation limits (`LIMIT_*`), the same over HTTP and WebSocket; see docs/limits.md. @default DEFAULT_LIMITS */
  limits: OperationLimits;
  /** Who may call and how credentials are checked (`AUTH_*`, `PARTNER_API_KEYS`, `GATEWAY_IDENTITY_SECRET`); docs/security.md. @default developmentAuth() outside production */
  auth: AuthConfig;
  /**
   * Browser origins allowed by CORS and on WebSocket upgrades (`CORS_ORIGINS`, comma-separated;
   * exact origins, `https://*.domain` or `http://host:*` wildcards). Requests without an `Origin` are
   * not affected. Outside production, {@link DEVELOPMENT_ORIGINS} (`http://localhost:*`,
   * `http://127.0.0.1:*`) are always added.
   * @default the Salesforce Lightning domains: https://*.lightning.force.com, https://*.my.salesforce.com, https://*.visualforce.com
   */
  corsOrigins: string[];
  /** The persisted-query manifest (`OPERATIONS_MANIFEST`). @default '<repo>/operations/manifest.json' */
  manifestPath: string;
  /** Consumers that may only run their manifest operations (`PERSISTED_ONLY_CONSUMERS`, comma-separated; partner always). @default ['partner'] */
  persistedOnlyConsumers: Consumer[];
  /** How long an automatic persisted query (APQ) registration is kept, seconds (`APQ_TTL_SECONDS`). @default 86400 */
  apqTtlSeconds: number;
  /**
   * Redis of the bus role (`BUS_REDIS_URL`, else `REDIS_URL`): the order versions the caches check,
   * shared with the subgraphs' ingest. The caches, APQ and counters use `cache.redisUrl`
   * (`CACHE_REDIS_URL`, else `REDIS_URL`). @default none: in memory
   */
  redisUrl?: string;
  /** Key prefix in that Redis (`REDIS_KEY_PREFIX`). @default 'ovg:' */
  redisKeyPrefix: string;
  /** Response cache and fetch cache (`CACHE_*`); docs/caching.md. */
  cache: CacheConfig;
  /** How long the last answer of each subgraph fetch is kept to be served stale when the subgraph fails, ms (`CACHE_STALE_TTL_MS`). @default 3600000 */
  staleTtlMs: number;
  /** The shield around each subgraph (`SHIELD_<SUBGRAPH>_*`, `SHIELD_DEFAULT_*`); docs/caching.md. */
  shield: Record<SubgraphName, ShieldConfig>;
  /** Requests per minute each caller (consumer + subject) may make, as a pace (`QUOTA_<CONSUMER>_PER_MINUTE`; 0 = unlimited). */
  quotas: Record<Consumer, number>;
  /**
   * Cost each caller's operations may add up to per minute (`QUOTA_<CONSUMER>_COST_PER_MINUTE`,
   * priced as `LIMIT_MAX_COST` prices one operation; 0 = unlimited): requests counted alone let one
   * shopper keep the gateway busy with a few expensive pages while within its request quota.
   */
  costQuotas: Record<Consumer, number>;
  /**
   * How far ahead of its per-minute pace a caller may run, in seconds of its quota and of its cost
   * budget (`QUOTA_BURST_SECONDS`): both are rates (a sixtieth of the minute's a second), not
   * windows spent at once, so a caller cannot use a minute's requests or a minute's expensive
   * operations in a few seconds. An operation costing more than this burst runs only when the
   * caller owes nothing. @default 20
   */
  quotaBurstSeconds: number;
  /**
   * How long a caller already past its quota or cost budget waits for its 429, ms
   * (`QUOTA_REFUSAL_DELAY_MS`, at most the `Retry-After`; 0 = at once). A client that ignores
   * `Retry-After` and asks again as soon as it is refused then costs a few refusals a second per
   * request it keeps in flight, not thousands. @default 1000
   */
  quotaRefusalDelayMs: number;
  /**
   * Refusals held back at once per caller (`QUOTA_REFUSAL_MAX_HELD`); past it a caller's
   * refusals are answered at once with `Connection: close`, so holding them costs at most this many
   * sockets and timers per caller. @default 16
   */
  quotaRefusalMaxHeld: number;
  /**
   * A second port serving only `GET /metrics`, without a credential, for a Prometheus scraper on a
   * private network (`METRICS_PORT`; bind `HOST` accordingly). On the gateway port `/metrics` needs
   * an ops credential either way. @default none
   */
  metricsPort?: number;
}

/** The Salesforce Lightning domains an LWC calls from. */
export const SALESFORCE_ORIGINS = [
  'https://*.lightning.force.com',
  'https://*.my.salesforce.com',
  'https://*.visualforce.com',
];

/** Outside production, pages served from this machine on any port (the explorer, the example consumers). */
export const DEVELOPMENT_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

const ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9.-]+(:(\d{1,5}|\*))?$/i;

function origins(r: EnvReader, env: NodeJS.ProcessEnv): string[] {
  const raw = r.string('CORS_ORIGINS', SALESFORCE_ORIGINS.join(','));
  const list = raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of list)
    if (!ORIGIN.test(o))
      r.problems.push(
        `CORS_ORIGINS entries must be origins like https://shop.example.com, https://*.lightning.force.com or http://localhost:* (no path, no trailing slash); received "${o}"`,
      );
  return env.NODE_ENV === 'production' ? list : [...new Set([...list, ...DEVELOPMENT_ORIGINS])];
}

function persistedOnly(r: EnvReader): Consumer[] {
  const raw = r.string('PERSISTED_ONLY_CONSUMERS', 'partner');
  const list = new Set<Consumer>(['partner']);
  for (const c of raw
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    if ((CONSUMERS as readonly string[]).includes(c)) list.add(c as Consumer);
    else r.problems.push(`PERSISTED_ONLY_CONSUMERS must list consumers among ${CONSUMERS.join(', ')}; received "${c}"`);
  }
  return [...list];
}

/** `Type.field=weight,…` (`LIMIT_COST_FIELD_WEIGHTS`), e.g. `Order.lineStatuses=5,Query.orders=2`. */
function fieldWeights(r: EnvReader, name: string): Record<string, number> {
  const raw = r.string(name, '').trim();
  const weights: Record<string, number> = {};
  if (!raw) return weights;
  for (const part of raw.split(',')) {
    const m = /^\s*([A-Za-z_]\w*\.[A-Za-z_]\w*)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) r.problems.push(`${name} must be Type.field=<non-negative integer>[,…]; received "${part.trim()}"`);
    else weights[m[1]!] = Number(m[2]);
  }
  return weights;
}

export const DEFAULT_GATEWAY_PORT = 4000;

/** A comma-separated list of waits, ms (each 1–60000, at most 20), or the fallback. */
function retryWaits(r: EnvReader, name: string, fallback: number[]): number[] {
  if (!r.has(name)) return fallback;
  const raw = r.string(name, '');
  const waits = raw.split(',').map((w) => Number(w.trim()));
  if (waits.length > 20 || waits.some((w) => !Number.isInteger(w) || w < 1 || w > 60_000)) {
    r.problems.push(`${name} must be up to 20 comma-separated integers from 1 to 60000 (ms); received "${raw}"`);
    return fallback;
  }
  return waits;
}

/** Reads and validates the gateway configuration; throws a ConfigError naming every bad value. */
export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const r = new EnvReader(env);
  const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
  for (const name of SUBGRAPH_NAMES) {
    const url = r.url(`${name.toUpperCase()}_URL`, undefined);
    if (url) subgraphUrls[name] = url;
  }
  const config: GatewayConfig = {
    port: r.int('PORT', DEFAULT_GATEWAY_PORT, 0, 65535),
    host: r.string('HOST', '127.0.0.1'),
    workers: gatewayWorkers(r, env),
    supergraphPath: r.string('SUPERGRAPH_PATH', join(projectRoot(), 'supergraph.graphql')),
    subgraphUrls,
    bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    exposeQueryPlan: r.bool('EXPOSE_QUERY_PLAN', false),
    healthProbeTimeoutMs: r.int('HEALTH_PROBE_TIMEOUT_MS', 1000, 50, 30_000),
    maxQueuedEvents: r.int('WS_MAX_QUEUED_EVENTS', 1000, 1, 1_000_000),
    maxQueuedBytes: r.int('WS_MAX_QUEUED_BYTES', 1_048_576, 1024, 1_073_741_824),
    maxBufferedBytes: r.int('WS_MAX_BUFFERED_BYTES', 1_048_576, 1024, 1_073_741_824),
    wsInitTimeoutMs: r.int('WS_INIT_TIMEOUT_MS', 3000, 100, 60_000),
    maxSubscriptionsPerConnection: r.int('WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
    maxSubscriptionsPerCaller: r.int('WS_MAX_SUBSCRIPTIONS_PER_CALLER', 500, 1, 1_000_000),
    maxSubscriptionsByConsumer: perConsumer(r, 'WS_MAX_SUBSCRIPTIONS_PER_', DEFAULT_SUBSCRIPTION_CAPS, 1_000_000),
    maxCostByConsumer: perConsumer(r, 'LIMIT_MAX_COST_', DEFAULT_CONSUMER_MAX_COST, Number.MAX_SAFE_INTEGER),
    maxUnackedBytes: r.int('WS_MAX_UNACKED_BYTES', 4_194_304, 4096, 1_073_741_824),
    trackerSeed: r.bool('TRACKER_SEED', true),
    trackerRetryMs: retryWaits(r, 'TRACKER_RETRY_MS', [100, 200, 400, 800, 1600, 3200]),
    trackerResetSweepSeconds: r.int('TRACKER_RESET_SWEEP_SECONDS', 3600, 0, 7 * 86_400),
    healthReportIntervalMs: r.int('HEALTH_REPORT_SECONDS', 5, 1, 300) * 1000,
    limits: {
      maxTokens: r.int('LIMIT_MAX_TOKENS', DEFAULT_LIMITS.maxTokens, 50, 1_000_000),
      maxDepth: r.int('LIMIT_MAX_DEPTH', DEFAULT_LIMITS.maxDepth, 2, 1000),
      maxAliases: r.int('LIMIT_MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 0, 100_000),
      maxRootFields: r.int('LIMIT_MAX_ROOT_FIELDS', DEFAULT_LIMITS.maxRootFields, 1, 10_000),
      maxDirectivesPerField: r.int('LIMIT_MAX_DIRECTIVES_PER_FIELD', DEFAULT_LIMITS.maxDirectivesPerField, 0, 1000),
      maxDirectives: r.int('LIMIT_MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 0, 100_000),
      cost: {
        ...DEFAULT_LIMITS.cost,
        max: r.int('LIMIT_MAX_COST', DEFAULT_LIMITS.cost.max, 1, Number.MAX_SAFE_INTEGER),
        defaultListSize: r.int('LIMIT_DEFAULT_LIST_SIZE', DEFAULT_LIMITS.cost.defaultListSize, 1, 100_000),
        fieldWeights: fieldWeights(r, 'LIMIT_COST_FIELD_WEIGHTS'),
      },
      maxBatch: r.int('LIMIT_MAX_BATCH', DEFAULT_LIMITS.maxBatch, 1, 1000),
    },
    auth: authOrProblems(env, r),
    corsOrigins: origins(r, env),
    manifestPath: r.string('OPERATIONS_MANIFEST', join(projectRoot(), 'operations', 'manifest.json')),
    persistedOnlyConsumers: persistedOnly(r),
    apqTtlSeconds: r.int('APQ_TTL_SECONDS', 86_400, 1, 365 * 86_400),
    redisUrl: redisUrlFor('bus', env),
    redisKeyPrefix: r.string('REDIS_KEY_PREFIX', 'ovg:'),
    cache: cacheConfigFromEnv(r),
    staleTtlMs: r.int('CACHE_STALE_TTL_MS', 3_600_000, 0, 7 * 86_400_000),
    shield: shieldConfigFromEnv(env, SUBGRAPH_NAMES, r) as Record<SubgraphName, ShieldConfig>,
    quotas: Object.fromEntries(
      CONSUMERS.map((c) => [c, r.int(`QUOTA_${c.toUpperCase()}_PER_MINUTE`, DEFAULT_QUOTAS[c], 0, 1_000_000_000)]),
    ) as Record<Consumer, number>,
    costQuotas: Object.fromEntries(
      CONSUMERS.map((c) => [
        c,
        r.int(`QUOTA_${c.toUpperCase()}_COST_PER_MINUTE`, DEFAULT_COST_QUOTAS[c], 0, Number.MAX_SAFE_INTEGER),
      ]),
    ) as Record<Consumer, number>,
    quotaBurstSeconds: r.int('QUOTA_BURST_SECONDS', 20, 1, 3600),
    quotaRefusalDelayMs: r.int('QUOTA_REFUSAL_DELAY_MS', 1000, 0, 60_000),
    quotaRefusalMaxHeld: r.int('QUOTA_REFUSAL_MAX_HELD', 16, 0, 10_000),
    ...(r.has('METRICS_PORT') ? { metricsPort: r.int('METRICS_PORT', 0, 0, 65535) } : {}),
  };
  r.done();
  return config;
}

/** `GATEWAY_WORKERS`: more than one only with the Redis that replicas share. */
function gatewayWorkers(r: EnvReader, env: NodeJS.ProcessEnv): number {
  const workers = r.int('GATEWAY_WORKERS', 1, 1, 64);
  if (workers > 1 && !redisUrlFor('bus', env)) {
    r.problems.push(
      `GATEWAY_WORKERS=${workers} needs REDIS_URL: workers share the event bus, caches and versions through Redis, as replicas do`,
    );
  }
  return workers;
}

/**
 * The authentication configuration, its problems joined to the others' so that one start-up
 * message names every bad value. Without configured credentials (development), partner keys
 * exist for the fulfillment nodes listed in `DEV_PARTNER_NODES` (comma-separated node ids; the
 * embedded stack lists its demo nodes there).
 */
function authOrProblems(env: NodeJS.ProcessEnv, r: EnvReader): AuthConfig {
  const devPartnerNodes = r
    .string('DEV_PARTNER_NODES', '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const n of devPartnerNodes)
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(n))
      r.problems.push(
        `DEV_PARTNER_NODES must list fulfillment node ids (letters, digits, - and _), comma-separated; received "${n}"`,
      );
  try {
    return authConfigFromEnv(env, devPartnerNodes);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    r.problems.push(...err.problems);
    return developmentAuth({}, {});
  }
}

/**
 * Distributed mode (the gateway in its own process): a subgraph whose `<NAME>_PORT` is set and
 * whose `<NAME>_URL` is not listens on that port — `http://<SUBGRAPH_HOST>:<port>/graphql`
 * (`SUBGRAPH_HOST` default 127.0.0.1) — rather than at the supergraph's routing_url.
 * `<NAME>_PORT=0` (any free port) cannot be followed: refused, naming both variables.
 * @returns the configuration with those URLs, and which variable gave each derived URL.
 */
export function withSubgraphPorts(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv = process.env,
): { config: GatewayConfig; derived: Record<string, string> } {
  const r = new EnvReader(env);
  const host = r.string('SUBGRAPH_HOST', '127.0.0.1');
  const subgraphUrls = { ...config.subgraphUrls };
  const derived: Record<string, string> = {};
  for (const name of SUBGRAPH_NAMES) {
    const portVar = `${name.toUpperCase()}_PORT`;
    if (subgraphUrls[name] || !r.has(portVar)) continue;
    const port = r.int(portVar, 0, 0, 65535);
    if (port === 0) {
      if (!r.problems.some((p) => p.startsWith(portVar))) {
        r.problems.push(
          `${portVar}=0 lets ${name} listen on any free port, so the gateway cannot know where it is; set ${name.toUpperCase()}_URL (e.g. http://127.0.0.1:4001/graphql) or a fixed ${portVar}`,
        );
      }
      continue;
    }
    subgraphUrls[name] = `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`;
    derived[name] = portVar;
  }
  r.done();
  return { config: { ...config, subgraphUrls }, derived };
}

/**
 * The configuration with every default, for embedding and tests.
 * @param env variables to read instead of none (e.g. `DEV_PARTNER_NODES`). @default {}
 */
export function defaultGatewayConfig(
  overrides: Partial<GatewayConfig> = {},
  env: NodeJS.ProcessEnv = {},
): GatewayConfig {
  return { ...gatewayConfigFromEnv(env), ...overrides };
}
