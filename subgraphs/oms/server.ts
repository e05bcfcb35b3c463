import type { RunningService } from '../../runtime/http.js';
import { startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { createLoaders, type OmsContext } from './loaders.js';
import type { OmsPort } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the oms subgraph over its system's port. */
export function start(opts: SubgraphServiceOptions<OmsPort>): Promise<RunningService> {
  return startSubgraphServer<OmsContext>({
    name: 'oms',
    resolvers,
    context: () => ({ port: opts.system, loaders: createLoaders(opts.system) }),
    listen: opts,
  });
}
