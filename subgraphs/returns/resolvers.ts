import { seesAllOrders } from '../common/access.js';
import { requireId } from '../common/errors.js';
import { DateTime } from '../common/scalars.js';
import type { ReturnsContext } from './loaders.js';
import type { ReturnRecord } from './port.js';

export const resolvers = {
  DateTime,
  Query: {
    return: (_: unknown, { id }: { id: string }, ctx: ReturnsContext) => {
      requireId('id', id);
      return seesAllOrders(ctx.identity) ? ctx.loaders.return.load(id) : null;
    },
  },
  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    returns: (o: { id: string }, _: unknown, ctx: ReturnsContext) => ctx.loaders.returnsByOrder.load(o.id),
    exchangeFor: (o: { id: string }, _: unknown, ctx: ReturnsContext) => ctx.loaders.exchangeFor.load(o.id),
    returnsAsOf: () => new Date().toISOString(),
  },
  Return: {
    __resolveReference: (ref: { id: string }, ctx: ReturnsContext) => ctx.loaders.return.load(ref.id),
    order: (r: ReturnRecord) => ({ __typename: 'Order', id: r.orderId }),
    exchangeOrder: (r: ReturnRecord) => (r.exchangeOrderId ? { __typename: 'Order', id: r.exchangeOrderId } : null),
  },
};
