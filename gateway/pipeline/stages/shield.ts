import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../../canonical/index.js';
import type { TaggedCache } from '../../cache/tagged.js';
import { isShieldRefusal, type Shield, type ShieldRefusal, type Verdict } from '../../shield/index.js';
import type { Stage, SubgraphFetch, SubgraphResponse } from '../stage.js';

/** How long a fetch with nothing to fall back on waits for a rate-limit token before it is refused. */
const RATE_WAIT_MS = 1500;

/** Options of {@link shieldStage}. */
export interface ShieldStageOptions {
  /** The shield of each subgraph (rate limit, concurrency cap, deadline, retries, breaker, coalescing). */
  shields: ReadonlyMap<string, Shield>;
  /** The caches, whose versions clock keeps coalescing honest. Absent: fetches coalesce on their key alone. */
  cache?: TaggedCache;
}

/** A shield's refusal as the public error clients see. */
export function shieldRefusalError(subgraph: string, err: ShieldRefusal): GraphQLError {
  if (err.reason === 'rate_limited') {
    const retryAfter = Math.max(1, Math.ceil(err.retryAfterMs / 1000));
    return new GraphQLError(`${subgraph} is rate limited by the gateway's shield; retry after ${retryAfter}s`, {
      extensions: { code: ErrorCode.RATE_LIMITED, serviceName: subgraph, retryAfter },
    });
  }
  const why =
    err.reason === 'circuit_open'
      ? 'circuit open'
      : err.reason === 'timeout'
        ? 'timed out'
        : 'too many requests in flight';
  return new GraphQLError(`${subgraph} is unavailable (${why}); its fields are null`, {
    extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, serviceName: subgraph },
  });
}

/** How the shield judges one attempt: 429 pauses, unavailability is retried, anything else is final. */
function classify(outcome: { ok: true; value: SubgraphResponse } | { ok: false; error: unknown }): Verdict {
  if (outcome.ok) {
    const failed = outcome.value.errors?.some((e) => e.extensions?.code === ErrorCode.UPSTREAM_UNAVAILABLE);
    return failed ? 'retryable' : 'ok';
  }
  const err = outcome.error;
  if (err instanceof GraphQLError) {
    if (err.extensions.code === ErrorCode.RATE_LIMITED)
      return { rateLimited: Number(err.extensions.retryAfter ?? 1) * 1000 };
    if (err.extensions.code === ErrorCode.UPSTREAM_UNAVAILABLE) return 'retryable';
    return 'fatal';
  }
  return 'retryable';
}

/**
 * The shield around every subgraph fetch: identical in-flight fetches of the same caller scope
 * coalesce, the rate limit is shared by replicas, a concurrency cap, a deadline, retries and a
 * breaker. Over the rate limit, a fetch with a last known answer gives up at once (stale-if-error
 * serves that); one without waits for a token, up to {@link RATE_WAIT_MS}, so a burst is smoothed
 * rather than refused. A refusal becomes `RATE_LIMITED` (with `retryAfter`) or `UPSTREAM_UNAVAILABLE`.
 */
export function shieldStage(opts: ShieldStageOptions): Stage {
  /**
   * The key identical fetches coalesce on: the fetch's key and the versions it started from — of
   * its orders' slices, else the versions clock read once per request. A fetch that started
   * before a webhook's bump may have read the value that webhook replaced; a read that starts
   * after its 2xx sees the bumped versions, so it never joins that fetch. With no versions
   * (caching off, or the store unreachable) the fetch's key alone.
   */
  const flightKey = async (fetch: SubgraphFetch): Promise<string> => {
    if (!opts.cache) return fetch.key;
    if (fetch.snapshot) return `${fetch.key}@${[...fetch.snapshot.versions.values()].join(',')}`;
    const ctx = fetch.context;
    const clock = ctx.responseCache
      ? ctx.responseCache.snapshot.clock
      : await (ctx.versionsClock ??= opts.cache.snapshot([]).then((s) => s?.clock));
    return clock === undefined ? fetch.key : `${fetch.key}@${clock}`;
  };
  return {
    name: 'shield',
    async onSubgraphFetch(fetch, next) {
      const shield = opts.shields.get(fetch.subgraph);
      if (!shield) return next();
      const flight = await flightKey(fetch);
      const giveUpAt = Date.now() + RATE_WAIT_MS;
      for (;;) {
        try {
          return await shield.run(flight, (signal) => next(signal), classify);
        } catch (err) {
          if (!isShieldRefusal(err)) throw err;
          const waitable = err.reason === 'rate_limited' && !(await fetch.hasFallback?.());
          const wait = waitable ? Math.max(err.retryAfterMs, 10) : Infinity;
          if (Date.now() + wait > giveUpAt) throw shieldRefusalError(fetch.subgraph, err);
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    },
  };
}
