import type { Clock } from './clock.js';
import type { Db } from './db.js';

/** What a claim on an event id found: `claimed` (yours to apply and publish), `done` (applied and published before), `busy` (another replica is applying it now). */
export type LedgerClaim = 'claimed' | 'done' | 'busy';

/**
 * What ingest remembers between webhooks: event ids applied and published (idempotency) and per
 * entity the time of the last event applied (monotonicity). The store's implementation is shared
 * by every replica of every subgraph and survives restarts; subgraphs/common/ingestLedger.ts has
 * the in-process one.
 */
export interface IngestLedger {
  /** Claims `eventId` for `holder` before applying it. A claim older than the lease is taken over (its holder died). */
  claim(eventId: string, holder: string): Promise<LedgerClaim>;
  /**
   * The event was applied and published: later claims answer `done`. `orderId` (the event's
   * `subject`) is remembered with it, for {@link StoreIngestLedger.ordersAppliedSince}.
   */
  complete(eventId: string, holder: string, orderId?: string): Promise<void>;
  /** Applying or publishing failed: the claim is dropped so a retry (here or on another replica) applies it. */
  release(eventId: string, holder: string): Promise<void>;
  /** True when an event applied earlier for `entity` happened after `time` (ISO-8601 UTC). */
  isStale(entity: string, time: string): Promise<boolean>;
  /** Records that an event of `entity` at `time` was applied (never moves backwards). */
  advance(entity: string, time: string): Promise<void>;
}

/** The shared ledger on the store's tables `ingest_ledger` and `ingest_entities`. */
export class StoreIngestLedger implements IngestLedger {
  /**
   * @param leaseMs how long a claim holds before another replica may take it over. @default 30000
   */
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
    private readonly leaseMs = 30_000,
  ) {}

  async claim(eventId: string, holder: string): Promise<LedgerClaim> {
    const at = this.now();
    const rows = await this.db.query(
      `INSERT INTO ingest_ledger (event_id, state, holder, claimed_at) VALUES ($1, 'claimed', $2, $3)
      ON CONFLICT (event_id) DO UPDATE SET holder = EXCLUDED.holder, claimed_at = EXCLUDED.claimed_at
      WHERE ingest_ledger.state = 'claimed' AND (ingest_ledger.holder = EXCLUDED.holder OR ingest_ledger.claimed_at < $4)
      RETURNING state`,
      [eventId, holder, new Date(at), new Date(at - this.leaseMs)],
    );
    if (rows.length > 0) return 'claimed';
    const [r] = await this.db.query<{ state: string }>('SELECT state FROM ingest_ledger WHERE event_id = $1', [
      eventId,
    ]);
    return r?.state === 'done' ? 'done' : r ? 'busy' : this.claim(eventId, holder);
  }

  async complete(eventId: string, holder: string, orderId?: string): Promise<void> {
    await this.db.query(
      `UPDATE ingest_ledger SET state = 'done', done_at = $3, order_id = $4 WHERE event_id = $1 AND holder = $2`,
      [eventId, holder, new Date(this.now()), orderId ?? null],
    );
  }

  /**
   * The orders with an event applied (completed) at or after `since`, each once, by order id: at
   * most `limit`, after `after` (exclusive) for the next page. What the event bus held for them can
   * be rebuilt from this when its streams were lost (the status tracker's sweep, issue 16 #2).
   * Events completed before migration 4 have no order and are not listed.
   */
  async ordersAppliedSince(since: Date, limit: number, after?: string): Promise<string[]> {
    const rows = await this.db.query<{ order_id: string }>(
      `SELECT DISTINCT order_id FROM ingest_ledger
      WHERE done_at >= $1 AND order_id IS NOT NULL AND ($3::text IS NULL OR order_id > $3)
      ORDER BY order_id LIMIT $2`,
      [since, limit, after ?? null],
    );
    return rows.map((r) => r.order_id);
  }

  async release(eventId: string, holder: string): Promise<void> {
    await this.db.query(`DELETE FROM ingest_ledger WHERE event_id = $1 AND holder = $2 AND state = 'claimed'`, [
      eventId,
      holder,
    ]);
  }

  /** Forgets events finished before `before` (claims still held are kept); the number removed. */
  async prune(before: Date): Promise<number> {
    const rows = await this.db.query(`DELETE FROM ingest_ledger WHERE state = 'done' AND done_at < $1 RETURNING 1`, [
      before,
    ]);
    return rows.length;
  }

  async isStale(entity: string, time: string): Promise<boolean> {
    const [r] = await this.db.query<{ last_time: string }>('SELECT last_time FROM ingest_entities WHERE entity = $1', [
      entity,
    ]);
    return r !== undefined && time < r.last_time;
  }

  async advance(entity: string, time: string): Promise<void> {
    await this.db.query(
      `INSERT INTO ingest_entities (entity, last_time, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (entity) DO UPDATE SET last_time = EXCLUDED.last_time, updated_at = EXCLUDED.updated_at
      WHERE ingest_entities.last_time < EXCLUDED.last_time`,
      [entity, time, new Date(this.now())],
    );
  }
}
