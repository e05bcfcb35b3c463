import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode as GraphQLWsCloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { ErrorCode, visibilityScope, type Identity } from '../../canonical/index.js';
import { AuthError, credentialsFromConnectionParams } from '../auth/index.js';
import { originAllowed } from '../pipeline/cors.js';
import { gatewayContext } from '../pipeline/context.js';
import { RequestRefusal } from '../pipeline/errors.js';
import { checkParams } from '../pipeline/params.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Call, GraphQLParams } from '../pipeline/stage.js';
import type { Logger } from '../../runtime/logger.js';
import { DEFAULT_LIMITS, parseAndValidate, type OperationLimits } from '../limits/index.js';
import { SubscriptionMulticast } from './multicast.js';
import { aliasAwareFieldResolver, type OrderPayloads } from './payloads.js';
import type { SubscriptionContext } from './schema.js';

/**
 * Close codes this server uses beyond graphql-ws's own (4400 bad request, 4401 unauthorized,
 * 4403 forbidden, 4408 init timeout, 4409 duplicate id, 4429 too many init requests, 4500).
 */
export const CloseCode = {
  /** graphql-ws's: the credential is missing, refused or expired. */
  Unauthorized: GraphQLWsCloseCode.Unauthorized,
  /** graphql-ws's: the identity provider's keys could not be fetched; retry. */
  InternalServerError: GraphQLWsCloseCode.InternalServerError,
  /**
   * The client let more than `maxBufferedBytes` pile up unread (or fell more than `maxQueued`
   * events behind). It is dropped; reconnect and resubscribe with `after: <last cursor>` to get
   * every missed event.
   */
  SlowConsumer: 4420,
} as const;

export interface SubscriptionServerOptions {
  httpServer: Server;
  /** @default '/graphql' (the same path as HTTP) */
  path?: string;
  /** The current client schema (rebuilt when the supergraph reloads). */
  schema: () => GraphQLSchema | undefined;
  payloads: OrderPayloads;
  logger: Logger;
  /** Unsent bytes a socket may hold before the subscriber is dropped. @default 1048576 */
  maxBufferedBytes?: number;
  /** Close a connection that sends no `connection_init` within this time. @default 3000 */
  connectionInitWaitTimeoutMs?: number;
  /** Largest incoming message, bytes. @default 65536 */
  maxMessageBytes?: number;
  /** Results a subscriber may fall behind before it is dropped as a slow consumer. @default 1000 */
  maxQueued?: number;
  /** Bytes (of the results' JSON) a subscriber may fall behind, each its own budget, before it is dropped. @default 1048576 */
  maxQueuedBytes?: number;
  /** Operation limits, the same as over HTTP. @default DEFAULT_LIMITS */
  limits?: OperationLimits;
  /**
   * The gateway's pipeline, the same list as over HTTP: its authentication stage checks the
   * credential of `connection_init`, its `onRequest` stages (client quotas, persisted operations)
   * run for every `subscribe`, and its error rules format every error sent.
   */
  pipeline: Pipeline;
  /** Browser origins allowed to open a socket (a request without `Origin` is not a browser's). */
  corsOrigins: readonly string[];
  /** Subscriptions one connection may hold at once; the next is refused with LIMIT_EXCEEDED. @default 100 */
  maxSubscriptionsPerConnection?: number;
  /** Subscriptions one caller (consumer and subject: a token's customer, a partner key) may hold over all its connections. @default 500 */
  maxSubscriptionsPerCaller?: number;
  /** Caps of a consumer's callers in place of `maxSubscriptionsPerCaller` (`WS_MAX_SUBSCRIPTIONS_PER_<CONSUMER>`). */
  maxSubscriptionsByConsumer?: Partial<Record<string, number>>;
  /**
   * Bytes sent to a socket that its client has not yet shown it read — in ws's buffer, in the
   * kernel's send buffer or on the way: measured with WebSocket pings (a client answers a ping only
   * after reading everything before it). Past this the subscriber is dropped. @default 4194304
   */
  maxUnackedBytes?: number;
}

