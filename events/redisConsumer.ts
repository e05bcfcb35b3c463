import type { Redis } from 'ioredis';
import type { Delivery, Envelope, Subscription } from './bus.js';
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

export interface RedisConsumerDeps {
  conn: Redis;
  streams: RedisStreams;
  stream: string;
  deadStream: string;
  group: string;
  consumer: string;
  handler: (d: Delivery) => Promise<void>;
  opts: ResolvedConsumeOptions;
  blockMs: number;
}

/**
 * One member of a Redis consumer group, on its own connection (XREADGROUP blocks). Each round:
 * every `reclaimIdleMs / 2`, XAUTOCLAIM (JUSTID) moves entries idle longer than `reclaimIdleMs` —
 * from dead or hung members — to this one; then it redelivers its own pending entries (those whose
 * handler threw, the reclaimed ones, any left from a lost reply) via XPENDING + XCLAIM, which also
 * gives their delivery count; then it reads new entries (`>`). An entry is XACKed when the handler
 * resolves; one already delivered `maxDeliveries` times, or whose handler threw a `PermanentFailure`,
 * is XADDed to the dead-letter stream and XACKed in one MULTI. Up to `concurrency` handler calls run at once. https://redis.io/docs/latest/develop/data-types/streams/#consumer-groups
 */
export class RedisConsumer implements Subscription {
  readonly ready: Promise<void>;
  private phase: Phase = 'starting';
  private done: Promise<void> = Promise.resolve();
  private closed: Promise<void> | undefined;
  /** Own pending entries may need (re)delivery: at start, after a failure, a reclaim or a reconnect. */
  private pendingDirty = true;
  private nextReclaimAt = 0;
  private reclaimCursor = '0-0';
  /** Handler calls in progress. */
  private busy = 0;
  /** With `concurrency` above 1: the handler calls not yet finished, by entry id. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly lastErrors = new Map<string, string>();
  private readonly abort = new AbortController();
  private readonly key: string;

  constructor(private readonly d: RedisConsumerDeps) {
    this.key = d.streams.key(d.stream);
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
    await this.ensureGroup(this.d.opts.startFrom);
    if (this.phase !== 'starting') return;
    this.phase = 'running';
    this.done = this.run();
  }

  /** XGROUP CREATE … MKSTREAM; an existing group (BUSYGROUP) is fine. */
  private async ensureGroup(startFrom: '$' | '0'): Promise<void> {
    const { streams, conn, group, stream } = this.d;
    try {
      await streams.timed(`create group ${group} on ${stream}`, () => conn.xgroup('CREATE', this.key, group, startFrom, 'MKSTREAM'), conn);
    } catch (err) {
      if (!errorMessage(err).startsWith('BUSYGROUP')) throw err;
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
          await this.ensureGroup('0').catch(() => undefined);
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
      const [next, ids] = (await conn.xautoclaim(this.key, group, consumer, opts.reclaimIdleMs, this.reclaimCursor, 'COUNT', opts.batchSize, 'JUSTID')) as [string, string[]];
      this.reclaimCursor = next;
      if (ids.length > 0) this.pendingDirty = true;
    }
    if (this.pendingDirty) {
      this.pendingDirty = false;
      if ((await this.redeliverOwn()) > 0) return;
    }
    let block = Math.min(this.d.blockMs, Math.max(10, Math.floor(opts.reclaimIdleMs / 2)));
    await this.whileFull();
    // While handler calls run, block briefly: their acks queue behind a blocking read on this connection.
    if (this.inFlight.size > 0) block = Math.min(block, 50);
    const count = Math.min(opts.batchSize, opts.concurrency - this.inFlight.size);
    const reply = (await conn.xreadgroup('GROUP', group, consumer, 'COUNT', count, 'BLOCK', block, 'STREAMS', this.key, '>')) as [string, RawEntry[]][] | null;
    for (const raw of reply?.[0]?.[1] ?? []) {
      if (this.phase !== 'running') return;
      await this.dispatch(raw[0], () => this.deliver(raw, 1));
    }
  }

