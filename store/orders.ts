import type { CloudEvent, OrderStatus } from '../canonical/index.js';
import type { Clock } from './clock.js';
import { iso, isoNN, type Db } from './db.js';
import { decodeCursor, encodeCursor, type Page } from './page.js';

/** The last status published for an order, with its version (1 for the first record). */
export interface StatusRecord {
  status: OrderStatus;
  version: number;
  /** Id of the source event that caused the last published change (or `seed`). */
  causeId: string;
  /** The status before that change (null for the first one). */
  previous: OrderStatus | null;
}

/** What caused a status change, for the history. */
export interface StatusCause {
  source: string;
  type: string;
  /** When it happened in the source (the event's `time`). */
  occurredAt: string;
  /** When the bus recorded it (`recordedtime`), when known. */
  recordedAt?: string | null;
}

/** The next status to compare-and-set. */
export interface StatusWrite {
  status: OrderStatus;
  causeId: string;
  previous: OrderStatus | null;
  /** The cause event's details for the history (absent for a seed). */
  cause?: StatusCause;
}

/** A status dimension's value and since when it holds. */
export interface Dimension {
  value: string | null;
  since: string | null;
}

/** One order as the store knows it. */
export interface OrderRow {
  orderId: string;
  customerId: string | null;
  channel: string | null;
  fulfillmentNodeIds: string[];
  status: OrderStatus | null;
  statusSince: string | null;
  version: number;
  previousStatus: OrderStatus | null;
  fulfillmentState: Dimension;
  financialState: Dimension;
  returnState: Dimension;
  /** What the exception engine remembers of the order (see store/exceptionFacts.ts). */
  facts: Record<string, unknown>;
  updatedAt: string;
}

/** One published status change. */
export interface StatusChange {
  orderId: string;
  version: number;
  status: OrderStatus;
  previousStatus: OrderStatus | null;
  causeId: string;
  causeSource: string | null;
  causeType: string | null;
  occurredAt: string | null;
  recordedAt: string | null;
  changedAt: string;
}

/** The last event seen from one source for an order. */
export interface SourceMark {
  source: string;
  lastEventId: string;
  lastEventType: string;
  lastOccurredAt: string;
  lastRecordedAt: string | null;
}

/** The dimensions the `status` work adds (nullable text columns with their `since`). */
export interface Dimensions {
  fulfillmentState?: string | null;
  financialState?: string | null;
  returnState?: string | null;
}

type Row = Record<string, unknown>;

const toOrder = (r: Row): OrderRow => ({
  orderId: r.order_id as string,
  customerId: (r.customer_id as string | null) ?? null,
  channel: (r.channel as string | null) ?? null,
  fulfillmentNodeIds: (r.fulfillment_node_ids as string[] | null) ?? [],
  status: (r.status as OrderStatus | null) ?? null,
  statusSince: iso(r.status_since),
  version: Number(r.version),
  previousStatus: (r.previous_status as OrderStatus | null) ?? null,
  fulfillmentState: { value: (r.fulfillment_state as string | null) ?? null, since: iso(r.fulfillment_state_since) },
  financialState: { value: (r.financial_state as string | null) ?? null, since: iso(r.financial_state_since) },
  returnState: { value: (r.return_state as string | null) ?? null, since: iso(r.return_state_since) },
  facts: (r.facts as Record<string, unknown> | null) ?? {},
  updatedAt: isoNN(r.updated_at),
});

const toChange = (r: Row): StatusChange => ({
  orderId: r.order_id as string,
  version: Number(r.version),
  status: r.status as OrderStatus,
  previousStatus: (r.previous_status as OrderStatus | null) ?? null,
  causeId: r.cause_id as string,
  causeSource: (r.cause_source as string | null) ?? null,
  causeType: (r.cause_type as string | null) ?? null,
  occurredAt: iso(r.occurred_at),
  recordedAt: iso(r.recorded_at),
  changedAt: isoNN(r.changed_at),
});

/**
 * Per order: the current status row (the status tracker's compare-and-set lives here, so
 * `previousStatus` always comes from this row), its dimensions with `since`, the status history
 * and the last event per source.
 */
