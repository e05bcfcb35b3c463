import { createHash, randomUUID } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { bodyDigest, ErrorCode, IDENTITY_HEADER, signIdentity } from '../../canonical/index.js';
import type { GatewayContext } from '../pipeline/context.js';
import { isSharedFetch } from '../access/rowRules.js';
import type { ObservedFetches } from '../health.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SubgraphFetch } from '../pipeline/stage.js';
import { withMaxAge } from '../pipeline/stages/fetchCache.js';
import { isShieldRefusal } from '../shield/index.js';
import { shieldRefusalError } from '../pipeline/stages/shield.js';

export { cacheControlMaxAgeMs } from '../pipeline/stages/fetchCache.js';

/** Options of {@link SubgraphDataSource}. */
export interface SubgraphDataSourceOptions {
  /** Subgraph name, as in the supergraph. */
  name: string;
  /** The subgraph's GraphQL endpoint. */
  url: string;
  /** The HTTP client (shared keep-alive agents). */
  fetcher: Fetcher;
  /** Signs the caller's identity into `x-gateway-identity` (GATEWAY_IDENTITY_SECRET). */
  identitySecret: string;
  /** The gateway's pipeline, whose `onSubgraphFetch` stages (fetch cache, stale-if-error, shield) every fetch runs. Absent: straight upstream. */
  pipeline?: Pipeline;
  /**
   * The types and root fields this subgraph applies row rules to (its schema marks them
   * `@rowRules`, gateway/access/rowRules.ts): entity fetches of those types are keyed by the
   * caller's scope; others are shared. Read per fetch (hot reloads). Absent: nothing is shared.
   */
  rowRuled?: () => ReadonlySet<string> | undefined;
}

/** The codes that mean "the slice could not be had". */
const FAILURE_CODES = new Set<string>([ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.RATE_LIMITED]);

/** An `_entities` fetch (the only way to reach an entity without its guarded entry point). */
const ENTITIES = /\b_entities\b/;

interface SubgraphErrorBody {
  errors?: { message?: string; extensions?: { code?: string; retryAfter?: number } }[];
}
type Response = GatewayGraphQLResponse;

