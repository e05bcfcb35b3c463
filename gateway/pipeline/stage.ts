import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type {
  DocumentNode,
  FormattedExecutionResult,
  GraphQLError,
  GraphQLSchema,
  OperationDefinitionNode,
} from 'graphql';
import type { Identity } from '../../canonical/index.js';
import type { VersionSnapshot } from '../../events/versions.js';
import type { GatewayContext, Transport } from './context.js';
import type { Answer } from './errors.js';

/** The GraphQL parameters of one request (a POST body, a GET query string, a graphql-ws `subscribe`). */
export interface GraphQLParams {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } | undefined;
}

/** One request as the stages see it, whatever its transport. */
export interface Call {
  transport: Transport;
  /** `GET`, `POST` (HTTP) or `SUBSCRIBE` (graphql-ws). */
  method: string;
  /** Request headers, lower-case names (HTTP); graphql-ws: none (the credential came at connection). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The operations of the request (one, or a batch); stages may rewrite them (a persisted operation's body). */
  operations: GraphQLParams[];
  /** Whether the body was a JSON array (a batch). */
  batch: boolean;
  /** Headers a stage adds to the answer, whatever answers (`x-cache: miss`). */
  responseHeaders: Record<string, string>;
  /** The request's id (`x-request-id`), set by the access log stage's `aroundRequest`. */
  requestId?: string;
  /** The per-request context, set by the transport once the caller is known (absent when authentication refused). */
  context?: GatewayContext;
}

/** What a stage sees of an operation once it is parsed, validated and resolved (HTTP, before planning). */
export interface OperationInfo {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
  context: GatewayContext;
}

/** What `onOperation` may change: the document planned and executed, and the plan cache key that goes with it. */
export interface OperationRewrite {
  document: DocumentNode;
  /** Added to the query hash so that two different rewrites never share a query plan. */
  planKey: string;
}

/** The answer of an operation, before it is sent (HTTP); `result` may be changed in place. */
export interface ResponseInfo {
  result: FormattedExecutionResult;
  /** The HTTP status Apollo Server chose, when it chose one. */
  status: number | undefined;
  context: GatewayContext;
  schema: GraphQLSchema;
  document: DocumentNode | undefined;
  operation: OperationDefinitionNode | undefined;
  variables: Record<string, unknown>;
}

/** A subgraph's answer to one fetch. */
export type SubgraphResponse = GatewayGraphQLResponse;

/** One fetch from the gateway to a subgraph, as the `onSubgraphFetch` stages see it. */
export interface SubgraphFetch {
  subgraph: string;
  /** The JSON body sent (query, variables, operationName). */
  body: string;
  /** The fetch's identity in the caches: subgraph, caller scope (unless shared) and body. */
  key: string;
  /** Whether the answer is the same for every caller (no row rules apply to it): shared across scopes. */
  shared: boolean;
  context: GatewayContext;
  /** The versions of the orders the fetch starts from, read by the fetch cache before it ran. */
  snapshot?: VersionSnapshot;
  /** Set by the stale-if-error stage: whether a last known answer could stand in for this fetch. */
  hasFallback?: () => Promise<boolean>;
  /** Set by the stale-if-error stage when it answered with a last known value (never cached as fresh). */
  servedStale?: boolean;
  /** Headers sent upstream with the fetch besides the signed identity (`traceparent`, `x-request-id`). */
  headers?: Record<string, string>;
}

/** Runs the rest of the fetch stages and the upstream call (`signal`: this attempt's deadline). */
export type NextFetch = (signal?: AbortSignal) => Promise<SubgraphResponse>;

type Awaitable<T> = T | Promise<T>;

/** The Apollo Server options a stage may set. */
export type StageServerOptions = Partial<
  Pick<
    ApolloServerOptionsWithGateway<GatewayContext>,
    | 'parseOptions'
    | 'validationRules'
    | 'hideSchemaDetailsFromClientErrors'
    | 'allowBatchedHttpRequests'
    | 'persistedQueries'
    | 'csrfPrevention'
  >
>;

/**
 * One stage of the gateway's request pipeline (gateway/pipeline/stages.ts lists them in order).
 * A stage has only the hooks it needs; each hook runs in list order:
 *
 * - `aroundRequest` — around a whole HTTP request, before authentication: `next()` runs the rest
 *   (every other hook) and resolves to the HTTP status sent; outermost first (request id, access
 *   log, trace span, RED metrics).
 * - `authenticate` — who is asking (one stage has it). HTTP: every request, before the body is
 *   read; graphql-ws: once per connection, from `connection_init`.
 * - `onRequest` — every request on every transport, once the caller is known and the parameters
 *   are read: refuse it (throw a {@link RequestRefusal}), rewrite its operations, or answer it
 *   early (return an {@link Answer}: the response cache's hit). Later stages then do not run.
 * - `serverOptions` — options of the Apollo Server that plans and executes operations.
 * - `onParseError`, `onOperation`, `onResponse` — around execution (HTTP and in-process).
 * - `onSubgraphFetch` — around every subgraph fetch, outermost first (`next()` runs the rest).
 * - `formatError` — every error a client receives, on every transport.
 */
export interface Stage {
  readonly name: string;
  aroundRequest?(call: Call, next: () => Promise<number>): Promise<number>;
  authenticate?(call: Call): Promise<Identity>;
  onRequest?(call: Call, context: GatewayContext): Awaitable<Answer | void>;
  serverOptions?: StageServerOptions;
  onParseError?(error: GraphQLError, source: string): void;
  onOperation?(op: OperationInfo): Awaitable<OperationRewrite | void>;
  onResponse?(response: ResponseInfo): Awaitable<void>;
  onSubgraphFetch?(fetch: SubgraphFetch, next: NextFetch): Promise<SubgraphResponse>;
  formatError?(error: import('graphql').GraphQLFormattedError): import('graphql').GraphQLFormattedError;
}
