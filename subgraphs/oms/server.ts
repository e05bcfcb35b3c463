import type { RunningService } from '../../runtime/http.js';
import { recorderOf } from '../common/ingest.js';
import { identityCheckFromOptions, ingestFromOptions, startSubgraphServer, type SubgraphServiceOptions } from '../common/server.js';
import { ShipmentLedger } from '../common/shipmentLedger.js';
import { omsIngest } from './ingest.js';
import { DEV_CURSOR_SECRET } from './cursorSecret.js';
import { createLoaders, type OmsContext } from './loaders.js';
import { OrderCursors } from './pagination.js';
import type { OmsPort, OmsRecorder } from './port.js';
import { resolvers } from './resolvers.js';

/** What the oms subgraph's `start()` takes: every subgraph's options, the cursor key and the clock. */
export interface OmsServiceOptions extends SubgraphServiceOptions<OmsPort> {
  /**
   * The key the `orders` connection signs its cursors with (`ORDERS_CURSOR_SECRET`); at least 16
   * characters. Replicas behind one gateway need the same key. Never logged.
   * @default DEV_CURSOR_SECRET (development only; `main.ts` refuses it when NODE_ENV=production)
   */
  cursorSecret?: string;
  /** The clock the derived fields read (delivery estimates passed), in ms. @default Date.now */
  now?: () => number;
}

/** Starts the oms subgraph over its system's port, with `POST /ingest` when `bus` and `webhookSecret` are given. */
export async function start(opts: OmsServiceOptions): Promise<RunningService> {
  const cursors = new OrderCursors(opts.cursorSecret ?? DEV_CURSOR_SECRET);
  const now = opts.now ?? Date.now;
  return startSubgraphServer<OmsContext>({
    name: 'oms',
    resolvers,
    context: (identity) => ({ identity, port: opts.system, loaders: createLoaders(opts.system), cursors, now }),
    listen: opts,
    logger: opts.logger,
    identity: identityCheckFromOptions('oms', opts),
    ingest: ingestFromOptions(opts, () => omsIngest(
      recorderOf<OmsRecorder>(opts.system, 'oms', ['placeOrder', 'cancelLine', 'cancelOrder', 'allocate', 'backorder']),
      opts.bus && new ShipmentLedger(opts.bus),
    )),
  });
}
