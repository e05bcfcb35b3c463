import type { RunningService } from '../../runtime/http.js';
import { recorderOf } from '../common/ingest.js';
import {
  identityCheckFromOptions,
  ingestFromOptions,
  startSubgraphServer,
  type SubgraphServiceOptions,
} from '../common/server.js';
import { ShipmentLedger } from '../common/shipmentLedger.js';
import { carrierIngest } from './ingest.js';
import { createLoaders, type CarrierContext } from './loaders.js';
import type { CarrierPort, CarrierRecorder } from './port.js';
import { resolvers } from './resolvers.js';

/** Starts the carrier subgraph over its system's port, with `POST /ingest` when `bus` and `webhookSecret` are given. */
export async function start(opts: SubgraphServiceOptions<CarrierPort>): Promise<RunningService> {
  return startSubgraphServer<CarrierContext>({
    name: 'carrier',
    resolvers,
    context: (identity) => ({ identity, loaders: createLoaders(opts.system) }),
    listen: opts,
    logger: opts.logger,
    identity: identityCheckFromOptions('carrier', opts),
    ingest: ingestFromOptions(opts, () =>
      carrierIngest(
        recorderOf<CarrierRecorder>(opts.system, 'carrier', ['recordScans']),
        opts.bus && new ShipmentLedger(opts.bus),
      ),
    ),
  });
}
