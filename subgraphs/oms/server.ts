import type { RunningService } from '../../runtime/http.js';
import { recorderOf } from '../common/ingest.js';
import { identityCheckFromOptions, ingestFromOptions, startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { omsIngest } from './ingest.js';
import { createLoaders, type OmsContext } from './loaders.js';
import type { OmsPort, OmsRecorder } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the oms subgraph over its system's port, with `POST /ingest` when `bus` and `webhookSecret` are given. */
export async function start(opts: SubgraphServiceOptions<OmsPort>): Promise<RunningService> {
  return startSubgraphServer<OmsContext>({
    name: 'oms',
    resolvers,
    context: (identity) => ({ identity, port: opts.system, loaders: createLoaders(opts.system) }),
    listen: opts,
    logger: opts.logger,
    identity: identityCheckFromOptions('oms', opts),
    ingest: ingestFromOptions(opts, () => omsIngest(recorderOf<OmsRecorder>(opts.system, 'oms', ['placeOrder', 'cancelLine', 'cancelOrder', 'allocate', 'backorder']))),
  });
}
