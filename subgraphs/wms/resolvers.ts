import { requireId } from '../common/errors.js';
import { DateTime } from '../common/scalars.js';
import type { WmsContext } from './loaders.js';
import type { WmsFulfillmentOrder, WmsShipment } from './port.js';

export const resolvers = {
  DateTime,
  Query: {
    shipment: (_: unknown, { id }: { id: string }, ctx: WmsContext) => {
      requireId('id', id);
      return ctx.loaders.shipment.load(id);
    },
  },
  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    shipments: (o: { id: string }, _: unknown, ctx: WmsContext) => ctx.loaders.shipmentsByOrder.load(o.id),
  },
  Shipment: {
    __resolveReference: (ref: { id: string }, ctx: WmsContext) => ctx.loaders.shipment.load(ref.id),
    order: (s: WmsShipment) => ({ __typename: 'Order', id: s.orderId }),
    fulfillmentOrder: (s: WmsShipment) => ({ __typename: 'FulfillmentOrder', id: s.fulfillmentOrderId }),
  },
  FulfillmentOrder: {
    // A fulfillment order the WMS has no record of resolves to null: its execution is unknown,
    // and the derived status then refuses to guess (UPSTREAM_UNAVAILABLE) instead of assuming.
    __resolveReference: (ref: { id: string }, ctx: WmsContext) => ctx.loaders.fulfillmentOrder.load(ref.id),
    warehouseStatus: (fo: WmsFulfillmentOrder) => fo.status,
  },
  Return: {
    __resolveReference: (ref: { id: string }) => ref,
    receipt: (r: { id: string }, _: unknown, ctx: WmsContext) => ctx.loaders.receipt.load(r.id),
  },
};
