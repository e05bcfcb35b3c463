import { Streams, type Envelope } from '../../../events/bus.js';
import { LAG_BUCKETS, type ServiceMetrics } from '../../../runtime/metrics.js';
import type { PersistedQueryManifest } from '../../governance/manifest.js';
import type { BreakerState, Shield } from '../../shield/index.js';
import type { Stage } from '../stage.js';
import { operationNameOf } from './accessLog.js';

/** The label of an operation no manifest names: clients cannot create label values. */
export const OTHER_OPERATION = 'other';

/** The breaker state as a number (`ovg_shield_breaker_state`). */
export const BREAKER_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, half_open: 1, open: 2 };

/** One cache's lookups, counted with pre-bound children (a hit costs one increment, nothing else). */
export interface CacheCounter {
  hit(): void;
  miss(): void;
}

/**
 * The gateway's metrics (docs/operations.md, "Metrics, traces and logs" lists them all), in
 * `metrics`' registry. The pipeline's {@link metricsStage} records requests and fetches; the
 * caches count through {@link GatewayMetrics.cache}; the rest is read at scrape time.
 */
export class GatewayMetrics {
  readonly requests;
  readonly requestSeconds;
  readonly fetchSeconds;
  readonly fetchErrors;
  private readonly cacheRequests;
  private readonly eventLag;
  private subscribers: () => number = () => 0;

  constructor(
    readonly metrics: ServiceMetrics,
    shields: ReadonlyMap<string, Shield>,
  ) {
    this.requests = metrics.counter(
      'ovg_http_requests_total',
      'GraphQL requests by operation (a manifest name, else other), consumer and HTTP status',
      ['operation', 'consumer', 'status'],
    );
    this.requestSeconds = metrics.histogram(
      'ovg_http_request_duration_seconds',
      'GraphQL request duration by operation and consumer',
      ['operation', 'consumer'],
    );
    this.fetchSeconds = metrics.histogram(
      'ovg_subgraph_fetch_duration_seconds',
      'Subgraph fetch duration (cache hits, shield and retries included)',
      ['subgraph'],
    );
    this.fetchErrors = metrics.counter(
      'ovg_subgraph_fetch_errors_total',
      'Subgraph fetches that failed or were served stale, by code',
      ['subgraph', 'code'],
    );
    this.cacheRequests = metrics.counter(
      'ovg_cache_requests_total',
      'Cache lookups by cache (response, fetch) and result (hit, miss)',
      ['cache', 'result'],
    );
    this.eventLag = metrics.histogram(
      'ovg_event_lag_seconds',
      'Event lag per hop: recorded (occurred → on the bus), published (source on the bus → status change published by the tracker), delivered (on the bus → dispatched to subscribers)',
      ['hop'],
      LAG_BUCKETS,
    );
    metrics.gauge(
      'ovg_shield_breaker_state',
      'Circuit breaker state per subgraph: 0 closed, 1 half-open, 2 open',
      ['subgraph'],
      function () {
        for (const [subgraph, shield] of shields) this.set({ subgraph }, BREAKER_VALUE[shield.stats().breaker]);
      },
    );
    metrics.gauge(
      'ovg_shield_tokens',
      'Rate-limit tokens left per subgraph (memory bucket; absent with the Redis bucket)',
      ['subgraph'],
      function () {
        for (const [subgraph, shield] of shields) {
          const tokens = shield.stats().tokens;
          if (tokens !== undefined) this.set({ subgraph }, tokens);
        }
      },
    );
    metrics.gauge(
      'ovg_shield_in_flight',
      'Fetches in flight per subgraph (concurrency limiter)',
      ['subgraph'],
      function () {
        for (const [subgraph, shield] of shields) this.set({ subgraph }, shield.stats().inFlight);
      },
    );
    metrics.gauge(
      'ovg_shield_queued',
      'Fetches waiting for a concurrency slot per subgraph',
      ['subgraph'],
      function () {
        for (const [subgraph, shield] of shields) this.set({ subgraph }, shield.stats().queued);
      },
    );
    // The shield counts its refusals itself; the counter catches up at every scrape.
    const seen = new Map<string, number>();
    metrics.counter(
      'ovg_shield_refused_total',
      'Fetches the shield refused, by subgraph and reason',
      ['subgraph', 'reason'],
      function () {
        for (const [subgraph, shield] of shields) {
          for (const [reason, n] of Object.entries(shield.stats().refused)) {
            const key = `${subgraph}\u0000${reason}`;
            const delta = n - (seen.get(key) ?? 0);
            if (delta > 0) this.inc({ subgraph, reason }, delta);
            seen.set(key, n);
          }
        }
      },
    );
    const read = (): number => this.subscribers();
    metrics.gauge('ovg_subscriptions_active', 'Running GraphQL subscriptions (graphql-ws)', [], function () {
      this.set(read());
    });
  }

