import { createHash } from 'node:crypto';
import { dependenciesOf } from '../../cache/orderIds.js';
import type { TaggedCache } from '../../cache/tagged.js';
import type { Stage } from '../stage.js';
import type { CacheCounter } from './metrics.js';

/** Options of {@link responseCacheStage}. */
export interface ResponseCacheOptions {
  cache: TaggedCache;
  /** How long a whole answer is kept, ms (CACHE_RESPONSE_TTL_MS); 0 turns the response cache off. */
  ttlMs: number;
  /** Shorter lives for answers containing these types (CACHE_TYPE_TTLS). @default {} */
  typeTtlMs?: Record<string, number>;
  /** Counts hits and misses (`ovg_cache_requests_total{cache="response"}`). @default none */
  counted?: CacheCounter;
}

/**
 * The key of one answer: the caller's visibility scope (so no consumer is ever served another's
 * answer), the document as sent, the operation name and the variables.
 */
export function responseCacheKey(scope: string, query: string, operationName: unknown, variables: unknown): string {
  const h = createHash('sha256');
  h.update(scope)
    .update('\u0000')
    .update(query)
    .update('\u0000')
    .update(typeof operationName === 'string' ? operationName : '')
    .update('\u0000')
    .update(JSON.stringify(variables ?? {}));
  return `response:${h.digest('base64url')}`;
}

/**
 * The response cache, one stage with two hooks:
 * - `onRequest` (the early answer): a single HTTP operation whose answer is cached and still
 *   current (the order versions are read, as on every hit) is answered at once — no parsing,
 *   planning, Apollo Server or subgraph. On a miss it reads the versions clock first (BEFORE
 *   execution, so a webhook acknowledged while the operation runs keeps the answer out of the
 *   cache) and leaves a ticket in the context;
 * - `onResponse` (the store): a query answered without errors, whose every order is identifiable
 *   ({@link dependenciesOf}) and that served nothing stale, is stored tagged with its orders and
 *   customers' lists. Errors, partial answers and stale slices are never cached.
 */
export function responseCacheStage(opts: ResponseCacheOptions): Stage {
  const on = opts.ttlMs > 0;
  return {
    name: 'response cache',
    async onRequest(call, context) {
      const params = call.operations[0];
      if (!on || call.transport !== 'http' || call.batch || typeof params?.query !== 'string') return undefined;
      const key = responseCacheKey(context.scope, params.query, params.operationName, params.variables);
      const hit = await opts.cache.get(key);
      if (hit !== undefined) {
        opts.counted?.hit();
        return { status: 200, headers: { 'x-cache': 'hit' }, body: hit };
      }
      opts.counted?.miss();
      const snapshot = await opts.cache.snapshot([]);
      if (snapshot) context.responseCache = { key, snapshot };
      call.responseHeaders['x-cache'] = 'miss';
      return undefined;
    },
    async onResponse({ result, status, context, schema, document, operation, variables }) {
      const ticket = context.responseCache;
      if (!ticket || !on || !operation || !document) return;
      if (result.errors?.length || !result.data || context.freshness.length > 0) return;
      if (status !== undefined && status !== 200) return;
      const deps = dependenciesOf(schema, document, operation, variables, result.data, context.identity);
      if (!deps) return;
      // Stored exactly as Apollo Server sends it, so a hit answers the same bytes.
      const text = JSON.stringify(
        result.extensions ? { data: result.data, extensions: result.extensions } : { data: result.data },
      );
      let ttlMs = opts.ttlMs;
      for (const type of deps.types) ttlMs = Math.min(ttlMs, opts.typeTtlMs?.[type] ?? ttlMs);
      if (ttlMs <= 0) return;
      await opts.cache.set(ticket.key, text, {
        ttlMs,
        versions: ticket.snapshot,
        discoveredIds: deps.ids,
        tags: deps.tags,
      });
    },
  };
}
