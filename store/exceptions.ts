import type { Clock } from './clock.js';
import { iso, isoNN, type Db } from './db.js';
import { ACTOR_OF, type Actor, type ExceptionType } from './exceptionTypes.js';
import { decodeCursor, encodeCursor, InvalidCursorError, type Page } from './page.js';

/** One business exception, open (closedAt null) or closed. */
export interface ExceptionRecord {
  id: string;
  type: ExceptionType;
  orderId: string;
  /** What within the order it is about (a shipment, a return, a letter id); '' for the order itself. */
  subjectKey: string;
  channel: string | null;
  fulfillmentNodeId: string | null;
  /** Since when the condition holds (not when it was detected). */
  since: string;
  slaSeconds: number;
  facts: Record<string, unknown>;
  actor: Actor;
  openedAt: string;
  closedAt: string | null;
  closeReason: string | null;
}

/** What opens an exception. */
export interface OpenException {
  type: ExceptionType;
  orderId: string;
  subjectKey?: string;
  channel?: string | null;
  fulfillmentNodeId?: string | null;
  since: string;
  slaSeconds: number;
  facts: Record<string, unknown>;
}

/** The filter of {@link ExceptionRows.list}. */
export interface ExceptionFilter {
  type?: ExceptionType | null;
  /** Only open ones. @default false */
  openOnly?: boolean | null;
  /** Only those whose `since` is at least this many ms ago. */
  olderThanMs?: number | null;
  channel?: string | null;
  fulfillmentNodeId?: string | null;
  orderId?: string | null;
}

type Row = Record<string, unknown>;

/** An `exceptions` row (or its JSON, timestamps as text) as a record. */
export const exceptionFromRow = (r: Row): ExceptionRecord => ({
  id: String(r.id),
  type: r.type as ExceptionType,
  orderId: r.order_id as string,
  subjectKey: r.subject_key as string,
  channel: (r.channel as string | null) ?? null,
  fulfillmentNodeId: (r.fulfillment_node_id as string | null) ?? null,
  since: isoNN(r.since),
  slaSeconds: Number(r.sla_seconds),
  facts: (r.facts as Record<string, unknown>) ?? {},
  actor: r.actor as Actor,
  openedAt: isoNN(r.opened_at),
  closedAt: iso(r.closed_at),
  closeReason: (r.close_reason as string | null) ?? null,
});

/** Open and closed business exceptions. At most one open per (type, order, subject). */
export class ExceptionRows {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /** Opens an exception; null when the same one is already open (nothing changes). */
  async open(e: OpenException): Promise<ExceptionRecord | null> {
    const rows = await this.db.query<Row>(
      `INSERT INTO exceptions (type, order_id, subject_key, channel, fulfillment_node_id, since, sla_seconds, facts, actor, opened_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      ON CONFLICT (type, order_id, subject_key) WHERE closed_at IS NULL DO NOTHING RETURNING *`,
      [
        e.type,
        e.orderId,
        e.subjectKey ?? '',
        e.channel ?? null,
        e.fulfillmentNodeId ?? null,
        e.since,
        e.slaSeconds,
        JSON.stringify(e.facts),
        ACTOR_OF[e.type],
        new Date(this.now()),
      ],
    );
    return rows[0] ? exceptionFromRow(rows[0]) : null;
  }

  /** Closes the open exception (type, order, subject) with `reason`; null when none is open. */
  async close(
    type: ExceptionType,
    orderId: string,
    subjectKey: string,
    reason: string,
  ): Promise<ExceptionRecord | null> {
    const rows = await this.db.query<Row>(
      `UPDATE exceptions SET closed_at = $4, close_reason = $5
      WHERE type = $1 AND order_id = $2 AND subject_key = $3 AND closed_at IS NULL RETURNING *`,
      [type, orderId, subjectKey, new Date(this.now()), reason],
    );
    return rows[0] ? exceptionFromRow(rows[0]) : null;
  }

  /** Refreshes the facts of an open exception (the condition still holds, its details moved). */
  async refresh(id: string, facts: Record<string, unknown>): Promise<void> {
    await this.db.query('UPDATE exceptions SET facts = $2 WHERE id = $1 AND closed_at IS NULL', [
      id,
      JSON.stringify(facts),
    ]);
  }

  /** The open exceptions of an order, optionally of one type. */
  async openFor(orderId: string, type?: ExceptionType): Promise<ExceptionRecord[]> {
    const rows = await this.db.query<Row>(
      `SELECT * FROM exceptions WHERE order_id = $1 AND closed_at IS NULL ${type ? 'AND type = $2' : ''} ORDER BY id`,
      type ? [orderId, type] : [orderId],
    );
    return rows.map(exceptionFromRow);
  }

  /** Every exception of an order (open and closed), oldest first. */
  async forOrder(orderId: string): Promise<ExceptionRecord[]> {
    return (await this.db.query<Row>('SELECT * FROM exceptions WHERE order_id = $1 ORDER BY id', [orderId])).map(
      exceptionFromRow,
    );
  }

  /** Every exception of each order (open and closed), oldest first, one list per id in order (for loaders). */
  async forOrders(orderIds: readonly string[]): Promise<ExceptionRecord[][]> {
    const rows = orderIds.length
      ? await this.db.query<Row>('SELECT * FROM exceptions WHERE order_id = ANY($1::text[]) ORDER BY id', [orderIds])
      : [];
    const by = new Map<string, ExceptionRecord[]>(orderIds.map((id) => [id, []]));
    for (const r of rows) by.get(r.order_id as string)?.push(exceptionFromRow(r));
    return orderIds.map((id) => by.get(id) ?? []);
  }

  /** Open exceptions of `type` opened before `cutoff` (ISO), for sweeps. */
  async openOfType(type: ExceptionType): Promise<ExceptionRecord[]> {
    return (
      await this.db.query<Row>('SELECT * FROM exceptions WHERE type = $1 AND closed_at IS NULL ORDER BY id', [type])
    ).map(exceptionFromRow);
  }

  /** A page of exceptions matching `filter`, oldest `since` first (keyset on since, id). */
  async list(filter: ExceptionFilter, first: number, after?: string | null): Promise<Page<ExceptionRecord>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown): void => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.openOnly) where.push('closed_at IS NULL');
    if (filter.type) add('type = ?', filter.type);
    if (filter.channel) add('channel = ?', filter.channel);
    if (filter.fulfillmentNodeId) add('fulfillment_node_id = ?', filter.fulfillmentNodeId);
    if (filter.orderId) add('order_id = ?', filter.orderId);
    if (filter.olderThanMs != null) add('since <= ?', new Date(this.now() - filter.olderThanMs));
    if (after) {
      const c = decodeCursor(after);
      if (!/^\d{1,18}$/.test(c.key)) throw new InvalidCursorError(after);
      params.push(c.at, c.key);
      where.push(`(since, id) > ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    params.push(first + 1);
    const rows = await this.db.query<Row>(
      `SELECT * FROM exceptions ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY since, id LIMIT $${params.length}`,
      params,
    );
    const nodes = rows.slice(0, first).map(exceptionFromRow);
    const last = nodes.at(-1);
    return { nodes, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.since, last.id) : null };
  }

  /** Open exceptions counted by type (types with none are absent). */
  async openCounts(): Promise<Array<{ type: ExceptionType; count: number }>> {
    const rows = await this.db.query<{ type: ExceptionType; n: number }>(
      'SELECT type, count(*)::int AS n FROM exceptions WHERE closed_at IS NULL GROUP BY type ORDER BY type',
    );
    return rows.map((r) => ({ type: r.type, count: Number(r.n) }));
  }
}
