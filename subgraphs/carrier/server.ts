import type { RunningService } from '../../runtime/http.js';
import { startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { createLoaders, type CarrierContext } from './loaders.js';
import type { CarrierPort } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the carrier subgraph over its system's port. */
export function start(opts: SubgraphServiceOptions<CarrierPort>): Promise<RunningService> {
  return startSubgraphServer<CarrierContext>({
    name: 'carrier',
    resolvers,
    context: () => ({ loaders: createLoaders(opts.system) }),
    listen: opts,
  });
}
