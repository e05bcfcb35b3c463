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
  /** Why the node declined it (CANCEL's reason code), when it did. */
  cancelReason?: string | null;
  /** When the node declined it. */
  cancelledAt?: string | null;
}
export interface WmsShipment {
  id: string; orderId: string; fulfillmentOrderId: string; shippedAt: string; lines: QtyLine[];
  /** Carrier and tracking number the label was printed for (the carrier system owns tracking). */
  carrier: string; trackingNumber: string;
}
export interface WmsReturnReceipt {
  returnId: string; orderId: string; receivedAt: string;
  /** What the graph counts as received: at most what was shipped of each line (docs/ingest.md, "Guards"). */
  lines: (QtyLine & { disposition: Disposition })[];
  /** Units the node reported beyond what was shipped, per line: recorded, not counted. */
  excess?: QtyLine[];
}
export interface WmsSlice { fulfillmentOrders: WmsFulfillmentOrder[]; shipments: WmsShipment[]; receipts: WmsReturnReceipt[] }
