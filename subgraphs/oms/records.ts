/**
 * The native records the OMS (customers, orders, lines, sourcing to nodes) keeps, as its port reads and writes them. Adapters map the real
 * system's API onto these; the simulator stores them as they are. Every record carries its order id.
 */
import type { Channel, NodeType } from '../../canonical/index.js';
import type { QtyLine } from '../../canonical/quantities.js';

export type { QtyLine };

export interface OmsCustomer {
  id: string;
  salesforceAccountId: string | null;
  name: string;
  email: string | null;
}
export interface OmsNode {
  id: string;
  type: NodeType;
  name: string;
}
export interface OmsLine {
  lineNumber: number;
  sku: string;
  description: string | null;
  finalSale: boolean;
  /** Units ordered. */
  quantity: number;
  cancelledQuantity: number;
  backorderedQuantity: number;
}
export interface OmsOrder {
  id: string;
  number: string;
  channel: Channel;
  placedAt: string;
  customerId: string;
  lines: OmsLine[];
  /** Fulfillment orders, in creation order. */
  fulfillmentOrderIds: string[];
}
export interface OmsFulfillmentOrder {
  id: string;
  orderId: string;
  nodeId: string;
  /** When oms sourced these units to the node. */
  allocatedAt: string;
  lines: QtyLine[];
}
export interface OmsSlice {
  customers: OmsCustomer[];
  nodes: OmsNode[];
  orders: OmsOrder[];
  fulfillmentOrders: OmsFulfillmentOrder[];
}
