import type { RunningService } from '../../runtime/http.js';
import { recorderOf } from '../common/ingest.js';
import { identityCheckFromOptions, ingestFromOptions, startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { ShipmentLedger } from '../common/shipmentLedger.js';
import { returnsIngest } from './ingest.js';
import { createLoaders, type ReturnsContext } from './loaders.js';
import type { ReturnsPort, ReturnsRecorder } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the returns subgraph over its system's port, with `POST /ingest` when `bus` and `webhookSecret` are given. */
export async function start(opts: SubgraphServiceOptions<ReturnsPort>): Promise<RunningService> {
  return startSubgraphServer<ReturnsContext>({
    name: 'returns',
    resolvers,
    context: (identity) => ({ identity, loaders: createLoaders(opts.system) }),
    listen: opts,
    logger: opts.logger,
    identity: identityCheckFromOptions('returns', opts),
    ingest: ingestFromOptions(opts, () => returnsIngest(recorderOf<ReturnsRecorder>(opts.system, 'returns', ['openReturn', 'advanceReturn']), opts.bus && new ShipmentLedger(opts.bus))),
  });
}
