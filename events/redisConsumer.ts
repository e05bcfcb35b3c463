import type { Redis } from 'ioredis';
import type { BusReset, Delivery, Envelope, Subscription } from './bus.js';
import { errorMessage, sleep } from './async.js';
import { deadLetterEvent, unacknowledged } from './deadLetter.js';
import { isPermanentFailure } from './permanentFailure.js';
import { reconnectDelay } from './redisConnection.js';
import { decodeEntry, stamped, xaddArgs, type RawEntry } from './redisEntries.js';
import type { RedisStreams } from './redisStreams.js';
import type { ResolvedConsumeOptions } from './options.js';

type Phase = 'starting' | 'running' | 'closing' | 'closed';
/** An XPENDING (extended form) row: id, consumer, idle ms, deliveries so far. */
type PendingRow = [id: string, consumer: string, idle: number, deliveries: number];

/** One stream a consumer reads, and where its group starts when it creates it. */
export interface ConsumedStream {
  name: string;
  startFrom: '$' | '0';
}

/** A stream a consumer reads, resolved: its name, key, and its own reclaim cursor. */
interface Source extends ConsumedStream {
  key: string;
  reclaimCursor: string;
}

export interface RedisConsumerDeps {
  conn: Redis;
  streams: RedisStreams;
  /** The streams it reads with one blocking XREADGROUP (e.g. a stream and its redelivery stream), each with the same group and consumer name. */
  sources: ConsumedStream[];
  deadStream: string;
  group: string;
  consumer: string;
  handler: (d: Delivery) => Promise<void>;
  /** Consume options (`startFrom` is per source). */
  opts: Omit<ResolvedConsumeOptions, 'startFrom'>;
  blockMs: number;
}

/**
 * One member of a Redis consumer group, on its own connection (XREADGROUP blocks), reading one or
 * more streams with the same group and consumer name in one blocking XREADGROUP — a stream and its
 * redelivery stream cost one connection. Each round, per stream:
 * every `reclaimIdleMs / 2`, XAUTOCLAIM (JUSTID) moves entries idle longer than `reclaimIdleMs` —
 * from dead or hung members — to this one; then it redelivers its own pending entries (those whose
 * handler threw, the reclaimed ones, any left from a lost reply) via XPENDING + XCLAIM, which also
 * gives their delivery count; then it reads new entries (`>`) of every stream at once. An entry is XACKed when the handler
 * resolves; one already delivered `maxDeliveries` times, or whose handler threw a `PermanentFailure`,
 * is XADDed to the dead-letter stream and XACKed in one MULTI. Up to `concurrency` handler calls run at once.
 * A group it had to create — missing at start, or lost with its streams (NOGROUP) — is reported to `onReset`. https://redis.io/docs/latest/develop/data-types/streams/#consumer-groups
 */
export class RedisConsumer implements Subscription {
  readonly ready: Promise<void>;
  private phase: Phase = 'starting';
  private done: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;
  /** Own pending entries may need (re)delivery: at start, after a failure, a reclaim or a reconnect. */
  private pendingDirty = true;
  private nextReclaimAt = 0;
  /** Handler calls in progress. */
  private busy = 0;
  /** With `concurrency` above 1: the handler calls not yet finished, by {@link entryKey}. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The last handler error of an entry, by {@link entryKey}. */
  private readonly lastErrors = new Map<string, string>();
  private readonly abort = new AbortController();
  private readonly sources: Source[];
  private readonly byKey: Map<string, Source>;
  /** The stream names, for messages. */
  private readonly names: string;

