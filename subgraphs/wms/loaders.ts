import type { Identity } from '../../canonical/index.js';
import { batchLoader } from '../common/loaders.js';
import type { WmsPort } from './port.js';

/** The wms subgraph's per-request DataLoaders, one per batch-shaped port method. */
export function createLoaders(port: WmsPort) {
  return {
    shipmentsByOrder: batchLoader((ids: readonly string[]) => port.shipmentsByOrderIds(ids)),
    shipment: batchLoader((ids: readonly string[]) => port.shipmentsById(ids)),
    fulfillmentOrder: batchLoader((ids: readonly string[]) => port.fulfillmentOrdersById(ids)),
    receipt: batchLoader((ids: readonly string[]) => port.receiptsByReturnIds(ids)),
  };
}

export interface WmsContext {
  /** Who is calling, from the gateway's signed identity header. */
  identity: Identity;
  loaders: ReturnType<typeof createLoaders>;
}
