import type { WmsFulfillmentOrder, WmsReturnReceipt, WmsShipment } from '../../demo/records.js';

export type { WmsFulfillmentOrder, WmsReturnReceipt, WmsShipment };

/**
 * The warehouse system of every node (DC, store, drop-ship partner), as the wms subgraph reaches
 * it. Batch-shaped: one call for many keys, one result per key in key order.
 */
export interface WmsPort {
  /** Each order's shipments, oldest first ([] when none). */
  shipmentsByOrderIds(orderIds: readonly string[]): Promise<WmsShipment[][]>;
  shipmentsById(ids: readonly string[]): Promise<(WmsShipment | null)[]>;
  fulfillmentOrdersById(ids: readonly string[]): Promise<(WmsFulfillmentOrder | null)[]>;
  /** Each return's receipt, or null when nothing was received yet. */
  receiptsByReturnIds(returnIds: readonly string[]): Promise<(WmsReturnReceipt | null)[]>;
}
