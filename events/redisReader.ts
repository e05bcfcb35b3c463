import type { Redis } from 'ioredis';
import { compareIds, CursorExpiredError, type Envelope, type StreamId, type Subscription } from './bus.js';
import { abortable, Signal, sleep } from './async.js';
import { reconnectDelay } from './redisConnection.js';
import { expiredCursor, type RawEntry } from './redisEntries.js';
import type { RedisStreams } from './redisStreams.js';
import type { BusErrorHandler } from './options.js';

/** Entries per XREAD round and per replay page. */
const PAGE = 500;
/** Live entries a subscriber may have queued; past this it drops them and pages from its cursor instead. */
const MAX_QUEUED = 10_000;

type Phase = 'starting' | 'running' | 'closing' | 'closed';

/**
 * The one blocking reader of a stream in a bus: XREAD BLOCK from the last id it saw, fanned out to
 * every in-process subscriber of that stream — 10,000 subscribers cost one connection. After a lost
 * connection, ioredis re-sends the read with the same id, so nothing is skipped or repeated.
 */
export class StreamReader {
  /** The id of the newest entry read; subscribers without a cursor start here. */
  position: StreamId = '0-0';
  /** Subscriptions holding this reader (attached or still starting). */
  refs = 0;
  readonly started: Promise<void>;
  private readonly subs = new Set<RedisSubscriber>();
  private phase: Phase = 'starting';
  private loopDone: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(
    private readonly stream: string,
    private readonly conn: Redis,
    private readonly streams: RedisStreams,
    private readonly blockMs: number,
  ) {
    this.started = this.start();
    this.started.catch(() => undefined);
  }

  attach(sub: RedisSubscriber): void {
    this.subs.add(sub);
  }

  detach(sub: RedisSubscriber): void {
    this.subs.delete(sub);
  }

  /** Ends the blocking read at once (disconnects) and waits for the loop to finish. Idempotent. */
  async stop(): Promise<void> {
    if (this.phase === 'starting' || this.phase === 'running') {
      this.phase = 'closing';
      this.abort.abort();
      this.conn.disconnect();
    }
    await this.started.catch(() => undefined);
    await this.loopDone;
    this.phase = 'closed';
  }

  private async start(): Promise<void> {
    const newest = await this.streams.newest(this.stream, this.conn);
    if (this.phase !== 'starting') throw new Error(`the reader of ${this.stream} was closed while starting`);
    this.position = newest ?? '0-0';
    this.phase = 'running';
    this.loopDone = this.loop();
  }

  private async loop(): Promise<void> {
    const key = this.streams.key(this.stream);
    let failures = 0;
    while (this.phase === 'running') {
      try {
        const reply = (await this.conn.xread('COUNT', PAGE, 'BLOCK', this.blockMs, 'STREAMS', key, this.position)) as [string, RawEntry[]][] | null;
        failures = 0;
        const raw = reply?.[0]?.[1];
        if (!raw || raw.length === 0) continue;
        this.position = raw.at(-1)![0];
        const entries = this.streams.decode(this.stream, raw);
        for (const s of this.subs) s.push(entries);
      } catch (err) {
        if (this.phase !== 'running') break;
        this.streams.config.onError(err as Error, `reader of ${this.stream}`);
        await sleep(reconnectDelay(++failures), this.abort.signal);
      }
    }
  }
}

/**
 * A broadcast subscription over a shared {@link StreamReader}. With `after` it first pages the missed
 * entries (XRANGE) while live ones queue, then drains the queue; its cursor drops anything already
 * delivered, so the hand-over has no gap and no duplicate. Handler calls are sequential.
 */
export class RedisSubscriber implements Subscription {
  readonly ready: Promise<void>;
  private cursor: StreamId | null = null;
  private replaying = false;
  private queue: Envelope[] = [];
  private head = 0;
  private closing = false;
  private done: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;
  private readonly wake = new Signal();
  private readonly abort = new AbortController();

  constructor(
    private readonly stream: string,
    private readonly handler: (e: Envelope) => void | Promise<void>,
    private readonly reader: StreamReader,
    private readonly streams: RedisStreams,
    private readonly onError: BusErrorHandler,
    after: StreamId | undefined,
    private readonly release: () => Promise<void>,
  ) {
    this.ready = this.start(after);
    this.ready.catch(() => this.close());
  }

  /** Takes a batch from the reader (called in stream order). */
  push(entries: Envelope[]): void {
    if (this.closing) return;
    if (this.queue.length - this.head + entries.length > MAX_QUEUED) {
      this.queue = [];
      this.head = 0;
      this.replaying = true;
    } else {
      this.queue.push(...entries);
    }
    this.wake.notify();
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      this.abort.abort();
      this.wake.notify();
      await this.ready.catch(() => undefined);
      await this.done;
      this.reader.detach(this);
      await this.release();
    })();
    return this.closed;
  }

  private async start(after: StreamId | undefined): Promise<void> {
    if (after !== undefined) {
      const expired = expiredCursor(after, await this.streams.info(this.stream));
      if (expired) throw expired;
    }
    await this.reader.started;
    if (this.closing) return;
    this.cursor = after ?? this.reader.position;
    this.replaying = after !== undefined;
    this.reader.attach(this);
    this.done = this.pump();
  }

  private async pump(): Promise<void> {
    let failures = 0;
    while (!this.closing) {
      if (this.replaying) {
        try {
          const page = await abortable(this.streams.read(this.stream, this.cursor, PAGE), this.abort.signal);
          if (!page) break;
          failures = 0;
          for (const e of page) if (!this.closing) await this.deliver(e);
          if (page.length < PAGE) this.replaying = false;
        } catch (err) {
          if (this.closing) break;
          if (err instanceof CursorExpiredError) {
            this.onError(err, `subscriber on ${this.stream} fell behind the retained stream; continuing from the oldest retained entry`);
            this.cursor = null;
          } else {
            this.onError(err as Error, `subscriber on ${this.stream} replaying`);
            await sleep(reconnectDelay(++failures), this.abort.signal);
          }
        }
        continue;
      }
      const e = this.take();
      if (!e) await this.wake.wait();
      else if (this.cursor === null || compareIds(e.id, this.cursor) > 0) await this.deliver(e);
    }
  }

  private take(): Envelope | undefined {
    const e = this.queue[this.head];
    if (!e) return undefined;
    this.head += 1;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  private async deliver(e: Envelope): Promise<void> {
    this.cursor = e.id;
    try {
      await this.handler(e);
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)), `subscriber handler on ${this.stream} (entry ${e.id})`);
    }
  }
}
