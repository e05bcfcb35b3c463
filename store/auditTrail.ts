import type { Channel } from '../canonical/index.js';
import { iso, type Db } from './db.js';

/** Who took an action, as recorded. */
export interface AuditActor {
  /** `AGENT` (a Salesforce user asserted by the salesforce consumer), `CUSTOMER`, `OPERATOR`, or `SYSTEM`. */
  kind: 'AGENT' | 'CUSTOMER' | 'OPERATOR' | 'SYSTEM';
  /** The consumer that called the gateway. */
  consumer: string;
  /** The acting user (x-acting-user) when asserted, else the credential's subject (the customer for storefront). */
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
  /** The reason codes given (deduplicated, in request order). */
  reasonCodes: string[];
  /** `ACCEPTED`, `PARTIAL`, `REJECTED`. */
  result: 'ACCEPTED' | 'PARTIAL' | 'REJECTED';
  /** What was decided, in words (created ids, per-line outcomes, user error codes). */
  detail: string;
  idempotencyKey: string | null;
}

/**
 * The audit trail port (docs/returns.md): append-only, listed by order, oldest first. The store's
 * implementation is shared by every replica of the oms and returns subgraphs and survives restarts;
 * subgraphs/common/auditLog.ts has the in-process one.
 */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  listByOrder(orderId: string): Promise<AuditEntry[]>;
}

interface Row {
  order_id: string;
  at: unknown;
  action: string;
  channel: string | null;
  actor_kind: string;
  actor_consumer: string;
  actor_id: string;
  actor_asserted: boolean;
  reason_codes: string[] | string;
  result: string;
  detail: string;
  idempotency_key: string | null;
}

/** The audit trail on the store's table `audit_trail` (migration 2). */
export class StoreAuditLog implements AuditLog {
  constructor(private readonly db: Db) {}

  async append(e: AuditEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_trail (order_id, at, action, channel, actor_kind, actor_consumer, actor_id, actor_asserted, reason_codes, result, detail, idempotency_key)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        e.orderId,
        new Date(e.at),
        e.action,
        e.channel,
        e.actor.kind,
        e.actor.consumer,
        e.actor.id,
        e.actor.asserted,
        JSON.stringify(e.reasonCodes),
        e.result,
        e.detail,
        e.idempotencyKey,
      ],
    );
  }

  async listByOrder(orderId: string): Promise<AuditEntry[]> {
    const rows = await this.db.query<Row>('SELECT * FROM audit_trail WHERE order_id = $1 ORDER BY id', [orderId]);
    return rows.map((r) => ({
      orderId: r.order_id,
      at: iso(r.at)!,
      action: r.action,
      channel: r.channel as Channel | null,
      actor: {
        kind: r.actor_kind as AuditActor['kind'],
        consumer: r.actor_consumer,
        id: r.actor_id,
        asserted: r.actor_asserted,
      },
      reasonCodes: typeof r.reason_codes === 'string' ? (JSON.parse(r.reason_codes) as string[]) : r.reason_codes,
      result: r.result as AuditEntry['result'],
      detail: r.detail,
      idempotencyKey: r.idempotency_key,
    }));
  }
}
