import { ErrorCode, mayAct } from '../../canonical/index.js';
import { seesAllOrders } from '../common/access.js';
import { graphqlError } from '../common/errors.js';
import type { RequestReturnInput, RequestReturnResult } from './actions.js';
import { requireId } from '../common/errors.js';
import { DateTime } from '../common/scalars.js';
import type { AuditActor } from '../common/auditLog.js';
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
  Mutation: {
    requestReturn: (_: unknown, { input }: { input: RequestReturnInput }, ctx: ReturnsContext) => {
      if (!ctx.actions)
        throw graphqlError(
          ErrorCode.UPSTREAM_UNAVAILABLE,
          'this returns subgraph runs without its event bus, so it takes no actions (docs/returns.md)',
          { serviceName: 'returns' },
        );
      return ctx.actions.requestReturn(input, ctx.identity);
    },
  },
  RequestReturnPayload: {
    return: (p: RequestReturnResult, _: unknown, ctx: ReturnsContext) =>
      p.returnId ? ctx.loaders.return.load(p.returnId) : null,
  },
  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    auditTrail: (o: { id: string }, _: unknown, ctx: ReturnsContext) => {
      // @requiresScopes keeps it to consumers with internal fields; the action list is the policy's word.
      if (!mayAct(ctx.identity, 'readAuditTrail'))
        throw graphqlError(
          ErrorCode.FORBIDDEN,
          `the audit trail is for salesforce and ops; the ${ctx.identity.consumer} consumer may not read it (docs/security.md)`,
        );
      return ctx.audit.listByOrder(o.id);
    },
    returns: (o: { id: string }, _: unknown, ctx: ReturnsContext) => ctx.loaders.returnsByOrder.load(o.id),
    exchangeFor: (o: { id: string }, _: unknown, ctx: ReturnsContext) => ctx.loaders.exchangeFor.load(o.id),
    returnsAsOf: () => new Date().toISOString(),
  },
  AuditActor: {
    assertedBy: (a: AuditActor) => (a.asserted ? a.consumer : null),
  },
  Return: {
    __resolveReference: (ref: { id: string }, ctx: ReturnsContext) => ctx.loaders.return.load(ref.id),
    order: (r: ReturnRecord) => ({ __typename: 'Order', id: r.orderId }),
    exchangeOrder: (r: ReturnRecord) => (r.exchangeOrderId ? { __typename: 'Order', id: r.exchangeOrderId } : null),
  },
};
