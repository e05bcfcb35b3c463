/**
 * The native records the WMS (execution at every node: DC, store, drop-ship ASN; shipments; return receipts) keeps, as its port reads and writes them. Adapters map the real
 * system's API onto these; the simulator stores them as they are. Every record carries its order id.
 */
import type { Disposition, WarehouseStatus } from '../../canonical/index.js';
import type { QtyLine } from '../../canonical/quantities.js';

export type { QtyLine };

export interface WmsFulfillmentOrder {
  id: string; orderId: string; nodeId: string; status: WarehouseStatus;
  releasedAt: string; pickedAt: string | null; packedAt: string | null; shippedAt: string | null;
}
export interface WmsShipment {
  id: string; orderId: string; fulfillmentOrderId: string; shippedAt: string; lines: QtyLine[];
  /** Carrier and tracking number the label was printed for (the carrier system owns tracking). */
  carrier: string; trackingNumber: string;
}
export interface WmsReturnReceipt {
  returnId: string; orderId: string; receivedAt: string;
  lines: (QtyLine & { disposition: Disposition })[];
}
export interface WmsSlice { fulfillmentOrders: WmsFulfillmentOrder[]; shipments: WmsShipment[]; receipts: WmsReturnReceipt[] }