  /**
   * Starts a delivery. With `concurrency` 1 it runs to completion first; above 1 it runs alongside
   * others, and this waits only while `concurrency` calls are in flight.
   */
  private async dispatch(id: string, work: () => Promise<void>): Promise<void> {
    if (this.d.opts.concurrency === 1) return work();
    // A call that fails outside the handler (an ack lost with the connection) leaves its entry pending: redelivered later.
    const call: Promise<void> = work()
      .catch((err: unknown) => {
        this.pendingDirty = true;
        this.report(err, `delivering entry ${id}`);
      })
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, call);
    await this.whileFull();
  }

  /** Waits while `concurrency` handler calls are in flight. */
  private async whileFull(): Promise<void> {
    while (this.inFlight.size >= this.d.opts.concurrency) await Promise.race(this.inFlight.values());
  }

  /** Redelivers this consumer's pending entries (XCLAIM to itself counts the delivery); returns how many it found. */
  private async redeliverOwn(): Promise<number> {
    const { conn, group, consumer, opts } = this.d;
    // Entries whose handler call is still running are pending too: they are not redelivered.
    const rows = ((await conn.xpending(this.key, group, '-', '+', opts.batchSize, consumer)) as PendingRow[]).filter(([id]) => !this.inFlight.has(id));
    if (rows.length === 0) return 0;
    if (rows.length === opts.batchSize) this.pendingDirty = true;
    const counts = new Map(rows.map(([id, , , n]) => [id, Number(n)]));
    const claimed = (await conn.xclaim(this.key, group, consumer, 0, ...counts.keys())) as (RawEntry | null)[];
    for (const raw of claimed) {
      if (!raw) continue;
      if (this.phase !== 'running') break;
      const sofar = counts.get(raw[0]) ?? 0;
      if (sofar < opts.maxDeliveries) {
        await this.dispatch(raw[0], () => this.deliver(raw, sofar + 1));
        continue;
      }
      const entry = await this.decodeOrSkip(raw);
      if (entry) await this.deadLetter(entry, sofar, this.lastErrors.get(entry.id) ?? unacknowledged(sofar));
    }
    return rows.length;
  }

  /** Calls the handler; acks on success, leaves the entry pending (or dead-letters it) on a throw. */
  private async deliver(raw: RawEntry, deliveries: number): Promise<void> {
    const entry = await this.decodeOrSkip(raw);
    if (!entry) return;
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
        this.lastErrors.delete(entry.id);
        await this.ack(entry.id);
      } else if (deliveries >= opts.maxDeliveries || isPermanentFailure(failure)) {
        await this.deadLetter(entry, deliveries, errorMessage(failure));
      } else {
        this.lastErrors.set(entry.id, errorMessage(failure));
        this.pendingDirty = true;
        this.report(failure, `handler failed on entry ${entry.id}, delivery ${deliveries}/${opts.maxDeliveries}`);
      }
    } finally {
      this.busy--;
    }
  }

  private async ack(id: string): Promise<void> {
    const { streams, conn, group, stream } = this.d;
    await streams.timed(`ack ${id} on ${stream}`, () => conn.xack(this.key, group, id), conn);
  }

  /** The entry, or undefined for one this bus did not write (reported and acked: it cannot be a CloudEvent). */
  private async decodeOrSkip(raw: RawEntry): Promise<Envelope | undefined> {
    try {
      return decodeEntry(raw);
    } catch (err) {
      this.report(err, `undecodable entry ${raw[0]}: acked and skipped`);
      await this.ack(raw[0]);
      return undefined;
    }
  }

  /** XADD to the dead-letter stream and XACK here, in one MULTI. */
  private async deadLetter(entry: Envelope, deliveries: number, error: string): Promise<void> {
    const { streams, conn, group, stream, deadStream } = this.d;
    const event = deadLetterEvent(entry.event, { deadletterid: entry.id, deadletterdeliveries: deliveries, deadlettergroup: group, deadlettererror: error });
    const tx = conn.multi().xadd(streams.key(deadStream), ...xaddArgs(streams.config.maxLen, stamped(event))).xack(this.key, group, entry.id);
    const replies = await streams.timed(`dead-letter ${entry.id} of ${stream}`, () => tx.exec(), conn);
    const failed = replies?.find(([err]) => err)?.[0];
    if (!replies || failed) throw failed ?? new Error(`dead-letter ${entry.id} of ${stream}: the transaction was aborted`);
    this.lastErrors.delete(entry.id);
  }

  private report(err: unknown, what: string): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.d.streams.config.onError(e, `consumer ${this.d.consumer} of group ${this.d.group} on ${this.d.stream}: ${what}`);
  }
}
