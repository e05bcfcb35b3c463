/**
 * The native records the WMS (execution at every node: DC, store, drop-ship ASN; shipments; return receipts) keeps, as its port reads and writes them. Adapters map the real
 * system's API onto these; the simulator stores them as they are. Every record carries its order id.
 */
import type { Disposition, WarehouseStatus } from '../../canonical/index.js';
import type { QtyLine } from '../../canonical/quantities.js';

export type { QtyLine };

export interface WmsFulfillmentOrder {
  id: string;
  orderId: string;
  nodeId: string;
  status: WarehouseStatus;
  releasedAt: string;
  pickedAt: string | null;
  packedAt: string | null;
  shippedAt: string | null;
  /** Why the node declined it (CANCEL's reason code), when it did. */
  cancelReason?: string | null;
  /** When the node declined it. */
  cancelledAt?: string | null;
}
export interface WmsShipment {
  id: string;
  orderId: string;
  fulfillmentOrderId: string;
  shippedAt: string;
  lines: QtyLine[];
  /** Carrier and tracking number the label was printed for (the carrier system owns tracking). */
  carrier: string;
  trackingNumber: string;
}
export interface WmsReturnReceipt {
  returnId: string;
  orderId: string;
  receivedAt: string;
  /** What the node reported receiving (the graph counts at most what was delivered: docs/status.md). */
  lines: (QtyLine & { disposition: Disposition })[];
  /** Units reported beyond what was shipped when the receipt arrived, per line: flagged, not counted. */
  excess?: QtyLine[];
}
export interface WmsSlice {
  fulfillmentOrders: WmsFulfillmentOrder[];
  shipments: WmsShipment[];
  receipts: WmsReturnReceipt[];
}