/**
 * The one way the gateway calls a subgraph:
 * - forwards who is asking, signed (`x-gateway-identity`) and bound to this fetch — the subgraph,
 *   a request id and the SHA-256 of the body, valid 30 s, single use for row-ruled `_entities`
 *   fetches; every attempt (a retry too) signs anew; subgraphs refuse anything else;
 * - runs the pipeline's subgraph fetch stages (gateway/pipeline/stages.ts): the fetch cache, the
 *   last known answer served stale on failure, and the shield;
 * - maps every failure to a typed error (`RATE_LIMITED` with `retryAfter`, or
 *   `UPSTREAM_UNAVAILABLE`) naming the subgraph — never Apollo's DOWNSTREAM_SERVICE_ERROR.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  private readonly identitySecret: string;
  private readonly pipeline: Pipeline | undefined;
  private readonly rowRuled: (() => ReadonlySet<string> | undefined) | undefined;
  /** Upstream fetches made (not cache hits, not coalesced followers): for tests and the benchmark. */
  upstreamFetches = 0;
  /** What this gateway's fetches saw of the subgraph, for `/health/ready`. */
  readonly observed: ObservedFetches = {};

  constructor(opts: SubgraphDataSourceOptions) {
    super({ url: opts.url, fetcher: opts.fetcher });
    this.name = opts.name;
    this.identitySecret = opts.identitySecret;
    this.pipeline = opts.pipeline;
    this.rowRuled = opts.rowRuled;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const context = options.context as GatewayContext;
    const identity = context?.identity;
    if (!identity) throw new Error('a subgraph fetch without an identity: every operation runs as someone');
    const { query, variables, operationName } = options.request;
    if (!query) throw new Error('Missing query');
    // The variables (an entity fetch's representations: the bulk of the body) are serialized once,
    // for the body and for the key.
    const variablesJson = variables === undefined ? undefined : JSON.stringify(variables);
    const body = fetchBody(query, variablesJson, operationName);
    // Entity fetches of subgraphs without row rules answer the same to everyone (field rules are
    // applied before planning): they are shared across callers — cached, coalesced, kept as last
    // known. Everything else is keyed by the caller's scope.
    const shared = this.rowRuled !== undefined && isSharedFetch(query, this.rowRuled());
    // Keyed by what the subgraph answers, not by the client operation the plan came from: the
    // gateway names each fetch after it (`TrackerStatus__erp__5`), so without this the tracker's
    // read and the subscription payload that follows it would never share the ERP's answer.
    const key = `fetch:${this.name}:${createHash('sha256')
      .update(shared ? '*' : context.scope)
      .update('\u0000')
      .update(fetchKeyBody(query, variablesJson))
      .digest('base64url')}`;
    const bodySha256 = bodyDigest(body);
    const requestId = randomUUID();
    // Entity fetches answered by caller (row rules) are single use: a captured header cannot be replayed.
    const singleUse = !shared && ENTITIES.test(query);
    const fetch: SubgraphFetch = { subgraph: this.name, body, key, shared, context };
    // The agent a salesforce caller asserts rides inside the signed identity (audit trail), never beside it.
    const signed = context.actingUser ? { ...identity, actingUser: context.actingUser.actingUser } : identity;
    // Every attempt is signed anew (a retry re-signs), bound to this subgraph, request and body.
    const upstream = (signal?: AbortSignal) =>
      this.fetchUpstream(
        body,
        signIdentity(signed, this.identitySecret, Date.now(), {
          subgraph: this.name,
          requestId,
          bodySha256,
          singleUse,
        }),
        signal,
        fetch.headers,
      );
    try {
      const response = this.pipeline ? await this.pipeline.fetch(fetch, upstream) : await upstream();
      const failed = response.errors?.find((e) => FAILURE_CODES.has(String(e.extensions?.code)));
      if (failed || fetch.servedStale)
        this.observe(
          String(failed?.extensions?.code ?? context.freshness.at(-1)?.reason ?? ErrorCode.UPSTREAM_UNAVAILABLE),
        );
      else this.observed.lastSuccessAt = Date.now();
      return response;
    } catch (err) {
      const error = this.publicError(err);
      if (FAILURE_CODES.has(String(error.extensions.code))) this.observe(String(error.extensions.code));
      throw error;
    }
  }

  private observe(code: string): void {
    this.observed.lastFailure = { code, at: Date.now() };
  }

  /** One POST to the subgraph; HTTP failures become typed GraphQL errors (errorFromResponse). */
  private async fetchUpstream(
    body: string,
    identityHeader: string,
    signal?: AbortSignal,
    extraHeaders?: Record<string, string>,
  ): Promise<Response> {
    this.upstreamFetches++;
    let res: FetcherResponse;
    try {
      res = await this.fetcher(this.url, {
        method: 'POST',
        // The fetch stages' headers (traceparent, x-request-id) first: they never replace the signed identity.
        headers: { ...extraHeaders, 'content-type': 'application/json', [IDENTITY_HEADER]: identityHeader },
        body,
        ...(signal ? { signal } : {}),
      } as Parameters<Fetcher>[1]);
    } catch (err) {
      throw this.publicError(err);
    }
    if (!res.ok) throw await this.errorFromResponse(res as never);
    try {
      return withMaxAge((await res.json()) as Response, res.headers.get('cache-control'));
    } catch {
      throw unavailable(this.name, 'unreadable response');
    }
  }

  /** Any failure as the public error clients see. */
  private publicError(err: unknown): GraphQLError {
    if (err instanceof GraphQLError && typeof err.extensions.code === 'string' && err.extensions.code in ErrorCode)
      return err;
    if (isShieldRefusal(err)) return shieldRefusalError(this.name, err);
    return unavailable(this.name, describeNetworkError(err as Error));
  }

  override async errorFromResponse(
    response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0],
  ): Promise<GraphQLError> {
    let body: SubgraphErrorBody | undefined;
    try {
      body = (await response.json()) as SubgraphErrorBody;
    } catch {
      body = undefined;
    }
    const first = body?.errors?.[0];
    if (response.status === 429) {
      const header = Number(response.headers.get('retry-after'));
      const retryAfter = Number.isFinite(header) && header > 0 ? header : Number(first?.extensions?.retryAfter) || 1;
      return new GraphQLError(`${this.name} is rate limited; retry after ${retryAfter}s`, {
        extensions: { code: ErrorCode.RATE_LIMITED, serviceName: this.name, retryAfter },
      });
    }
    // A subgraph's own public 4xx codes (e.g. BAD_USER_INPUT on an oversized body) pass through.
    const code = first?.extensions?.code;
    if (response.status < 500 && typeof code === 'string' && code in ErrorCode) {
      return new GraphQLError(first?.message ?? `${this.name} refused the request`, {
        extensions: { code, serviceName: this.name },
      });
    }
    return unavailable(this.name, `HTTP ${response.status}`);
  }
}

/** A subgraph query's operation name (the gateway's `<operation>__<subgraph>__<n>`); nothing else in a query names it. */
const QUERY_NAME = /^\s*query\s+[_A-Za-z][_0-9A-Za-z]*/;

/**
 * What a fetch's cache, coalescing and last-known key is made of: the query without its operation
 * name, and the variables. Two plans that ask a subgraph the same thing (the same selection of the
 * same representations) get the same key whatever client operation they came from. Only queries:
 * a mutation keeps its name (it is never cached, and is not merged with another operation's).
 */
export function fetchKeyBody(query: string, variablesJson: string | undefined): string {
  return `${query.replace(QUERY_NAME, 'query')}\u0000${variablesJson ?? ''}`;
}

/** The POST body of a subgraph fetch, as `JSON.stringify({ query, variables, operationName })` writes it. */
function fetchBody(query: string, variablesJson: string | undefined, operationName: string | undefined | null): string {
  const vars = variablesJson === undefined ? '' : `,"variables":${variablesJson}`;
  const name = operationName === undefined ? '' : `,"operationName":${JSON.stringify(operationName)}`;
  return `{"query":${JSON.stringify(query)}${vars}${name}}`;
}

function unavailable(name: string, why: string): GraphQLError {
  return new GraphQLError(`${name} is unavailable (${why}); its fields are null`, {
    extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, serviceName: name },
  });
}

/** A short, address-free reason: clients learn what failed, not where our services live. */
function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    default:
      return error.name === 'AbortError' || error.name === 'TimeoutError' ? 'timed out' : 'request failed';
  }
}
