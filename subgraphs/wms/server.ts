import type { RunningService } from '../../runtime/http.js';
import { recorderOf } from '../common/ingest.js';
import {
  identityCheckFromOptions,
  ingestFromOptions,
  startSubgraphServer,
  type SubgraphServiceOptions,
} from '../common/server.js';
import { wmsIngest } from './ingest.js';
import { createLoaders, type WmsContext } from './loaders.js';
import type { WmsPort, WmsRecorder } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the wms subgraph over its system's port, with `POST /ingest` when `bus` and `webhookSecret` are given. */
export async function start(opts: SubgraphServiceOptions<WmsPort>): Promise<RunningService> {
  return startSubgraphServer<WmsContext>({
    name: 'wms',
    resolvers,
    context: (identity) => ({ identity, loaders: createLoaders(opts.system) }),
    listen: opts,
    logger: opts.logger,
    identity: identityCheckFromOptions('wms', opts),
    ingest: ingestFromOptions(opts, () =>
      wmsIngest(
        recorderOf<WmsRecorder>(opts.system, 'wms', ['advanceFulfillment', 'confirmShipment', 'receiveReturn']),
      ),
    ),
  });
}
