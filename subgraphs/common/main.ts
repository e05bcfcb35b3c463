import { generateDemo, demoOptionsFromEnv } from '../../demo/index.js';
import { perSystem, type SystemName } from '../../canonical/index.js';
import type { DemoData } from '../../demo/records.js';
import { createEventBus } from '../../events/create.js';
import { createOrderVersions } from '../../events/versions.js';
import { EnvReader } from '../../runtime/env.js';
import { acquireRedis, redisUrlFor } from '../../runtime/redis.js';
import { RedisNonceStore } from './nonces.js';
import { DEV_IDENTITY_SECRET, identitySecretFromEnv } from '../../runtime/identitySecret.js';
import type { RunningService } from '../../runtime/http.js';
import { createLogger } from '../../runtime/logger.js';
import { failStartup, stopOnSignal } from '../../runtime/process.js';
import { setUpTracing } from '../../runtime/telemetry.js';
import { faultsFromEnv, type FaultKnobs } from './simulator.js';
import { loadStoreConfig, openStore } from '../../store/index.js';
import type { SubgraphServiceOptions } from './server.js';
import { DEV_WEBHOOK_SECRET, webhookSecretFromEnv } from './webhookSecret.js';

/** The default port of each subgraph (the supergraph's routing_url). */
export const DEFAULT_PORTS: Readonly<Record<SystemName, number>> = perSystem((s) => s.defaultPort);

/**
 * Runs one subgraph as its own process (`node dist/subgraphs/<name>/main.js`) on the demo
 * simulator: `PORT`, else `<NAME>_PORT` (the variable the embedded stack and the gateway read
 * too, so one environment file serves every process), else the subgraph's default port; `HOST`, `DEMO_SEED`, `DEMO_ORDERS`, the fault
 * knobs `<NAME>_SIM_*`, and ingest: `WEBHOOK_SECRET` / `<NAME>_WEBHOOK_SECRET` (the development
 * default unless `NODE_ENV=production`) with the bus of `createEventBus` (`REDIS_URL`), and
 * `GATEWAY_URL` (default `http://127.0.0.1:4000/graphql`) for the actions' service reads. Only this
 * system's slice of the demo world is kept.
 */
export async function runSubgraphMain<Port>(
  name: SystemName,
  makeSystem: (data: DemoData, faults: Partial<FaultKnobs>) => Port,
  start: (opts: SubgraphServiceOptions<Port>) => Promise<RunningService>,
): Promise<void> {
  const logger = createLogger(name);
  const ownPort = `${name.toUpperCase()}_PORT`;
  const portVariable = process.env.PORT
    ? 'PORT'
    : process.env[ownPort]
      ? ownPort
      : `PORT (unset: the default of ${name})`;
  try {
    const env = new EnvReader();
    const port = env.has('PORT')
      ? env.int('PORT', DEFAULT_PORTS[name], 0, 65535)
      : env.int(ownPort, DEFAULT_PORTS[name], 0, 65535);
    const host = env.string('HOST', '127.0.0.1');
    const ownMetricsPort = `${name.toUpperCase()}_METRICS_PORT`;
    const metricsPort = env.has(ownMetricsPort)
      ? env.int(ownMetricsPort, 0, 0, 65535)
      : env.has('METRICS_PORT')
        ? env.int('METRICS_PORT', 0, 0, 65535)
        : undefined;
    const webhookSecret = webhookSecretFromEnv(env, name, process.env.NODE_ENV !== 'production');
    const identitySecret = identitySecretFromEnv(env, process.env.NODE_ENV !== 'production');
    // The actions (oms, returns) re-read the graph through the gateway as the service identity.
    const gatewayUrl = env.url('GATEWAY_URL', 'http://127.0.0.1:4000/graphql');
    env.done();
    const faults = faultsFromEnv(name);
    const { data } = generateDemo({ ...demoOptionsFromEnv(), systems: [name] });
    const bus = createEventBus(process.env);
    // With REDIS_URL, ingest bumps the order versions the gateways' caches check (shared in Redis).
    const versions = process.env.REDIS_URL ? createOrderVersions(process.env) : undefined;
    // Replicas share ingest's ledger and refused-webhook letters in the visibility store (PostgreSQL);
    // the distributed mode refuses to start without DATABASE_URL. PGlite is one process's: not used here.
    const storeConfig = loadStoreConfig(process.env);
    const store = storeConfig.databaseUrl ? await openStore(storeConfig) : undefined;
    // Single-use identity headers are remembered where every replica sees them and nothing evicts them.
    const nonceUrl = redisUrlFor('bus');
    const nonceRedis = nonceUrl
      ? acquireRedis('bus', nonceUrl, (err, context) => logger.warn({ err: err.message }, context))
      : undefined;
    const nonces = nonceRedis ? new RedisNonceStore(nonceRedis, process.env.REDIS_KEY_PREFIX || 'ovg:') : undefined;
    const service = await start({
      system: makeSystem(data, faults),
      port,
      host,
      ...(metricsPort !== undefined ? { metricsPort } : {}),
      bus,
      webhookSecret,
      identitySecret,
      logger,
      versions,
      gatewayUrl,
      ledger: store?.ledger,
      keepRefused: store ? async (l) => void (await store.deadLetters.recordIngest(l)) : undefined,
      audit: store?.audit,
      // The actions' per-order lock and idempotency keys hold across replicas in the store.
      actionLock: store?.actionLocks,
      actionResults: store?.actionResults,
      ...(nonces ? { nonces } : {}),
    });
    if (identitySecret === DEV_IDENTITY_SECRET)
      logger.warn(
        'the gateway identity signature uses the development secret; set GATEWAY_IDENTITY_SECRET outside local development',
      );
    if (webhookSecret === DEV_WEBHOOK_SECRET)
      logger.warn(
        `ingest uses the development webhook secret; set ${name.toUpperCase()}_WEBHOOK_SECRET or WEBHOOK_SECRET`,
      );
    logger.info({ url: service.url, ingest: `${service.origin}/ingest` }, `${name} subgraph listening`);
    stopOnSignal(async () => {
      await service.stop();
      await bus.close();
      await versions?.close();
      await store?.close();
      nonceRedis?.disconnect();
      // Export the spans still batched (OTEL_EXPORTER_OTLP_ENDPOINT).
      await setUpTracing().shutdown();
    }, logger);
  } catch (err) {
    failStartup(err, () => portVariable);
  }
}
