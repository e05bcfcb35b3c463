import type { Identity } from '../../canonical/index.js';
import { batchLoader } from '../common/loaders.js';
import type { ErpPort } from './port.js';

/** The erp subgraph's per-request DataLoaders, one per batch-shaped port method. */
export function createLoaders(port: ErpPort) {
  return {
    order: batchLoader((ids: readonly string[]) => port.ordersById(ids)),
    payment: batchLoader((ids: readonly string[]) => port.paymentsById(ids)),
  };
}

export interface ErpContext {
  /** Who is calling, from the gateway's signed identity header. */
  identity: Identity;
  loaders: ReturnType<typeof createLoaders>;
}
