import type { ForegroundWork } from '../runtime/foreground.js';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { hostname } from 'node:os';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import { CONSUMER_POLICIES } from '../canonical/index.js';
import { Streams, type EventBus } from '../events/bus.js';
import type { OrderVersions } from '../events/versions.js';
import { jsonErrorHandler, listen, type RunningService } from '../runtime/http.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import { answerMetrics, ServiceMetrics, startMetricsServer } from '../runtime/metrics.js';
import { PROCESS_OWNS_SHUTDOWN } from '../runtime/process.js';
import { setUpTracing } from '../runtime/telemetry.js';
import { GatewayMetrics } from './pipeline/stages/metrics.js';
import { readRowRules, stripRowRules, type RowRules } from './access/rowRules.js';
import { readAccessRules, stripAccessDirectives, type AccessRules } from './access/rules.js';
import { createCacheStore, errorsAreMisses, keyValueCache, LruMap, tagsOfEvent } from './cache/index.js';
import type { GatewayConfig } from './config.js';
import type { ExecuteOperation } from './execute.js';
import type { GatewayContext } from './pipeline/context.js';
import { healthRoutes, systemReports } from './health.js';
import { gatewayContext } from './pipeline/context.js';
import { httpTransport } from './pipeline/http.js';
import { gatewayPipeline } from './pipeline/stages.js';
import { readManifest } from './pipeline/stages/persistedOperations.js';
import { setUpCaching, setUpShields, sharedCounters } from './setup.js';
import type { Shield } from './shield/index.js';
import { SubgraphDataSource } from './subgraphs/dataSource.js';
import { keepAliveFetcher } from './subgraphs/keepAliveFetcher.js';
import { EventHub } from './subscriptions/hub.js';
import { OrderPayloads } from './subscriptions/payloads.js';
import { buildClientSchema } from './subscriptions/schema.js';
import { startSubscriptionServer } from './subscriptions/server.js';
import { SupergraphLoader } from './supergraph/loader.js';
import type { StatusStore } from './tracker/store.js';
import { StatusTracker } from './tracker/tracker.js';
import { allStatuses, trackerRead } from './tracker/graphReads.js';
import { explorer } from './explorer/explorer.js';
import { startHealthWriter, visibilityCounts, type HealthWriter, type VisibilityStore } from '../store/index.js';

/** What the gateway runs with beyond its configuration. */
export interface GatewayDeps {
  logger?: Logger;
  /** The event bus. With it, the gateway serves subscriptions (graphql-ws on its HTTP port). */
  bus?: EventBus;
  /** The status tracker's shared store. With a bus and a store, this replica runs a status tracker. */
  statusStore?: StatusStore;
  /** Record every order's current status before tracking (no change published for them). @default config.trackerSeed */
  seedTracker?: boolean;
  /** The tracker's work is this process's foreground work (the embedded exception engine gives way to it). @default none */
  foreground?: ForegroundWork;
  /**
   * The order versions ingest bumps, which every cache read checks. The subgraphs' ingest must bump
   * the same store (the embedded stack shares one in memory; distributed: Redis). @default Redis
   * when `REDIS_URL` is set; otherwise none, and caching is off (a cache nobody invalidates would lie).
   */
  versions?: OrderVersions;
  /**
   * The visibility store (it may still be opening). With it, this replica writes each subgraph's
   * breaker and freshness to the store every `healthReportIntervalMs`, for `Query.operationsHealth`.
   */
  store?: VisibilityStore | Promise<VisibilityStore>;
}

