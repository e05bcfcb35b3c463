import type { CloudEvent } from '../canonical/index.js';
import { compareIds, CursorExpiredError, type Envelope, type StreamId } from './bus.js';
import { Signal } from './async.js';

/** One entry a consumer group has handed out and not yet acknowledged (Redis: a PEL entry). */
export interface PendingEntry {
  entry: Envelope;
  consumer: string;
  /** Deliveries so far. */
  deliveries: number;
  deliveredAt: number;
  /** The last delivery threw: its consumer retries it next. */
  failed: boolean;
  error?: string;
}

/** What a trimmed slot holds until the slots are compacted away (never read: reads start at the head). */
const TRIMMED: Envelope = Object.freeze({ id: '0-0', event: Object.freeze({}) as CloudEvent });

/** A consumer group's state: how far it has read and what is out for delivery. */
export class MemoryGroup {
  readonly pending = new Map<StreamId, PendingEntry>();
  /** Notified on every change a waiting consumer may care about: a new entry, an ack, a failure. */
  readonly changed = new Signal();
  constructor(public lastDelivered: StreamId) {}
}

/**
 * One in-memory stream: entries with `<ms>-<seq>` ids, strictly increasing even within one ms or when
 * the clock steps back; the oldest trimmed past `maxLen` entries or `maxBytes` (approximate: the
 * event's JSON at 2 bytes a character; the newest entry is always kept), remembering the newest
 * trimmed id so a cursor older than it is known to have missed entries.
 */
export class MemoryStream {
  private readonly entries: Envelope[] = [];
  /** Approximate bytes of each entry, index for index with `entries`. */
  private readonly sizes: number[] = [];
  /** Approximate bytes of the retained entries. */
  bytes = 0;
  /** Index of the oldest retained entry in `entries` (trimmed ones are dropped in chunks). */
  private head = 0;
  private lastMs = -1;
  private lastSeq = 0;
  /** The newest trimmed id: cursors older than this have missed entries. */
  lastTrimmed: StreamId | null = null;
  /** Notified after every append. */
  readonly appended = new Signal();
  readonly groups = new Map<string, MemoryGroup>();

  constructor(
    private readonly maxLen: number,
    private readonly maxBytes: number = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Appends `event` (copied through JSON, as Redis stores it) and trims; returns the stored envelope. */
  append(event: CloudEvent): Envelope {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastSeq = 0;
    } else {
      this.lastSeq += 1;
    }
    const json = JSON.stringify(event);
    const envelope: Envelope = { id: `${this.lastMs}-${this.lastSeq}`, event: JSON.parse(json) as CloudEvent };
    const size = json.length * 2 + 64;
    this.entries.push(envelope);
    this.sizes.push(size);
    this.bytes += size;
    this.trim();
    this.appended.notify();
    for (const g of this.groups.values()) g.changed.notify();
    return envelope;
  }

  private trim(): void {
    const from = this.head;
    while (this.size > this.maxLen || (this.bytes > this.maxBytes && this.size > 1)) {
      this.bytes -= this.sizes[this.head]!;
      this.lastTrimmed = this.entries[this.head]!.id;
      // The slot is compacted away later, in chunks; the event goes now. Kept until then, up to
      // 1,024 trimmed events per stream stayed in memory beyond `maxBytes`.
      this.entries[this.head] = TRIMMED;
      this.head++;
    }
    if (this.head === from) return;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  oldest(): StreamId | null {
    return this.entries[this.head]?.id ?? null;
  }

  newest(): StreamId | null {
    return this.size > 0 ? this.entries.at(-1)!.id : null;
  }

  /** True when entries after `cursor` were trimmed: the cursor is older than the newest trimmed id. */
  isExpired(cursor: StreamId): boolean {
    return this.lastTrimmed !== null && compareIds(cursor, this.lastTrimmed) < 0;
  }

  /** Up to `count` entries after `cursor` (null: from the oldest retained); throws {@link CursorExpiredError} for a trimmed cursor. */
  read(cursor: StreamId | null, count: number): Envelope[] {
    if (cursor !== null && this.isExpired(cursor)) throw new CursorExpiredError(cursor, this.oldest());
    return this.readLenient(cursor, count);
  }

  /** Like {@link read} but silently starts at the oldest retained entry when `cursor` is older (what a group does). */
  readLenient(cursor: StreamId | null, count: number): Envelope[] {
    const from = cursor === null ? this.head : this.indexAfter(cursor);
    return this.entries.slice(from, from + count);
  }

  /** Index of the first retained entry with id > `cursor` (binary search; ids are increasing). */
  private indexAfter(cursor: StreamId): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.entries[mid]!.id, cursor) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
