import type { CloudEvent } from '../canonical/index.js';
import {
  CursorExpiredError,
  deadLetterStream,
  redeliveryStream,
  type ConsumeOptions,
  type Delivery,
  type Envelope,
  type EventBus,
  type StreamId,
  type SubscribeOptions,
  type Subscription,
} from './bus.js';
import { combined, OpenSubscriptions, yieldToEventLoop } from './async.js';
import { withoutDeadLetter } from './deadLetter.js';
import { MemoryConsumer } from './memoryConsumer.js';
import { MemoryGroup, MemoryStream } from './memoryStream.js';
import {
  assertCursor,
  assertName,
  DEFAULT_MAX_LEN,
  defaultOnError,
  positiveInt,
  resolveConsumeOptions,
  type BusErrorHandler,
  type CommonBusOptions,
} from './options.js';

/** Options of {@link MemoryEventBus}. */
export interface MemoryEventBusOptions extends CommonBusOptions {
  /**
   * Bytes each stream keeps (approximately: its events' JSON at 2 bytes a character); the oldest
   * entries are trimmed past it, as past `maxLen` (`BUS_MEMORY_MAX_BYTES`). A consumer group or a
   * resuming subscriber further behind than this misses what was trimmed, as with `maxLen`.
   * @default DEFAULT_MEMORY_MAX_BYTES (32 MiB)
   */
  maxBytes?: number;
}

/** What each in-memory stream keeps at most, in bytes, by default. */
export const DEFAULT_MEMORY_MAX_BYTES = 32 * 1_048_576;

/**
 * The in-process {@link EventBus}: the embedded default, one process, nothing to install. Same
 * semantics as the Redis Streams adapter (the contract suite runs against both); entries are copied
 * through JSON on publish, and trimming past `maxLen` is exact; each stream also has a byte budget.
 */
export class MemoryEventBus implements EventBus {
  private readonly streams = new Map<string, MemoryStream>();
  private readonly open = new OpenSubscriptions();
  private readonly maxLen: number;
  private readonly maxBytes: number;
  private readonly onError: BusErrorHandler;
  private closed = false;

  constructor(opts: MemoryEventBusOptions = {}) {
    this.maxLen = positiveInt('maxLen', opts.maxLen, DEFAULT_MAX_LEN);
    this.maxBytes = positiveInt('maxBytes', opts.maxBytes, DEFAULT_MEMORY_MAX_BYTES);
    this.onError = opts.onError ?? defaultOnError;
  }

  async publish(stream: string, event: CloudEvent): Promise<StreamId> {
    this.assertOpen('publish');
    assertName('stream', stream);
    return this.streamOf(stream).append({ ...event, recordedtime: new Date().toISOString() }).id;
  }

  async read(stream: string, opts: { after?: StreamId; count?: number } = {}): Promise<Envelope[]> {
    assertCursor(opts.after);
    const count = positiveInt('count', opts.count, 100);
    return this.streams.get(stream)?.read(opts.after ?? null, count) ?? [];
  }

  subscribe(stream: string, handler: (e: Envelope) => void | Promise<void>, opts: SubscribeOptions = {}): Subscription {
    this.assertOpen('subscribe');
    assertName('stream', stream);
    assertCursor(opts.after);
    const s = this.streamOf(stream);
    if (opts.after !== undefined && s.isExpired(opts.after))
      return rejected(new CursorExpiredError(opts.after, s.oldest()));
    return this.track(new MemorySubscriber(stream, s, handler, opts.after ?? s.newest(), this.onError));
  }

  consume(
    stream: string,
    group: string,
    consumer: string,
    handler: (d: Delivery) => Promise<void>,
    opts?: ConsumeOptions,
  ): Subscription {
    this.assertOpen('consume');
    assertName('stream', stream);
    assertName('group', group);
    assertName('consumer', consumer);
    const resolved = resolveConsumeOptions(opts);
    const dead = deadLetterStream(stream);
    const member = (name: string, startFrom: '$' | '0'): MemoryConsumer => {
      const s = this.streamOf(name);
      let g = s.groups.get(group);
      if (!g) s.groups.set(group, (g = new MemoryGroup(startFrom === '0' ? '0-0' : (s.newest() ?? '0-0'))));
      return new MemoryConsumer({
        stream: s,
        streamName: name,
        group: g,
        groupName: group,
        consumer,
        handler,
        opts: resolved,
        onError: this.onError,
        deadLetter: (event) => void this.streamOf(dead).append({ ...event, recordedtime: new Date().toISOString() }),
      });
    };
    // Redelivered dead letters wait in the group's own redelivery stream, read from its start.
    return this.track(combined([member(stream, resolved.startFrom), member(redeliveryStream(stream, group), '0')]));
  }

  async redeliver(stream: string, group: string, event: CloudEvent): Promise<StreamId> {
    this.assertOpen('redeliver');
    assertName('stream', stream);
    assertName('group', group);
    return this.publish(redeliveryStream(stream, group), withoutDeadLetter(event));
  }

  async lastId(stream: string): Promise<StreamId | null> {
    return this.streams.get(stream)?.newest() ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.open.closeAll();
  }

  private streamOf(name: string): MemoryStream {
    let s = this.streams.get(name);
    if (!s) this.streams.set(name, (s = new MemoryStream(this.maxLen, this.maxBytes)));
    return s;
  }

  private track(sub: Subscription): Subscription {
    return this.open.track(sub);
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new Error(`MemoryEventBus.${op}: the bus is closed`);
  }
}

/** A broadcast subscription: reads the stream from its cursor, one handler call at a time. */
class MemorySubscriber implements Subscription {
  readonly ready = Promise.resolve();
  private closing = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly name: string,
    private readonly stream: MemoryStream,
    private readonly handler: (e: Envelope) => void | Promise<void>,
    private cursor: StreamId | null,
    private readonly onError: BusErrorHandler,
  ) {
    this.done = this.run();
  }

  close(): Promise<void> {
    this.closing = true;
    this.stream.appended.notify();
    return this.done;
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      let page: Envelope[];
      try {
        page = this.stream.read(this.cursor, 100);
      } catch (err) {
        // Fell further behind than the stream retains: report the gap, continue from the oldest retained.
        this.onError(err as CursorExpiredError, `subscriber on ${this.name} lost entries`);
        this.cursor = null;
        continue;
      }
      if (page.length === 0) await this.stream.appended.wait();
      else await yieldToEventLoop(); // a backlog is worked through without starving I/O
      for (const e of page) {
        if (this.closing) break;
        this.cursor = e.id;
        try {
          await this.handler(e);
        } catch (err) {
          this.onError(
            err instanceof Error ? err : new Error(String(err)),
            `subscriber handler on ${this.name} (entry ${e.id})`,
          );
        }
      }
    }
  }
}

/** A subscription that never started: `ready` rejects with `err`. */
function rejected(err: Error): Subscription {
  const ready = Promise.reject(err);
  ready.catch(() => undefined);
  return { ready, close: async () => undefined };
}
