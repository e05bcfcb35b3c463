import type { Channel } from '../../canonical/index.js';
import type { OmsCustomer, OmsFulfillmentOrder, OmsNode, OmsOrder } from './records.js';
import type { ApplyResult, GuardedApply } from '../common/ingest.js';
import type { UnitsByLine } from '../common/shipmentLedger.js';

export type { OmsCustomer, OmsFulfillmentOrder, OmsNode, OmsOrder };

/** Where a page starts: after this order in newest-first order. */
export interface OrderPosition {
  placedAt: string;
  id: string;
}

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

export interface OrderPage {
  orders: OmsOrder[];
  totalCount: number;
  hasNextPage: boolean;
}

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

/** The write side ingest applies OMS notifications to (the memory simulator implements it). */
export interface OmsRecorder {
  /**
   * Records a new order, and its customer when new, and makes it findable by every
   * {@link OmsPort.findOrders} index at once. The same order again is a no-op.
   * @throws GuardRefusal (409) when an order with this id exists with another customer, number, channel or lines.
   */
  placeOrder(order: OmsOrder, customer: OmsCustomer): ApplyResult;
  /**
   * Sets a line's cancelled units (a total); `stale` when fewer than already cancelled. Units
   * already handed to a carrier (`dispatched`) are never cancelled: that part is refused.
   * Backordered units shrink so that backordered ≤ net − allocated.
   */
  cancelLine(
    orderId: string,
    lineNumber: number,
    cancelledQuantity: number,
    dispatched?: number,
  ): ApplyResult | GuardedApply;
  /** Cancels every unit of every line that has not been handed to a carrier (`dispatched`, per line). */
  cancelOrder(orderId: string, dispatched?: UnitsByLine): ApplyResult | GuardedApply;
  /** Sources units to a node as a new fulfillment order; those units stop being backordered. */
  allocate(fulfillmentOrder: OmsFulfillmentOrder): ApplyResult;
  /** Sets lines' backordered units (totals), capped at each line's open units (net − allocated). */
  backorder(
    orderId: string,
    lines: readonly { lineNumber: number; backorderedQuantity: number }[],
  ): ApplyResult | GuardedApply;
}
