import { createServer } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { jsonErrorHandler, listen, type RunningService } from '../runtime/http.js';
import { createLogger, type Logger } from '../runtime/logger.js';
import type { GatewayConfig } from './config.js';
import { formatGatewayError } from './errors.js';
import { healthRoutes } from './health.js';
import { SubgraphDataSource } from './subgraphs/dataSource.js';
import { keepAliveFetcher } from './subgraphs/keepAliveFetcher.js';
import { SupergraphLoader } from './supergraph/loader.js';

/** A running gateway. */
export interface GatewayService extends RunningService {
  gateway: ApolloGateway;
  loader: SupergraphLoader;
  /** How many supergraphs were loaded (1 at start, +1 per hot reload). */
  loads(): number;
}

/**
 * Starts the gateway: ApolloGateway on Apollo Server 5 (Express 5) at `/graphql`, the health
 * endpoints, and the supergraph from {@link SupergraphLoader} (hot-reloaded).
 */
export async function startGateway(config: GatewayConfig, logger: Logger = createLogger('gateway')): Promise<GatewayService> {
  let loads = 0;
  let ready = false;
  const loader = new SupergraphLoader(config.supergraphPath, {
    onLoaded: ({ reason }) => {
      loads++;
      logger.info({ reason, path: config.supergraphPath }, 'supergraph loaded');
    },
    onError: (err) => logger.error({ err: err.message }, 'supergraph change refused; still serving the previous one'),
  });
  const fetcher = keepAliveFetcher();
  const endpoints = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl: loader,
    logger,
    __exposeQueryPlanExperimental: config.exposeQueryPlan,
    buildService: ({ name, url }) => {
      const target = config.subgraphUrls[name as keyof GatewayConfig['subgraphUrls']] ?? url;
      if (!target) throw new Error(`subgraph ${name} has no routing_url in the supergraph and no ${name.toUpperCase()}_URL`);
      endpoints.set(name, target);
      return new SubgraphDataSource({ name, url: target, fetcher });
    },
  });

  const app = express();
  const httpServer = createServer(app);
  const apollo = new ApolloServer({
    gateway,
    logger,
    includeStacktraceInErrorResponses: false,
    formatError: formatGatewayError,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });
  await apollo.start();
  app.disable('x-powered-by');
  app.use(healthRoutes({ isReady: () => ready, subgraphs: () => endpoints, probeTimeoutMs: config.healthProbeTimeoutMs }));
  app.use('/graphql', express.json({ limit: config.bodyLimitBytes }), expressMiddleware(apollo));
  app.use(jsonErrorHandler);

  const service = await listen('gateway', httpServer, config.port, config.host, async () => {
    ready = false;
    await apollo.stop();
    loader.close();
    fetcher.destroy();
  });
  ready = true;
  return { ...service, gateway, loader, loads: () => loads };
}
