import { readFileSync } from 'node:fs';
import { createEventBus } from '../../events/create.js';
import { EnvReader } from '../../runtime/env.js';
import { createLogger } from '../../runtime/logger.js';
import { failStartup, stopOnSignal } from '../../runtime/process.js';
import { salesforceConfigFromEnv } from './config.js';
import { SalesforceConnector } from './connector.js';
import { cachedOrderFacts, graphOrderFacts } from './facts.js';
import { startHealthServer } from './health.js';
import { needsFacts } from './mapping.js';
import { RedisVersionClaims } from './versionClaims.js';

// `node dist/connectors/salesforce/main.js`: the connector alone, one replica of the `salesforce`
// group on the Redis bus (REDIS_URL), with GET /health and GET /metrics on SALESFORCE_HEALTH_PORT.
const logger = createLogger('salesforce');
try {
  const config = salesforceConfigFromEnv(process.env, (path) => readFileSync(path, 'utf8'));
  const env = new EnvReader();
  const redisUrl = env.string('REDIS_URL', '');
  if (!redisUrl)
    env.problems.push(
      'REDIS_URL is required: the standalone connector joins the `salesforce` group on the Redis Streams bus (the in-memory bus lives inside `npm start`, which runs the connector itself)',
    );
  const healthPort = env.int('SALESFORCE_HEALTH_PORT', 4020, 0, 65535);
  const host = env.string('HOST', '127.0.0.1');
  const maps = [
    ...(config.target !== 'event' ? [config.fieldMap] : []),
    ...(config.target !== 'upsert' ? [config.eventFieldMap] : []),
  ];
  if (needsFacts(...maps) && (!config.graphUrl || !config.graphAuthorization)) {
    env.problems.push(
      'SALESFORCE_GRAPH_URL and SALESFORCE_GRAPH_AUTHORIZATION are required: the field mapping uses order facts (number, Account, placement) read through the gateway as the salesforce consumer',
    );
  }
  env.done();
  const bus = createEventBus({ REDIS_URL: redisUrl });
  const versions = new RedisVersionClaims({ url: redisUrl });
  const facts =
    config.graphUrl && config.graphAuthorization
      ? cachedOrderFacts(graphOrderFacts({ url: config.graphUrl, credential: () => config.graphAuthorization! }))
      : undefined;
  const connector = new SalesforceConnector({ bus, config, logger, versions, ...(facts ? { facts } : {}) });
  await connector.start();
  const health = await startHealthServer(connector, healthPort, host);
  logger.info(
    {
      health: `${health.url}/health`,
      metrics: `${health.url}/metrics`,
      group: config.group,
      consumer: config.consumer,
      target: config.target,
      object: config.object,
    },
    'salesforce connector started',
  );
  stopOnSignal(async () => {
    await connector.stop();
    await health.stop();
    await versions.close();
    await bus.close();
  }, logger);
} catch (err) {
  failStartup(err);
}
