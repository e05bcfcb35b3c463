/**
 * The native records each simulated system keeps. The demo generator produces them; each
 * subgraph's simulator adapter serves its own slice through its port. Every record carries its
 * order id (a carrier's through the references printed on the label).
 */
import type {
  Channel, Disposition, HoldType, NodeType, PaymentStatus, ReturnStatus, WarehouseStatus,
} from '../canonical/index.js';

export type { Money } from '../canonical/money.js';
import type { Money } from '../canonical/money.js';
export interface QtyLine { lineNumber: number; quantity: number }

// ---- OMS: customers, orders, lines, sourcing to nodes
export interface OmsCustomer { id: string; salesforceAccountId: string | null; name: string; email: string | null }
export interface OmsNode { id: string; type: NodeType; name: string }
export interface OmsLine {
  lineNumber: number; sku: string; description: string | null; finalSale: boolean;
  /** Units ordered. */
  quantity: number;
  cancelledQuantity: number;
  backorderedQuantity: number;
}
export interface OmsOrder {
  id: string; number: string; channel: Channel; placedAt: string; customerId: string;
  lines: OmsLine[];
  /** Fulfillment orders, in creation order. */
  fulfillmentOrderIds: string[];
}
export interface OmsFulfillmentOrder {
  id: string; orderId: string; nodeId: string;
  /** When oms sourced these units to the node. */
  allocatedAt: string;
  lines: QtyLine[];
}
export interface OmsSlice {
  customers: OmsCustomer[]; nodes: OmsNode[]; orders: OmsOrder[]; fulfillmentOrders: OmsFulfillmentOrder[];
}

// ---- ERP: acceptance, holds, invoices, payments, credit memos, totals
export interface ErpHold { type: HoldType; reason: string | null; placedAt: string; releasedAt: string | null }
export interface ErpInvoice { number: string; postedAt: string; amount: Money; lines: (QtyLine & { amount: Money })[] }
export interface ErpPayment {
  id: string; orderId: string; method: string | null; status: PaymentStatus; amount: Money;
  capturedAmount: Money; refundedAmount: Money; authorizedAt: string | null; capturedAt: string | null;
}
export interface ErpCreditMemo { number: string; postedAt: string; amount: Money; returnId: string | null }
export interface ErpOrder {
  orderId: string; erpSalesOrderId: string; acceptedAt: string | null;
  holds: ErpHold[]; invoices: ErpInvoice[]; paymentIds: string[]; paymentStatus: PaymentStatus;
  creditMemos: ErpCreditMemo[];
  totals: { subtotal: Money; tax: Money; shipping: Money; total: Money };
}
export interface ErpSlice { orders: ErpOrder[]; payments: ErpPayment[] }

// ---- WMS: execution at every node (DC, store, drop-ship ASN), shipments, return receipts
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

// ---- Carrier: tracking, keyed by tracking number; references printed on the label
export interface CarrierScan { occurredAt: string; code: string; description: string; location: string | null }
export interface CarrierShipment {
  trackingNumber: string; carrier: string; service: string;
  references: { shipmentId: string; orderId: string };
  /** Oldest first. A label with no scan has only the label-created event. */
  scans: CarrierScan[];
  estimatedDeliveryAt: string | null;
}
export interface CarrierSlice { shipments: CarrierShipment[] }

// ---- Returns desk
export interface ReturnLineRecord { lineNumber: number; quantity: number; reason: string | null }
export interface ReturnRecord {
  id: string; orderId: string; rmaNumber: string | null; status: ReturnStatus; channel: Channel;
  requestedAt: string; reason: string | null; lines: ReturnLineRecord[];
  refund: { amount: Money; creditMemoNumber: string | null; refundedAt: string | null } | null;
}
export interface ReturnsSlice { returns: ReturnRecord[] }

/** The whole demo world, one slice per system. */
export interface DemoData { oms: OmsSlice; erp: ErpSlice; wms: WmsSlice; carrier: CarrierSlice; returns: ReturnsSlice }
export type SystemName = keyof DemoData;
