import { CONSUMER_POLICIES, mayReadOrder } from '../../canonical/index.js';
import { loadPresent } from '../common/loaders.js';
import type { OmsContext } from './loaders.js';
import type { OmsFulfillmentOrder, OmsOrder, OrderQuery } from './port.js';

/**
 * Row rules of the OMS, the owner of orders and so of every order entry point (CANONICAL_MODEL.md,
 * "Consumers"): a storefront customer sees only own orders, a partner only orders with a
 * fulfillment order at its node. A row the caller may not see is absent — null, or left out of a
 * list — so its existence never leaks.
 */

/** The order if the caller may see it, else null. */
export async function visibleOrder(order: OmsOrder | null, ctx: OmsContext): Promise<OmsOrder | null> {
  if (!order) return null;
  const rows = CONSUMER_POLICIES[ctx.identity.consumer].rows;
  if (rows === 'all') return order;
  const nodeIds =
    rows === 'partner-node'
      ? (await loadPresent(ctx.loaders.fulfillmentOrder, order.fulfillmentOrderIds)).map((fo) => fo.nodeId)
      : [];
  return mayReadOrder(ctx.identity, { customerId: order.customerId, nodeIds }) ? order : null;
}

/**
 * The order's fulfillment orders the caller may see: all of them, except for a partner, who sees
 * only those at its own node (an order shared with a store or a DC shows the partner nothing of
 * theirs). The order itself is already visible (see {@link visibleOrder}).
 */
export async function visibleFulfillmentOrders(order: OmsOrder, ctx: OmsContext): Promise<OmsFulfillmentOrder[]> {
  const all = await loadPresent(ctx.loaders.fulfillmentOrder, order.fulfillmentOrderIds);
  if (CONSUMER_POLICIES[ctx.identity.consumer].rows !== 'partner-node') return all;
  return all.filter((fo) => fo.nodeId === ctx.identity.partnerNodeId);
}

/**
 * The list query narrowed to the caller's rows, or null when the caller's own filter asks for rows
 * outside them (the answer is then an empty page, the same as for a customer with no orders).
 */
export function visibleQuery(q: OrderQuery, ctx: OmsContext): OrderQuery | null {
  const { identity } = ctx;
  switch (CONSUMER_POLICIES[identity.consumer].rows) {
    case 'all':
      return q;
    case 'own-customer':
      if (!identity.customerId || (q.customerId !== undefined && q.customerId !== identity.customerId)) return null;
      return { ...q, customerId: identity.customerId };
    case 'partner-node':
      if (
        !identity.partnerNodeId ||
        (q.fulfillmentNodeId !== undefined && q.fulfillmentNodeId !== identity.partnerNodeId)
      )
        return null;
      return { ...q, fulfillmentNodeId: identity.partnerNodeId };
  }
}
