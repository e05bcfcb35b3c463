/**
 * Who may see what (CANONICAL_MODEL.md, "Consumers"): the consumers, the identity the gateway
 * establishes from a credential and forwards to subgraphs, and the row and field rules every
 * entry point applies. Pure: the gateway authenticates, the subgraphs enforce rows with these.
 */

/** The consumers of the graph. */
export const CONSUMERS = ['salesforce', 'storefront', 'partner', 'ops'] as const;
export type Consumer = (typeof CONSUMERS)[number];
/** A consumer, or `internal`: the gateway's own least-privilege service identity (status tracker). */
export type IdentityKind = Consumer | 'internal';

/**
 * Who is calling, as established from their credential; the gateway forwards it to subgraphs in
 * the signed identity header (identityHeader.ts). Request-scoped: it lives in the request context.
 */
export interface Identity {
  consumer: IdentityKind;
  /** The JWT `sub` (for salesforce without one: `client_id` or `azp`), the partner key id, or the service name. */
  subject: string;
  /** storefront only: the customer whose orders this caller may see (the `sub`). */
  customerId?: string;
  /** partner only: the fulfillment node whose orders this caller may see. */
  partnerNodeId?: string;
  /** The token's space-delimited `scope` (or `scp`) claim, split; `[]` for API keys. */
  scopes: string[];
  /** When the credential expires, epoch milliseconds (JWT `exp` × 1000); absent for API keys. */
  expiresAt?: number;
  /**
   * salesforce only: the Salesforce user the consumer says it acts for (`x-acting-user`, a
   * {@link SALESFORCE_USER_ID}). Asserted by the consumer, not proven by the credential: recorded in
   * the audit trail, never used for an access decision. Set by the gateway per request.
   */
  actingUser?: string;
}

/** A Salesforce user id: key prefix `005`, then 12 (15-character id) or 15 (18-character id) letters or digits. */
export const SALESFORCE_USER_ID = /^005[0-9A-Za-z]{12}([0-9A-Za-z]{3})?$/;

/** The consumers that may assert an acting user (`x-acting-user`); from any other the gateway ignores it. */
export const ACTING_USER_ASSERTERS: readonly IdentityKind[] = ['salesforce'];

/** What one kind of caller may read. */
export interface ConsumerPolicy {
  /** How it proves who it is. */
  credential: 'jwt' | 'api-key' | 'service';
  /** Which orders it may see: all, the customer's own (`sub`), or those with a fulfillment order at its node. */
  rows: 'all' | 'own-customer' | 'partner-node';
  /** Whether it may read the fields marked internal in CANONICAL_MODEL.md. */
  internalFields: boolean;
  /** Whether it may only run persisted (safelisted) operations. */
  persistedOperationsOnly: boolean;
  /** Whether it may read operational data: introspection, subgraph health detail, dead letters. */
  operational: boolean;
  /** The actions (mutations) it may take, on the orders its `rows` let it see (docs/returns.md). */
  actions: readonly OrderAction[];
}

/**
 * What a caller may do to an order (docs/returns.md): request a return (with an optional
 * exchange), request a cancellation, read the audit trail; `createReplacementOrder` is the returns
 * desk's service call that books an exchange's replacement order in the OMS.
 */
export const ORDER_ACTIONS = [
  'requestReturn',
  'requestCancellation',
  'readAuditTrail',
  'createReplacementOrder',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** Whether this caller's consumer policy allows `action`. */
export function mayAct(identity: Identity, action: OrderAction): boolean {
  return CONSUMER_POLICIES[identity.consumer].actions.includes(action);
}

/** The consumer model: one row per consumer of CANONICAL_MODEL.md, plus the internal identity. */
export const CONSUMER_POLICIES: Readonly<Record<IdentityKind, ConsumerPolicy>> = {
  salesforce: {
    credential: 'jwt',
    rows: 'all',
    internalFields: true,
    persistedOperationsOnly: false,
    operational: false,
    actions: ['requestReturn', 'requestCancellation', 'readAuditTrail'],
  },
  storefront: {
    credential: 'jwt',
    rows: 'own-customer',
    internalFields: false,
    persistedOperationsOnly: false,
    operational: false,
    actions: ['requestReturn', 'requestCancellation'],
  },
  partner: {
    credential: 'api-key',
    rows: 'partner-node',
    internalFields: false,
    persistedOperationsOnly: true,
    operational: false,
    actions: [],
  },
  ops: {
    credential: 'jwt',
    rows: 'all',
    internalFields: true,
    persistedOperationsOnly: false,
    operational: true,
    actions: ['requestReturn', 'requestCancellation', 'readAuditTrail'],
  },
  internal: {
    credential: 'service',
    rows: 'all',
    internalFields: false,
    persistedOperationsOnly: false,
    operational: false,
    actions: ['createReplacementOrder'],
  },
};

/**
 * The scopes the subgraph schemas require with `@requiresScopes`. They are granted by the consumer
 * policy ({@link grantedScopes}), never by a token's own `scope` claim: a shopper's identity
 * provider cannot widen what the storefront may see.
 */
export const AccessScope = {
  /** Fields marked internal in CANONICAL_MODEL.md (ERP ids, hold reasons, status facts). */
  INTERNAL_FIELDS: 'orders:internal',
  /** Root lookups that do not start from an order (payment, shipment, return, tracking by id). */
  ALL_ORDERS: 'orders:all',
  /** Operational data: dead letters and their replay, operations health (ops only). */
  OPERATIONS: 'ops:operational',
} as const;

/** The scopes `@requiresScopes` is checked against for this caller. */
export function grantedScopes(identity: Identity): string[] {
  const policy = CONSUMER_POLICIES[identity.consumer];
  const granted: string[] = [];
  if (policy.internalFields) granted.push(AccessScope.INTERNAL_FIELDS);
  if (policy.rows === 'all') granted.push(AccessScope.ALL_ORDERS);
  if (policy.operational) granted.push(AccessScope.OPERATIONS);
  return granted;
}

/**
 * Everything that decides what this caller can see, as one string: two callers with the same
 * scope get the same answer to the same operation (cache keys, shared subscription executions).
 */
export function visibilityScope(identity: Identity): string {
  const policy = CONSUMER_POLICIES[identity.consumer];
  const rows =
    policy.rows === 'own-customer'
      ? `customer=${identity.customerId ?? ''}`
      : policy.rows === 'partner-node'
        ? `node=${identity.partnerNodeId ?? ''}`
        : 'all';
  return `${rows};fields=${grantedScopes(identity).join(',') || '-'}`;
}

/** What a subgraph knows of an order to decide whether a caller may see it. */
export interface OrderOwnership {
  customerId: string;
  /** The fulfillment nodes of its fulfillment orders. */
  nodeIds: readonly string[];
}

/** The row rule: whether `identity` may see the order at all. */
export function mayReadOrder(identity: Identity, order: OrderOwnership): boolean {
  switch (CONSUMER_POLICIES[identity.consumer].rows) {
    case 'all':
      return true;
    case 'own-customer':
      return identity.customerId !== undefined && order.customerId === identity.customerId;
    case 'partner-node':
      return identity.partnerNodeId !== undefined && order.nodeIds.includes(identity.partnerNodeId);
  }
}
