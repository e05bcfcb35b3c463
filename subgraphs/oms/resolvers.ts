import { visibleFulfillmentOrders, visibleOrder, visibleQuery } from './access.js';
import { badUserInput, requireId } from '../common/errors.js';
import { DateTime } from '../common/scalars.js';
import { ErrorCode } from '../../canonical/index.js';
import { graphqlError } from '../common/errors.js';
import type { CreateReplacementOrderInput, RequestCancellationInput, RequestCancellationResult } from './actions.js';
import { derive, type OrderWithSlices } from './derived.js';
import { returnEligibility, type OrderWithInvoices } from './returnEligibility.js';
import type { OmsContext } from './loaders.js';
import { checkPageSize, type OrderCursors } from './pagination.js';
import type { OmsFulfillmentOrder, OmsOrder, OrderQuery } from './port.js';

interface OrdersArgs {
  filter?: {
    customerId?: string | null;
    salesforceAccountId?: string | null;
    channel?: OrderQuery['channel'] | null;
    placedFrom?: string | null;
    placedTo?: string | null;
    fulfillmentNodeId?: string | null;
  } | null;
  first: number;
  after?: string | null;
}

/** Turns the GraphQL arguments into a port query, refusing what cannot be valid. */
export function orderQuery(args: OrdersArgs, cursors: OrderCursors): OrderQuery {
  checkPageSize(args.first);
  const q: OrderQuery = { first: args.first };
  const f = args.filter ?? {};
  if (f.customerId != null) {
    requireId('filter.customerId', f.customerId);
    q.customerId = f.customerId;
  }
  if (f.salesforceAccountId != null) {
    requireId('filter.salesforceAccountId', f.salesforceAccountId);
    q.salesforceAccountId = f.salesforceAccountId;
  }
  if (f.fulfillmentNodeId != null) {
    requireId('filter.fulfillmentNodeId', f.fulfillmentNodeId);
    q.fulfillmentNodeId = f.fulfillmentNodeId;
  }
  if (f.channel != null) q.channel = f.channel;
  if (f.placedFrom != null) q.placedFrom = f.placedFrom;
  if (f.placedTo != null) q.placedTo = f.placedTo;
  if (q.placedFrom && q.placedTo && q.placedFrom > q.placedTo) {
    throw badUserInput(
      `filter.placedFrom must not be after filter.placedTo; received placedFrom ${q.placedFrom} and placedTo ${q.placedTo}`,
    );
  }
  if (args.after != null) q.after = cursors.decode(args.after);
  return q;
}

export const resolvers = {
  DateTime,
  Query: {
    order: async (_: unknown, { id }: { id: string }, ctx: OmsContext) => {
      requireId('id', id);
      return visibleOrder(await ctx.loaders.order.load(id), ctx);
    },
    orderByNumber: async (_: unknown, { number }: { number: string }, ctx: OmsContext) => {
      requireId('number', number);
      return visibleOrder(await ctx.loaders.orderByNumber.load(number), ctx);
    },
    orders: async (_: unknown, args: OrdersArgs, ctx: OmsContext) => {
      const query = visibleQuery(orderQuery(args, ctx.cursors), ctx);
      if (!query) return { edges: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };
      const page = await ctx.port.findOrders(query);
      for (const o of page.orders) ctx.loaders.order.prime(o.id, o);
      const edges = page.orders.map((node) => ({ cursor: ctx.cursors.encode(node), node }));
      return {
        edges,
        totalCount: page.totalCount,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },
  },
  Mutation: {
    requestCancellation: (_: unknown, { input }: { input: RequestCancellationInput }, ctx: OmsContext) =>
      actionsOf(ctx).requestCancellation(input, ctx.identity),
    createReplacementOrder: async (_: unknown, { input }: { input: CreateReplacementOrderInput }, ctx: OmsContext) => {
      const id = await actionsOf(ctx).createReplacementOrder(input, ctx.identity);
      return { order: await ctx.port.ordersById([id]).then(([o]) => o) };
    },
  },
  RequestCancellationPayload: {
    order: async (p: RequestCancellationResult, _: unknown, ctx: OmsContext) => {
      if (!p.orderId) return null;
      const [fresh] = await ctx.port.ordersById([p.orderId]);
      return visibleOrder(fresh ?? null, ctx);
    },
  },
  Order: {
    __resolveReference: async (ref: { id: string }, ctx: OmsContext) => {
      // Entity fetches only follow a guarded entry point (the gateway signs them); the row rule
      // still applies, so no path answers an order the caller may not see.
      const row = await visibleOrder(await ctx.loaders.order.load(ref.id), ctx);
      // The representation carries only the key and the @requires slices: merge it over our row.
      return row ? { ...row, ...ref } : null;
    },
    customer: (o: OmsOrder, _: unknown, ctx: OmsContext) => ctx.loaders.customer.load(o.customerId),
    fulfillmentOrders: (o: OmsOrder, _: unknown, ctx: OmsContext) => visibleFulfillmentOrders(o, ctx),
    status: async (o: OrderWithSlices, _: unknown, ctx: OmsContext) => (await derive(o, ctx)).explanation.status,
    statusDetail: async (o: OrderWithSlices, _: unknown, ctx: OmsContext) => (await derive(o, ctx)).explanation,
    lineStatuses: async (o: OrderWithSlices, _: unknown, ctx: OmsContext) => (await derive(o, ctx)).lines,
    fulfillmentState: async (o: OrderWithSlices, _: unknown, ctx: OmsContext) =>
      (await derive(o, ctx)).fulfillmentState,
    financialState: async (o: OrderWithSlices, _: unknown, ctx: OmsContext) => (await derive(o, ctx)).financialState,
    returnState: async (o: OrderWithSlices, _: unknown, ctx: OmsContext) => (await derive(o, ctx)).returnState,
    deliveryOverdue: async (o: OrderWithSlices, _: unknown, ctx: OmsContext) => (await derive(o, ctx)).deliveryOverdue,
    returnEligibility: (o: OrderWithInvoices, _: unknown, ctx: OmsContext) => returnEligibility(o, ctx),
    refundSummary: async (o: OrderWithSlices, _: unknown, ctx: OmsContext) => {
      const r = (await derive(o, ctx)).refund;
      return {
        state: r.state,
        reason: r.reason,
        currency: r.returnsDesk.currency,
        returnsDeskAmount: r.returnsDesk.amount,
        pendingAmount: r.pending.amount,
        creditMemoAmount: r.creditMemos.amount,
        paymentRefundedAmount: r.payments.amount,
      };
    },
  },
  Customer: {
    __resolveReference: (ref: { id: string }, ctx: OmsContext) => ctx.loaders.customer.load(ref.id),
  },
  FulfillmentOrder: {
    __resolveReference: (ref: { id: string }, ctx: OmsContext) => ctx.loaders.fulfillmentOrder.load(ref.id),
    node: (fo: OmsFulfillmentOrder, _: unknown, ctx: OmsContext) => ctx.loaders.node.load(fo.nodeId),
  },
};

function actionsOf(ctx: OmsContext) {
  if (!ctx.actions)
    throw graphqlError(
      ErrorCode.UPSTREAM_UNAVAILABLE,
      'this oms runs without its event bus, so it takes no actions (docs/returns.md)',
      { serviceName: 'oms' },
    );
  return ctx.actions;
}
