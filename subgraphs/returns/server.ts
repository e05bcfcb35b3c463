import type { RunningService } from '../../runtime/http.js';
import { startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { createLoaders, type ReturnsContext } from './loaders.js';
import type { ReturnsPort } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the returns subgraph over its system's port. */
export function start(opts: SubgraphServiceOptions<ReturnsPort>): Promise<RunningService> {
  return startSubgraphServer<ReturnsContext>({
    name: 'returns',
    resolvers,
    context: () => ({ loaders: createLoaders(opts.system) }),
    listen: opts,
  });
}
