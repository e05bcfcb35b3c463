import type { ErpOrder, ErpPayment } from '../../demo/records.js';

export type { ErpOrder, ErpPayment };

/**
 * The ERP (system of record for acceptance, holds and money), as the erp subgraph reaches it.
 * Batch-shaped: one call for many keys, one result per key in key order, null for no record.
 */
export interface ErpPort {
  ordersById(orderIds: readonly string[]): Promise<(ErpOrder | null)[]>;
  paymentsById(ids: readonly string[]): Promise<(ErpPayment | null)[]>;
}
