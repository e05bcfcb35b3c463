import type { Identity } from '../../canonical/index.js';
import { batchLoader } from '../common/loaders.js';
import type { OmsActions } from './actions.js';
import type { OrderCursors } from './pagination.js';
import type { OmsPort } from './port.js';

/** The oms subgraph's per-request DataLoaders, one per batch-shaped port method. */
export function createLoaders(port: OmsPort) {
  return {
    order: batchLoader((ids: readonly string[]) => port.ordersById(ids)),
    orderByNumber: batchLoader((numbers: readonly string[]) => port.ordersByNumber(numbers)),
    customer: batchLoader((ids: readonly string[]) => port.customersById(ids)),
    fulfillmentOrder: batchLoader((ids: readonly string[]) => port.fulfillmentOrdersById(ids)),
    node: batchLoader((ids: readonly string[]) => port.nodesById(ids)),
  };
}
export type OmsLoaders = ReturnType<typeof createLoaders>;

export interface OmsContext {
  /** Who is calling, from the gateway's signed identity header. */
  identity: Identity;
  port: OmsPort;
  loaders: OmsLoaders;
  /** Signs and checks the `orders` connection's cursors (one per process, keyed by `ORDERS_CURSOR_SECRET`). */
  cursors: OrderCursors;
  /** The clock the derived fields judge "estimated delivery passed" and the return window against, in ms. */
  now: () => number;
  /** The return window, days after the last delivery (`RETURN_WINDOW_DAYS`). @default DEFAULT_RETURN_WINDOW_DAYS (30) */
  returnWindowDays?: number;
  /** The actions (requestCancellation, createReplacementOrder); absent when the subgraph runs read-only. */
  actions?: OmsActions;
}
