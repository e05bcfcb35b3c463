import cluster from 'node:cluster';
import { onPrimaryShutdown, runPrimary } from '../runtime/cluster.js';
import { createLogger } from '../runtime/logger.js';
import { failStartup, stopOnSignal } from '../runtime/process.js';
import { setUpTracing } from '../runtime/telemetry.js';
import { createEventBus } from '../events/create.js';
import { type GatewayConfig, gatewayConfigFromEnv, withSubgraphPorts } from './config.js';
import { loadStoreConfig } from '../store/index.js';
import { createStatusStore } from './tracker/store.js';
import { startGateway } from './server.js';

// `node dist/gateway/main.js`: the gateway alone, in front of subgraphs running elsewhere
// (their URLs from ERP_URL, OMS_URL, …; else from ERP_PORT, OMS_PORT, … on SUBGRAPH_HOST; else the
// supergraph's routing_url).
// OpenTelemetry's GCP resource detector (loaded by @apollo/gateway) would probe the cloud metadata server.
process.env.METADATA_SERVER_DETECTION ??= 'none';
const logger = createLogger('gateway');
try {
  // A subgraph's <NAME>_PORT without its <NAME>_URL: it listens on that port (or the start is refused).
  // Validated once, in the primary too, so a bad value is one clear message rather than N dying workers.
  const { config, derived } = withSubgraphPorts(gatewayConfigFromEnv());
  if (config.workers > 1 && cluster.isPrimary) {
    loadStoreConfig(process.env); // refuses REDIS_URL without DATABASE_URL here, not in every worker
    runPrimary({ workers: config.workers, logger });
  } else await runGateway(config, derived, config.workers > 1);
} catch (err) {
  failStartup(err, (service) => (service === 'gateway' ? 'PORT' : undefined));
}

async function runGateway(config: GatewayConfig, derived: Record<string, string>, inCluster: boolean): Promise<void> {
  for (const [name, variable] of Object.entries(derived))
    logger.info(
      { subgraph: name, url: config.subgraphUrls[name as keyof typeof config.subgraphUrls], from: variable },
      'subgraph URL derived from its port',
    );
  // With REDIS_URL, every replica reads the same streams; the tracker's store is the visibility
  // store (DATABASE_URL, required with REDIS_URL), shared by every replica.
  const bus = createEventBus(process.env);
  const statusStore = createStatusStore(process.env);
  const gateway = await startGateway(config, { logger, bus, statusStore, store: statusStore.store });
  logger.info({ url: gateway.url }, 'gateway listening');
  const stop = stopOnSignal(
    async () => {
      await gateway.stop();
      await bus.close();
      await statusStore.close();
      // Export the spans still batched (OTEL_EXPORTER_OTLP_ENDPOINT).
      await setUpTracing().shutdown();
    },
    logger,
    inCluster ? ['SIGTERM'] : ['SIGINT', 'SIGTERM'],
  );
  if (inCluster) {
    // Ctrl-C reaches every process of the terminal's group: the primary alone decides, and asks.
    process.on('SIGINT', () => undefined);
    onPrimaryShutdown(() => stop('primary'));
  }
}
