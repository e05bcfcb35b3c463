import type { RunningService } from '../../runtime/http.js';
import { recorderOf } from '../common/ingest.js';
import { DEFAULT_RETURN_WINDOW_DAYS } from '../../canonical/index.js';
import { MemoryAuditLog } from '../common/auditLog.js';
import { GatewayClient } from '../common/gatewayClient.js';
import { queuedBefore } from '../common/keyedLock.js';
import {
  applierFromOptions,
  identityCheckFromOptions,
  ingestFromOptions,
  startSubgraphServer,
  type SubgraphServiceOptions,
} from '../common/server.js';
import { OmsActions } from './actions.js';
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
  /** The clock the derived fields read (delivery estimates passed, the return window), in ms. @default Date.now */
  now?: () => number;
  /** Days after the last delivery a line can be returned (`RETURN_WINDOW_DAYS`, 1-365). @default DEFAULT_RETURN_WINDOW_DAYS (30) */
  returnWindowDays?: number;
}

/** Starts the oms subgraph over its system's port, with `POST /ingest` when `bus` and `webhookSecret` are given. */
export async function start(opts: OmsServiceOptions): Promise<RunningService> {
  const cursors = new OrderCursors(opts.cursorSecret ?? DEV_CURSOR_SECRET);
  const now = opts.now ?? Date.now;
  const returnWindowDays = checkWindowDays(opts.returnWindowDays ?? DEFAULT_RETURN_WINDOW_DAYS);
  const recorder =
    typeof (opts.system as Partial<OmsRecorder>).cancelLine === 'function'
      ? (opts.system as unknown as OmsRecorder)
      : undefined;
  const ingest = recorder && omsIngest(recorder, opts.bus && new ShipmentLedger(opts.bus));
  const applier = ingest && applierFromOptions(opts, ingest);
  const identity = identityCheckFromOptions('oms', opts);
  const actions =
    ingest && applier
      ? new OmsActions({
          port: opts.system,
          applier,
          ingest,
          now,
          audit: opts.audit ?? new MemoryAuditLog(),
          // Replicas share the store's lock and results; this process's requests queue in memory first.
          lock: opts.actionLock && queuedBefore(opts.actionLock),
          results: opts.actionResults,
          gateway: new GatewayClient(opts.gatewayUrl, identity.secret, 'oms-service'),
        })
      : undefined;
  return startSubgraphServer<OmsContext>({
    name: 'oms',
    resolvers,
    context: (identity) => ({
      identity,
      port: opts.system,
      loaders: createLoaders(opts.system),
      cursors,
      now,
      returnWindowDays,
      actions,
    }),
    listen: opts,
    logger: opts.logger,
    identity,
    ingest: ingestFromOptions(
      opts,
      () =>
        ingest ??
        omsIngest(
          recorderOf<OmsRecorder>(opts.system, 'oms', [
            'placeOrder',
            'cancelLine',
            'cancelOrder',
            'allocate',
            'backorder',
          ]),
          opts.bus && new ShipmentLedger(opts.bus),
        ),
      applier,
    ),
  });
}

function checkWindowDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw new Error(
      `returnWindowDays (RETURN_WINDOW_DAYS) must be a whole number of days from 1 to 365; received ${days}`,
    );
  return days;
}
