import { createHash } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { ErrorCode, IDENTITY_HEADER, signIdentity, type Identity } from '../../canonical/index.js';
import { sliceVersionId, type VersionSnapshot } from '../../events/versions.js';
import type { CacheStore } from '../cache/store.js';
import type { TaggedCache } from '../cache/tagged.js';
import type { GatewayContext } from '../context.js';
import { isShieldRefusal, type Shield, type Verdict } from '../shield/index.js';

/** The fetch cache and the last known slices of one subgraph. */
export interface FetchCaching {
  /** Fresh entries, checked against the order versions (CACHE_TTL_<SUBGRAPH>_MS; 0 = off). */
  cache: TaggedCache;
  ttlMs: number;
  /** The last answer of every fetch, served stale when the subgraph fails or the shield refuses (CACHE_STALE_TTL_MS). */
  lastKnown: CacheStore;
  staleTtlMs: number;
}

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
  /** Rate limit, concurrency cap, deadline, retries, breaker and coalescing around every fetch. Absent: none. */
  shield?: Shield;
  /** Fetch cache and last known slices. Absent: every fetch goes upstream, nothing is served stale. */
  caching?: FetchCaching;
}

/** How long a fetch with nothing to fall back on waits for a rate-limit token before it is refused. */
const RATE_WAIT_MS = 1500;

/** Where a response carries its subgraph's Cache-Control bound (not serialized into the caches). */
const MAX_AGE = Symbol('maxAgeMs');

/**
 * The longest a subgraph lets its answer be kept, ms: `s-maxage`, else `max-age`; 0 for
 * `no-store` or `no-cache`; undefined when it says nothing (then the configured TTL alone).
 * `private` is not a refusal here: the gateway keys the answers of subgraphs whose answers vary
 * by caller (row rules) by the caller's scope.
 */
export function cacheControlMaxAgeMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const directives = header.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'no-cache')) return 0;
  const seconds = (name: string): number | undefined => {
    const m = directives.map((d) => new RegExp(`^${name}=(\\d+)$`).exec(d)).find(Boolean);
    return m ? Number(m[1]) : undefined;
  };
  const age = seconds('s-maxage') ?? seconds('max-age');
  return age === undefined ? undefined : age * 1000;
}

/** A signed header is reused for this long (subgraphs accept it for 60 s). */
const SIGNATURE_REUSE_MS = 20_000;

interface SubgraphErrorBody { errors?: { message?: string; extensions?: { code?: string; retryAfter?: number } }[] }
type Response = GatewayGraphQLResponse;

/**
 * The subgraphs whose answers depend on who asks, for entity fetches too (row rules). Any subgraph
 * that starts applying rules to its entities must be added here, or its answers would be shared.
 */
const ROW_RULES_IN: ReadonlySet<string> = new Set(['oms']);

/** The codes that mean "the slice could not be had", after which a last known slice may be served. */
const FAILURE_CODES = new Set<string>([ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.RATE_LIMITED]);

