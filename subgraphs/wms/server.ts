import type { RunningService } from '../../runtime/http.js';
import { startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { createLoaders, type WmsContext } from './loaders.js';
import type { WmsPort } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the wms subgraph over its system's port. */
export function start(opts: SubgraphServiceOptions<WmsPort>): Promise<RunningService> {
  return startSubgraphServer<WmsContext>({
    name: 'wms',
    resolvers,
    context: () => ({ loaders: createLoaders(opts.system) }),
    listen: opts,
  });
}
