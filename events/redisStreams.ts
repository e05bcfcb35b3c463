import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CloudEvent } from '../canonical/index.js';
import type { Envelope, StreamId } from './bus.js';
import { withTimeout } from './async.js';
import { redactUrl } from './redisConnection.js';
import {
  decodeEntries,
  EVENT_FIELD,
  expiredCursor,
  isNoSuchKey,
  parseStreamInfo,
  type RawEntry,
  type StreamInfo,
} from './redisEntries.js';
import type { BusErrorHandler } from './options.js';

export interface RedisStreamsConfig {
  url: string;
  keyPrefix: string;
  maxLen: number;
  timeoutMs: number;
  dedupeWindowMs: number;
  onError: BusErrorHandler;
}

/**
 * XADD at most once per publish call. ioredis re-sends a command whose reply was lost with the
 * connection; the call's token (KEYS[2], under the key prefix like every key of the bus) makes the
 * re-sent one return the first id instead of appending the event again. (Standalone Redis: the two
 * keys need not share a cluster hash slot.) ARGV: maxLen, event JSON, token lifetime (ms).
 */
const PUBLISH_ONCE = `
local prior = redis.call('GET', KEYS[2])
if prior then return prior end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', '${EVENT_FIELD}', ARGV[2])
redis.call('SET', KEYS[2], id, 'PX', ARGV[3])
return id`;

type PublishOnce = (stream: string, token: string, maxLen: number, json: string, ttlMs: number) => Promise<string>;

const nextReady = new WeakMap<Redis, Promise<boolean>>();

/** One shared "next ready (true) or end (false)" promise per connection: waiters add no listeners each. */
function readyOrEnd(conn: Redis): Promise<boolean> {
  let p = nextReady.get(conn);
  if (!p) {
    p = new Promise<boolean>((resolve) => {
      const settle = (ok: boolean): void => {
        conn.off('ready', onReady);
        conn.off('end', onEnd);
        nextReady.delete(conn);
        resolve(ok);
      };
      const onReady = (): void => settle(true);
      const onEnd = (): void => settle(false);
      conn.on('ready', onReady);
      conn.on('end', onEnd);
    });
    nextReady.set(conn, p);
  }
  return p;
}

/** Resolves true once `conn` is ready (at once when it is), false after `ms` or when it has ended. */
export async function whenReady(conn: Redis, ms: number): Promise<boolean> {
  if (conn.status === 'ready') return true;
  if (conn.status === 'end') return false;
  return withTimeout(readyOrEnd(conn), ms, () => new Error('not ready')).catch(() => false);
}

/** The non-blocking stream commands, on the bus's shared command connection, each bounded by `timeoutMs`. */
export class RedisStreams {
  private readonly publishOnce: PublishOnce;

  constructor(
    readonly conn: Redis,
    readonly config: RedisStreamsConfig,
  ) {
    conn.defineCommand('ovgPublishOnce', { numberOfKeys: 2, lua: PUBLISH_ONCE });
    this.publishOnce = (conn as unknown as { ovgPublishOnce: PublishOnce }).ovgPublishOnce.bind(conn);
  }

  key(stream: string): string {
    return this.config.keyPrefix + stream;
  }

  /**
   * Runs `command` once `conn` is connected, bounding both waits by `timeoutMs`. Nothing is queued while
   * Redis is unreachable, so a timeout before sending means the command was not applied; a timeout
   * after sending (no reply) means it may have been.
   */
  async timed<T>(what: string, command: () => Promise<T>, conn: Redis = this.conn): Promise<T> {
    const { timeoutMs, url } = this.config;
    if (!(await whenReady(conn, timeoutMs))) {
      throw new Error(
        `${what} failed: Redis at ${redactUrl(url)} was unreachable for ${timeoutMs} ms (connection ${conn.status}); nothing was sent`,
      );
    }
    return withTimeout(
      command(),
      timeoutMs,
      () =>
        new Error(
          `${what} got no reply from Redis at ${redactUrl(url)} within ${timeoutMs} ms; it may or may not have been applied`,
        ),
    );
  }

  /** XADD with `MAXLEN ~ maxLen`, `event` stored as one JSON field, applied at most once (see PUBLISH_ONCE). */
  add(stream: string, event: CloudEvent): Promise<StreamId> {
    const key = this.key(stream);
    const token = `${key}:publish-once:${randomUUID()}`;
    const { maxLen, dedupeWindowMs } = this.config;
    return this.timed(`publish to ${stream}`, () =>
      this.publishOnce(key, token, maxLen, JSON.stringify(event), dedupeWindowMs),
    );
  }

  /**
   * Up to `count` entries after `after` (null: from the oldest retained). XRANGE and XINFO STREAM run in
   * one MULTI, so the expiry check describes the very state the page was read from.
   */
  async read(stream: string, after: StreamId | null, count: number): Promise<Envelope[]> {
    const key = this.key(stream);
    const start = after === null ? '-' : `(${after}`;
    if (after === null) {
      const raw = (await this.timed(`read ${stream}`, () =>
        this.conn.xrange(key, start, '+', 'COUNT', count),
      )) as RawEntry[];
      return this.decode(stream, raw);
    }
    const replies = await this.timed(`read ${stream}`, () =>
      this.conn.multi().xrange(key, start, '+', 'COUNT', count).call('XINFO', 'STREAM', key).exec(),
    );
    if (!replies) throw new Error(`read ${stream}: the transaction was aborted`);
    const [[rangeErr, raw], [infoErr, infoReply]] = replies as [[Error | null, RawEntry[]], [Error | null, unknown]];
    if (rangeErr) throw rangeErr;
    if (infoErr && !isNoSuchKey(infoErr)) throw infoErr;
    const expired = expiredCursor(after, infoErr ? null : parseStreamInfo(infoReply));
    if (expired) throw expired;
    return this.decode(stream, raw);
  }

  /** XINFO STREAM, or null for a missing stream. */
  async info(stream: string): Promise<StreamInfo | null> {
    try {
      return parseStreamInfo(
        await this.timed(`XINFO STREAM ${stream}`, () => this.conn.call('XINFO', 'STREAM', this.key(stream))),
      );
    } catch (err) {
      if (isNoSuchKey(err)) return null;
      throw err;
    }
  }

  /** The newest id, or null for an empty or missing stream. */
  async newest(stream: string, conn: Redis = this.conn): Promise<StreamId | null> {
    const raw = (await this.timed(
      `lastId of ${stream}`,
      () => conn.xrevrange(this.key(stream), '+', '-', 'COUNT', 1),
      conn,
    )) as RawEntry[];
    return raw[0]?.[0] ?? null;
  }

  decode(stream: string, raw: RawEntry[]): Envelope[] {
    return decodeEntries(raw, (id, err) => this.config.onError(err, `undecodable entry ${id} on ${stream} (skipped)`));
  }
}
