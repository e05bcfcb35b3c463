import { seesAllOrders } from '../common/access.js';
import { requireId } from '../common/errors.js';
import { DateTime } from '../common/scalars.js';
import type { WmsContext } from './loaders.js';
import type { WmsFulfillmentOrder, WmsShipment } from './port.js';

/** What the WMS says of a fulfillment order its node has not received yet. */
function notYetReleased(id: string) {
  return { id, status: null, pickedAt: null, packedAt: null, cancelReason: null, cancelledAt: null };
}

const asOf = (): string => new Date().toISOString();

export const resolvers = {
  DateTime,
  Query: {
    shipment: (_: unknown, { id }: { id: string }, ctx: WmsContext) => {
      requireId('id', id);
      return seesAllOrders(ctx.identity) ? ctx.loaders.shipment.load(id) : null;
    },
  },
  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    shipments: (o: { id: string }, _: unknown, ctx: WmsContext) => ctx.loaders.shipmentsByOrder.load(o.id),
    wmsAsOf: asOf,
  },
  Shipment: {
    __resolveReference: (ref: { id: string }, ctx: WmsContext) => ctx.loaders.shipment.load(ref.id),
    order: (s: WmsShipment) => ({ __typename: 'Order', id: s.orderId }),
    fulfillmentOrder: (s: WmsShipment) => ({ __typename: 'FulfillmentOrder', id: s.fulfillmentOrderId }),
  },
  FulfillmentOrder: {
    // A fulfillment order the WMS has no record of has not been released to its node yet: the
    // WMS answers that honestly (no status, nothing picked). A WMS that fails answers nothing,
    // and the derived status then refuses to guess (UPSTREAM_UNAVAILABLE).
    __resolveReference: async (ref: { id: string }, ctx: WmsContext) =>
      (await ctx.loaders.fulfillmentOrder.load(ref.id)) ?? notYetReleased(ref.id),
    warehouseStatus: (fo: WmsFulfillmentOrder | ReturnType<typeof notYetReleased>) => fo.status,
    cancelReason: (fo: WmsFulfillmentOrder | ReturnType<typeof notYetReleased>) => fo.cancelReason ?? null,
    cancelledAt: (fo: WmsFulfillmentOrder | ReturnType<typeof notYetReleased>) => fo.cancelledAt ?? null,
    executionAsOf: asOf,
  },
  Return: {
    __resolveReference: (ref: { id: string }) => ref,
    receipt: (r: { id: string }, _: unknown, ctx: WmsContext) => ctx.loaders.receipt.load(r.id),
    receiptAsOf: asOf,
  },
};
