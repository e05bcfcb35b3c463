/**
 * What ingest remembers between webhooks: the event ids already applied and published
 * (idempotency), and per entity the time of the last event applied (monotonicity). Bounded: past
 * `capacity` entries the oldest are forgotten, and the systems' own records (whose appliers refuse
 * to regress a status) take over for what was forgotten. One per ingest endpoint, in memory.
 */
export class IngestLedger {
  private readonly seen = new Set<string>();
  private readonly latest = new Map<string, string>();

  /** @param capacity ids (and, separately, entities) kept. @default 100000 */
  constructor(private readonly capacity = 100_000) {}

  /** True when this event id was applied and published already. */
  isSeen(eventId: string): boolean {
    return this.seen.has(eventId);
  }

  /** True when an event applied earlier for `entity` happened after `time` (ISO-8601 UTC). */
  isStale(entity: string, time: string): boolean {
    const last = this.latest.get(entity);
    return last !== undefined && time < last;
  }

  /** Records that an event of `entity` at `time` was applied (never moves backwards). */
  advance(entity: string, time: string): void {
    const last = this.latest.get(entity);
    if (last !== undefined && last >= time) return;
    this.latest.delete(entity);
    this.latest.set(entity, time);
    if (this.latest.size > this.capacity) this.latest.delete(this.latest.keys().next().value!);
  }

  /** Records an event id as done: applied and published. */
  markSeen(eventId: string): void {
    this.seen.add(eventId);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value!);
  }
}