/** A running gateway. */
export interface GatewayService extends RunningService {
  gateway: ApolloGateway;
  loader: SupergraphLoader;
  /** How many supergraphs were loaded (1 at start, +1 per hot reload). */
  loads(): number;
  /** Runs an operation through this gateway's pipeline, in process, as `scope`. */
  execute: ExecuteOperation;
  /** Present when the gateway serves subscriptions. */
  subscriptions?: {
    hub: EventHub;
    payloads: OrderPayloads;
    /** Open WebSocket connections. */
    clients(): number;
    /** Running subscriptions (many may share one execution). */
    subscribers(): number;
    /** Distinct subscription executions started. */
    executions(): number;
  };
  tracker?: StatusTracker;
  /** Upstream fetches made per subgraph (cache hits and coalesced followers are not fetches). */
  upstreamFetches(): Record<string, number>;
  /** The shield of each subgraph (its counters: `stats()`). */
  shields: ReadonlyMap<string, Shield>;
  /** The gateway's Prometheus metrics (`/metrics`); the visibility store feeds `metrics.visibility`. */
  metrics: ServiceMetrics;
  /** The separate metrics listener, when `METRICS_PORT` is set. */
  metricsServer?: RunningService;
  /** Writes this replica's per-system breaker and freshness to the store (present with `deps.store`). */
  healthWriter?: HealthWriter;
}

/**
 * Starts the gateway: ApolloGateway on Apollo Server 5 (Express 5) at `/graphql`, the health
 * endpoints, and the supergraph from {@link SupergraphLoader} (hot-reloaded).
 */
