import { redisUrlFor } from '../runtime/redis.js';
import type { Redis } from 'ioredis';
import type { CloudEvent } from '../canonical/index.js';
import {
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
import { OpenSubscriptions } from './async.js';
import { withoutDeadLetter } from './deadLetter.js';
import { openConnection } from './redisConnection.js';
import { RedisConsumer } from './redisConsumer.js';
import { stamped } from './redisEntries.js';
import { RedisSubscriber, StreamReader } from './redisReader.js';
import { RedisStreams } from './redisStreams.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Options of {@link RedisEventBus}. */
export interface RedisEventBusOptions extends CommonBusOptions {
  /**
   * The Redis server (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS); Redis 7 or later.
   * @default BUS_REDIS_URL, else REDIS_URL, else 'redis://127.0.0.1:6379'
   */
  url?: string;
  /** Prepended to every stream key, e.g. a unique prefix per test run. @default '' */
  keyPrefix?: string;
  /**
   * How long one blocking read (XREAD / XREADGROUP BLOCK) waits before it starts over. Closing does not
   * wait for it (the blocking connection is disconnected); consumers also wake every `reclaimIdleMs / 2`.
   * @default 5000
   */
  blockMs?: number;
  /**
   * Bounds a command — publish, read, ack: it waits up to this long for the connection to be (re)established
   * — failing after that with an error naming the operation and the server, nothing sent — and then
   * up to this long for the reply. Blocking reads wait for the server indefinitely (they resume on reconnect).
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * How long Redis remembers each publish call so that a re-sent XADD (its reply lost with the
   * connection) is not appended twice. A publish re-sent after a longer outage may be duplicated;
   * consumers deduplicate by the CloudEvents `id` in any case. Costs one small key per publish.
   * @default 60000
   */
  dedupeWindowMs?: number;
}

/**
 * The {@link EventBus} on Redis Streams (https://redis.io/docs/latest/develop/data-types/streams/).
 * Connections: the process's shared one for commands, one blocking reader for every subscribed
 * stream (one XREAD over all of them, shared by every subscription in this bus), one per consumer
 * (one XREADGROUP over its stream and its group's redelivery stream). Through a Redis restart, readers and
 * consumers continue from the last id they saw and publishes wait (up to `timeoutMs`) to be sent. A
 * restart that lost the streams (no persistence) leaves consumers without their group: they create it
 * again from the start of each stream and tell their owner (`onReset`, events/bus.ts).
 * A publish is appended once even when ioredis re-sends it after a lost reply (within
 * `dedupeWindowMs`); delivery to consumers is at least once, so they deduplicate by the CloudEvents
 * `id`, as the whole change path does.
 */
export class RedisEventBus implements EventBus {
  private readonly streams: RedisStreams;
  /** The one blocking reader of every subscribed stream (absent while nothing is subscribed). */
  private reader: StreamReader | undefined;
  private readonly open = new OpenSubscriptions();
  private readonly url: string;
  private readonly blockMs: number;
  private readonly onError: BusErrorHandler;
  private closed: Promise<void> | undefined;

  constructor(opts: RedisEventBusOptions = {}) {
    this.url = opts.url ?? redisUrlFor('bus') ?? DEFAULT_REDIS_URL;
    if (!/^rediss?:\/\//.test(this.url))
      throw new TypeError(
        `RedisEventBus option url: expected redis://… or rediss://…, got ${JSON.stringify(this.url)}`,
      );
    const keyPrefix = opts.keyPrefix ?? '';
    if (/\s/.test(keyPrefix))
      throw new TypeError(`RedisEventBus option keyPrefix: expected no whitespace, got ${JSON.stringify(keyPrefix)}`);
    this.blockMs = positiveInt('blockMs', opts.blockMs, 5000);
    this.onError = opts.onError ?? defaultOnError;
    const config = {
      url: this.url,
      keyPrefix,
      onError: this.onError,
      maxLen: positiveInt('maxLen', opts.maxLen, DEFAULT_MAX_LEN),
      timeoutMs: positiveInt('timeoutMs', opts.timeoutMs, 10_000),
      dedupeWindowMs: positiveInt('dedupeWindowMs', opts.dedupeWindowMs, 60_000),
    };
    this.streams = new RedisStreams(this.connect('command', keyPrefix || '*'), config);
  }

  async publish(stream: string, event: CloudEvent): Promise<StreamId> {
    this.assertOpen('publish');
    assertName('stream', stream);
    return this.streams.add(stream, stamped(event));
  }

  async read(stream: string, opts: { after?: StreamId; count?: number } = {}): Promise<Envelope[]> {
    this.assertOpen('read');
    assertCursor(opts.after);
    return this.streams.read(stream, opts.after ?? null, positiveInt('count', opts.count, 100));
  }

  subscribe(stream: string, handler: (e: Envelope) => void | Promise<void>, opts: SubscribeOptions = {}): Subscription {
    this.assertOpen('subscribe');
    assertName('stream', stream);
    assertCursor(opts.after);
    this.reader ??= new StreamReader(this.connect('reader', this.streams.key('') || '*'), this.streams, this.blockMs);
    const reader = this.reader;
    const tail = reader.tail(stream);
    tail.refs += 1;
    const release = async (): Promise<void> => {
      tail.refs -= 1;
      if (tail.refs > 0 || reader.remove(tail)) return;
      // The last stream of the reader: its connection closes until something is subscribed again.
      if (this.reader === reader) this.reader = undefined;
      await reader.stop();
    };
    return this.track(new RedisSubscriber(stream, handler, tail, this.streams, this.onError, opts.after, release));
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
    const { startFrom, ...rest } = resolveConsumeOptions(opts);
    // Redelivered dead letters wait in the group's own redelivery stream, read from its start, in the same XREADGROUP.
    return this.track(
      new RedisConsumer({
        conn: this.connect('consumer', `${this.streams.key(stream)}:${group}:${consumer}`),
        streams: this.streams,
        sources: [
          { name: stream, startFrom },
          { name: redeliveryStream(stream, group), startFrom: '0' },
        ],
        deadStream: deadLetterStream(stream),
        group,
        consumer,
        handler,
        opts: rest,
        blockMs: this.blockMs,
      }),
    );
  }

  async redeliver(stream: string, group: string, event: CloudEvent): Promise<StreamId> {
    this.assertOpen('redeliver');
    assertName('stream', stream);
    assertName('group', group);
    return this.streams.add(redeliveryStream(stream, group), stamped(withoutDeadLetter(event)));
  }

  async lastId(stream: string): Promise<StreamId | null> {
    this.assertOpen('lastId');
    return this.streams.newest(stream);
  }

  /** Closes every subscription and consumer (in-progress handler calls finish first), then the connections. Idempotent. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.open.closeAll();
      await this.reader?.stop();
      this.reader = undefined;
      this.streams.conn.disconnect();
    })();
    return this.closed;
  }

  private connect(role: 'command' | 'reader' | 'consumer', key: string): Redis {
    return openConnection(this.url, role, key, this.onError);
  }

  private track(sub: Subscription): Subscription {
    return this.open.track(sub);
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new Error(`RedisEventBus.${op}: the bus is closed`);
  }
}
