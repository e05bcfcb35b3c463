import {
  extendSchema,
  GraphQLError,
  parse,
  type GraphQLFieldConfig,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import {
  AccessScope,
  checkId,
  CONSUMER_POLICIES,
  ErrorCode,
  grantedScopes,
  ORDER_STATUS_CHANGED,
  type Identity,
} from '../../canonical/index.js';
import { describeRule, satisfies, type FieldRule } from '../access/rules.js';
import { CursorExpiredError, isStreamId, Streams, type Envelope } from '../../events/bus.js';
import { EXCEPTION_CLOSED, EXCEPTION_OPENED } from '../../store/engine/engine.js';
import type { ExceptionRecord } from '../../store/exceptions.js';
import type { StatusChangeData } from '../tracker/tracker.js';
import type { EventHub } from './hub.js';
import type { OrderPayloads } from './payloads.js';
import { PushQueue } from './queue.js';

/**
 * The gateway-declared part of the client schema (CANONICAL_MODEL.md, "gateway-declared"):
 * @apollo/gateway does not execute subscriptions, so the gateway adds `Subscription` to the
 * supergraph's API schema and serves it over graphql-ws.
 */
export const SUBSCRIPTION_SDL = /* GraphQL */ `
"Any JSON value: the normalized data of an event."
scalar JSON

extend schema { subscription: Subscription }

"Live changes, pushed over graphql-ws on the gateway's /graphql. Every message carries a cursor; pass it back as after to resume without gaps or repeats."
type Subscription {
  "Every change of a derived order status, optionally for one order or one customer."
  orderStatusChanged(
    "Only this order's changes."
    orderId: ID
    "Only changes of this customer's orders."
    customerId: ID
    "Resume after this cursor: every change since is delivered first, in order."
    after: String
  ): OrderStatusChange!
  "Every event a system reported for one order."
  orderEvents(
    "The order."
    orderId: ID!
    "Resume after this cursor: every event since is delivered first, in order."
    after: String
  ): OrderEvent!
  "Business exceptions as they open and close (the visibility store's exception engine). Salesforce and ops only: any other credential is refused with FORBIDDEN."
  exceptionChanged(
    "Only exceptions of this type."
    type: ExceptionType
    "Only this order's exceptions."
    orderId: ID
    "Resume after this cursor: every opening and closing since is delivered first, in order."
    after: String
  ): ExceptionChange!
}

"Whether an exception opened or closed."
enum ExceptionChangeKind {
  "The condition started to hold (past its SLA): someone should act."
  OPENED
  "The condition cleared; closeReason says why."
  CLOSED
}

"A business exception that opened or closed."
type ExceptionChange {
  "Position of this change; pass as after to resume."
  cursor: String!
  "Opened or closed."
  change: ExceptionChangeKind!
  "The order the exception is about."
  orderId: ID!
  "When the engine opened or closed it."
  changedAt: DateTime!
  "The exception as it stands after the change; its order resolves through the graph (any Order field of any subgraph)."
  exception: BusinessException!
}

"A change of an order's derived status (source VISIBILITY)."
type OrderStatusChange {
  "Position of this change; pass as after to resume."
  cursor: String!
  "The order whose status changed."
  orderId: ID!
  "The status before; null when the order was not known before."
  previousStatus: OrderStatus
  "The status now."
  status: OrderStatus!
  "When the change was published."
  changedAt: DateTime!
  "The system event that caused it."
  cause: OrderEvent!
  "The order now, resolved through the graph: select any Order field of any subgraph."
  order: Order
}

"An event a system reported about an order (CloudEvents 1.0)."
type OrderEvent {
  "Position of this event in its stream; pass as after to resume orderEvents."
  cursor: String!
  "The event id (the idempotency key)."
  id: ID!
  "The event type, e.g. shipment.delivered."
  type: String!
  "The system that reported it."
  source: SourceSystem!
  "The order it is about."
  orderId: ID!
  "When it happened in the source system."
  occurredAt: DateTime!
  "When the bus recorded it."
  recordedAt: DateTime!
  "The normalized facts of the event. Internal: salesforce and ops only (null with FORBIDDEN for others)."
  data: JSON
}
`;

const SUBSCRIPTION_DOC = parse(SUBSCRIPTION_SDL);

/** Per-subscription context: who asks (identity and visibility scope) and the payload resolver. */
export interface SubscriptionContext {
  /** The subscriber, authenticated in `onConnect`. */
  identity: Identity;
  /** visibilityScope(identity): subscribers with the same scope may share executions. */
  scope: string;
  payloads: OrderPayloads;
  /** Drops the subscriber's connection as a slow consumer. */
  dropSlowConsumer: () => void;
  /**
   * Writes a `next` frame of this subscription straight to its socket, its payload given as JSON
   * bytes serialized once for every subscriber of a shared execution (the transport splices in
   * this subscription's id and applies the socket's byte budgets). Absent: results go through
   * graphql-ws, serialized per subscriber.
   */
  sendPayload?: (payload: Buffer) => void;
}

export interface SubscriptionDeps {
  hub: EventHub;
  /** Unread events a subscriber may fall behind before it is dropped. */
  maxQueued: number;
}

const badInput = (message: string): GraphQLError =>
  new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });

