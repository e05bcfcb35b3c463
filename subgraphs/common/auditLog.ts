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
