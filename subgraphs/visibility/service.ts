import { hostname } from 'node:os';
import type { EventBus, Subscription } from '../../events/bus.js';
import type { ForegroundWork } from '../../runtime/foreground.js';
import type { RunningService } from '../../runtime/http.js';
import type { Logger } from '../../runtime/logger.js';
import {
  busRedeliverer,
  drainDeadLetters,
  DEFAULT_RETENTION,
  ExceptionEngine,
  startRetention,
  visibilityCounts,
  type RetentionConfig,
  type ExceptionSlas,
  type Redeliverer,
  type SignWebhook,
  type VisibilityStore,
} from '../../store/index.js';
import { SubgraphMetrics } from '../common/observability.js';
import { start } from './server.js';

/** Options of {@link startVisibility}. */
export interface VisibilityServiceOptions {
  store: VisibilityStore;
  /** Without a bus there is no exception engine, no drain, and consumer letters cannot be replayed. */
  bus?: EventBus;
  /** Each system's `/ingest` URL, for ingest-letter replays. */
  ingestUrl: (system: string) => string | undefined;
  /** Re-signs a webhook body for a replay (the systems' webhook secrets). */
  sign: SignWebhook;
  /** The secret the gateway signs `x-gateway-identity` with. */
  identitySecret?: string;
  /** Benchmark-only trust mode (SubgraphServiceOptions.trustUnsignedRequests). @default false */
  trustUnsignedRequests?: boolean;
  /** @default 0 (a free port) */
  port?: number;
  host?: string;
  /** A second port serving only `GET /metrics` without a credential (`VISIBILITY_METRICS_PORT`, else `METRICS_PORT`). @default none */
  metricsPort?: number;
  logger?: Logger;
  slas?: ExceptionSlas;
  /** Run the exception engine and the dead-letter drain in this process (needs `bus`). @default true */
  engine?: boolean;
  /** Prune what the store keeps only for a while (store/retention.ts); false: not in this process. @default DEFAULT_RETENTION */
  retention?: RetentionConfig | false;
  /** Work of this process the exception engine gives way to (the embedded stack's status tracker). @default none */
  yieldTo?: Pick<ForegroundWork, 'idle'>;
}

/** The visibility subgraph with the exception engine and the dead-letter drain beside it. */
export interface RunningVisibility {
  service: RunningService;
  engine: ExceptionEngine | undefined;
  /** Its `/metrics`: the subgraph's own, the store's open dead letters and exceptions (read at each scrape), the engine's openings and closings. */
  metrics: SubgraphMetrics;
  stop(): Promise<void>;
}

/**
 * Starts the exception engine and the drain of the bus's dead letters into the store, and the
 * visibility subgraph over the store (what `subgraphs/visibility/main.ts` and the embedded stack run).
 */
export async function startVisibility(o: VisibilityServiceOptions): Promise<RunningVisibility> {
  const consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const metrics = new SubgraphMetrics('visibility');
  metrics.metrics.visibility.source(() => visibilityCounts(o.store));
  let engine: ExceptionEngine | undefined;
  let drain: Subscription | undefined;
  const bus = o.bus;
  if (bus && o.engine !== false) {
    engine = new ExceptionEngine({
      bus,
      store: o.store,
      consumer,
      slas: o.slas,
      metrics: metrics.metrics.visibility,
      yieldTo: o.yieldTo,
      onError: (err, c) => o.logger?.error({ err: err.message }, `exception engine: ${c}`),
    });
    await engine.start();
    const e = engine;
    drain = drainDeadLetters({ bus, store: o.store, consumer, onLetter: (l) => e.onDeadLetter(l) });
    await drain.ready;
  }
  const redeliverer: Redeliverer = bus
    ? busRedeliverer({ bus, ingestUrl: o.ingestUrl, sign: o.sign })
    : {
        consumer: async () => {
          throw new Error('no event bus is configured in this process: consumer letters cannot be re-delivered');
        },
        ingest: busRedeliverer({ bus: undefined as never, ingestUrl: o.ingestUrl, sign: o.sign }).ingest,
      };
  const afterLetterAction = engine
    ? async (ids: readonly string[]) => {
        for (const id of ids) {
          const l = await o.store.deadLetters.get(id);
          if (l) await engine!.onDeadLetter(l);
        }
      }
    : undefined;
  const retention =
    o.retention === false
      ? undefined
      : startRetention(o.store, o.retention ?? DEFAULT_RETENTION, {
          pruned: (p) => {
            if (p.ingestLedger + p.actionResults + p.lagSamples > 0) o.logger?.info(p, 'visibility store: pruned');
          },
          failed: (err) => o.logger?.error({ err: err.message }, 'visibility store: prune failed'),
        });
  let service: RunningService;
  try {
    service = await start({
      system: { store: o.store, redeliverer, afterLetterAction },
      port: o.port,
      host: o.host,
      ...(o.metricsPort !== undefined ? { metricsPort: o.metricsPort } : {}),
      logger: o.logger,
      identitySecret: o.identitySecret,
      ...(o.trustUnsignedRequests ? { trustUnsignedRequests: true } : {}),
      metrics,
    });
  } catch (err) {
    await retention?.stop();
    await drain?.close();
    await engine?.stop();
    throw err;
  }
  return {
    service,
    engine,
    metrics,
    stop: async () => {
      await service.stop();
      await retention?.stop();
      await drain?.close();
      await engine?.stop();
    },
  };
}
