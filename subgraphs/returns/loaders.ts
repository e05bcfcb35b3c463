import type { Identity } from '../../canonical/index.js';
import type { AuditLog } from '../common/auditLog.js';
import { batchLoader } from '../common/loaders.js';
import type { ReturnsActions } from './actions.js';
import type { ReturnsPort } from './port.js';

/** The returns subgraph's per-request DataLoaders, one per batch-shaped port method. */
export function createLoaders(port: ReturnsPort) {
  return {
    returnsByOrder: batchLoader((ids: readonly string[]) => port.returnsByOrderIds(ids)),
    return: batchLoader((ids: readonly string[]) => port.returnsById(ids)),
    exchangeFor: batchLoader((ids: readonly string[]) => port.returnsByExchangeOrderIds(ids)),
  };
}

export interface ReturnsContext {
  /** Who is calling, from the gateway's signed identity header. */
  identity: Identity;
  loaders: ReturnType<typeof createLoaders>;
  /** The desk's actions (requestReturn); absent when the subgraph runs without its event bus. */
  actions?: ReturnsActions;
  /** The audit trail `Order.auditTrail` reads. */
  audit: AuditLog;
}