export class OrderRows {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /** The tracker's record of `orderId`, or null before its first status. */
  async getStatus(orderId: string): Promise<StatusRecord | null> {
    const [r] = await this.db.query<Row>(
      'SELECT status, version, cause_id, previous_status FROM orders WHERE order_id = $1 AND version > 0',
      [orderId],
    );
    if (!r) return null;
    return {
      status: r.status as OrderStatus,
      version: Number(r.version),
      causeId: (r.cause_id as string) ?? '',
      previous: (r.previous_status as OrderStatus | null) ?? null,
    };
  }

  /**
   * Writes `next` only when the row's version is still `expectedVersion` (0 = no status yet), and
   * appends the change to the history in the same transaction. True when written: the caller then
   * owns publishing the change. Atomic across processes sharing the database.
   */
  async compareAndSetStatus(orderId: string, expectedVersion: number, next: StatusWrite): Promise<boolean> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0)
      throw new RangeError(`compareAndSetStatus: expected a version >= 0, got ${expectedVersion}`);
    const at = new Date(this.now());
    const since = next.cause?.occurredAt ? new Date(next.cause.occurredAt) : at;
    // ONE statement (atomic on its own; the tracker runs it for every change, on the change path):
    // the row's compare-and-set as a data-modifying CTE, and the history row only when it won.
    const write =
      expectedVersion === 0
        ? `INSERT INTO orders (order_id, status, status_since, version, cause_id, previous_status, updated_at)
          VALUES ($1, $2, $3, 1, $4, $5, $6)
          ON CONFLICT (order_id) DO UPDATE SET status = $2, status_since = $3, version = 1, cause_id = $4, previous_status = $5, updated_at = $6
          WHERE orders.version = 0 RETURNING order_id, version`
        : `UPDATE orders SET status = $2, status_since = $3, version = version + 1, cause_id = $4, previous_status = $5, updated_at = $6
          WHERE order_id = $1 AND version = $11 RETURNING order_id, version`;
    const rows = await this.db.query(
      `WITH w AS (${write})
      INSERT INTO status_history (order_id, version, status, previous_status, cause_id, cause_source, cause_type, occurred_at, recorded_at, changed_at)
      SELECT w.order_id, w.version, $2::text, $5::text, $4::text, $7::text, $8::text, $9::timestamptz, $10::timestamptz, $6::timestamptz FROM w
      RETURNING version`,
      [
        orderId,
        next.status,
        since,
        next.causeId,
        next.previous,
        at,
        next.cause?.source ?? null,
        next.cause?.type ?? null,
        next.cause?.occurredAt ?? null,
        next.cause?.recordedAt ?? null,
        ...(expectedVersion === 0 ? [] : [expectedVersion]),
      ],
    );
    return rows.length > 0;
  }

  /** Sets the given dimensions; a dimension's `since` moves only when its value changes. */
  async setDimensions(
    orderId: string,
    dims: Dimensions,
    at: string = new Date(this.now()).toISOString(),
  ): Promise<void> {
    await this.ensure(orderId);
    const cols: Array<[keyof Dimensions, string]> = [
      ['fulfillmentState', 'fulfillment_state'],
      ['financialState', 'financial_state'],
      ['returnState', 'return_state'],
    ];
    for (const [key, col] of cols) {
      if (!(key in dims)) continue;
      await this.db.query(
        `UPDATE orders SET ${col} = $2, ${col}_since = $3, updated_at = $4 WHERE order_id = $1 AND ${col} IS DISTINCT FROM $2`,
        [orderId, dims[key] ?? null, at, new Date(this.now())],
      );
    }
  }

  /**
   * Records that `event` was seen for its order (`subject`): the last event per source (only moving
   * forward in occurred time), and the order's identity facts the event carries (customer, channel,
   * fulfillment node).
   */
  async recordEvent(event: CloudEvent): Promise<void> {
    const orderId = event.subject;
    const data = (event.data ?? {}) as Record<string, unknown>;
    const customerId = typeof data.customerId === 'string' ? data.customerId : null;
    const channel = event.type === 'order.placed' && typeof data.channel === 'string' ? data.channel : null;
    const nodeId = typeof data.nodeId === 'string' ? data.nodeId : null;
    // One statement (the exception engine runs this for every source event): the order row's
    // upsert as a data-modifying CTE, then the source mark.
    await this.db.query(
      `WITH o AS (
        INSERT INTO orders (order_id, customer_id, channel, fulfillment_node_ids, updated_at) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (order_id) DO UPDATE SET
          customer_id = COALESCE(orders.customer_id, EXCLUDED.customer_id),
          channel = COALESCE(orders.channel, EXCLUDED.channel),
          fulfillment_node_ids = CASE WHEN $6::text IS NULL OR $6::text = ANY(orders.fulfillment_node_ids) THEN orders.fulfillment_node_ids
            ELSE array_append(orders.fulfillment_node_ids, $6::text) END,
          updated_at = EXCLUDED.updated_at
        RETURNING 1)
      INSERT INTO order_sources (order_id, source, last_event_id, last_event_type, last_occurred_at, last_recorded_at)
      VALUES ($1, $7, $8, $9, $10, $11)
      ON CONFLICT (order_id, source) DO UPDATE SET last_event_id = $8, last_event_type = $9, last_occurred_at = $10, last_recorded_at = $11
      WHERE order_sources.last_occurred_at <= EXCLUDED.last_occurred_at`,
      [
        orderId,
        customerId,
        channel,
        nodeId ? [nodeId] : [],
        new Date(this.now()),
        nodeId,
        event.source,
        event.id,
        event.type,
        event.time,
        typeof event.recordedtime === 'string' ? event.recordedtime : null,
      ],
    );
  }

  /**
   * Read-modify-write of an order's facts under a row lock (SELECT … FOR UPDATE), so two replicas
   * handling events of one order never lose each other's update. Returns the new facts.
   */
  async updateFacts<F>(orderId: string, fn: (prev: Record<string, unknown> | null) => F): Promise<F> {
    return this.db.transaction(async (tx) => {
      await tx.query('INSERT INTO orders (order_id) VALUES ($1) ON CONFLICT (order_id) DO NOTHING', [orderId]);
      const [r] = await tx.query<{ facts: Record<string, unknown> }>(
        'SELECT facts FROM orders WHERE order_id = $1 FOR UPDATE',
        [orderId],
      );
      const prev = r?.facts && Object.keys(r.facts).length > 0 ? r.facts : null;
      const next = fn(prev);
      await tx.query('UPDATE orders SET facts = $2, updated_at = $3 WHERE order_id = $1', [
        orderId,
        JSON.stringify(next),
        new Date(this.now()),
      ]);
      return next;
    });
  }

  /** Orders the sweep re-evaluates: those with facts whose status is not final, or with an open exception; keyset-paged by id. */
  async sweepCandidates(
    afterId: string,
    limit: number,
  ): Promise<Array<{ orderId: string; facts: Record<string, unknown> }>> {
    // Also every order with an open dead letter or an open exception, facts or none: an ingest letter
    // is kept by the subgraph that refused the webhook (maybe another process) and may name an order
    // the store has no facts for; the sweep opens its DEAD_LETTER exception, and closes it once the
    // letter is resolved.
    const rows = await this.db.query<{ order_id: string; facts: Record<string, unknown> }>(
      `SELECT order_id, facts FROM (
      SELECT o.order_id, o.facts FROM orders o
      WHERE o.order_id > $1 AND o.facts <> '{}'::jsonb
        AND (o.status IS NULL OR o.status NOT IN ('DELIVERED', 'CANCELLED', 'RETURNED')
          OR EXISTS (SELECT 1 FROM exceptions e WHERE e.order_id = o.order_id AND e.closed_at IS NULL)
          OR o.facts->'returns' <> '{}'::jsonb OR o.facts->'refunds'->>'firstAt' IS NOT NULL)
      UNION
      SELECT d.order_id, COALESCE(o.facts, '{}'::jsonb) FROM dead_letters d LEFT JOIN orders o ON o.order_id = d.order_id
      WHERE d.state = 'open' AND d.order_id IS NOT NULL AND d.order_id > $1
      UNION
      SELECT e.order_id, COALESCE(o.facts, '{}'::jsonb) FROM exceptions e LEFT JOIN orders o ON o.order_id = e.order_id
      WHERE e.closed_at IS NULL AND e.order_id > $1
    ) candidates ORDER BY order_id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((r) => ({ orderId: r.order_id, facts: r.facts }));
  }

  /** Replaces the exception engine's facts of an order (creating the row when missing). */
  async setFacts(orderId: string, facts: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `INSERT INTO orders (order_id, facts, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (order_id) DO UPDATE SET facts = EXCLUDED.facts, updated_at = EXCLUDED.updated_at`,
      [orderId, JSON.stringify(facts), new Date(this.now())],
    );
  }

  async get(orderId: string): Promise<OrderRow | null> {
    const [r] = await this.db.query<Row>('SELECT * FROM orders WHERE order_id = $1', [orderId]);
    return r ? toOrder(r) : null;
  }

  /** Several orders by id (missing ones absent), for loaders. */
  async getMany(orderIds: readonly string[]): Promise<OrderRow[]> {
    if (orderIds.length === 0) return [];
    return (await this.db.query<Row>('SELECT * FROM orders WHERE order_id = ANY($1::text[])', [orderIds])).map(toOrder);
  }

  /** The status history of an order, oldest first. */
  async history(orderId: string): Promise<StatusChange[]> {
    return (await this.histories([orderId]))[0]!;
  }

  /** The status histories of several orders, one list per id in order (for loaders). */
  async histories(orderIds: readonly string[]): Promise<StatusChange[][]> {
    const rows = orderIds.length
      ? await this.db.query<Row>(
          'SELECT * FROM status_history WHERE order_id = ANY($1::text[]) ORDER BY order_id, version',
          [orderIds],
        )
      : [];
    const by = new Map<string, StatusChange[]>(orderIds.map((id) => [id, []]));
    for (const c of rows.map(toChange)) by.get(c.orderId)?.push(c);
    return orderIds.map((id) => by.get(id) ?? []);
  }

  /** The last event per source of an order. */
  async sources(orderId: string): Promise<SourceMark[]> {
    const rows = await this.db.query<Row>('SELECT * FROM order_sources WHERE order_id = $1 ORDER BY source', [orderId]);
    return rows.map((r) => ({
      source: r.source as string,
      lastEventId: r.last_event_id as string,
      lastEventType: r.last_event_type as string,
      lastOccurredAt: isoNN(r.last_occurred_at),
      lastRecordedAt: iso(r.last_recorded_at),
    }));
  }

  /** Orders whose current status is `status` since at least `olderThanMs` ago, longest first, keyset-paged. */
  async byStatus(
    status: OrderStatus,
    olderThanMs: number,
    first: number,
    after?: string | null,
  ): Promise<Page<OrderRow>> {
    const cutoff = new Date(this.now() - olderThanMs);
    const c = after ? decodeCursor(after) : null;
    const rows = await this.db.query<Row>(
      `SELECT * FROM orders WHERE status = $1 AND status_since <= $2
      ${c ? 'AND (status_since, order_id) > ($4, $5)' : ''} ORDER BY status_since, order_id LIMIT $3`,
      c ? [status, cutoff, first + 1, c.at, c.key] : [status, cutoff, first + 1],
    );
    const nodes = rows.slice(0, first).map(toOrder);
    const last = nodes.at(-1);
    return {
      nodes,
      hasNextPage: rows.length > first,
      endCursor: last ? encodeCursor(last.statusSince!, last.orderId) : null,
    };
  }

  private async ensure(orderId: string): Promise<void> {
    await this.db.query('INSERT INTO orders (order_id) VALUES ($1) ON CONFLICT (order_id) DO NOTHING', [orderId]);
  }
}
