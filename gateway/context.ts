import { visibilityScope, type Identity } from '../canonical/index.js';
import type { ResponseCacheTicket } from './cache/responseCache.js';

/**
 * The per-request context of the gateway's Apollo Server: who is asking (established by the
 * authentication middleware, or the in-process caller) and everything that decides what they may
 * see, as one string (cache keys and shared subscription executions are keyed on it).
 */
export interface GatewayContext {
  identity: Identity;
  /** {@link visibilityScope} of the identity. */
  scope: string;
  /** Slices served from the last known value after an upstream failure or a shield refusal (`extensions.freshness`). */
  freshness: Freshness[];
  /** Set by the response cache lookup on a miss: where to store this answer. */
  responseCache?: ResponseCacheTicket;
  /** The orders the operation starts from (`order(id:)`), which its subgraph fetches are cached under. */
  rootOrderIds?: string[];
  /**
   * The order versions clock, read once per request (lazily) when no response cache ticket holds
   * it: identical subgraph fetches coalesce only within one clock value.
   */
  versionsClock?: Promise<number | undefined>;
}

/** One slice served stale, as `extensions.freshness` lists it (CANONICAL_MODEL.md, "Error codes"). */
export interface Freshness {
  subgraph: string;
  /** When the served value was fetched (ISO-8601). */
  asOf: string;
  /** Why the fresh value could not be had: `RATE_LIMITED`, `UPSTREAM_UNAVAILABLE`, or the shield's refusal. */
  reason: string;
}

export function gatewayContext(identity: Identity, extra: Partial<GatewayContext> = {}): GatewayContext {
  return { identity, scope: visibilityScope(identity), freshness: [], ...extra };
}
