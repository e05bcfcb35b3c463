import { generateDemo, demoOptionsFromEnv } from '../demo/index.js';
import { gatewayConfigFromEnv } from '../gateway/config.js';
import { SYSTEM_NAMES as SUBGRAPH_NAMES } from '../canonical/systems.js';
import { EnvReader } from '../runtime/env.js';
import { componentLogger, createLogger } from '../runtime/logger.js';
import { failStartup, stopOnSignal } from '../runtime/process.js';
import { setUpTracing } from '../runtime/telemetry.js';
import { DEFAULT_PORTS } from '../subgraphs/common/main.js';
import { faultsFromEnv } from '../subgraphs/common/simulator.js';
import { EXAMPLE_QUERY } from './example.js';
import { createEventBus } from '../events/create.js';
import { createOrderVersions } from '../events/versions.js';
import { storeStatusStore } from '../gateway/tracker/store.js';
import { loadRetention, loadSlas, loadStoreConfig, openStore } from '../store/index.js';
import { DEV_WEBHOOK_SECRET, webhookSecretFromEnv } from '../subgraphs/common/webhookSecret.js';
import { CURSOR_SECRET_VARIABLE, cursorSecretFromEnv, DEV_CURSOR_SECRET } from '../subgraphs/oms/cursorSecret.js';
import { devToken } from '../gateway/auth/devCredentials.js';
import { LIFECYCLE_SLAS, startLifecycle } from './lifecycle/index.js';
import { DEMO_PARTNER_NODES, startStack } from './stack.js';
import { salesforceConfigFromEnv } from '../connectors/salesforce/config.js';
import { readFileSync } from 'node:fs';

