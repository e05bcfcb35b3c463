import { envPrefix, OWN_SUBGRAPHS, SYSTEM_NAMES, SYSTEMS, type SystemName } from '../../canonical/index.js';
import { createEventBus } from '../../events/create.js';
import { EnvReader } from '../../runtime/env.js';
import { DEV_IDENTITY_SECRET, identitySecretFromEnv } from '../../runtime/identitySecret.js';
import { createLogger } from '../../runtime/logger.js';
import { failStartup, stopOnSignal } from '../../runtime/process.js';
import { loadRetention, loadSlas, loadStoreConfig, openStore } from '../../store/index.js';
import { signWebhook } from '../common/ingest.js';
import { webhookSecretFromEnv } from '../common/webhookSecret.js';
import { startVisibility } from './service.js';

// `node dist/subgraphs/visibility/main.js`: the visibility subgraph, the exception engine and the
// dead-letter drain in one process over the store (DATABASE_URL; PGlite in DATA_DIR when alone).
// Ingest-letter replays go to `<SYSTEM>_URL`'s origin + /ingest (default: the system's local port).
const logger = createLogger('visibility');
try {
  const env = new EnvReader();
  const port = env.int('PORT', OWN_SUBGRAPHS[0].defaultPort, 0, 65535);
  const host = env.string('HOST', '127.0.0.1');
  const metricsPort = env.has('VISIBILITY_METRICS_PORT')
    ? env.int('VISIBILITY_METRICS_PORT', 0, 0, 65535)
    : env.has('METRICS_PORT')
      ? env.int('METRICS_PORT', 0, 0, 65535)
      : undefined;
  const identitySecret = identitySecretFromEnv(env, process.env.NODE_ENV !== 'production');
  const secrets = Object.fromEntries(
    SYSTEM_NAMES.map((n) => [n, webhookSecretFromEnv(env, n, process.env.NODE_ENV !== 'production')]),
  ) as Record<SystemName, string>;
  const ingest = Object.fromEntries(
    SYSTEMS.map((s) => {
      const graphql = env.url(`${envPrefix(s.name)}_URL`, `http://127.0.0.1:${s.defaultPort}/graphql`)!;
      return [s.name, `${new URL(graphql).origin}/ingest`];
    }),
  ) as Record<SystemName, string>;
  env.done();
  const slas = loadSlas(process.env);
  const retention = loadRetention(process.env);
  const store = await openStore(loadStoreConfig(process.env));
  const bus = createEventBus(process.env);
  const running = await startVisibility({
    store,
    bus,
    port,
    host,
    logger,
    identitySecret,
    slas,
    retention,
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ingestUrl: (s) => ingest[s as SystemName],
    sign: (s, raw) => signWebhook(secrets[s as SystemName] ?? '', raw),
  });
  if (identitySecret === DEV_IDENTITY_SECRET)
    logger.warn(
      'the gateway identity signature uses the development secret; set GATEWAY_IDENTITY_SECRET outside local development',
    );
  logger.info({ url: running.service.url, store: store.db.kind }, 'visibility subgraph listening');
  stopOnSignal(async () => {
    await running.stop();
    await bus.close();
    await store.close();
  }, logger);
} catch (err) {
  failStartup(err);
}
