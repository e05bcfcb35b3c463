import type { Identity } from '../../canonical/index.js';
import type { AuditActor, AuditEntry, AuditLog } from '../../store/auditTrail.js';

export type { AuditActor, AuditEntry, AuditLog } from '../../store/auditTrail.js';

/** The in-process {@link AuditLog}, for one process without a visibility store (`VisibilityStore.audit` is the shared one). */
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
 * (forwarded by the gateway inside the signed identity as `actingUser`, accepted only for
 * salesforce), the customer, the operator, or the calling system.
 */
export function auditActor(identity: Identity): AuditActor {
  const acting = identity.consumer === 'salesforce' ? identity.actingUser : undefined;
  const asserted = acting !== undefined;
  switch (identity.consumer) {
    case 'salesforce':
      return { kind: 'AGENT', consumer: 'salesforce', id: acting ?? identity.subject, asserted };
    case 'storefront':
      return { kind: 'CUSTOMER', consumer: 'storefront', id: identity.customerId ?? identity.subject, asserted: false };
    case 'ops':
      return { kind: 'OPERATOR', consumer: 'ops', id: identity.subject, asserted: false };
    case 'partner':
    case 'internal':
      return { kind: 'SYSTEM', consumer: identity.consumer, id: identity.subject, asserted: false };
  }
}
