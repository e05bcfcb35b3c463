import { seesAllOrders } from '../common/access.js';
import { requireId } from '../common/errors.js';
import { DateTime } from '../common/scalars.js';
import type { CarrierContext } from './loaders.js';
import { toTrackingView, unknownShipment } from './tracking.js';

export const resolvers = {
  DateTime,
  Query: {
    tracking: async (_: unknown, { trackingNumber }: { trackingNumber: string }, ctx: CarrierContext) => {
      requireId('trackingNumber', trackingNumber);
      if (!seesAllOrders(ctx.identity)) return null;
      const record = await ctx.loaders.byNumber.load(trackingNumber);
      return record ? toTrackingView(record) : null;
    },
  },
  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    trackedShipments: async (o: { id: string }, _: unknown, ctx: CarrierContext) =>
      (await ctx.loaders.byOrder.load(o.id)).map(toTrackingView),
    carrierAsOf: () => new Date().toISOString(),
  },
  Shipment: {
    trackingAsOf: () => new Date().toISOString(),
    __resolveReference: async (ref: { id: string }, ctx: CarrierContext) => {
      const record = await ctx.loaders.byShipment.load(ref.id);
      return record ? toTrackingView(record) : unknownShipment(ref.id);
    },
  },
};
