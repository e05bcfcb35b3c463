import type { Identity } from '../../canonical/index.js';
import { batchLoader } from '../common/loaders.js';
import type { VisibilityPort } from './port.js';

/** The visibility subgraph's per-request DataLoaders over the store's batch reads. */
export function createLoaders(port: VisibilityPort) {
  const { store } = port;
  return {
    exceptionsByOrder: batchLoader((ids: readonly string[]) => store.exceptions.forOrders(ids)),
    timelineByOrder: batchLoader((ids: readonly string[]) => store.orders.histories(ids)),
    order: batchLoader(async (ids: readonly string[]) => {
      const rows = new Map((await store.orders.getMany(ids)).map((r) => [r.orderId, r]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
  };
}

export interface VisibilityContext {
  /** Who is calling, from the gateway's signed identity header. */
  identity: Identity;
  loaders: ReturnType<typeof createLoaders>;
  port: VisibilityPort;
}
