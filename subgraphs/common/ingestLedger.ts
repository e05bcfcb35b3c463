import type { IngestLedger, LedgerClaim } from '../../store/ingestLedger.js';

export type { IngestLedger, LedgerClaim } from '../../store/ingestLedger.js';

/**
 * The in-process {@link IngestLedger}: event ids applied and published (idempotency), and per
 * entity the time of the last event applied (monotonicity), for one process without a visibility
 * store. Bounded: past `capacity` entries the oldest are forgotten, and the systems' own records
 * (whose appliers refuse to regress a status) take over for what was forgotten. It does not survive
 * a restart nor span replicas: give ingest the store's ledger (`VisibilityStore.ledger`) for that.
 */
export class MemoryIngestLedger implements IngestLedger {
  private readonly done = new Set<string>();
  private readonly claims = new Map<string, string>();
  private readonly latest = new Map<string, string>();

  /** @param capacity ids (and, separately, entities) kept. @default 100000 */
  constructor(private readonly capacity = 100_000) {}

  async claim(eventId: string, holder: string): Promise<LedgerClaim> {
    if (this.done.has(eventId)) return 'done';
    const current = this.claims.get(eventId);
    if (current !== undefined && current !== holder) return 'busy';
    this.claims.set(eventId, holder);
    return 'claimed';
  }

  /** The event's order is not kept: nothing sweeps an in-process ledger (store/ingestLedger.ts `ordersAppliedSince`). */
  async complete(eventId: string, holder: string): Promise<void> {
    if (this.claims.get(eventId) !== holder) return;
    this.claims.delete(eventId);
    this.done.add(eventId);
    if (this.done.size > this.capacity) this.done.delete(this.done.values().next().value!);
  }

  async release(eventId: string, holder: string): Promise<void> {
    if (this.claims.get(eventId) === holder) this.claims.delete(eventId);
  }

  async isStale(entity: string, time: string): Promise<boolean> {
    const last = this.latest.get(entity);
    return last !== undefined && time < last;
  }

  async advance(entity: string, time: string): Promise<void> {
    const last = this.latest.get(entity);
    if (last !== undefined && last >= time) return;
    this.latest.delete(entity);
    this.latest.set(entity, time);
    if (this.latest.size > this.capacity) this.latest.delete(this.latest.keys().next().value!);
  }
}