/** What graphql-ws keeps per connection beyond the socket. */
interface ConnectionExtra {
  identity?: Identity;
  scope?: string;
  expiry?: NodeJS.Timeout;
  /** The ids of this connection's running subscriptions (counted against the caps). */
  subscriptions: Set<string>;
  /** The caller the subscriptions count against. */
  caller?: string;
  /** The request-describing keys of `connection_init` every `subscribe` of the socket carries ({@link CONNECTION_HEADERS}). */
  headers?: Call['headers'];
}

/** The key a caller's subscriptions are counted under, over all its connections. */
const callerOf = (identity: Identity): string =>
  `${identity.consumer}\u0000${identity.subject}\u0000${identity.customerId ?? ''}\u0000${identity.partnerNodeId ?? ''}`;

/**
 * Counts what a socket was handed against what its client has shown it read: every frame sent
 * adds its bytes; a ping carries the running total, and the client's pong (sent only after it read
 * everything before the ping) acknowledges that total. A client that stops reading stops
 * answering, so unacknowledged bytes grow — wherever they sit (ws's buffer, the kernel's send
 * buffer, the network) — until the budget drops it.
 */
export class UnreadBytes {
  private sent = 0;
  private acked = 0;
  private pingedAt = 0;
  private outstanding = false;

  constructor(
    private readonly socket: import('ws').WebSocket,
    private readonly budget: number,
    private readonly onOver: () => void,
  ) {
    socket.on('pong', (data: Buffer) => {
      const total = Number(data.toString('utf8'));
      if (Number.isFinite(total) && total > this.acked && total <= this.sent) this.acked = total;
      this.outstanding = false;
    });
  }

  /** Bytes sent and not yet acknowledged. */
  get unread(): number {
    return this.sent - this.acked;
  }

  /** Records a frame handed to the socket; pings when a quarter of the budget went unacknowledged. */
  add(bytes: number): void {
    this.sent += bytes;
    if (this.unread > this.budget) {
      this.onOver();
      return;
    }
    if (
      !this.outstanding &&
      this.sent - this.pingedAt >= this.budget / 4 &&
      this.socket.readyState === this.socket.OPEN
    ) {
      this.outstanding = true;
      this.pingedAt = this.sent;
      this.socket.ping(String(this.sent));
    }
  }
}

/** Keys of the `connection_init` payload that act as request headers for every subscribe (trace context, acting user). */
const CONNECTION_HEADERS = ['traceparent', 'tracestate', 'x-acting-user', 'x-request-id'] as const;

/** Those keys of a `connection_init` payload, when strings. */
function connectionHeaders(params: unknown): Call['headers'] {
  const headers: Record<string, string> = {};
  if (params === null || typeof params !== 'object') return headers;
  for (const key of CONNECTION_HEADERS) {
    const value = (params as Record<string, unknown>)[key];
    if (typeof value === 'string') headers[key] = value;
  }
  return headers;
}

const CLOSE_BRACE = 0x7d;

/**
 * Writes graphql-ws `next` frames of subscription `id` from payloads serialized once per shared
 * execution: `{"id":…,"type":"next","payload":` (built once per subscription) + the payload + `}`,
 * one buffer sent as a text frame through the socket's `send` (so the unacknowledged-bytes budget
 * counts it), then `afterSend` (the buffered-bytes budget, as graphql-ws's `onNext` does).
 */
function nextFrameWriter(socket: import('ws').WebSocket, id: string, afterSend: () => void): (payload: Buffer) => void {
  const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  return (payload) => {
    if (socket.readyState !== socket.OPEN) return;
    const frame = Buffer.allocUnsafe(prefix.length + payload.length + 1);
    prefix.copy(frame, 0);
    payload.copy(frame, prefix.length);
    frame[frame.length - 1] = CLOSE_BRACE;
    socket.send(frame, { binary: false });
    afterSend();
  };
}

/** A close reason must fit in a control frame (123 bytes). */
const reason = (text: string): string => (Buffer.byteLength(text) <= 123 ? text : `${text.slice(0, 119)}…`);

function dropSlow(socket: import('ws').WebSocket, logger: Logger, why: 'socket' | 'queue' | 'unread'): void {
  if (socket.readyState !== socket.OPEN) return;
  logger.warn({ why, buffered: socket.bufferedAmount }, 'dropping a slow subscriber');
  socket.close(CloseCode.SlowConsumer, 'Slow consumer: too many unread messages; resubscribe with after');
  // A client that does not read does not answer the close either: do not wait for it.
  setTimeout(() => {
    if (socket.readyState !== socket.CLOSED) socket.terminate();
  }, 1000).unref();
}

