import type { Channel } from '../../canonical/index.js';
import type { OmsCustomer, OmsFulfillmentOrder, OmsNode, OmsOrder } from '../../demo/records.js';

export type { OmsCustomer, OmsFulfillmentOrder, OmsNode, OmsOrder };

/** Where a page starts: after this order in newest-first order. */
export interface OrderPosition { placedAt: string; id: string }

/** A search of orders, newest first (placedAt desc, then id desc). */
export interface OrderQuery {
  customerId?: string;
  salesforceAccountId?: string;
  channel?: Channel;
  placedFrom?: string;
  placedTo?: string;
  fulfillmentNodeId?: string;
  after?: OrderPosition;
  first: number;
}

export interface OrderPage { orders: OmsOrder[]; totalCount: number; hasNextPage: boolean }

/**
 * The order-management system, as the oms subgraph reaches it. Every lookup is batch-shaped (one
 * call for many keys, one result per key in key order, null where there is no record).
 */
export interface OmsPort {
  ordersById(ids: readonly string[]): Promise<(OmsOrder | null)[]>;
  ordersByNumber(numbers: readonly string[]): Promise<(OmsOrder | null)[]>;
  findOrders(query: OrderQuery): Promise<OrderPage>;
  customersById(ids: readonly string[]): Promise<(OmsCustomer | null)[]>;
  fulfillmentOrdersById(ids: readonly string[]): Promise<(OmsFulfillmentOrder | null)[]>;
  nodesById(ids: readonly string[]): Promise<(OmsNode | null)[]>;
}
