import { batchLoader } from '../common/loaders.js';
import type { ErpPort } from './port.js';

/** The erp subgraph's per-request DataLoaders, one per batch-shaped port method. */
export function createLoaders(port: ErpPort) {
  return {
    order: batchLoader((ids: readonly string[]) => port.ordersById(ids)),
    payment: batchLoader((ids: readonly string[]) => port.paymentsById(ids)),
  };
}

export interface ErpContext { loaders: ReturnType<typeof createLoaders> }