/**
 * Parsed and validated documents by query text, per client schema: 10,000 subscribers sending the
 * same subscription share one document (and the per-document work keyed on it) instead of parsing
 * and validating 10,000 copies. Bounded; oldest entries go first.
 */
class DocumentCache {
  private schema: GraphQLSchema | undefined;
  private readonly docs = new Map<string, DocumentNode | readonly GraphQLError[]>();
  constructor(
    private readonly limits: OperationLimits,
    private readonly max = 1000,
  ) {}

  get(schema: GraphQLSchema, query: string): DocumentNode | readonly GraphQLError[] {
    if (schema !== this.schema) {
      this.schema = schema;
      this.docs.clear();
    }
    let doc = this.docs.get(query);
    if (!doc) {
      doc = parseAndValidate(schema, query, this.limits);
      if (this.docs.size >= this.max) this.docs.delete(this.docs.keys().next().value!);
      this.docs.set(query, doc);
    }
    return doc;
  }
}

const refuse = (message: string, code: string = ErrorCode.BAD_USER_INPUT): GraphQLError[] => [
  new GraphQLError(message, { extensions: { code } }),
];

/** A parse or validation failure keeps its graphql message and gets its code (limits keep LIMIT_EXCEEDED). */
function withCodes(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((e) => {
    if (typeof e.extensions.code === 'string') return e;
    const code = e.message.startsWith('Syntax Error')
      ? ErrorCode.GRAPHQL_PARSE_FAILED
      : ErrorCode.GRAPHQL_VALIDATION_FAILED;
    return new GraphQLError(e.message, {
      nodes: e.nodes,
      source: e.source,
      positions: e.positions,
      path: e.path,
      originalError: e.originalError,
      extensions: { ...e.extensions, code },
    });
  });
}

/**
 * The graphql-ws transport, on the gateway's own HTTP server and path. It runs the gateway's
 * pipeline: authentication at `connection_init`, the `onRequest` stages (client quotas, persisted
 * operations) at every `subscribe`, the operation limits (parse and validate under the same
 * limits as Apollo Server), and the same error rules as HTTP for every error sent.
 */
