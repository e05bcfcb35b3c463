import type { RunningService } from '../../runtime/http.js';
import type { SubgraphMetrics } from '../common/observability.js';
import { identityCheckFromOptions, startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { createLoaders, type VisibilityContext } from './loaders.js';
import type { VisibilityPort } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the visibility subgraph over the visibility store. It has no `/ingest`: its facts come from the bus. */
export async function start(
  opts: SubgraphServiceOptions<VisibilityPort> & { metrics?: SubgraphMetrics },
): Promise<RunningService> {
  return startSubgraphServer<VisibilityContext>({
    name: 'visibility',
    resolvers,
    context: (identity) => ({ identity, loaders: createLoaders(opts.system), port: opts.system }),
    listen: opts,
    logger: opts.logger,
    identity: identityCheckFromOptions('visibility', opts),
    cacheMaxAgeSeconds: 0,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
}
