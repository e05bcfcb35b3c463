import {
  CONSUMER_POLICIES, deriveOrderStatus, ErrorCode,
  type FulfillmentFacts, type HoldFacts, type OrderStatusResult, type ReturnFacts, type ShipmentFacts, type StatusInputs,
} from '../../canonical/index.js';
import { graphqlError } from '../common/errors.js';
import { loadPresent } from '../common/loaders.js';
import type { OmsContext } from './loaders.js';
import type { OmsOrder } from './port.js';

/**
 * An order as the gateway hands it to oms for the derived fields: oms's own row merged with the
 * other owners' slices that `@requires` asked for. A slice the gateway could not fetch is missing,
 * or null inside a list (FEDERATION_NOTES.md, "Failure inside the @requires chain").
 */
export interface OrderWithSlices extends OmsOrder {
  acceptedAt?: string | null;
  holds?: (HoldFacts | null)[] | null;
  fulfillmentOrders?: ({ warehouseStatus: FulfillmentFacts['warehouseStatus'] | null; pickedAt?: string | null } | null)[] | null;
  shipments?: (ShipmentFacts | null)[] | null;
  returns?: (ReturnFacts | null)[] | null;
}

const unavailable = (slice: string, owner: string): never => {
  throw graphqlError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    `the derived status needs ${slice} from ${owner}, which is unavailable; it is null rather than a guess`,
    { serviceName: owner },
  );
};

/** Every element present, or the owning slice is unavailable. */
function complete<T>(list: (T | null)[] | null | undefined, slice: string, owner: string, check: (t: T) => boolean = () => true): T[] {
  if (!Array.isArray(list)) return unavailable(slice, owner);
  for (const item of list) if (item == null || !check(item)) unavailable(slice, owner);
  return list as T[];
}

/** Builds the canonical status inputs from the order and its slices, refusing to guess. */
async function statusInputs(order: OrderWithSlices, ctx: OmsContext): Promise<StatusInputs> {
  if (order.acceptedAt === undefined) unavailable('acceptance', 'erp');
  const holds = complete(order.holds, 'holds', 'erp');
  const shipments = complete(order.shipments, 'shipments', 'wms', (s) => s.status != null || unavailable('tracking status', 'carrier'));
  const returns = complete(order.returns, 'returns', 'returns', (r) => r.receipt !== undefined || unavailable('return receipts', 'wms'));
  // An item is null when the WMS failed; a present item with a null status is a fulfillment order
  // the node has not received yet (allocated, nothing picked).
  const execution = complete(order.fulfillmentOrders, 'fulfillment execution', 'wms', (f) => f.warehouseStatus !== undefined);
  const own = await loadPresent(ctx.loaders.fulfillmentOrder, order.fulfillmentOrderIds);
  // A partner is handed only the fulfillment orders at its node (access.ts): the status of an order
  // shared with other nodes needs theirs too, which it may not see, so it gets no status, not a partial one.
  if (own.length !== execution.length && CONSUMER_POLICIES[ctx.identity.consumer].rows === 'partner-node') {
    throw graphqlError(
      ErrorCode.FORBIDDEN,
      'the derived status needs every fulfillment order of the order, and a partner sees only those at its own node; it is null rather than a partial answer',
    );
  }
  // The gateway lists fulfillment orders in the order oms returned them; a different count means
  // the order changed between the fetches of this request, and zipping would mix two versions.
  if (own.length !== execution.length) unavailable('fulfillment execution (the order changed during the request)', 'wms');
  const fulfillmentOrders: FulfillmentFacts[] = own.map((fo, i) => ({
    lines: fo.lines,
    allocatedAt: fo.allocatedAt,
    warehouseStatus: execution[i]!.warehouseStatus ?? null,
    pickedAt: execution[i]!.pickedAt ?? null,
  }));
  return {
    lines: order.lines.map((l) => ({ lineNumber: l.lineNumber, ordered: l.quantity, cancelled: l.cancelledQuantity, backordered: l.backorderedQuantity })),
    fulfillmentOrders,
    acceptedAt: order.acceptedAt ?? null,
    holds,
    shipments,
    returns,
  };
}

const derivations = new WeakMap<object, Promise<OrderStatusResult>>();

/** The order's derived status, computed once per order object per request. */
export function derive(order: OrderWithSlices, ctx: OmsContext): Promise<OrderStatusResult> {
  let result = derivations.get(order);
  if (!result) {
    result = statusInputs(order, ctx).then(deriveOrderStatus);
    derivations.set(order, result);
  }
  return result;
}