export function startSubscriptionServer(opts: SubscriptionServerOptions): {
  close(): Promise<void>;
  clients(): number;
  executions(): number;
  subscribers(): number;
  counted(): number;
} {
  const maxBuffered = opts.maxBufferedBytes ?? 1_048_576;
  const documents = new DocumentCache(opts.limits ?? DEFAULT_LIMITS);
  const multicast = new SubscriptionMulticast(opts.maxQueued ?? 1000, opts.maxQueuedBytes ?? 1_048_576);
  const wss = new WebSocketServer({
    server: opts.httpServer,
    path: opts.path ?? '/graphql',
    maxPayload: opts.maxMessageBytes ?? 65_536,
    // A browser page from another origin may not open a socket (cross-site WebSocket hijacking).
    verifyClient: ({ origin }: { origin?: string }, done: (ok: boolean, code?: number, message?: string) => void) => {
      if (origin === undefined || originAllowed(origin, opts.corsOrigins)) return done(true);
      opts.logger.info({ origin: origin.slice(0, 100) }, 'refused a WebSocket from an origin not in CORS_ORIGINS');
      done(false, 403, 'Origin not allowed');
    },
  });
  const perConnection = opts.maxSubscriptionsPerConnection ?? 100;
  const perCaller = opts.maxSubscriptionsPerCaller ?? 500;
  const maxUnacked = opts.maxUnackedBytes ?? 4_194_304;
  /** Running subscriptions per caller, over all connections of this process. */
  const callers = new Map<string, number>();
  const release = (extra: ConnectionExtra | undefined, id?: string): void => {
    if (!extra?.caller) return;
    const ids = id === undefined ? [...extra.subscriptions] : extra.subscriptions.has(id) ? [id] : [];
    for (const i of ids) extra.subscriptions.delete(i);
    const left = (callers.get(extra.caller) ?? 0) - ids.length;
    if (left > 0) callers.set(extra.caller, left);
    else callers.delete(extra.caller);
  };
  /** The refusal of one more subscription on this connection, past a cap; else undefined. */
  const overCap = (extra: ConnectionExtra, identity: Identity, caller: string): readonly GraphQLError[] | undefined => {
    if (extra.subscriptions.size >= perConnection) {
      return refuse(
        `at most ${perConnection} subscriptions per connection (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); this connection already has ${extra.subscriptions.size} — complete one first`,
        ErrorCode.LIMIT_EXCEEDED,
      );
    }
    const held = callers.get(caller) ?? 0;
    const consumer = identity.consumer;
    const own = opts.maxSubscriptionsByConsumer?.[consumer];
    const cap = own ?? perCaller;
    if (held < cap) return undefined;
    const setting =
      own === undefined ? 'WS_MAX_SUBSCRIPTIONS_PER_CALLER' : `WS_MAX_SUBSCRIPTIONS_PER_${consumer.toUpperCase()}`;
    return refuse(
      `at most ${cap} subscriptions per ${own === undefined ? '' : `${consumer} `}caller over all its connections (${setting}); ${consumer} ${identity.subject} already has ${held} — complete one first`,
      ErrorCode.LIMIT_EXCEEDED,
    );
  };
  const extras = new WeakMap<object, ConnectionExtra>();
  const extraOf = (socket: object): ConnectionExtra => {
    let extra = extras.get(socket);
    if (!extra) extras.set(socket, (extra = { subscriptions: new Set() }));
    return extra;
  };
  // Every frame a socket is handed is counted until its client shows (by a pong) it read it.
  wss.on('connection', (socket) => {
    const unread = new UnreadBytes(socket, maxUnacked, () => dropSlow(socket, opts.logger, 'unread'));
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    (socket as { send: (data: unknown, ...rest: unknown[]) => void }).send = (data, ...rest) => {
      unread.add(
        typeof data === 'string' ? Buffer.byteLength(data) : ((data as { byteLength?: number }).byteLength ?? 0),
      );
      send(data, ...rest);
    };
  });
  const server = useServer<Record<string, unknown> | undefined>(
    {
      connectionInitWaitTimeout: opts.connectionInitWaitTimeoutMs ?? 3000,
      subscribe: multicast.subscribe,
      // The credential travels in the connection_init payload (authorization or x-api-key), checked
      // as over HTTP; the socket is closed (4401) when the token expires.
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        try {
          let headers: Call['headers'];
          try {
            headers = { ...credentialsFromConnectionParams(ctx.connectionParams) } as Call['headers'];
          } catch (err) {
            if (!(err instanceof AuthError)) throw err;
            throw new RequestRefusal(err.httpStatus, err.code, err.message, { reason: err.reason });
          }
          const identity = await opts.pipeline.authenticate({
            transport: 'ws',
            method: 'CONNECT',
            headers,
            operations: [],
            batch: false,
            responseHeaders: {},
          });
          const extra = extraOf(socket);
          extra.identity = identity;
          extra.scope = visibilityScope(identity);
          extra.caller = callerOf(identity);
          extra.headers = connectionHeaders(ctx.connectionParams);
          if (identity.expiresAt !== undefined) {
            const close = () => {
              if (socket.readyState === socket.OPEN)
                socket.close(CloseCode.Unauthorized, 'Unauthorized: the token expired; reconnect with a fresh one');
            };
            // setTimeout holds at most ~24.8 days; a longer token is re-checked then.
            const wait = Math.min(identity.expiresAt - Date.now(), 2_147_000_000);
            if (wait <= 0) {
              close();
              return false;
            }
            extra.expiry = setTimeout(close, wait);
            extra.expiry.unref();
          }
          return true;
        } catch (err) {
          if (!(err instanceof RequestRefusal)) throw err;
          socket.close(
            err.status === 401 ? CloseCode.Unauthorized : CloseCode.InternalServerError,
            reason(`Unauthorized: ${err.message}`),
          );
          return false;
        }
      },
      onClose: (ctx) => {
        const extra = extras.get(ctx.extra.socket);
        clearTimeout(extra?.expiry);
        release(extra);
      },
      onComplete: (ctx, id) => {
        release(extras.get(ctx.extra.socket), id);
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const extra = extras.get(ctx.extra.socket);
        if (!extra?.identity || !extra.scope || !extra.caller)
          return refuse('the connection is not authenticated', ErrorCode.UNAUTHENTICATED);
        // graphql-ws requires a query string: a client running a persisted operation by hash alone
        // sends an empty one, which means no query (as an absent one over HTTP), not a mismatching text.
        const params: GraphQLParams = { ...(payload as GraphQLParams), query: payload.query || undefined };
        const call: Call = {
          transport: 'ws',
          method: 'SUBSCRIBE',
          headers: extra.headers ?? {},
          operations: [params],
          batch: false,
          responseHeaders: {},
        };
        // A subscribe past a cap is refused before it is charged to the caller's quota, parsed or
        // validated, as cheaply as possible for a client that keeps asking (the noisy-client run
        // sent 840 at once). The check below, where the subscription is counted, still decides.
        const early = overCap(extra, extra.identity, extra.caller);
        if (early) return early;
        try {
          checkParams(params);
          await opts.pipeline.onRequest(call, gatewayContext(extra.identity, 'ws'));
        } catch (err) {
          if (err instanceof RequestRefusal) return [err.toGraphQLError()];
          throw err;
        }
        const query = typeof params.query === 'string' ? params.query : undefined;
        if (!query) return refuse('expected query, or extensions.persistedQuery.sha256Hash of a persisted operation');
        const schema = opts.schema();
        if (!schema) return refuse('the graph is not loaded yet; retry shortly', ErrorCode.UPSTREAM_UNAVAILABLE);
        const document = documents.get(schema, query);
        if (Array.isArray(document)) {
          const errors = withCodes(document as readonly GraphQLError[]);
          opts.logger.info(
            { consumer: extra.identity.consumer, errors: errors.map((e) => e.message).slice(0, 3) },
            'refused a subscription document',
          );
          return errors;
        }
        const op = getOperationAST(document as DocumentNode, payload.operationName);
        if (!op) {
          return refuse(
            payload.operationName
              ? `the document has no operation named ${JSON.stringify(String(payload.operationName).slice(0, 100))}`
              : 'the document must contain exactly one operation, or name the one to run with operationName',
            ErrorCode.GRAPHQL_VALIDATION_FAILED,
          );
        }
        if (op.operation !== 'subscription')
          return refuse(
            `only subscriptions run over WebSocket; send queries and mutations as HTTP POST /graphql (received a ${op.operation})`,
          );
        const socket = ctx.extra.socket;
        // Checked and counted with no await in between (concurrent subscribes cannot both pass), and
        // counted until it completes (either side) or the connection closes.
        const over = overCap(extra, extra.identity, extra.caller);
        if (over) return over;
        const held = callers.get(extra.caller) ?? 0;
        extra.subscriptions.add(id);
        callers.set(extra.caller, held + 1);
        const contextValue: SubscriptionContext = {
          identity: extra.identity,
          scope: extra.scope,
          payloads: opts.payloads,
          dropSlowConsumer: () => dropSlow(socket, opts.logger, 'queue'),
          sendPayload: nextFrameWriter(socket, id, () => {
            if (socket.bufferedAmount > maxBuffered) dropSlow(socket, opts.logger, 'socket');
          }),
        };
        return {
          schema,
          document: document as DocumentNode,
          operationName: payload.operationName,
          variableValues: payload.variables ?? undefined,
          contextValue,
          fieldResolver: aliasAwareFieldResolver,
        };
      },
      onNext: (ctx) => {
        if (ctx.extra.socket.bufferedAmount > maxBuffered) dropSlow(ctx.extra.socket, opts.logger, 'socket');
      },
      // The same error rules as over HTTP: only codes of the one enum, only public extensions.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => {
          if (!e.extensions?.code) opts.logger.error({ err: e.originalError ?? e }, 'subscription failed');
          return opts.pipeline.formatError(e.toJSON());
        }),
    },
    wss,
  );
  return {
    clients: () => wss.clients.size,
    executions: () => multicast.executions,
    subscribers: () => multicast.subscribers,
    counted: () => [...callers.values()].reduce((a, b) => a + b, 0),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await server.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