  constructor(private readonly d: RedisConsumerDeps) {
    if (d.sources.length === 0) throw new TypeError('RedisConsumer: expected at least one stream');
    this.sources = d.sources.map((src) => ({ ...src, key: d.streams.key(src.name), reclaimCursor: '0-0' }));
    this.byKey = new Map(this.sources.map((src) => [src.key, src]));
    this.names = this.sources.map((src) => src.name).join(', ');
    d.conn.on('ready', () => {
      // A reply lost with the connection may have left entries pending on this consumer.
      this.pendingDirty = true;
    });
    this.ready = this.start();
    this.ready.catch(() => this.close());
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      const wasBusy = this.busy > 0;
      this.phase = 'closing';
      this.abort.abort();
      // A handler call in progress finishes (and acks) first; a blocking read ends now.
      if (!wasBusy) this.d.conn.disconnect();
      await this.ready.catch(() => undefined);
      await this.done;
      this.d.conn.disconnect();
      this.phase = 'closed';
    })();
    return this.closed;
  }

  private async start(): Promise<void> {
    const created: string[] = [];
    for (const src of this.sources) if (await this.ensureGroup(src, src.startFrom)) created.push(src.name);
    if (this.phase !== 'starting') return;
    this.phase = 'running';
    this.done = this.run();
    if (created.length > 0) this.reset({ reason: 'start', streams: created });
  }

  /** XGROUP CREATE … MKSTREAM; true when it created the group, false when it existed (BUSYGROUP). */
  private async ensureGroup(src: Source, startFrom: '$' | '0'): Promise<boolean> {
    const { streams, conn, group } = this.d;
    try {
      await streams.timed(
        `create group ${group} on ${src.name}`,
        () => conn.xgroup('CREATE', src.key, group, startFrom, 'MKSTREAM'),
        conn,
      );
      return true;
    } catch (err) {
      if (!errorMessage(err).startsWith('BUSYGROUP')) throw err;
      return false;
    }
  }

  /** Tells the owner (`onReset`) that the group was missing on `reset.streams`: what they held and it had not handled is gone. */
  private reset(reset: BusReset): void {
    const onReset = this.d.opts.onReset;
    if (!onReset) return;
    const what = `${reset.reason === 'lost' ? 'streams lost' : 'group missing at start'} (${reset.streams.join(', ')})`;
    try {
      Promise.resolve(onReset(reset)).catch((err: unknown) => this.report(err, `onReset after ${what}`));
    } catch (err) {
      this.report(err, `onReset after ${what}`);
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.phase === 'running') {
      try {
        await this.round();
        failures = 0;
      } catch (err) {
        if (this.phase !== 'running') break;
        this.pendingDirty = true;
        if (errorMessage(err).startsWith('NOGROUP')) {
          // The stream or group vanished (Redis restarted without persistence, or the key was deleted).
          this.report(err, 'group missing; recreating it from the start of the stream');
          const created: string[] = [];
          for (const src of this.sources)
            if (await this.ensureGroup(src, '0').catch(() => false)) created.push(src.name);
          if (created.length > 0 && this.phase === 'running') this.reset({ reason: 'lost', streams: created });
        } else {
          this.report(err, 'reading');
        }
        await sleep(reconnectDelay(++failures), this.abort.signal);
      }
    }
    await Promise.allSettled(this.inFlight.values());
  }

  private async round(): Promise<void> {
    const { conn, group, consumer, opts } = this.d;
    if (Date.now() >= this.nextReclaimAt) {
      this.nextReclaimAt = Date.now() + Math.max(10, Math.floor(opts.reclaimIdleMs / 2));
      for (const src of this.sources) {
        const [next, ids] = (await conn.xautoclaim(
          src.key,
          group,
          consumer,
          opts.reclaimIdleMs,
          src.reclaimCursor,
          'COUNT',
          opts.batchSize,
          'JUSTID',
        )) as [string, string[]];
        src.reclaimCursor = next;
        if (ids.length > 0) this.pendingDirty = true;
      }
    }
    if (this.pendingDirty) {
      this.pendingDirty = false;
      let found = 0;
      for (const src of this.sources) found += await this.redeliverOwn(src);
      if (found > 0) return;
    }
    let block = Math.min(this.d.blockMs, Math.max(10, Math.floor(opts.reclaimIdleMs / 2)));
    await this.whileFull();
    // While handler calls run, block briefly: their acks queue behind a blocking read on this connection.
    if (this.inFlight.size > 0) block = Math.min(block, 50);
    const count = Math.min(opts.batchSize, opts.concurrency - this.inFlight.size);
    const keys = this.sources.map((src) => src.key);
    const reply = (await conn.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      block,
      'STREAMS',
      ...keys,
      ...keys.map(() => '>'),
    )) as [string, RawEntry[]][] | null;
    for (const [key, entries] of reply ?? []) {
      const src = this.byKey.get(key);
      if (!src) continue;
      for (const raw of entries) {
        if (this.phase !== 'running') return;
        await this.dispatch(src, raw[0], () => this.deliver(src, raw, 1));
      }
    }
  }

  /**
   * Starts a delivery. With `concurrency` 1 it runs to completion first; above 1 it runs alongside
   * others, and this waits only while `concurrency` calls are in flight.
   */
  private async dispatch(src: Source, id: string, work: () => Promise<void>): Promise<void> {
    if (this.d.opts.concurrency === 1) return work();
    const k = entryKey(src, id);
    // A call that fails outside the handler (an ack lost with the connection) leaves its entry pending: redelivered later.
    const call: Promise<void> = work()
      .catch((err: unknown) => {
        this.pendingDirty = true;
        this.report(err, `delivering entry ${id} of ${src.name}`);
      })
      .finally(() => this.inFlight.delete(k));
    this.inFlight.set(k, call);
    await this.whileFull();
  }

  /** Waits while `concurrency` handler calls are in flight. */
  private async whileFull(): Promise<void> {
    while (this.inFlight.size >= this.d.opts.concurrency) await Promise.race(this.inFlight.values());
  }

  /** Redelivers this consumer's pending entries of one stream (XCLAIM to itself counts the delivery); returns how many it found. */
  private async redeliverOwn(src: Source): Promise<number> {
    const { conn, group, consumer, opts } = this.d;
    // Entries whose handler call is still running are pending too: they are not redelivered.
    const rows = ((await conn.xpending(src.key, group, '-', '+', opts.batchSize, consumer)) as PendingRow[]).filter(
      ([id]) => !this.inFlight.has(entryKey(src, id)),
    );
    if (rows.length === 0) return 0;
    if (rows.length === opts.batchSize) this.pendingDirty = true;
    const counts = new Map(rows.map(([id, , , n]) => [id, Number(n)]));
    const claimed = (await conn.xclaim(src.key, group, consumer, 0, ...counts.keys())) as (RawEntry | null)[];
    for (const raw of claimed) {
      if (!raw) continue;
      if (this.phase !== 'running') break;
      const sofar = counts.get(raw[0]) ?? 0;
      if (sofar < opts.maxDeliveries) {
        await this.dispatch(src, raw[0], () => this.deliver(src, raw, sofar + 1));
        continue;
      }
      const entry = await this.decodeOrSkip(src, raw);
      if (entry)
        await this.deadLetter(src, entry, sofar, this.lastErrors.get(entryKey(src, entry.id)) ?? unacknowledged(sofar));
    }
    return rows.length;
  }

  /** Calls the handler; acks on success, leaves the entry pending (or dead-letters it) on a throw. */
  private async deliver(src: Source, raw: RawEntry, deliveries: number): Promise<void> {
    const entry = await this.decodeOrSkip(src, raw);
    if (!entry) return;
    const k = entryKey(src, entry.id);
    const { opts } = this.d;
    let failure: unknown;
    let failed = false;
    this.busy++;
    try {
      try {
        await this.d.handler({ ...entry, deliveries });
      } catch (err) {
        failed = true;
        failure = err;
      }
      if (!failed) {
        this.lastErrors.delete(k);
        await this.ack(src, entry.id);
      } else if (deliveries >= opts.maxDeliveries || isPermanentFailure(failure)) {
        await this.deadLetter(src, entry, deliveries, errorMessage(failure));
      } else {
        this.lastErrors.set(k, errorMessage(failure));
        this.pendingDirty = true;
        this.report(
          failure,
          `handler failed on entry ${entry.id} of ${src.name}, delivery ${deliveries}/${opts.maxDeliveries}`,
        );
      }
    } finally {
      this.busy--;
    }
  }

  private async ack(src: Source, id: string): Promise<void> {
    const { streams, conn, group } = this.d;
    await streams.timed(`ack ${id} on ${src.name}`, () => conn.xack(src.key, group, id), conn);
  }

  /** The entry, or undefined for one this bus did not write (reported and acked: it cannot be a CloudEvent). */
  private async decodeOrSkip(src: Source, raw: RawEntry): Promise<Envelope | undefined> {
    try {
      return decodeEntry(raw);
    } catch (err) {
      this.report(err, `undecodable entry ${raw[0]} of ${src.name}: acked and skipped`);
      await this.ack(src, raw[0]);
      return undefined;
    }
  }

  /** XADD to the dead-letter stream and XACK here, in one MULTI. */
  private async deadLetter(src: Source, entry: Envelope, deliveries: number, error: string): Promise<void> {
    const { streams, conn, group, deadStream } = this.d;
    const event = deadLetterEvent(entry.event, {
      deadletterid: entry.id,
      deadletterdeliveries: deliveries,
      deadlettergroup: group,
      deadlettererror: error,
    });
    const tx = conn
      .multi()
      .xadd(streams.key(deadStream), ...xaddArgs(streams.config.maxLen, stamped(event)))
      .xack(src.key, group, entry.id);
    const replies = await streams.timed(`dead-letter ${entry.id} of ${src.name}`, () => tx.exec(), conn);
    const failed = replies?.find(([err]) => err)?.[0];
    if (!replies || failed)
      throw failed ?? new Error(`dead-letter ${entry.id} of ${src.name}: the transaction was aborted`);
    this.lastErrors.delete(entryKey(src, entry.id));
  }

  private report(err: unknown, what: string): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.d.streams.config.onError(e, `consumer ${this.d.consumer} of group ${this.d.group} on ${this.names}: ${what}`);
  }
}

/** Entry ids are unique per stream only: the key of an entry among all the streams a consumer reads. */
const entryKey = (src: Source, id: string): string => `${src.key}\u0000${id}`;
