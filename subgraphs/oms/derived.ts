import {
  CONSUMER_POLICIES,
  deriveOrderStatus,
  ErrorCode,
  type CreditMemoFacts,
  type FulfillmentFacts,
  type HoldFacts,
  type Money,
  type OrderStatusResult,
  type PaymentFacts,
  type QuantityLine,
  type ReturnFacts,
  type ShipmentFacts,
  type StatusInputs,
  type UnconfirmedShipmentFacts,
} from '../../canonical/index.js';
import { graphqlError } from '../common/errors.js';
import { loadPresent } from '../common/loaders.js';
import type { OmsContext } from './loaders.js';
import type { OmsOrder } from './port.js';

type Maybe<T> = T | null | undefined;

/** A shipment as `@requires` delivers it: wms's part and carrier's part, each with its marker. */
interface ShipmentSlice {
  id?: string;
  shippedAt: string;
  lines: QuantityLine[];
  trackingAsOf?: Maybe<string>;
  status?: Maybe<ShipmentFacts['status']>;
  deliveredAt?: Maybe<string>;
  lastScanAt?: Maybe<string>;
  estimatedDeliveryAt?: Maybe<string>;
}
interface ReturnSlice {
  id?: string;
  status: ReturnFacts['status'];
  requestedAt?: Maybe<string>;
  lines: QuantityLine[];
  refund?: Maybe<{ amount: Money; refundedAt?: Maybe<string> }>;
  receiptAsOf?: Maybe<string>;
  receipt?: Maybe<{ receivedAt: string; lines: QuantityLine[] }>;
}
interface ExecutionSlice {
  executionAsOf?: Maybe<string>;
  warehouseStatus?: Maybe<FulfillmentFacts['warehouseStatus']>;
  pickedAt?: Maybe<string>;
  cancelReason?: Maybe<string>;
  cancelledAt?: Maybe<string>;
}

/**
 * An order as the gateway hands it to oms for the derived fields: oms's own row merged with the
 * other owners' slices that `@requires` asked for. Each slice carries its owner's non-null marker
 * (`erpAsOf`, `wmsAsOf`, `returnsAsOf`, `carrierAsOf`, and per item `executionAsOf`, `trackingAsOf`,
 * `receiptAsOf`): a slice without its marker is unavailable. A nullable field inside a present
 * slice reads the same whether the router sent it as null or left it out (FEDERATION_NOTES.md).
 */
export interface OrderWithSlices extends OmsOrder {
  erpAsOf?: Maybe<string>;
  acceptedAt?: Maybe<string>;
  holds?: Maybe<Maybe<HoldFacts>[]>;
  payments?: Maybe<Maybe<PaymentFacts>[]>;
  creditMemos?: Maybe<Maybe<CreditMemoFacts>[]>;
  wmsAsOf?: Maybe<string>;
  fulfillmentOrders?: Maybe<Maybe<ExecutionSlice>[]>;
  shipments?: Maybe<Maybe<ShipmentSlice>[]>;
  returnsAsOf?: Maybe<string>;
  returns?: Maybe<Maybe<ReturnSlice>[]>;
  carrierAsOf?: Maybe<string>;
  trackedShipments?: Maybe<Maybe<UnconfirmedShipmentFacts & { trackingAsOf?: Maybe<string> }>[]>;
}

const unavailable = (slice: string, owner: string): never => {
  throw graphqlError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    `the derived status needs ${slice} from ${owner}, which is unavailable; it is null rather than a guess`,
    { serviceName: owner },
  );
};

const marked = (marker: unknown): boolean => typeof marker === 'string' && marker.length > 0;

/** Every element present, or the owning slice is unavailable (a list is never null while its owner answers). */
function complete<T>(
  list: Maybe<Maybe<T>[]>,
  slice: string,
  owner: string,
  check: (t: T) => boolean = () => true,
): T[] {
  if (!Array.isArray(list)) return unavailable(slice, owner);
  for (const item of list) if (item == null || !check(item)) unavailable(slice, owner);
  return list as T[];
}

