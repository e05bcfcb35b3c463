import type { Clock } from './clock.js';
import { iso, isoNN, type Db } from './db.js';

/** A circuit breaker's state as a gateway reports it. */
export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** One gateway's view of one system, written every few seconds. */
export interface SystemReport {
  system: string;
  breaker: BreakerState;
  /** The last successful fetch from this system (its freshness). */
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** A short, secret-free note (e.g. the last error's code). */
  detail?: string | null;
}

/** The per-system health across reporters: the worst breaker and the freshest success among recent reports. */
export interface SystemHealth {
  system: string;
  breaker: BreakerState;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  /** ms since the freshest success (null: never). */
  stalenessMs: number | null;
  reporters: number;
  reportedAt: string;
}

/** Lag percentiles (ms) over a window. */
export interface LagPercentiles {
  hop: string;
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** The largest `event_lag.lag_ms` (a PostgreSQL `integer`). */
const MAX_LAG_MS = 2 ** 31 - 1;

const BREAKER_RANK: Record<BreakerState, number> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

/** Breaker and freshness reports from gateways, and event-lag samples, for `operationsHealth`. */
export class HealthRows {
  constructor(
    private readonly db: Db,
    private readonly now: Clock,
  ) {}

  /** Replaces `reporter`'s rows (one per system). */
  async report(reporter: string, systems: readonly SystemReport[]): Promise<void> {
    const at = new Date(this.now());
    await this.db.transaction(async (tx) => {
      for (const s of systems) {
        if (!(s.breaker in BREAKER_RANK))
          throw new TypeError(
            `system report ${s.system}: expected breaker CLOSED, OPEN or HALF_OPEN, got ${JSON.stringify(s.breaker)}`,
          );
        await tx.query(
          `INSERT INTO system_health (reporter, system, breaker, last_success_at, last_failure_at, detail, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
          ON CONFLICT (reporter, system) DO UPDATE SET breaker = $3, last_success_at = $4, last_failure_at = $5, detail = $6, reported_at = $7`,
          [reporter, s.system, s.breaker, s.lastSuccessAt, s.lastFailureAt, s.detail ?? null, at],
        );
      }
    });
  }

  /** Per system, over the reports newer than `maxAgeMs` (older reporters are gone). */
  async systems(maxAgeMs = 60_000): Promise<SystemHealth[]> {
    const now = this.now();
    const rows = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM system_health WHERE reported_at >= $1 ORDER BY system, reporter',
      [new Date(now - maxAgeMs)],
    );
    const by = new Map<string, SystemHealth>();
    for (const r of rows) {
      const system = r.system as string;
      const breaker = r.breaker as BreakerState;
      const success = iso(r.last_success_at);
      const failure = iso(r.last_failure_at);
      const cur = by.get(system);
      if (!cur) {
        by.set(system, {
          system,
          breaker,
          lastSuccessAt: success,
          lastFailureAt: failure,
          stalenessMs: null,
          reporters: 1,
          reportedAt: isoNN(r.reported_at),
        });
        continue;
      }
      cur.reporters += 1;
      if (BREAKER_RANK[breaker] > BREAKER_RANK[cur.breaker]) cur.breaker = breaker;
      if (success && (!cur.lastSuccessAt || success > cur.lastSuccessAt)) cur.lastSuccessAt = success;
      if (failure && (!cur.lastFailureAt || failure > cur.lastFailureAt)) cur.lastFailureAt = failure;
      const at = isoNN(r.reported_at);
      if (at > cur.reportedAt) cur.reportedAt = at;
    }
    for (const h of by.values())
      h.stalenessMs = h.lastSuccessAt ? Math.max(0, now - Date.parse(h.lastSuccessAt)) : null;
    return [...by.values()];
  }

  /**
   * Records one lag sample (ms) on `hop`, e.g. `source→exceptions` (occurred → handled). A lag past
   * the column's range (about 24.8 days: an event whose business time is that old, a backfill or a
   * replay) is recorded as that maximum, never refused: a refusal made the exception engine throw
   * after its work and dead-letter every such event. A lag that is not a number (an event time that
   * does not parse) is not a sample.
   */
  async recordLag(hop: string, lagMs: number): Promise<void> {
    await this.recordLags([{ hop, lagMs }]);
  }

  /**
   * Records several lag samples in one statement (as {@link recordLag} each; `at` defaults to now):
   * the exception engine buffers its samples and writes them about once a second instead of one
   * statement per event.
   */
  async recordLags(samples: ReadonlyArray<{ hop: string; lagMs: number; at?: number }>): Promise<void> {
    const rows = samples.filter((s) => Number.isFinite(s.lagMs));
    if (rows.length === 0) return;
    const now = this.now();
    await this.db.query(
      `INSERT INTO event_lag (hop, lag_ms, at)
      SELECT * FROM unnest($1::text[], $2::integer[], $3::timestamptz[])`,
      [
        rows.map((s) => s.hop),
        rows.map((s) => Math.min(MAX_LAG_MS, Math.max(0, Math.round(s.lagMs)))),
        rows.map((s) => new Date(s.at ?? now).toISOString()),
      ],
    );
  }

  /** Percentiles per hop over the last `windowMs`. */
  async lag(windowMs = 15 * 60_000): Promise<LagPercentiles[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT hop, count(*)::int AS n,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY lag_ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY lag_ms) AS p90,
      percentile_cont(0.99) WITHIN GROUP (ORDER BY lag_ms) AS p99, max(lag_ms) AS mx
      FROM event_lag WHERE at >= $1 GROUP BY hop ORDER BY hop`,
      [new Date(this.now() - windowMs)],
    );
    const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    return rows.map((r) => ({
      hop: r.hop as string,
      count: Number(r.n),
      p50: num(r.p50),
      p90: num(r.p90),
      p99: num(r.p99),
      max: num(r.mx),
    }));
  }

  /** Deletes lag samples, reports and finished ledger entries older than `keepMs`. Returns rows deleted. */
  async prune(keepMs = 24 * 3600_000): Promise<number> {
    const cutoff = new Date(this.now() - keepMs);
    let n = 0;
    n += (await this.db.query('DELETE FROM event_lag WHERE at < $1 RETURNING 1', [cutoff])).length;
    n += (await this.db.query('DELETE FROM system_health WHERE reported_at < $1 RETURNING 1', [cutoff])).length;
    return n;
  }
}
