import { visibilityScope, type Identity } from '../canonical/index.js';

/**
 * The per-request context of the gateway's Apollo Server: who is asking (established by the
 * authentication middleware, or the in-process caller) and everything that decides what they may
 * see, as one string (cache keys and shared subscription executions are keyed on it).
 */
export interface GatewayContext {
  identity: Identity;
  /** {@link visibilityScope} of the identity. */
  scope: string;
}

export function gatewayContext(identity: Identity): GatewayContext {
  return { identity, scope: visibilityScope(identity) };
}
