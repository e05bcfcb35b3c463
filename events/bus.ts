import type { CloudEvent } from '../canonical/index.js';

/**
 * A position in a stream: `<ms>-<seq>`, the Redis Streams entry-id format, used by every adapter.
 * It is what clients see as a subscription cursor.
 */
export type StreamId = string;

/** The streams of the product. */
export const Streams = {
  /** Every canonical event published by a subgraph's ingest (source erp, oms, wms, carrier, returns). */
  SOURCE: 'ovg.events.source',
  /** Derived events (source `visibility`): `order.status_changed`. */
  VISIBILITY: 'ovg.events.visibility',
  /** Business exceptions as they open and close (source `visibility`): `exception.opened`, `exception.closed`. */
  EXCEPTIONS: 'ovg.events.exceptions',
} as const;

/** The dead-letter stream of a stream: where an event goes after too many failed deliveries. */
export const deadLetterStream = (stream: string): string => `${stream}.dead`;
// The dead-letter entry holds the original event plus `deadletter*` extension attributes: events/deadLetter.ts.

/**
 * Where {@link EventBus.redeliver} puts an event for one consumer group of `stream` only: every member
 * of that group also consumes this stream (same group name, from its start), no other group reads it.
 */
export const redeliveryStream = (stream: string, group: string): string => `${stream}.redeliver.${group}`;

/** One event as stored in a stream. `event.recordedtime` is set by the bus on publish. */
export interface Envelope {
  id: StreamId;
  event: CloudEvent;
}

/** A work-shared delivery: how many times this entry has been delivered (1 on first delivery). */
export interface Delivery extends Envelope {
  deliveries: number;
}

/** A running subscription or consumer. */
export interface Subscription {
  /** Resolves once the subscription reads (for `after` subscriptions: once the replay position is set). */
  readonly ready: Promise<void>;
  /** Stops reading; pending handler calls finish first. Idempotent. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /**
   * Deliver every entry after this id (exclusive), then live ones. Absent: only entries published
   * after the subscription is ready. Older than what the stream retains → {@link CursorExpiredError}
   * (thrown by `subscribe` synchronously-or-via-`ready`).
   */
  after?: StreamId;
}

export interface ConsumeOptions {
  /** Deliveries before an entry goes to the dead-letter stream. @default 5 */
  maxDeliveries?: number;
  /** Entries pending longer than this on a consumer (a dead one) are reclaimed by another. @default 30000 */
  reclaimIdleMs?: number;
  /** Entries read per round. @default 100 */
  batchSize?: number;
  /** Where a group that does not exist yet starts: `'$'` new entries only, `'0'` the whole stream. @default '$' */
  startFrom?: '$' | '0';
  /**
   * Handler calls this consumer runs at once. Above 1, entries are handled concurrently (each still
   * acked when its own handler resolves), so a handler that batches — awaiting a flush of many
   * entries, like the Salesforce connector's 200-record upserts — sees many entries at a time.
   * Order between concurrently handled entries is not kept. @default 1
   */
  concurrency?: number;
  /**
   * Called when this member created its group because the group did not exist (issue 16 #2): the
   * streams were lost — Redis restarted without persistence, or the keys were deleted — while the
   * member ran (`'lost'`: its reads answered NOGROUP; the group is created again from the start of
   * each stream), or before it started (`'start'`: also a first start ever). Entries that were in
   * the lost streams and not yet handled — the group's pending ones, its redelivery stream — are
   * gone; the owner rebuilds them from its own records (the status tracker sweeps the orders the
   * store saw applied). Called once the group exists again, not awaited, by the member that created
   * it (two may, for one loss); a throw or rejection goes to the bus's `onError`. The in-memory
   * bus never calls it: its streams live and die with the process.
   */
  onReset?: (reset: BusReset) => void | Promise<void>;
}

/** What {@link ConsumeOptions.onReset} is told: why the group was missing and which of its streams it was created on. */
export interface BusReset {
  reason: 'start' | 'lost';
  streams: string[];
}

/**
 * The event bus port (ARCHITECTURE.md, "Change path"): append-only streams with two delivery modes.
 * - broadcast (`subscribe`): every subscriber sees every event, in order — cache purge and
 *   subscription fan-out on every gateway replica;
 * - work-shared (`consume`): consumer groups, one member handles each event, acked when the handler
 *   resolves, redelivered when it throws (or its consumer dies), dead-lettered after N deliveries —
 *   or at once when it throws a `PermanentFailure` (events/permanentFailure.ts) — the status
 *   tracker, the Salesforce connector.
 * Adapters: `MemoryEventBus` (embedded default, one process) and `RedisEventBus` (Redis Streams).
 */
export interface EventBus {
  /** Appends an event, stamping `recordedtime`; returns its id. Bounded: old entries are trimmed past `maxLen`. */
  publish(stream: string, event: CloudEvent): Promise<StreamId>;
  /**
   * Entries after `after` (exclusive; absent = from the oldest retained), oldest first, at most `count` (default 100).
   * Rejects with {@link CursorExpiredError} when `after` is older than what the stream retains (entries were lost).
   */
  read(stream: string, opts?: { after?: StreamId; count?: number }): Promise<Envelope[]>;
  subscribe(stream: string, handler: (e: Envelope) => void | Promise<void>, opts?: SubscribeOptions): Subscription;
  consume(
    stream: string,
    group: string,
    consumer: string,
    handler: (d: Delivery) => Promise<void>,
    opts?: ConsumeOptions,
  ): Subscription;
  /**
   * Re-delivers `event` (typically a dead letter being replayed; its `deadletter*` attributes are
   * removed) to the consumer group `group` of `stream` only — not to the stream's other groups nor to
   * its broadcast subscribers. It goes to {@link redeliveryStream}, which every member of the group
   * consumes alongside `stream` with the same options: delivered to one member, retried, and
   * dead-lettered again to `deadLetterStream(stream)` if it keeps failing. Members started later
   * (or none running now) still get it. The handler sees the redelivery stream's entry id.
   * Returns that id.
   */
  redeliver(stream: string, group: string, event: CloudEvent): Promise<StreamId>;
  /** The id of the newest entry, or null for an empty stream. */
  lastId(stream: string): Promise<StreamId | null>;
  /** Closes every subscription and connection. */
  close(): Promise<void>;
}

/** A cursor older than what the stream still retains: events in between are gone. */
export class CursorExpiredError extends Error {
  constructor(
    readonly cursor: StreamId,
    readonly oldestRetained: StreamId | null,
  ) {
    super(
      `cursor ${cursor} is older than the retained stream (oldest retained: ${oldestRetained ?? 'none'}); resubscribe without a cursor`,
    );
    this.name = 'CursorExpiredError';
  }
}

/** Orders two stream ids; negative when a < b. */
export function compareIds(a: StreamId, b: StreamId): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am !== bm ? am - bm : as - bs;
}

/** True when `id` has the `<ms>-<seq>` form. */
export const isStreamId = (id: string): boolean => /^\d{1,15}-\d{1,15}$/.test(id);
