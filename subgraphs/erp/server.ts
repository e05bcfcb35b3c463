import type { RunningService } from '../../runtime/http.js';
import { startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { createLoaders, type ErpContext } from './loaders.js';
import type { ErpPort } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the erp subgraph over its system's port. */
export function start(opts: SubgraphServiceOptions<ErpPort>): Promise<RunningService> {
  return startSubgraphServer<ErpContext>({
    name: 'erp',
    resolvers,
    context: () => ({ loaders: createLoaders(opts.system) }),
    listen: opts,
  });
}
