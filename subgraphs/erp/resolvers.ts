import { seesAllOrders } from '../common/access.js';
import { requireId } from '../common/errors.js';
import { loadPresent } from '../common/loaders.js';
import { DateTime } from '../common/scalars.js';
import type { ErpContext } from './loaders.js';
import type { ErpOrder } from './port.js';

/**
 * What the ERP says of an order it has not received yet: not accepted, nothing posted. An honest
 * answer (the order is PENDING in the ERP's eyes), not a missing slice.
 */
export function notYetInErp(orderId: string): Omit<ErpOrder, 'totals'> & { totals: null } {
  return {
    orderId,
    erpSalesOrderId: '',
    acceptedAt: null,
    holds: [],
    invoices: [],
    paymentIds: [],
    paymentStatus: 'PENDING',
    creditMemos: [],
    totals: null,
  };
}

type ErpOrderView = ReturnType<typeof notYetInErp> | ErpOrder;

export const resolvers = {
  DateTime,
  Query: {
    payment: (_: unknown, { id }: { id: string }, ctx: ErpContext) => {
      requireId('id', id);
      return seesAllOrders(ctx.identity) ? ctx.loaders.payment.load(id) : null;
    },
  },
  Order: {
    __resolveReference: async (ref: { id: string }, ctx: ErpContext) =>
      (await ctx.loaders.order.load(ref.id)) ?? notYetInErp(ref.id),
    id: (o: ErpOrderView) => o.orderId,
    erpAsOf: () => new Date().toISOString(),
    erpSalesOrderId: (o: ErpOrderView) => o.erpSalesOrderId || null,
    payments: (o: ErpOrderView, _: unknown, ctx: ErpContext) => loadPresent(ctx.loaders.payment, o.paymentIds),
  },
  Payment: {
    __resolveReference: (ref: { id: string }, ctx: ErpContext) => ctx.loaders.payment.load(ref.id),
  },
};