function checkArgs(args: { orderId?: string | null; customerId?: string | null; after?: string | null }): void {
  for (const name of ['orderId', 'customerId'] as const) {
    const v = args[name];
    if (v != null) {
      const problem = checkId(name, v);
      if (problem) throw badInput(problem);
    }
  }
  if (args.after != null && !isStreamId(args.after)) {
    throw badInput(
      `after must be a cursor from a previous message (like 1732612345678-0); received ${args.after.length} characters that are not one`,
    );
  }
}

/** Maps one stored event to the OrderEvent shape. */
export function toOrderEvent(cursor: string, e: Envelope['event']) {
  return {
    cursor,
    id: e.id,
    type: e.type,
    source: e.source.toUpperCase(),
    orderId: e.subject,
    occurredAt: e.time,
    recordedAt: e.recordedtime ?? e.time,
    data: e.data,
  };
}

function toStatusChange(e: Envelope) {
  const d = e.event.data as unknown as StatusChangeData;
  return {
    cursor: e.id,
    orderId: d.orderId,
    previousStatus: d.previousStatus,
    status: d.status,
    changedAt: e.event.time,
    cause: toOrderEvent(d.cause.cursor, d.cause.event),
    eventId: e.event.id,
  };
}

/** An `exception.opened` / `exception.closed` event as an ExceptionChange (its `exception` keeps the event id, to share the order's resolution). */
function toExceptionChange(e: Envelope) {
  const x = e.event.data as unknown as ExceptionRecord;
  return {
    cursor: e.id,
    change: e.event.type === EXCEPTION_OPENED ? 'OPENED' : 'CLOSED',
    orderId: x.orderId,
    changedAt: e.event.time,
    exception: { ...x, eventId: e.event.id },
  };
}

/** An exception's facts as the `Fact` list the visibility subgraph answers (values as text, JSON for the others). */
function factsOf(facts: Record<string, unknown> | null | undefined): Array<{ name: string; value: string | null }> {
  return Object.entries(facts ?? {}).map(([name, v]) => ({
    name,
    value: v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v),
  }));
}

/** An async iterator of one stream's events for a key, from the hub, with replay after a cursor. */
async function stream<T>(
  deps: SubscriptionDeps,
  ctx: SubscriptionContext,
  streamName: string,
  key: string | undefined,
  after: string | undefined,
  map: (e: Envelope) => T,
  accept: (e: Envelope) => boolean = () => true,
): Promise<AsyncIterableIterator<T>> {
  let detach = (): void => {};
  const queue = new PushQueue<T>(deps.maxQueued, () => detach());
  const push = (e: Envelope): void => {
    queue.push(map(e));
    if (queue.overflowed) ctx.dropSlowConsumer();
  };
  // Row rules: a subscriber who does not see every order gets only events of orders it may see,
  // checked per event as the subscriber, in stream order.
  const restricted = CONSUMER_POLICIES[ctx.identity.consumer].rows !== 'all';
  let admitted: Promise<void> = Promise.resolve();
  try {
    detach = await deps.hub.listen(streamName, { key, after }, (e) => {
      if (!accept(e)) return;
      if (!restricted) return push(e);
      admitted = admitted.then(async () => {
        const visible = await ctx.payloads.visible(e.event.subject, e.event.id, ctx).catch(() => false);
        if (visible) push(e);
      });
    });
  } catch (err) {
    if (err instanceof CursorExpiredError) {
      throw new GraphQLError(err.message, { extensions: { code: ErrorCode.CURSOR_EXPIRED } });
    }
    throw err;
  }
  return queue;
}

/** What reading `OrderEvent.data` requires: the systems' normalized facts include internal ones (the ERP's sales order id). */
const EVENT_DATA_RULE: FieldRule = { authenticated: true, scopes: [[[AccessScope.INTERNAL_FIELDS]]] };

/** What subscribing to business exceptions requires: the same as `Query.exceptions` (salesforce and ops). */
const EXCEPTIONS_RULE: FieldRule = { authenticated: true, scopes: [[[AccessScope.INTERNAL_FIELDS]]] };

/**
 * The field rules of the gateway-declared types (not composed, so not in the supergraph): the
 * schema check applies them to client operations with the subgraphs' own.
 */
export const SUBSCRIPTION_RULES: ReadonlyMap<string, FieldRule> = new Map([
  ['OrderEvent.data', EVENT_DATA_RULE],
  ['Subscription.exceptionChanged', EXCEPTIONS_RULE],
]);

/**
 * `OrderEvent.data` for callers granted the internal fields (salesforce, ops); for the others null
 * with a `FORBIDDEN` error naming the field, as for the fields marked internal in the subgraphs.
 */
function internalEventData(p: { data?: unknown }, _args: unknown, ctx: SubscriptionContext): unknown {
  if (satisfies(EVENT_DATA_RULE, true, new Set(grantedScopes(ctx.identity)))) return p.data;
  throw new GraphQLError(
    `Not authorized to read OrderEvent.data: it requires ${describeRule(EVENT_DATA_RULE)}, which this credential does not grant`,
    {
      extensions: { code: ErrorCode.FORBIDDEN, field: 'OrderEvent.data' },
    },
  );
}

