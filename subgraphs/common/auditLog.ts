import type { Channel, Identity } from '../../canonical/index.js';

/** Who took an action, as recorded. */
export interface AuditActor {
  /** `AGENT` (a Salesforce user asserted by the salesforce consumer), `CUSTOMER`, `OPERATOR`, or `SYSTEM`. */
  kind: 'AGENT' | 'CUSTOMER' | 'OPERATOR' | 'SYSTEM';
  /** The consumer that called the gateway. */
  consumer: string;
  /** The acting user (x-acting-user) when asserted, else the credential's subject. */
  id: string;
  /** True when `id` is a user the consumer asserted (x-acting-user) rather than the credential's own subject. */
  asserted: boolean;
}

/** One request or decision on an order. */
export interface AuditEntry {
  orderId: string;
  /** ISO-8601, when it was recorded. */
  at: string;
  /** `requestReturn`, `requestCancellation`, `createReplacementOrder`. */
  action: string;
  channel: Channel | null;
  actor: AuditActor;
  /** The reason codes given (per line, in line order, deduplicated). */
  reasonCodes: string[];
  /** `ACCEPTED`, `PARTIAL`, `REJECTED`. */
  result: 'ACCEPTED' | 'PARTIAL' | 'REJECTED';
  /** What was decided, in words (created ids, user error codes). */
  detail: string;
  idempotencyKey: string | null;
}

/**
 * The audit trail port (append-only; list by order, oldest first). The memory adapter below serves
 * one process; the visibility store keeps it in PostgreSQL for every replica (docs/returns.md).
 */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  listByOrder(orderId: string): Promise<AuditEntry[]>;
}

/** An in-memory {@link AuditLog}. */
export class MemoryAuditLog implements AuditLog {
  private readonly byOrder = new Map<string, AuditEntry[]>();
  async append(entry: AuditEntry): Promise<void> {
    const list = this.byOrder.get(entry.orderId) ?? [];
    list.push(structuredClone(entry));
    this.byOrder.set(entry.orderId, list);
  }
  async listByOrder(orderId: string): Promise<AuditEntry[]> {
    return structuredClone(this.byOrder.get(orderId) ?? []);
  }
}

/**
 * The actor of a request: the Salesforce agent the salesforce consumer asserts in `x-acting-user`
 * (forwarded by the gateway in the identity as `actingUser`, when present), the customer, the
 * operator, or the calling system.
 */
export function auditActor(identity: Identity): AuditActor {
  const acting = (identity as Identity & { actingUser?: unknown }).actingUser;
  const asserted = typeof acting === 'string' && acting !== '';
  const id = asserted ? acting : identity.subject;
  switch (identity.consumer) {
    case 'salesforce': return { kind: 'AGENT', consumer: 'salesforce', id, asserted };
    case 'storefront': return { kind: 'CUSTOMER', consumer: 'storefront', id: identity.customerId ?? identity.subject, asserted: false };
    case 'ops': return { kind: 'OPERATOR', consumer: 'ops', id, asserted };
    case 'partner':
    case 'internal': return { kind: 'SYSTEM', consumer: identity.consumer, id: identity.subject, asserted: false };
  }
}
