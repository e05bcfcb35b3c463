import type { Identity } from '../../canonical/index.js';
import { batchLoader } from '../common/loaders.js';
import type { CarrierPort } from './port.js';

/** The carrier subgraph's per-request DataLoaders, one per batch-shaped port method. */
export function createLoaders(port: CarrierPort) {
  return {
    byShipment: batchLoader((ids: readonly string[]) => port.trackByShipmentIds(ids)),
    byNumber: batchLoader((numbers: readonly string[]) => port.trackByNumbers(numbers)),
    byOrder: batchLoader((orderIds: readonly string[]) => port.trackByOrderIds(orderIds)),
  };
}

export interface CarrierContext {
  /** Who is calling, from the gateway's signed identity header. */
  identity: Identity;
  loaders: ReturnType<typeof createLoaders>;
}
