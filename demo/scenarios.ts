/**
 * The demo scenarios: where in its life each generated order stands, how often each occurs, and
 * which derived status (CANONICAL_MODEL.md, "The derived status") each must produce.
 */
import type { OrderStatus } from '../canonical/index.js';
import { weighted, type WeightedTable } from './rng.js';

/** Every scenario, in the order the first generated orders cycle through them. */
export const DEMO_SCENARIOS = [
  'pending',
  'accepted',
  'held-accepted-in-oms',
  'backordered',
  'partially-allocated',
  'allocated',
  'in-fulfillment',
  'partially-shipped',
  'split-dc-store-shipped',
  'drop-ship',
  'shipped-without-scan',
  'shipped-label-only',
  'in-transit',
  'partially-delivered',
  'delivered',
  'return-initiated',
  'return-rejected',
  'partially-returned',
  'returned',
  'cancelled',
  'partially-cancelled',
  'fulfillment-declined',
  'returned-to-sender',
  'refunded-without-return',
] as const;
export type DemoScenario = (typeof DEMO_SCENARIOS)[number];

/**
 * How often each scenario is drawn once the first orders have cycled through all of them:
 * a 120-day history is mostly delivered, with a tail of in-flight and exceptional orders.
 */
export const SCENARIO_WEIGHTS: Readonly<Record<DemoScenario, number>> = {
  pending: 2,
  accepted: 2,
  'held-accepted-in-oms': 3,
  backordered: 3,
  'partially-allocated': 2,
  allocated: 3,
  'in-fulfillment': 4,
  'partially-shipped': 3,
  'split-dc-store-shipped': 2,
  'drop-ship': 3,
  'shipped-without-scan': 1,
  'shipped-label-only': 2,
  'in-transit': 12,
  'partially-delivered': 3,
  delivered: 34,
  'return-initiated': 3,
  'return-rejected': 1,
  'partially-returned': 3,
  returned: 4,
  cancelled: 4,
  'partially-cancelled': 2,
  'fulfillment-declined': 1,
  'returned-to-sender': 1,
  'refunded-without-return': 1,
};

export const SCENARIO_TABLE: WeightedTable<DemoScenario> = weighted(
  DEMO_SCENARIOS.map((s) => [s, SCENARIO_WEIGHTS[s]] as const),
);

/** The derived order status(es) each scenario produces; the tests hold the generator to this. */
export const SCENARIO_STATUSES: Readonly<Record<DemoScenario, readonly OrderStatus[]>> = {
  pending: ['PENDING'],
  accepted: ['ACCEPTED'],
  'held-accepted-in-oms': ['ON_HOLD'],
  backordered: ['BACKORDERED'],
  'partially-allocated': ['PARTIALLY_ALLOCATED'],
  allocated: ['ALLOCATED'],
  'in-fulfillment': ['IN_FULFILLMENT'],
  'partially-shipped': ['PARTIALLY_SHIPPED'],
  'split-dc-store-shipped': ['SHIPPED', 'PARTIALLY_DELIVERED'],
  'drop-ship': ['SHIPPED', 'PARTIALLY_DELIVERED', 'DELIVERED'],
  'shipped-without-scan': ['SHIPPED'],
  'shipped-label-only': ['SHIPPED'],
  'in-transit': ['SHIPPED'],
  'partially-delivered': ['PARTIALLY_DELIVERED'],
  delivered: ['DELIVERED'],
  'return-initiated': ['RETURN_INITIATED'],
  'return-rejected': ['DELIVERED'],
  'partially-returned': ['PARTIALLY_RETURNED'],
  returned: ['RETURNED'],
  cancelled: ['CANCELLED'],
  'partially-cancelled': ['SHIPPED', 'DELIVERED'],
  // The status-truth cases (docs/status.md): a node declines its fulfillment order (NO_STOCK, not
  // re-sourced: fulfillmentState FULFILLMENT_DECLINED); every parcel comes back to the sender
  // (neither shipped nor delivered: RETURNING_TO_SENDER); a refund without a return receipt
  // (returnState REFUNDED_WITHOUT_RETURN, a valid end state).
  'fulfillment-declined': ['ACCEPTED', 'PARTIALLY_ALLOCATED', 'IN_FULFILLMENT'],
  'returned-to-sender': ['IN_FULFILLMENT'],
  'refunded-without-return': ['DELIVERED'],
};
