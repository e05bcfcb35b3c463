import { createLogger } from '../runtime/logger.js';
import { failStartup, stopOnSignal } from '../runtime/process.js';
import { gatewayConfigFromEnv } from './config.js';
import { startGateway } from './server.js';

// `node dist/gateway/main.js`: the gateway alone, in front of subgraphs running elsewhere
// (their URLs from the supergraph's routing_url, or ERP_URL, OMS_URL, … to override).
const logger = createLogger('gateway');
try {
  const gateway = await startGateway(gatewayConfigFromEnv(), { logger });
  logger.info({ url: gateway.url }, 'gateway listening');
  stopOnSignal(() => gateway.stop(), logger);
} catch (err) {
  failStartup(err);
}
