import { visibilityScope, type Identity } from '../../canonical/index.js';
import type { VersionSnapshot } from '../../events/versions.js';
import type { ForbiddenField } from '../access/forbidden.js';

/** Which transport a request came in on. `internal`: the gateway's own reads (tracker, payloads). */
export type Transport = 'http' | 'ws' | 'internal';

/** Where the response cache stores this answer, and the versions read before the operation ran. */
export interface ResponseCacheTicket {
  key: string;
  snapshot: VersionSnapshot;
}

/**
 * The one per-request context of the gateway, created by the transport once the authentication
 * stage has established who is asking, and handed to every later stage, to Apollo Server and to
 * every subgraph fetch. Stages keep their request-scoped state here (typed), never on the
 * transport's request or response objects.
 */
export interface GatewayContext {
  transport: Transport;
  identity: Identity;
  /** {@link visibilityScope} of the identity: cache keys and shared subscription executions are keyed on it. */
  scope: string;
  /** Slices served from the last known value after an upstream failure or a shield refusal (`extensions.freshness`). */
  freshness: Freshness[];
  /** Set by the response cache stage on a miss: where to store this answer. */
  responseCache?: ResponseCacheTicket;
  /** Set by the field access stage: the fields taken out of the operation, put back as null with FORBIDDEN. */
  forbiddenFields?: ForbiddenField[];
  /** The orders the operation starts from (`order(id:)`), which its subgraph fetches are cached under. */
  rootOrderIds?: string[];
  /**
   * The order versions clock, read once per request (lazily) when no response cache ticket holds
   * it: identical subgraph fetches coalesce only within one clock value.
   */
  versionsClock?: Promise<number | undefined>;
  /** The request's id (`x-request-id`): echoed to the client, forwarded to the subgraphs, in the access log. */
  requestId?: string;
  /**
   * What execution learns that the request's outer stages read afterwards. Apollo Server runs the
   * operation with a shallow copy of this context, so this is shared by reference.
   */
  facts: RequestFacts;
  /** The Salesforce user a `salesforce` caller says it acts for (`x-acting-user`): recorded, never used for access decisions. */
  actingUser?: ActingUser;
}

/** Facts of a request learnt during execution ({@link GatewayContext.facts}). */
export interface RequestFacts {
  /** The operation's name as the document says (metrics label it `other` unless the manifest names it). */
  operationName?: string;
}

/** Who a trusted caller says it acts for (docs/security.md, "Acting user"). */
export interface ActingUser {
  /** A Salesforce user id (`005…`, 15 or 18 characters). */
  actingUser: string;
  /** The authenticated consumer that asserted it: only `salesforce` may. */
  assertedBy: 'salesforce';
}

/** One slice served stale, as `extensions.freshness` lists it (CANONICAL_MODEL.md, "Error codes"). */
export interface Freshness {
  subgraph: string;
  /** When the served value was fetched (ISO-8601). */
  asOf: string;
  /** Why the fresh value could not be had: `RATE_LIMITED`, `UPSTREAM_UNAVAILABLE`, or the shield's refusal. */
  reason: string;
}

/** {@link visibilityScope} per identity object: a remembered credential's identity is reused, so its scope is computed once. */
const scopes = new WeakMap<Identity, string>();

/** A fresh context for `identity`. @param transport @default 'internal' */
export function gatewayContext(
  identity: Identity,
  transport: Transport = 'internal',
  extra: Partial<GatewayContext> = {},
): GatewayContext {
  let scope = scopes.get(identity);
  if (scope === undefined) scopes.set(identity, (scope = visibilityScope(identity)));
  return { transport, identity, scope, freshness: [], facts: {}, ...extra };
}
