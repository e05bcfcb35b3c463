import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import { ErrorCode, IDENTITY_HEADER, signIdentity, type Identity } from '../../canonical/index.js';
import type { GatewayContext } from '../context.js';

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
}

/** A signed header is reused for this long (subgraphs accept it for 60 s). */
const SIGNATURE_REUSE_MS = 20_000;

interface SubgraphErrorBody { errors?: { message?: string; extensions?: { code?: string; retryAfter?: number } }[] }

/**
 * The one way the gateway calls a subgraph. Maps every subgraph failure to the public codes
 * (CANONICAL_MODEL.md, "Error codes") instead of Apollo's DOWNSTREAM_SERVICE_ERROR:
 * HTTP 429 → `RATE_LIMITED` with `retryAfter` (seconds); refused connections, timeouts, 5xx and
 * unreadable bodies → `UPSTREAM_UNAVAILABLE`. Both name the subgraph in `serviceName`.
 * The shield and the fetch cache will live here.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;

  private readonly identitySecret: string;
  private readonly signed = new WeakMap<Identity, { value: string; at: number }>();

  constructor(opts: SubgraphDataSourceOptions) {
    super({ url: opts.url, fetcher: opts.fetcher });
    this.name = opts.name;
    this.identitySecret = opts.identitySecret;
  }

  /**
   * Forwards who is asking, signed: the subgraph refuses requests without it and applies its row
   * rules to it. Whatever a client sent in that header never reaches a subgraph (the gateway builds
   * each subgraph request itself).
   */
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]): void {
    const identity = (context as Partial<GatewayContext>).identity;
    if (!identity) throw new Error('a subgraph fetch without an identity: every operation runs as someone');
    const now = Date.now();
    let signed = this.signed.get(identity);
    if (!signed || now - signed.at > SIGNATURE_REUSE_MS) {
      signed = { value: signIdentity(identity, this.identitySecret, now), at: now };
      this.signed.set(identity, signed);
    }
    request.http?.headers.set(IDENTITY_HEADER, signed.value);
  }

  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
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
      return new GraphQLError(first?.message ?? `${this.name} refused the request`, { extensions: { code, serviceName: this.name } });
    }
    return unavailable(this.name, `HTTP ${response.status}`);
  }

  override didEncounterError(error: Error): never {
    if (error instanceof GraphQLError && typeof error.extensions.code === 'string' && error.extensions.code in ErrorCode) throw error;
    throw unavailable(this.name, describeNetworkError(error));
  }
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
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': return 'connection reset';
    case 'ETIMEDOUT': return 'timed out';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host not found';
    default: return error.name === 'AbortError' ? 'timed out' : 'request failed';
  }
}