  /** The counter of one cache (`response` or `fetch`). */
  cache(name: 'response' | 'fetch'): CacheCounter {
    const hit = this.cacheRequests.labels(name, 'hit');
    const miss = this.cacheRequests.labels(name, 'miss');
    return { hit: () => hit.inc(), miss: () => miss.inc() };
  }

  /** Where `ovg_subscriptions_active` reads from (the subscription server, once started). */
  countSubscribers(read: () => number): void {
    this.subscribers = read;
  }

  /** Records the lag of an event seen by the gateway's hub ({@link Streams}). */
  observeEvent(stream: string, e: Envelope, now = Date.now()): void {
    const recorded = Date.parse(String(e.event.recordedtime ?? ''));
    if (Number.isNaN(recorded)) return;
    if (stream === Streams.SOURCE) {
      const occurred = Date.parse(e.event.time);
      if (!Number.isNaN(occurred)) this.eventLag.observe({ hop: 'recorded' }, Math.max(0, recorded - occurred) / 1000);
    } else if (stream === Streams.VISIBILITY) {
      const cause = (e.event.data as { cause?: { event?: { recordedtime?: unknown } } } | undefined)?.cause?.event;
      const sourceRecorded = Date.parse(String(cause?.recordedtime ?? ''));
      if (!Number.isNaN(sourceRecorded))
        this.eventLag.observe({ hop: 'published' }, Math.max(0, recorded - sourceRecorded) / 1000);
    }
    this.eventLag.observe({ hop: 'delivered' }, Math.max(0, now - recorded) / 1000);
  }
}

/** Options of {@link metricsStage}. */
export interface MetricsStageOptions {
  metrics: GatewayMetrics;
  /** The persisted-operations manifest: its operation names are the only `operation` label values besides `other`. */
  manifest: PersistedQueryManifest;
}

/**
 * RED metrics: per HTTP request `ovg_http_requests_total{operation,consumer,status}` and
 * `ovg_http_request_duration_seconds{operation,consumer}` (`operation`: the manifest's name, else
 * `other`; `consumer`: the authenticated consumer, else `anonymous`), and per subgraph fetch
 * `ovg_subgraph_fetch_duration_seconds{subgraph}` and `ovg_subgraph_fetch_errors_total{subgraph,code}`.
 * Also records the operation's name in the context (`onOperation`) for the access log and the trace.
 */
export function metricsStage(opts: MetricsStageOptions): Stage {
  const known = new Set(opts.manifest.operations.map((o) => o.name));
  const label = (name: string | undefined): string => (name !== undefined && known.has(name) ? name : OTHER_OPERATION);
  const m = opts.metrics;
  return {
    name: 'metrics',
    async aroundRequest(call, next) {
      const started = performance.now();
      let status = 500;
      try {
        status = await next();
        return status;
      } finally {
        const operation = label(
          call.context?.facts.operationName ?? operationNameOf(call.operations[0]?.operationName),
        );
        const consumer = call.context?.identity.consumer ?? 'anonymous';
        m.requests.inc({ operation, consumer, status: String(status) });
        m.requestSeconds.observe({ operation, consumer }, (performance.now() - started) / 1000);
      }
    },
    onOperation({ operation, context }) {
      const name = operation.name?.value;
      if (name !== undefined) context.facts.operationName = name;
    },
    async onSubgraphFetch(fetch, next) {
      const started = performance.now();
      try {
        const response = await next();
        const code = response.errors?.find((e) => e.extensions?.code !== undefined)?.extensions?.code;
        if (fetch.servedStale || code !== undefined)
          m.fetchErrors.inc({
            subgraph: fetch.subgraph,
            code: String(code ?? fetch.context.freshness.at(-1)?.reason ?? 'STALE'),
          });
        return response;
      } catch (err) {
        m.fetchErrors.inc({
          subgraph: fetch.subgraph,
          code: String((err as { extensions?: { code?: unknown } }).extensions?.code ?? 'UPSTREAM_UNAVAILABLE'),
        });
        throw err;
      } finally {
        m.fetchSeconds.observe({ subgraph: fetch.subgraph }, (performance.now() - started) / 1000);
      }
    },
  };
}
