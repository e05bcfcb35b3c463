import { checkId } from '../../canonical/index.js';
import { badUserInput } from '../common/errors.js';
import { DateTime } from '../common/scalars.js';
import type { ReturnsContext } from './loaders.js';
import type { ReturnRecord } from './port.js';

export const resolvers = {
  DateTime,
  Query: {
    return: (_: unknown, { id }: { id: string }, ctx: ReturnsContext) => {
      const problem = checkId('id', id);
      if (problem) throw badUserInput(problem);
      return ctx.loaders.return.load(id);
    },
  },
  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    returns: (o: { id: string }, _: unknown, ctx: ReturnsContext) => ctx.loaders.returnsByOrder.load(o.id),
  },
  Return: {
    __resolveReference: (ref: { id: string }, ctx: ReturnsContext) => ctx.loaders.return.load(ref.id),
    order: (r: ReturnRecord) => ({ __typename: 'Order', id: r.orderId }),
  },
};
