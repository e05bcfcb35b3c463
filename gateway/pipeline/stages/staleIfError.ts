import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../../canonical/index.js';
import type { CacheStore } from '../../cache/store.js';
import type { Stage, SubgraphResponse } from '../stage.js';

/** The codes that mean "the slice could not be had", after which a last known slice may be served. */
const FAILURE_CODES = new Set<string>([ErrorCode.UPSTREAM_UNAVAILABLE, ErrorCode.RATE_LIMITED]);

/** Options of {@link staleIfErrorStage}. */
export interface StaleIfErrorOptions {
  /** The last answer of every fetch; absent: nothing is kept, nothing served stale (freshness is still reported). */
  lastKnown?: CacheStore;
  /** How long a last answer is kept, ms (CACHE_STALE_TTL_MS). */
  staleTtlMs: number;
}

/**
 * Stale-if-error and freshness: the last good answer of every subgraph fetch is kept; when the
 * subgraph fails, is rate limited or the shield refuses, that answer stands in for the fetch and
 * the slice is listed in the response's `extensions.freshness` as `{ subgraph, asOf, reason }`
 * (CANONICAL_MODEL.md) — not an error, and never cached. With nothing known the failure stands.
 */
export function staleIfErrorStage(opts: StaleIfErrorOptions): Stage {
  const store = opts.lastKnown;
  const read = async (key: string): Promise<{ asOf: string; response: SubgraphResponse } | undefined> => {
    const raw = await store?.get(`last:${key}`);
    if (raw === undefined) return undefined;
    const newline = raw.indexOf('\n');
    try {
      return { asOf: raw.slice(0, newline), response: JSON.parse(raw.slice(newline + 1)) as SubgraphResponse };
    } catch {
      return undefined;
    }
  };
  return {
    name: 'stale-if-error / freshness',
    async onSubgraphFetch(fetch, next) {
      if (!store) return next();
      // Read at most once per fetch, whichever failure path asks first.
      let known: ReturnType<typeof read> | undefined;
      const lastKnown = () => (known ??= read(fetch.key));
      fetch.hasFallback = async () => (await lastKnown()) !== undefined;
      const serveStale = async (reason: string): Promise<SubgraphResponse | undefined> => {
        const stale = await lastKnown();
        if (!stale) return undefined;
        fetch.context.freshness.push({ subgraph: fetch.subgraph, asOf: stale.asOf, reason });
        fetch.servedStale = true;
        return stale.response;
      };
      let response: SubgraphResponse;
      try {
        response = await next();
      } catch (err) {
        const code = err instanceof GraphQLError ? String(err.extensions.code) : ErrorCode.UPSTREAM_UNAVAILABLE;
        const stale = await serveStale(code);
        if (stale) return stale;
        throw err;
      }
      const failed = response.errors?.find((e) => FAILURE_CODES.has(String(e.extensions?.code)));
      if (failed) return (await serveStale(String(failed.extensions?.code))) ?? response;
      if (!response.errors?.length)
        await store.set(
          `last:${fetch.key}`,
          `${new Date().toISOString()}\n${JSON.stringify(response)}`,
          opts.staleTtlMs,
        );
      return response;
    },
    onResponse({ result, context }) {
      if (context.freshness.length === 0) return;
      const seen = new Set<string>();
      const freshness = context.freshness.filter((f) => {
        const k = `${f.subgraph}\u0000${f.asOf}\u0000${f.reason}`;
        return seen.has(k) ? false : (seen.add(k), true);
      });
      (result as { extensions?: Record<string, unknown> }).extensions = { ...result.extensions, freshness };
    },
  };
}
