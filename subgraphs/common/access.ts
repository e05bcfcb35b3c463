import { CONSUMER_POLICIES, type Identity } from '../../canonical/index.js';

/**
 * Whether the caller may use a root lookup that does not start from an order (a payment, shipment,
 * return or tracking number by id): only identities that see every order. The gateway already
 * refuses these fields to the others (`@requiresScopes`); this is the subgraph's own check, so a
 * lookup never answers a row the caller may not see. The row is absent (null), never an error.
 */
export function seesAllOrders(identity: Identity): boolean {
  return CONSUMER_POLICIES[identity.consumer].rows === 'all';
}
