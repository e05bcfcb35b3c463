import {
  AccessScope,
  CONSUMER_POLICIES,
  ErrorCode,
  grantedScopes,
  mayReadOrder,
  type Identity,
  type OrderStatus,
} from '../../canonical/index.js';
import {
  InvalidCursorError,
  pageSize,
  UnknownDeadLetterError,
  type DeadLetter,
  type DeadLetterFilter,
  type ExceptionRecord,
  type ExceptionType,
  type LetterOutcome,
  type OrderRow,
  type Page,
} from '../../store/index.js';
import { replayDeadLetters } from '../../store/replay.js';
import { badUserInput, graphqlError, requireId } from '../common/errors.js';
import { DateTime } from '../common/scalars.js';
import { parseDuration } from './duration.js';
import type { VisibilityContext } from './loaders.js';

/** Exceptions a shopper hears about, as a friendly delay notice. */
const DELAY_TYPES = new Set<ExceptionType>([
  'DELAYED_UPDATE',
  'DELIVERY_OVERDUE',
  'DELIVERY_PROBLEM',
  'UNCONFIRMED_SHIPMENT',
]);
const NOTICE = 'Your delivery is running late. We are on it and will update you as soon as it moves.';

/** Salesforce and ops (the subgraph's own check; the gateway enforces `@requiresScopes` first). */
function requireInternal(identity: Identity, what: string): void {
  if (!grantedScopes(identity).includes(AccessScope.INTERNAL_FIELDS))
    throw graphqlError(ErrorCode.FORBIDDEN, `${what} is for Salesforce and ops only`);
}
/** Ops only. */
function requireOps(identity: Identity, what: string): void {
  if (!CONSUMER_POLICIES[identity.consumer].operational)
    throw graphqlError(ErrorCode.FORBIDDEN, `${what} is for ops only`);
}
const actorOf = (identity: Identity): string => `${identity.consumer}:${identity.subject}`;

/** Store errors that are the caller's mistake, as BAD_USER_INPUT. */
async function input<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InvalidCursorError || err instanceof RangeError || err instanceof UnknownDeadLetterError)
      throw badUserInput(err.message);
    if (err instanceof TypeError && /dead-letter action/.test(err.message))
      throw badUserInput(err.message.replace('dead-letter action: ', ''));
    throw err;
  }
}

const connection = <T, U>(page: Page<T>, map: (t: T) => U) => ({
  nodes: page.nodes.map(map),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});

const exception = (x: ExceptionRecord) => ({
  ...x,
  order: { __typename: 'Order', id: x.orderId },
  open: x.closedAt === null,
  facts: Object.entries(x.facts).map(([name, v]) => ({
    name,
    value: v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v),
  })),
});

const letter = (l: DeadLetter) => ({
  ...l,
  kind: l.kind.toUpperCase(),
  state: l.state.toUpperCase(),
  order: l.orderId ? { __typename: 'Order', id: l.orderId } : null,
  payload: l.kind === 'consumer' ? (l.event ? JSON.stringify(l.event) : null) : l.rawBody,
  headers: Object.entries(l.headers ?? {}).map(([name, value]) => ({ name, value })),
});

const letterFilter = (
  f:
    | {
        kind?: string | null;
        state?: string | null;
        system?: string | null;
        group?: string | null;
        orderId?: string | null;
      }
    | null
    | undefined,
): DeadLetterFilter => ({
  kind: f?.kind ? (f.kind.toLowerCase() as DeadLetterFilter['kind']) : null,
  state: f?.state ? (f.state.toLowerCase() as DeadLetterFilter['state']) : null,
  system: f?.system ?? null,
  group: f?.group ?? null,
  orderId: f?.orderId ?? null,
});

const action = (o: LetterOutcome) => ({
  outcome: o.outcome.toUpperCase(),
  letter: letter(o.letter),
  error: o.error ?? null,
});