/** Builds the canonical status inputs from the order and its slices, refusing to guess. */
async function statusInputs(order: OrderWithSlices, ctx: OmsContext): Promise<StatusInputs> {
  if (!marked(order.erpAsOf)) unavailable('acceptance, holds and payments', 'erp');
  if (!marked(order.wmsAsOf)) unavailable('shipments', 'wms');
  if (!marked(order.returnsAsOf)) unavailable('returns', 'returns');
  const holds = complete(order.holds, 'holds', 'erp');
  const payments = complete(order.payments, 'payments', 'erp');
  const creditMemos = complete(order.creditMemos, 'credit memos', 'erp');
  const shipmentSlices = complete(
    order.shipments,
    'shipments',
    'wms',
    (s) => (marked(s.trackingAsOf) && s.status != null) || unavailable('tracking status', 'carrier'),
  );
  const returnSlices = complete(
    order.returns,
    'returns',
    'returns',
    (r) => marked(r.receiptAsOf) || unavailable('return receipts', 'wms'),
  );
  // Parcels the WMS never confirmed (carrier `Order.trackedShipments`) are not required here: a
  // required carrier slice on Order would make a carrier outage null every status. When a router
  // passes them anyway they add a problem beside the headline.
  const tracked =
    marked(order.carrierAsOf) && Array.isArray(order.trackedShipments) && order.trackedShipments.every((t) => t != null)
      ? (order.trackedShipments as UnconfirmedShipmentFacts[])
      : undefined;
  // An item is null when the WMS failed; a present item with a null status is a fulfillment order
  // the node has not received yet (allocated, nothing picked).
  const execution = complete(order.fulfillmentOrders, 'fulfillment execution', 'wms', (f) => marked(f.executionAsOf));
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
  if (own.length !== execution.length)
    unavailable('fulfillment execution (the order changed during the request)', 'wms');
  const fulfillmentOrders: FulfillmentFacts[] = own.map((fo, i) => ({
    id: fo.id,
    nodeId: fo.nodeId,
    lines: fo.lines,
    allocatedAt: fo.allocatedAt,
    warehouseStatus: execution[i]!.warehouseStatus ?? null,
    pickedAt: execution[i]!.pickedAt ?? null,
    cancelReason: execution[i]!.cancelReason ?? null,
    cancelledAt: execution[i]!.cancelledAt ?? null,
  }));
  const shipments: ShipmentFacts[] = shipmentSlices.map((s) => ({
    id: s.id,
    shippedAt: s.shippedAt,
    lines: s.lines,
    status: s.status!,
    deliveredAt: s.deliveredAt ?? null,
    lastScanAt: s.lastScanAt ?? null,
    estimatedDeliveryAt: s.estimatedDeliveryAt ?? null,
  }));
  const returns: ReturnFacts[] = returnSlices.map((r) => ({
    id: r.id,
    status: r.status,
    requestedAt: r.requestedAt ?? null,
    lines: r.lines,
    receipt: r.receipt ?? null,
    refund: r.refund ? { amount: r.refund.amount, refundedAt: r.refund.refundedAt ?? null } : null,
  }));
  const confirmed = new Set(shipments.map((s) => s.id));
  return {
    lines: order.lines.map((l) => ({
      lineNumber: l.lineNumber,
      ordered: l.quantity,
      cancelled: l.cancelledQuantity,
      backordered: l.backorderedQuantity,
    })),
    fulfillmentOrders,
    acceptedAt: order.acceptedAt ?? null,
    holds,
    shipments,
    returns,
    payments,
    creditMemos,
    unconfirmedShipments: tracked
      ?.filter((t) => !confirmed.has(t.id))
      .map((t) => ({
        id: t.id,
        status: t.status,
        lastScanAt: t.lastScanAt ?? null,
        deliveredAt: t.deliveredAt ?? null,
      })),
    now: new Date(ctx.now()).toISOString(),
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