/** The client schema: the supergraph's API schema plus the Subscription extension, with resolvers. */
export function buildClientSchema(apiSchema: GraphQLSchema, deps: SubscriptionDeps): GraphQLSchema {
  const schema = extendSchema(apiSchema, SUBSCRIPTION_DOC);
  const fields = (schema.getSubscriptionType() as GraphQLObjectType).getFields();
  type Field = GraphQLFieldConfig<unknown, SubscriptionContext> & { subscribe?: unknown };
  const set = (name: string, config: Partial<Field>): void => {
    Object.assign(fields[name]!, config);
  };

  set('orderStatusChanged', {
    subscribe: async (
      _: unknown,
      args: { orderId?: string | null; customerId?: string | null; after?: string | null },
      ctx: SubscriptionContext,
    ) => {
      checkArgs(args);
      // A storefront customer listens to its own orders, whatever it asked for (rows are checked per event too).
      const own = ctx.identity.customerId;
      const key = args.orderId
        ? `order:${args.orderId}`
        : args.customerId
          ? `customer:${args.customerId}`
          : own
            ? `customer:${own}`
            : undefined;
      const customer = args.orderId && args.customerId ? args.customerId : undefined;
      return stream(
        deps,
        ctx,
        Streams.VISIBILITY,
        key,
        args.after ?? undefined,
        toStatusChange,
        (e) =>
          e.event.type === ORDER_STATUS_CHANGED &&
          (!customer || (e.event.data as { customerId?: string }).customerId === customer),
      );
    },
    resolve: (payload: unknown) => payload,
  } as Partial<Field>);
  set('orderEvents', {
    subscribe: async (_: unknown, args: { orderId: string; after?: string | null }, ctx: SubscriptionContext) => {
      checkArgs(args);
      return stream(deps, ctx, Streams.SOURCE, `order:${args.orderId}`, args.after ?? undefined, (e) =>
        toOrderEvent(e.id, e.event),
      );
    },
    resolve: (payload: unknown) => payload,
  } as Partial<Field>);

  set('exceptionChanged', {
    subscribe: async (
      _: unknown,
      args: { type?: string | null; orderId?: string | null; after?: string | null },
      ctx: SubscriptionContext,
    ) => {
      // Refused before anything is read, the way a field the caller may not see is refused over HTTP.
      if (!satisfies(EXCEPTIONS_RULE, true, new Set(grantedScopes(ctx.identity)))) {
        throw new GraphQLError(
          `Not authorized to subscribe to exceptionChanged: it requires ${describeRule(EXCEPTIONS_RULE)} (salesforce or ops), which this ${ctx.identity.consumer} credential does not grant`,
          {
            extensions: { code: ErrorCode.FORBIDDEN, field: 'Subscription.exceptionChanged' },
          },
        );
      }
      checkArgs(args);
      return stream(
        deps,
        ctx,
        Streams.EXCEPTIONS,
        args.orderId ? `order:${args.orderId}` : undefined,
        args.after ?? undefined,
        toExceptionChange,
        (e) =>
          (e.event.type === EXCEPTION_OPENED || e.event.type === EXCEPTION_CLOSED) &&
          (!args.type || (e.event.data as { type?: string }).type === args.type),
      );
    },
    resolve: (payload: unknown) => payload,
  } as Partial<Field>);

  const exceptionChange = schema.getType('ExceptionChange') as GraphQLObjectType;
  for (const [name, field] of Object.entries(exceptionChange.getFields()))
    field.resolve = (p: Record<string, unknown>) => p[name];
  const exception = schema.getType('BusinessException') as GraphQLObjectType;
  for (const [name, field] of Object.entries(exception.getFields())) {
    field.resolve =
      name === 'order'
        ? (p: ReturnType<typeof toExceptionChange>['exception'], _a, ctx: SubscriptionContext, info) =>
            ctx.payloads.resolve(p.orderId, p.eventId, ctx, info)
        : name === 'facts'
          ? (p: ExceptionRecord) => factsOf(p.facts)
          : name === 'open'
            ? (p: ExceptionRecord) => p.closedAt === null
            : (p: Record<string, unknown>) => p[name];
  }

  const change = schema.getType('OrderStatusChange') as GraphQLObjectType;
  for (const [name, field] of Object.entries(change.getFields())) {
    field.resolve =
      name === 'order'
        ? (p: ReturnType<typeof toStatusChange>, _a, ctx: SubscriptionContext, info) =>
            ctx.payloads.resolve(p.orderId, p.eventId, ctx, info)
        : (p: Record<string, unknown>) => p[name];
  }
  const event = schema.getType('OrderEvent') as GraphQLObjectType;
  for (const [name, field] of Object.entries(event.getFields())) {
    field.resolve = name === 'data' ? internalEventData : (p: Record<string, unknown>) => p[name];
  }
  return schema;
}