export const resolvers = {
  DateTime,
  Query: {
    exceptions: async (
      _: unknown,
      a: {
        filter?: {
          type?: ExceptionType;
          openOnly?: boolean;
          olderThan?: string;
          channel?: string;
          fulfillmentNodeId?: string;
        } | null;
        first?: number | null;
        after?: string | null;
      },
      ctx: VisibilityContext,
    ) => {
      requireInternal(ctx.identity, 'exceptions');
      const f = a.filter ?? {};
      const olderThanMs = f.olderThan != null ? parseDuration('filter.olderThan', f.olderThan) : null;
      const page = await input(() => ctx.port.store.exceptions.list({ ...f, olderThanMs }, pageSize(a.first), a.after));
      return connection(page, exception);
    },
    ordersInStatus: async (
      _: unknown,
      a: { status: OrderStatus; longerThan: string; first?: number | null; after?: string | null },
      ctx: VisibilityContext,
    ) => {
      requireInternal(ctx.identity, 'ordersInStatus');
      const page = await input(() =>
        ctx.port.store.orders.byStatus(a.status, parseDuration('longerThan', a.longerThan), pageSize(a.first), a.after),
      );
      return connection(page, (o: OrderRow) => ({
        order: { __typename: 'Order', id: o.orderId },
        status: o.status,
        since: o.statusSince,
      }));
    },
    operationsHealth: async (_: unknown, __: unknown, ctx: VisibilityContext) => {
      requireOps(ctx.identity, 'operationsHealth');
      const { store } = ctx.port;
      const [openExceptions, eventLag, depth, systems] = await Promise.all([
        store.exceptions.openCounts(),
        store.health.lag(),
        store.deadLetters.depth(),
        store.health.systems(),
      ]);
      return {
        openExceptions,
        eventLag,
        deadLetterDepth: { ...depth, total: depth.consumer + depth.ingest },
        systems,
        generatedAt: new Date(store.now()).toISOString(),
      };
    },
    deadLetters: async (
      _: unknown,
      a: { filter?: Parameters<typeof letterFilter>[0]; first?: number | null; after?: string | null },
      ctx: VisibilityContext,
    ) => {
      requireOps(ctx.identity, 'deadLetters');
      const page = await input(() =>
        ctx.port.store.deadLetters.list(letterFilter(a.filter), pageSize(a.first), a.after),
      );
      return connection(page, letter);
    },
    deadLetter: async (_: unknown, { id }: { id: string }, ctx: VisibilityContext) => {
      requireOps(ctx.identity, 'deadLetter');
      requireId('id', id);
      const l = await ctx.port.store.deadLetters.get(id);
      return l ? letter(l) : null;
    },
  },
  Mutation: {
    replayDeadLetter: async (_: unknown, { id, reason }: { id: string; reason: string }, ctx: VisibilityContext) => {
      requireOps(ctx.identity, 'replayDeadLetter');
      requireId('id', id);
      const [o] = await input(() =>
        replayDeadLetters(ctx.port.store, ctx.port.redeliverer, { id }, { actor: actorOf(ctx.identity), reason }),
      );
      await ctx.port.afterLetterAction?.([id]);
      return action(o!);
    },
    replayDeadLetters: async (
      _: unknown,
      a: { filter: Parameters<typeof letterFilter>[0]; reason: string; limit?: number | null },
      ctx: VisibilityContext,
    ) => {
      requireOps(ctx.identity, 'replayDeadLetters');
      const limit = await input(() => pageSize(a.limit, 100, 500));
      const out = await input(() =>
        replayDeadLetters(
          ctx.port.store,
          ctx.port.redeliverer,
          { filter: letterFilter(a.filter), limit },
          { actor: actorOf(ctx.identity), reason: a.reason },
        ),
      );
      await ctx.port.afterLetterAction?.(out.map((o) => o.letter.id));
      return out.map(action);
    },
    discardDeadLetter: async (_: unknown, { id, reason }: { id: string; reason: string }, ctx: VisibilityContext) => {
      requireOps(ctx.identity, 'discardDeadLetter');
      requireId('id', id);
      const o = await input(() => ctx.port.store.deadLetters.discard(id, { actor: actorOf(ctx.identity), reason }));
      await ctx.port.afterLetterAction?.([id]);
      return action(o);
    },
  },
  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    exceptions: async (o: { id: string }, a: { openOnly?: boolean | null }, ctx: VisibilityContext) => {
      requireInternal(ctx.identity, 'Order.exceptions');
      const all = await ctx.loaders.exceptionsByOrder.load(o.id);
      return (a.openOnly ? all.filter((x) => x.closedAt === null) : all).map(exception);
    },
    timeline: async (o: { id: string }, _: unknown, ctx: VisibilityContext) => {
      requireInternal(ctx.identity, 'Order.timeline');
      return ctx.loaders.timelineByOrder.load(o.id);
    },
    deliveryNotice: async (
      o: { id: string; customer?: { id?: string } | null },
      _: unknown,
      ctx: VisibilityContext,
    ) => {
      const row = await ctx.loaders.order.load(o.id);
      // The row rule, here too: a shopper's own order (the OMS's customer, required from it), a partner's node.
      const customerId = o.customer?.id ?? row?.customerId ?? '';
      if (!mayReadOrder(ctx.identity, { customerId, nodeIds: row?.fulfillmentNodeIds ?? [] })) return null;
      const delays = (await ctx.loaders.exceptionsByOrder.load(o.id)).filter(
        (x) => x.closedAt === null && DELAY_TYPES.has(x.type),
      );
      if (delays.length === 0) return null;
      return { message: NOTICE, since: delays.map((x) => x.since).sort()[0] };
    },
  },
  DeadLetter: {
    audit: (l: { id: string }, _: unknown, ctx: VisibilityContext) => ctx.port.store.deadLetters.audit(l.id),
  },
  StatusChange: {
    causeEventId: (c: { causeId: string }) => c.causeId,
  },
};