// `npm start`: the whole stack in one process on the embedded simulators and demo data.
const logger = createLogger('embedded');
try {
  const env = new EnvReader();
  const host = env.string('HOST', '127.0.0.1');
  const ports = {
    gateway: env.int('PORT', 4000, 0, 65535),
    visibility: env.int('VISIBILITY_PORT', 4006, 0, 65535),
    ...Object.fromEntries(
      SUBGRAPH_NAMES.map((n) => [n, env.int(`${n.toUpperCase()}_PORT`, DEFAULT_PORTS[n], 0, 65535)]),
    ),
  };
  const lifecycleRate = env.number('LIFECYCLE_RATE', 1, 0, 1000);
  // The Salesforce connector runs by default, writing to the emulator; SALESFORCE_LOGIN_URL points it at a real org instead.
  const salesforceOn = env.bool('SALESFORCE_CONNECTOR', true);
  const emulatorPort = env.int('SALESFORCE_EMULATOR_PORT', 4010, 0, 65535);
  const realOrg =
    salesforceOn && env.has('SALESFORCE_LOGIN_URL')
      ? salesforceConfigFromEnv(process.env, (p) => readFileSync(p, 'utf8'))
      : undefined;
  const secrets = Object.fromEntries(
    SUBGRAPH_NAMES.map((n) => [n, webhookSecretFromEnv(env, n, process.env.NODE_ENV !== 'production')]),
  ) as Record<(typeof SUBGRAPH_NAMES)[number], string>;
  const cursorSecret = cursorSecretFromEnv(env, process.env.NODE_ENV !== 'production');
  if (env.has('GATEWAY_WORKERS') && process.env.GATEWAY_WORKERS !== '1') {
    env.problems.push(
      'GATEWAY_WORKERS applies to the gateway alone (`node dist/gateway/main.js`, with REDIS_URL and DATABASE_URL); the one-process stack runs one gateway: unset it',
    );
  }
  env.done();
  const faults = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, faultsFromEnv(n)]));
  const demoOptions = demoOptionsFromEnv();
  const started = performance.now();
  const { data } = generateDemo(demoOptions);
  logger.info({ orders: data.oms.orders.length, ms: Math.round(performance.now() - started) }, 'demo data generated');
  // One visibility store for the whole process (PGlite in DATA_DIR, or PostgreSQL at DATABASE_URL):
  // the tracker's order rows, ingest's ledger, exceptions, dead letters.
  const storeConfig = loadStoreConfig(process.env);
  // While the lifecycle simulator runs, minute-scale SLAs so the time-based exceptions show in the demo (SLA_* still win).
  const slas = loadSlas(process.env, lifecycleRate > 0 ? LIFECYCLE_SLAS : {});
  const retention = loadRetention(process.env);
  const store = await openStore(storeConfig);
  logger.info(
    { store: store.db.kind, ...(storeConfig.databaseUrl ? {} : { dataDir: storeConfig.dataDir }) },
    'visibility store open',
  );
  const bus = createEventBus(process.env);
  const statusStore = storeStatusStore(store);
  // The gateway's own settings (authentication, CORS, limits, …) from the environment; ports and subgraph URLs are the stack's.
  const gateway = gatewayConfigFromEnv({ DEV_PARTNER_NODES: DEMO_PARTNER_NODES, ...process.env });
  // In memory by default; with REDIS_URL in Redis, so other gateway replicas see the same versions.
  const versions = createOrderVersions(process.env);
  const stack = await startStack({
    data,
    host,
    ports,
    faults,
    bus,
    statusStore,
    seedTracker: true,
    webhookSecret: secrets,
    cursorSecret,
    gateway,
    versions,
    store,
    slas,
    retention,
    ...(salesforceOn ? { salesforce: { emulatorPort, ...(realOrg ? { config: realOrg } : {}) } } : {}),
  });
  await stack.gateway.tracker?.whenSeeded();
  // The lifecycle simulator moves demo orders along by sending signed webhooks to /ingest: the real path.
  const lifecycle =
    lifecycleRate > 0
      ? startLifecycle({
          data,
          secret: secrets,
          ratePerSecond: lifecycleRate,
          logger: componentLogger(logger, 'lifecycle'),
          ingest: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, stack.subgraphs[n].ingestUrl])) as Record<
            (typeof SUBGRAPH_NAMES)[number],
            string
          >,
          // With the development keys, half the returns are requested through the graph as the shopper or an agent would.
          ...(gateway.auth.development
            ? {
                graph: {
                  url: stack.gateway.url,
                  credential: async (
                    who: { consumer: 'storefront'; customerId: string } | { consumer: 'salesforce' },
                  ) => ({
                    authorization: `Bearer ${await devToken(who.consumer, who.consumer === 'storefront' ? { customerId: who.customerId } : {})}`,
                  }),
                },
              }
            : {}),
        })
      : undefined;
  if (Object.values(secrets).includes(DEV_WEBHOOK_SECRET))
    logger.warn('ingest uses the development webhook secret; set WEBHOOK_SECRET outside local development');
  if (cursorSecret === DEV_CURSOR_SECRET)
    logger.warn(
      `orders cursors are signed with the development key; set ${CURSOR_SECRET_VARIABLE} outside local development`,
    );
  stopOnSignal(async () => {
    await lifecycle?.stop();
    await stack.stop();
    await bus.close();
    await versions.close();
    await store.close();
    // Export the spans still batched (OTEL_EXPORTER_OTLP_ENDPOINT).
    await setUpTracing().shutdown();
  }, logger);
  const url = stack.gateway.url;
  process.stdout.write(
    `\nOrder-visibility graph ready at ${url}\n\nTry (every request carries a credential; \`npm run -s token -- salesforce\` prints a development one):\n` +
      `  curl -s ${url} -H 'content-type: application/json' -H "$(npm run -s token -- salesforce)" \\\n` +
      `    -d '${JSON.stringify({ query: EXAMPLE_QUERY })}'\n\n` +
      `Live status changes (${lifecycleRate > 0 ? `${lifecycleRate}/s from the lifecycle simulator` : 'lifecycle simulator off'}): subscribe over graphql-ws at ${url.replace(/^http/, 'ws')}\n` +
      `  (connection_init payload: { "authorization": "Bearer <token>" })\n` +
      `  subscription { orderStatusChanged { cursor orderId previousStatus status cause { type source } } }\n` +
      `  subscription { exceptionChanged { change orderId exception { type actor since facts { name value } } } }   (ops or salesforce)\n\n` +
      salesforceBanner(stack.salesforce?.emulator?.url, realOrg?.loginUrl) +
      `Ctrl-C stops everything.\n\n`,
  );
} catch (err) {
  // A busy port names the variable that chose it: PORT for the gateway, <NAME>_PORT for a subgraph.
  failStartup(err, (service) => (service === 'gateway' ? 'PORT' : `${service.toUpperCase()}_PORT`));
}

/** What the start banner says of Salesforce: where the emulated org is and how to see the records arrive. */
function salesforceBanner(emulatorUrl: string | undefined, realOrgUrl: string | undefined): string {
  if (realOrgUrl) return `Salesforce connector: writing status changes to the org at ${realOrgUrl}\n\n`;
  if (!emulatorUrl) return 'Salesforce connector: off (SALESFORCE_CONNECTOR=false)\n\n';
  const soql =
    'SELECT Order_Visibility_Id__c, Order_Visibility_Status__c, Order_Visibility_Version__c, LastModifiedDate FROM Order ORDER BY LastModifiedDate DESC LIMIT 5';
  return (
    `Salesforce API emulator (the connector pushes every status change to it): ${emulatorUrl}\n` +
    `  TOKEN=$(curl -s ${emulatorUrl}/services/oauth2/token -d grant_type=client_credentials -d client_id=ovg-connector -d client_secret=dev-secret | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')\n` +
    `  curl -s -H "Authorization: Bearer $TOKEN" '${emulatorUrl}/services/data/v62.0/query' --get --data-urlencode "q=${soql}"\n` +
    `  (counters and fault injection: ${emulatorUrl}/__emulator)\n\n`
  );
}