/**
 * The one way the gateway calls a subgraph:
 * - forwards who is asking, signed (`x-gateway-identity`); subgraphs refuse anything else;
 * - answers from the fetch cache when the operation starts from known orders (`order(id:)`) and
 *   the entry is current (the versions of those orders' slices in this subgraph are unchanged);
 * - otherwise fetches through the shield (coalescing identical in-flight fetches of the same
 *   caller scope, rate limit shared by replicas, concurrency cap, deadline, retries, breaker);
 * - when the shield refuses or the subgraph fails, serves the last known answer of the same fetch
 *   and lists it in `extensions.freshness`; with nothing known, the failure becomes a typed error
 *   (`RATE_LIMITED` with `retryAfter`, or `UPSTREAM_UNAVAILABLE`) naming the subgraph — never
 *   Apollo's DOWNSTREAM_SERVICE_ERROR.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;
  private readonly identitySecret: string;
  private readonly shield: Shield | undefined;
  private readonly caching: FetchCaching | undefined;
  private readonly signed = new WeakMap<Identity, { value: string; at: number }>();
  /** Upstream fetches made (not cache hits, not coalesced followers): for tests and the benchmark. */
  upstreamFetches = 0;

  constructor(opts: SubgraphDataSourceOptions) {
    super({ url: opts.url, fetcher: opts.fetcher });
    this.name = opts.name;
    this.identitySecret = opts.identitySecret;
    this.shield = opts.shield;
    this.caching = opts.caching;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const ctx = options.context as Partial<GatewayContext>;
    const identity = ctx.identity;
    if (!identity) throw new Error('a subgraph fetch without an identity: every operation runs as someone');
    const { query, variables, operationName } = options.request;
    if (!query) throw new Error('Missing query');
    const body = JSON.stringify({ query, variables, operationName });
    // Entity fetches of subgraphs without row rules answer the same to everyone (field rules are
    // applied before planning): they are shared across callers — cached, coalesced, kept as last
    // known. Everything else is keyed by the caller's scope.
    const shared = !ROW_RULES_IN.has(this.name) && query.includes('_entities(');
    const key = `fetch:${this.name}:${createHash('sha256').update(shared ? '*' : ctx.scope ?? '').update('\u0000').update(body).digest('base64url')}`;
    const caching = this.caching;
    const versionIds = caching && caching.ttlMs > 0 && ctx.rootOrderIds?.length ? ctx.rootOrderIds.map((id) => sliceVersionId(id, this.name)) : undefined;

    if (caching && versionIds) {
      const hit = await caching.cache.get(key);
      if (hit !== undefined) return JSON.parse(hit) as Response;
    }
    const snapshot = caching && versionIds ? await caching.cache.snapshot(versionIds) : undefined;
    const header = this.signature(identity);
    // Read at most once per fetch, whichever failure path asks first.
    let known: Promise<{ asOf: string; response: Response } | undefined> | undefined;
    const lastKnown = () => (known ??= this.lastKnown(key));
    let response: Response;
    try {
      const fetchOnce = (signal?: AbortSignal) => this.fetchUpstream(body, header, signal);
      response = this.shield ? await this.throughShield(await this.flightKey(key, ctx, snapshot), lastKnown, fetchOnce) : await fetchOnce();
    } catch (err) {
      const error = this.publicError(err);
      const stale = await lastKnown();
      if (stale) {
        ctx.freshness?.push({ subgraph: this.name, asOf: stale.asOf, reason: String(error.extensions.code) });
        return stale.response;
      }
      throw error;
    }
    const failed = response.errors?.find((e) => FAILURE_CODES.has(String(e.extensions?.code)));
    if (failed) {
      const stale = await lastKnown();
      if (stale) {
        ctx.freshness?.push({ subgraph: this.name, asOf: stale.asOf, reason: String(failed.extensions?.code) });
        return stale.response;
      }
      return response;
    }
    if (caching && !response.errors?.length) {
      const text = JSON.stringify(response);
      const writes: Promise<unknown>[] = [caching.lastKnown.set(`last:${key}`, `${new Date().toISOString()}\n${text}`, caching.staleTtlMs)];
      // The subgraph's Cache-Control bounds the configured TTL (no-store / private / max-age=0: not cached).
      const maxAgeMs = (response as { [MAX_AGE]?: number })[MAX_AGE];
      const ttlMs = Math.min(caching.ttlMs, maxAgeMs ?? Infinity);
      if (snapshot && ttlMs > 0) writes.push(caching.cache.set(key, text, { ttlMs, versions: snapshot, tags: ctx.rootOrderIds!.map((id) => `order:${id}:${this.name}`) }));
      await Promise.all(writes);
    }
    return response;
  }

  /**
   * Through the shield. Over the rate limit, a fetch with a last known answer gives up at once
   * (the caller serves that); one without waits for a token, up to {@link RATE_WAIT_MS}, so a
   * burst is smoothed rather than refused.
   */
  private async throughShield(flight: string, lastKnown: () => Promise<unknown>, fetchOnce: (signal?: AbortSignal) => Promise<Response>): Promise<Response> {
    const shield = this.shield!;
    const giveUpAt = Date.now() + RATE_WAIT_MS;
    for (;;) {
      try {
        return await shield.run(flight, fetchOnce, classify);
      } catch (err) {
        if (!isShieldRefusal(err) || err.reason !== 'rate_limited') throw err;
        if (await lastKnown()) throw err;
        const wait = Math.max(err.retryAfterMs, 10);
        if (Date.now() + wait > giveUpAt) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  /**
   * The key identical fetches coalesce on: the fetch's key and the versions it started from — of
   * its orders' slices, else the versions clock read once per request. A fetch that started
   * before a webhook's bump may have read the value that webhook replaced; a read that starts
   * after its 2xx sees the bumped versions, so it never joins that fetch (nor caches its answer
   * under the new versions). With no versions (caching off, or the store unreachable — then
   * ingest cannot bump and acknowledge either) the fetch's key alone.
   */
  private async flightKey(key: string, ctx: Partial<GatewayContext>, snapshot: VersionSnapshot | undefined): Promise<string> {
    if (!this.caching) return key;
    if (snapshot) return `${key}@${[...snapshot.versions.values()].join(',')}`;
    const clock = ctx.responseCache
      ? ctx.responseCache.snapshot.clock
      : await (ctx.versionsClock ??= this.caching.cache.snapshot([]).then((s) => s?.clock));
    return clock === undefined ? key : `${key}@${clock}`;
  }

  /** One POST to the subgraph; HTTP failures become typed GraphQL errors (errorFromResponse). */
  private async fetchUpstream(body: string, identityHeader: string, signal?: AbortSignal): Promise<Response> {
    this.upstreamFetches++;
    let res: FetcherResponse;
    try {
      res = await this.fetcher(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [IDENTITY_HEADER]: identityHeader },
        body,
        ...(signal ? { signal } : {}),
      } as Parameters<Fetcher>[1]);
    } catch (err) {
      throw this.publicError(err);
    }
    if (!res.ok) throw await this.errorFromResponse(res as never);
    try {
      const response = (await res.json()) as Response;
      const maxAgeMs = cacheControlMaxAgeMs(res.headers.get('cache-control'));
      if (maxAgeMs !== undefined) Object.defineProperty(response, MAX_AGE, { value: maxAgeMs, enumerable: false });
      return response;
    } catch {
      throw unavailable(this.name, 'unreadable response');
    }
  }

  private async lastKnown(key: string): Promise<{ asOf: string; response: Response } | undefined> {
    const raw = await this.caching?.lastKnown.get(`last:${key}`);
    if (raw === undefined) return undefined;
    const newline = raw.indexOf('\n');
    try {
      return { asOf: raw.slice(0, newline), response: JSON.parse(raw.slice(newline + 1)) as Response };
    } catch {
      return undefined;
    }
  }

  /** The signed identity header, reused for a while per identity (one HMAC per caller, not per fetch). */
  private signature(identity: Identity): string {
    const now = Date.now();
    let signed = this.signed.get(identity);
    if (!signed || now - signed.at > SIGNATURE_REUSE_MS) {
      signed = { value: signIdentity(identity, this.identitySecret, now), at: now };
      this.signed.set(identity, signed);
    }
    return signed.value;
  }

  /** Any failure as the public error clients see. */
  private publicError(err: unknown): GraphQLError {
    if (err instanceof GraphQLError && typeof err.extensions.code === 'string' && err.extensions.code in ErrorCode) return err;
    if (isShieldRefusal(err)) {
      if (err.reason === 'rate_limited') {
        const retryAfter = Math.max(1, Math.ceil(err.retryAfterMs / 1000));
        return new GraphQLError(`${this.name} is rate limited by the gateway's shield; retry after ${retryAfter}s`, {
          extensions: { code: ErrorCode.RATE_LIMITED, serviceName: this.name, retryAfter },
        });
      }
      return unavailable(this.name, err.reason === 'circuit_open' ? 'circuit open' : err.reason === 'timeout' ? 'timed out' : 'too many requests in flight');
    }
    return unavailable(this.name, describeNetworkError(err as Error));
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
}

/** How the shield judges one attempt: 429 pauses, unavailability is retried, anything else is final. */
function classify(outcome: { ok: true; value: Response } | { ok: false; error: unknown }): Verdict {
  if (outcome.ok) {
    const failed = outcome.value.errors?.some((e) => e.extensions?.code === ErrorCode.UPSTREAM_UNAVAILABLE);
    return failed ? 'retryable' : 'ok';
  }
  const err = outcome.error;
  if (err instanceof GraphQLError) {
    if (err.extensions.code === ErrorCode.RATE_LIMITED) return { rateLimited: Number(err.extensions.retryAfter ?? 1) * 1000 };
    if (err.extensions.code === ErrorCode.UPSTREAM_UNAVAILABLE) return 'retryable';
    return 'fatal';
  }
  return 'retryable';
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
    default: return error.name === 'AbortError' || error.name === 'TimeoutError' ? 'timed out' : 'request failed';
  }
}