export async function startGateway(config: GatewayConfig, deps: GatewayDeps = {}): Promise<GatewayService> {
  const logger = deps.logger ?? createLogger('gateway');
  setUpTracing();
  let loads = 0;
  let ready = false;
  // The field rules come from the composed supergraph; ApolloGateway gets it without them.
  let rules: AccessRules = new Map();
  // Which subgraphs filter rows by caller (their schemas say @rowRules): their entity fetches are never shared.
  let rowRules: RowRules = new Map();
  const loader = new SupergraphLoader(
    config.supergraphPath,
    {
      onLoaded: ({ reason }) => {
        loads++;
        logger.info(
          {
            reason,
            path: config.supergraphPath,
            fieldRules: rules.size,
            rowRules: Object.fromEntries([...rowRules].map(([g, c]) => [g, [...c]])),
          },
          'supergraph loaded',
        );
      },
      onError: (err) => logger.error({ err: err.message }, 'supergraph change refused; still serving the previous one'),
    },
    (sdl) => {
      const next = readAccessRules(sdl);
      const nextRows = readRowRules(sdl);
      const stripped = stripRowRules(stripAccessDirectives(sdl));
      rules = next;
      rowRules = nextRows;
      return stripped;
    },
  );
  const fetcher = keepAliveFetcher();
  const endpoints = new Map<string, string>();
  const caching = setUpCaching(config, deps.versions, logger);
  const counters = sharedCounters(config);
  const shields = setUpShields(config, logger, counters);
  // Automatic persisted queries on keyv (memory, or Redis shared by replicas); an outage of that
  // store is a miss (the client resends the query), never an error.
  const apqStore = errorsAreMisses(
    createCacheStore({ redisUrl: config.cache.redisUrl, prefix: `${config.redisKeyPrefix}apq:`, maxEntries: 10_000 }),
    {
      onError: (err, context) => logger.warn({ err: err.message, context }, 'APQ store unavailable: serving misses'),
    },
  );
  const metrics = new ServiceMetrics('gateway');
  // The store's open dead letters and exceptions on this /metrics too, counted at each scrape.
  const visibilityStore = deps.store;
  if (visibilityStore) metrics.visibility.source(async () => visibilityCounts(await visibilityStore));
  const gatewayMetrics = new GatewayMetrics(metrics, shields);
  // What the in-process cache holds against its byte budget (CACHE_MAX_BYTES); in Redis, Redis says.
  const cacheEntries = caching?.tagged.keyv.store;
  if (cacheEntries instanceof LruMap) {
    metrics.gauge(
      'ovg_cache_memory_bytes',
      'Approximate bytes of the cache entries held in this process (response, fetch and last-known entries share one LRU under CACHE_MAX_BYTES); absent when the cache is in Redis',
      [],
      function () {
        this.set(cacheEntries.bytes);
      },
    );
  }
  // The one list of stages every request runs (gateway/pipeline/stages.ts).
  const pipeline = gatewayPipeline({
    config,
    logger,
    counters,
    manifest: readManifest(config.manifestPath),
    apqCache: keyValueCache(apqStore, config.apqTtlSeconds * 1000),
    caching,
    shields,
    rules: () => rules,
    metrics: gatewayMetrics,
  });
  const dataSources = new Map<string, SubgraphDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl: loader,
    logger,
    __exposeQueryPlanExperimental: config.exposeQueryPlan,
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls[name as keyof GatewayConfig['subgraphUrls']] ?? url;
      if (!target)
        throw new Error(`subgraph ${name} has no routing_url in the supergraph and no ${name.toUpperCase()}_URL`);
      endpoints.set(name, target);
      const source = new SubgraphDataSource({
        name,
        url: target,
        fetcher,
        identitySecret: config.auth.identitySecret,
        pipeline,
        rowRuled: () => rowRules.get(name),
      });
      dataSources.set(name, source);
      return source;
    },
  });

  let clientSchema: GraphQLSchema | undefined;
  let apiSchema: GraphQLSchema | undefined; // for the explorer when no subscriptions are served
  // The HTTP route list: every route but /graphql. Register further routes (the explorer) here.
  const routes = express();
  routes.disable('x-powered-by');
  // The development explorer (gateway/explorer): /explorer and a browser's GET /graphql; off in production.
  routes.use(
    explorer({
      auth: config.auth,
      corsOrigins: config.corsOrigins,
      schema: () => clientSchema ?? apiSchema,
      rules: () => rules,
    }),
  );
  const isOperator = async (headers: IncomingHttpHeaders): Promise<boolean> => {
    if (headers.authorization === undefined && headers['x-api-key'] === undefined) return false;
    try {
      const identity = await pipeline.authenticate({
        transport: 'http',
        method: 'GET',
        headers,
        operations: [],
        batch: false,
        responseHeaders: {},
      });
      return CONSUMER_POLICIES[identity.consumer as keyof typeof CONSUMER_POLICIES]?.operational === true;
    } catch {
      return false;
    }
  };
  routes.use(
    healthRoutes({
      isReady: () => ready,
      subgraphs: () => endpoints,
      probeTimeoutMs: config.healthProbeTimeoutMs,
      breaker: (name) => shields.get(name)?.stats().breaker,
      observed: (name) => dataSources.get(name)?.observed,
      isOperator,
    }),
  );
  // Prometheus: only for an ops credential on this port (or anyone on METRICS_PORT, below).
  routes.all('/metrics', (req, res, next) => {
    answerMetrics(metrics, req, res, (r) => isOperator(r.headers)).catch(next);
  });
  routes.use(jsonErrorHandler);

  const httpServer = createServer((req, res) => handle(req, res));
  const stageOptions = pipeline.apolloOptions();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    includeStacktraceInErrorResponses: false,
    ...PROCESS_OWNS_SHUTDOWN,
    ...stageOptions,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ...stageOptions.plugins],
  });
  const handle = httpTransport({
    pipeline,
    apollo,
    routes,
    corsOrigins: config.corsOrigins,
    bodyLimitBytes: config.bodyLimitBytes,
    logger,
  });
  const hub = deps.bus ? new EventHub(deps.bus, logger) : undefined;
  if (hub) {
    gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
      clientSchema = buildClientSchema(apiSchema, { hub, maxQueued: config.maxQueuedEvents });
    });
  }
  gateway.onSchemaLoadOrUpdate((s) => {
    apiSchema = s.apiSchema;
  });
  await apollo.start();
  const execute: ExecuteOperation = async (query, variables, identity) => {
    const res = await apollo.executeOperation({ query, variables }, { contextValue: gatewayContext(identity) });
    if (res.body.kind !== 'single') throw new Error('incremental delivery is not used here');
    return res.body.singleResult as Awaited<ReturnType<ExecuteOperation>>;
  };

  let subscriptions: GatewayService['subscriptions'];
  let wsServer: ReturnType<typeof startSubscriptionServer> | undefined;
  let tracker: StatusTracker | undefined;
  const stopObserving: (() => void)[] = [];
  if (hub && deps.bus) {
    // Business exceptions are read only once someone subscribes to exceptionChanged (one more reader then).
    await hub.start([Streams.SOURCE, Streams.VISIBILITY], [Streams.EXCEPTIONS]);
    // Versions keep caches correct; purging by the event's tags only reclaims the space early.
    if (caching)
      stopObserving.push(hub.observe(Streams.SOURCE, (e) => void caching.tagged.cache.purge(tagsOfEvent(e.event))));
    for (const stream of [Streams.SOURCE, Streams.VISIBILITY])
      stopObserving.push(hub.observe(stream, (e) => gatewayMetrics.observeEvent(stream, e)));
    const payloads = new OrderPayloads(execute);
    wsServer = startSubscriptionServer({
      httpServer,
      schema: () => clientSchema,
      payloads,
      logger,
      maxBufferedBytes: config.maxBufferedBytes,
      connectionInitWaitTimeoutMs: config.wsInitTimeoutMs,
      maxQueued: config.maxQueuedEvents,
      limits: config.limits,
      maxQueuedBytes: config.maxQueuedBytes,
      maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
      maxSubscriptionsPerCaller: config.maxSubscriptionsPerCaller,
      maxSubscriptionsByConsumer: config.maxSubscriptionsByConsumer,
      maxUnackedBytes: config.maxUnackedBytes,
      pipeline,
      corsOrigins: config.corsOrigins,
    });
    subscriptions = {
      hub,
      payloads,
      clients: wsServer.clients,
      subscribers: wsServer.subscribers,
      executions: wsServer.executions,
    };
    gatewayMetrics.countSubscribers(wsServer.subscribers);
    if (deps.statusStore) {
      tracker = new StatusTracker({
        bus: deps.bus,
        store: deps.statusStore,
        logger,
        consumer: `${hostname()}-${process.pid}-${config.port}-${Math.random().toString(36).slice(2, 8)}`,
        read: trackerRead(execute),
        unavailableBackoffMs: config.trackerRetryMs,
        resetSweepSeconds: config.trackerResetSweepSeconds,
        foreground: deps.foreground,
        seed: (deps.seedTracker ?? config.trackerSeed) ? () => allStatuses(execute) : undefined,
      });
      await tracker.start();
    }
  }

  const metricsServer =
    config.metricsPort !== undefined ? await startMetricsServer(metrics, config.metricsPort, config.host) : undefined;
  const service = await listen('gateway', httpServer, config.port, config.host, async () => {
    ready = false;
    await metricsServer?.stop();
    for (const stop of stopObserving) stop();
    await tracker?.stop();
    await wsServer?.close();
    await hub?.stop();
    await apollo.stop();
    loader.close();
    fetcher.destroy();
    await apqStore.close();
    await caching?.close();
    counters?.disconnect();
  });
  ready = true;
  // Every few seconds: this replica's breakers and freshness, merged with the other replicas' by the store.
  const storeAt = visibilityStore;
  const healthWriter = storeAt
    ? startHealthWriter({
        store: { health: { report: async (reporter, systems) => (await storeAt).health.report(reporter, systems) } },
        reporter: `${hostname()}-${process.pid}-${service.port}`,
        read: () =>
          systemReports(
            new Set([...endpoints.keys(), ...shields.keys()]),
            (name) => shields.get(name)?.stats().breaker,
            (name) => dataSources.get(name)?.observed,
          ),
        intervalMs: config.healthReportIntervalMs,
        onError: (err) =>
          logger.warn(
            { err: err.message },
            'could not write the health report to the visibility store; retrying at the next tick',
          ),
      })
    : undefined;
  const stop = service.stop;
  return {
    ...service,
    gateway,
    loader,
    loads: () => loads,
    execute,
    subscriptions,
    tracker,
    upstreamFetches: () => Object.fromEntries([...dataSources].map(([n, d]) => [n, d.upstreamFetches])),
    shields,
    metrics,
    metricsServer,
    healthWriter,
    stop: async () => {
      await healthWriter?.stop();
      await stop();
    },
  };
}
