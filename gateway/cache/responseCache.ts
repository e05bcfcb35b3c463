import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import type { VersionSnapshot } from '../../events/versions.js';
import type { GatewayContext } from '../context.js';
import { dependenciesOf, rootOrderIdsOf } from './orderIds.js';
import type { TaggedCache } from './tagged.js';

/** Set on a request the fast path (fastPath.ts) already looked up and missed: its key, so it is not looked up twice. */
export const LOOKED_UP = Symbol('responseCacheLookedUp');

/** What the lookup leaves for the plugin: where to store the answer, and the versions read before it ran. */
export interface ResponseCacheTicket {
  key: string;
  snapshot: VersionSnapshot;
}

/** Options of {@link responseCacheLookup} and {@link responseCachePlugin}. */
export interface ResponseCacheOptions {
  cache: TaggedCache;
  /** How long a whole answer is kept, ms (CACHE_RESPONSE_TTL_MS); 0 turns the response cache off. */
  ttlMs: number;
  /** Shorter lives for answers containing these types (CACHE_TYPE_TTLS). @default {} */
  typeTtlMs?: Record<string, number>;
}

/**
 * The key of one answer: the caller's visibility scope (so no consumer is ever served another's
 * answer), the document as sent, the operation name and the variables.
 */
export function responseCacheKey(scope: string, query: string, operationName: unknown, variables: unknown): string {
  const h = createHash('sha256');
  h.update(scope).update('\u0000').update(query).update('\u0000').update(typeof operationName === 'string' ? operationName : '')
    .update('\u0000').update(JSON.stringify(variables ?? {}));
  return `response:${h.digest('base64url')}`;
}

/**
 * The hit path, before Apollo Server: a POST whose answer is cached (and still current: every
 * order it contains is at the version it was read at) is answered here, without parsing,
 * planning or any subgraph. On a miss it reads the versions clock first (BEFORE execution, so a
 * webhook acknowledged while the operation runs keeps the answer out of the cache) and leaves a
 * ticket for {@link responseCachePlugin}.
 */
export function responseCacheLookup(opts: ResponseCacheOptions): RequestHandler {
  return (req, res, next) => {
    const body = req.body as { query?: unknown; operationName?: unknown; variables?: unknown } | undefined;
    if (opts.ttlMs <= 0 || req.method !== 'POST' || !body || Array.isArray(body) || typeof body.query !== 'string') return next();
    const scope = (res.locals.scope as string | undefined) ?? '';
    // Already looked up (and missed) before Express (fastPath.ts): only the snapshot is left to take.
    const looked = (req as unknown as Record<symbol, string | undefined>)[LOOKED_UP];
    const key = looked ?? responseCacheKey(scope, body.query, body.operationName, body.variables);
    (looked !== undefined ? Promise.resolve(undefined) : opts.cache.get(key)).then(async (hit) => {
      if (hit !== undefined) {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.setHeader('x-cache', 'hit');
        res.end(hit);
        return;
      }
      const snapshot = await opts.cache.snapshot([]);
      if (snapshot) res.locals.responseCache = { key, snapshot } satisfies ResponseCacheTicket;
      res.setHeader('x-cache', 'miss');
      next();
    }, next);
  };
}

/**
 * The store path: a query answered without errors, whose every order is identifiable
 * ({@link dependenciesOf}) and that served nothing stale, is stored tagged with its orders and
 * customers' lists. Errors, partial answers and stale slices are never cached.
 */
export function responseCachePlugin(opts: ResponseCacheOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(ctx) {
          // The fetch cache keys the subgraph fetches of single-order operations on that order.
          if (ctx.operation) ctx.contextValue.rootOrderIds = rootOrderIdsOf(ctx.schema, ctx.operation, ctx.request.variables ?? {});
        },
        async willSendResponse(ctx) {
          const ticket = ctx.contextValue.responseCache;
          const { response } = ctx;
          if (!ticket || opts.ttlMs <= 0 || response.body.kind !== 'single' || !ctx.operation || !ctx.document) return;
          const result = response.body.singleResult;
          if (result.errors?.length || !result.data || ctx.contextValue.freshness.length > 0) return;
          if (response.http.status !== undefined && response.http.status !== 200) return;
          const deps = dependenciesOf(ctx.schema, ctx.document, ctx.operation, ctx.request.variables ?? {}, result.data, ctx.contextValue.identity);
          if (!deps) return;
          // Stored exactly as Apollo Server sends it, so a hit answers the same bytes.
          const text = JSON.stringify(result.extensions ? { data: result.data, extensions: result.extensions } : { data: result.data });
          let ttlMs = opts.ttlMs;
          for (const type of deps.types) ttlMs = Math.min(ttlMs, opts.typeTtlMs?.[type] ?? ttlMs);
          if (ttlMs <= 0) return;
          await opts.cache.set(ticket.key, text, { ttlMs, versions: ticket.snapshot, discoveredIds: deps.ids, tags: deps.tags });
        },
      };
    },
  };
}
