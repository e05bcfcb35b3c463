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

type Phase = 'running' | 'closing' | 'closed';

/**
 * One stream of a {@link StreamReader}: where reading it goes on from, and the in-process
 * subscribers it fans out to.
 */
export class StreamTail {
  /** The id of the newest entry read; subscribers without a cursor start here. */
  position: StreamId = '0-0';
  /** Subscriptions holding this stream (attached or still starting). */
  refs = 0;
  /** Resolves once `position` is set and the reader includes this stream in its reads. */
  readonly started: Promise<void>;
  /** Set once started; false again once removed. */
  active = false;
  removed = false;
  readonly subs = new Set<RedisSubscriber>();
  readonly key: string;

  constructor(
    readonly stream: string,
    streams: RedisStreams,
    onStarted: () => void,
  ) {
    this.key = streams.key(stream);
    this.started = (async () => {
      // On the command connection: the reader's own may be blocked in a read of the other streams.
      const newest = await streams.newest(stream);
      if (this.removed) throw new Error(`the reader of ${stream} was closed while starting`);
      this.position = newest ?? '0-0';
      this.active = true;
      onStarted();
    })();
    this.started.catch(() => undefined);
  }

  attach(sub: RedisSubscriber): void {
    this.subs.add(sub);
  }

  detach(sub: RedisSubscriber): void {
    this.subs.delete(sub);
  }
}

/**
 * The one blocking reader of a bus: a single XREAD BLOCK over every stream with subscribers, from
 * the last id it saw of each, fanned out to every in-process subscriber of that stream — 10,000
 * subscribers on any number of streams cost one connection. A stream added while the read blocks
 * ends that read at once (CLIENT UNBLOCK from the command connection; should that be refused, the
 * read ends by itself within `blockMs`), and the next read includes it. After a lost connection,
 * ioredis re-sends the read with the same ids, so nothing is skipped or repeated.
 */
export class StreamReader {
  private readonly tails = new Map<string, StreamTail>();
  private phase: Phase = 'running';
  private readonly loopDone: Promise<void>;
  private readonly abort = new AbortController();
  private readonly changed = new Signal();
  /** Bumped whenever a stream starts; the read in flight saw `readingGeneration`. */
  private generation = 0;
  private readingGeneration: number | undefined;
  /** This connection's id on the server (for CLIENT UNBLOCK); undefined: not known yet; null: not available. */
  private clientId: number | null | undefined;

  constructor(
    private readonly conn: Redis,
    private readonly streams: RedisStreams,
    private readonly blockMs: number,
  ) {
    conn.on('close', () => void (this.clientId = undefined));
    this.loopDone = this.loop();
  }

  /** The tail of `stream`, added (and started) on first use. */
  tail(stream: string): StreamTail {
    let t = this.tails.get(stream);
    if (!t) {
      t = new StreamTail(stream, this.streams, () => {
        this.generation += 1;
        this.changed.notify();
        void this.interrupt();
      });
      this.tails.set(stream, t);
    }
    return t;
  }

  /** Stops reading `stream`; returns whether other streams are still read. */
  remove(t: StreamTail): boolean {
    t.removed = true;
    t.active = false;
    if (this.tails.get(t.stream) === t) this.tails.delete(t.stream);
    return this.tails.size > 0;
  }

  /** Ends the blocking read at once (disconnects) and waits for the loop to finish. Idempotent. */
  async stop(): Promise<void> {
    if (this.phase === 'running') {
      this.phase = 'closing';
      for (const t of this.tails.values()) this.remove(t);
      this.abort.abort();
      this.changed.notify();
      this.conn.disconnect();
    }
    await this.loopDone;
    this.phase = 'closed';
  }

  /**
   * Ends the read in flight when it does not include a stream started since. Retried for about a
   * second while the read may not block yet (sent, not yet run) or the connection's id is being
   * learnt; past that, or without CLIENT UNBLOCK, the read ends by itself within `blockMs`.
   */
  private async interrupt(): Promise<void> {
    for (let attempt = 1; attempt <= 20; attempt++) {
      const reading = this.readingGeneration;
      if (this.phase !== 'running' || reading === undefined || reading >= this.generation || this.clientId === null)
        return;
      const id = this.clientId;
      const unblocked =
        id === undefined ? 0 : await this.streams.conn.call('CLIENT', 'UNBLOCK', String(id), 'TIMEOUT').catch(() => 0);
      if (unblocked === 1) return;
      await sleep(5 * attempt, this.abort.signal);
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.phase === 'running') {
      const generation = this.generation;
      const tails = [...this.tails.values()].filter((t) => t.active);
      if (tails.length === 0) {
        await this.changed.wait();
        continue;
      }
      try {
        this.readingGeneration = generation;
        if (this.clientId === undefined)
          this.clientId = await this.conn.call('CLIENT', 'ID').then(
            (id) => Number(id),
            () => null,
          );
        if (this.generation !== generation) {
          this.readingGeneration = undefined;
          continue; // a stream started meanwhile: read it too
        }
        const reply = (await this.conn.xread(
          'COUNT',
          PAGE,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          ...tails.map((t) => t.key),
          ...tails.map((t) => t.position),
        )) as [string, RawEntry[]][] | null;
        this.readingGeneration = undefined;
        failures = 0;
        for (const [key, raw] of reply ?? []) {
          const t = tails.find((x) => x.key === key);
          if (!t?.active || raw.length === 0) continue;
          t.position = raw.at(-1)![0];
          const entries = this.streams.decode(t.stream, raw);
          for (const s of t.subs) s.push(entries);
        }
      } catch (err) {
        this.readingGeneration = undefined;
        if (this.phase !== 'running') break;
        this.streams.config.onError(err as Error, `reader of ${tails.map((t) => t.stream).join(', ')}`);
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
    private readonly reader: StreamTail,
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
            this.onError(
              err,
              `subscriber on ${this.stream} fell behind the retained stream; continuing from the oldest retained entry`,
            );
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
      this.onError(
        err instanceof Error ? err : new Error(String(err)),
        `subscriber handler on ${this.stream} (entry ${e.id})`,
      );
    }
  }
}
