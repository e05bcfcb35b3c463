import type { RunningService } from '../../runtime/http.js';
import { recorderOf } from '../common/ingest.js';
import { identityCheckFromOptions, ingestFromOptions, startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { ShipmentLedger } from '../common/shipmentLedger.js';
import { omsIngest } from './ingest.js';
import { createLoaders, type OmsContext } from './loaders.js';
import type { OmsPort, OmsRecorder } from './port.js';
import { resolvers } from './resolvers.js';

/** What the oms subgraph takes beyond every subgraph's options. */
export interface OmsServiceOptions {
  /** The clock the derived fields read (delivery estimates passed), in ms. @default Date.now */
  now?: () => number;
}

/** Starts the oms subgraph over its system's port, with `POST /ingest` when `bus` and `webhookSecret` are given. */
export async function start(opts: SubgraphServiceOptions<OmsPort> & OmsServiceOptions): Promise<RunningService> {
  const now = opts.now ?? Date.now;
  return startSubgraphServer<OmsContext>({
    name: 'oms',
    resolvers,
    context: (identity) => ({ identity, port: opts.system, loaders: createLoaders(opts.system), now }),
    listen: opts,
    logger: opts.logger,
    identity: identityCheckFromOptions('oms', opts),
    ingest: ingestFromOptions(opts, () => omsIngest(
      recorderOf<OmsRecorder>(opts.system, 'oms', ['placeOrder', 'cancelLine', 'cancelOrder', 'allocate', 'backorder']),
      opts.bus && new ShipmentLedger(opts.bus),
    )),
  });
}
