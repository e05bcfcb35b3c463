import { cloudEvent, ORDER_STATUS_CHANGED, type CloudEvent, type OrderStatus } from '../../canonical/index.js';
import { Streams, type Delivery, type EventBus, type Subscription } from '../../events/bus.js';
import type { ForegroundWork } from '../../runtime/foreground.js';
import type { Logger } from '../../runtime/logger.js';
import type { StatusStore } from './store.js';
import { ResetSweeper } from './sweep.js';

/**
 * What the graph says of an order now. A null status means the graph could not be seen as it is
 * now (a slice down, rate limited, refused, or served stale); `unseen` then says why.
 */
export interface StatusReading {
  status: OrderStatus | null;
  customerId: string | null;
  unseen?: string;
}

/**
 * Reads an order's status through the graph; null when no such order. Its subgraph fetches go
 * through the fetch cache, whose versions make a hit as current as a fetch (the source event's
 * bump precedes its publication), and leave there the slices the subscription payloads then reuse.
 */
export type ReadStatus = (orderId: string) => Promise<StatusReading | null>;

/** The data of an `order.status_changed` event (source `visibility`). */
export interface StatusChangeData {
  orderId: string;
  customerId: string | null;
  previousStatus: OrderStatus | null;
  status: OrderStatus;
  /** The store version this change produced (1 = first status the tracker published). */
  version: number;
  /** The source event that caused the change, with its cursor in the source stream. */
  cause: { cursor: string; event: CloudEvent };
}

export interface StatusTrackerOptions {
  bus: EventBus;
  store: StatusStore;
  read: ReadStatus;
  /** This replica's consumer name in the group (unique per process). */
  consumer: string;
  /** @default 'status-tracker' */
  group?: string;
  logger: Logger;
  /** Known statuses to record before tracking (no change is published for them). @default none */
  seed?: () => AsyncIterable<{ orderId: string; status: OrderStatus }>;
  /**
   * Waits before each re-read while the status cannot be seen (a slice down, rate limited, refused
   * or served stale); the last one repeats for as long as it cannot (`TRACKER_RETRY_MS`). Each wait
   * is at most {@link MAX_HOLD_MS}. @default [100, 200, 400, 800, 1600, 3200]
   */
  unavailableBackoffMs?: readonly number[];
  /**
   * When the bus lost its streams (Redis restarted empty) or the group was missing at start, the
   * orders applied this far back (the store's ingest ledger) are read again, so a change the lost
   * streams held is still published (`TRACKER_RESET_SWEEP_SECONDS`, gateway/tracker/sweep.ts; 0 = off).
   * @default 3600
   */
  resetSweepSeconds?: number;
  /**
   * Marks each event's work (read, compare-and-set, publish; not a deferred event's wait) as this
   * process's latency-critical work, which background work (the embedded exception engine) gives
   * way to. @default none
   */
  foreground?: ForegroundWork;
}

/**
 * CloudEvents extension attributes the tracker adds to a source event it could not see when it
 * hands it to its group's redelivery stream (lower-case alphanumerics, at most 20 characters).
 */
interface Deferral {
  /** When to read the order again (ISO-8601 UTC). */
  trackerretryat?: string;
  /** Reads so far that could not see the order. */
  trackerretries?: number;
  /** The event's cursor in the source stream (a redelivered entry has its own id). */
  trackercursor?: string;
}

/**
 * The longest a deferred event is held before its re-read, whatever the configured wait: well
 * under the bus's `reclaimIdleMs` (30 s), so no other replica takes a held entry for a dead one.
 */
const MAX_HOLD_MS = 10_000;

/** The source event without the tracker's {@link Deferral} attributes. */
function withoutDeferral(event: CloudEvent): CloudEvent {
  const { trackerretryat: _a, trackerretries: _r, trackercursor: _c, ...original } = event as CloudEvent & Deferral;
  return original;
}

type Phase = { name: 'idle' } | { name: 'seeding' } | { name: 'running'; sub: Subscription } | { name: 'stopped' };

/** CAS rounds before a delivery gives up and lets the bus redeliver it. */
const MAX_CAS_ROUNDS = 5;

/**
 * Turns source events into `order.status_changed` events, exactly one per real change
 * (ARCHITECTURE.md, "Change path"). Work-shared: one gateway replica handles each source event. It
 * re-reads the status through the graph (never from the event), compares it with the last status
 * published (shared store, with a version) and publishes only when compare-and-set wins: two
 * replicas racing on one order cannot both publish; a duplicate or stale source event finds the
 * status unchanged and publishes nothing.
 *
 * It never acknowledges what it could not see (issue 16 #2): when the read shows an error, a rate
 * limit or a stale slice, the event goes to the group's redelivery stream with the time of its next
 * read ({@link Deferral}) before it is acknowledged, and is read again there — with the
 * `unavailableBackoffMs` waits, the last one repeating — until the order can be seen. The bus's
 * delivery budget (`maxDeliveries`, then the dead-letter stream) is left for handler failures: a
 * rate limit that outlasts it no longer dead-letters the change, and events behind a deferred one on
 * the source stream are not held up while it waits.
 *
 * When the bus loses its streams (Redis restarted empty: source events not yet handled and the
 * deferred ones are gone), it re-reads every order the store saw applied in the last
 * `resetSweepSeconds` through the same path ({@link ResetSweeper}, gateway/tracker/sweep.ts).
 */
export class StatusTracker {
  private phase: Phase = { name: 'idle' };
  private seeded: Promise<void> = Promise.resolve();
  /** Changes published by this replica. */
  published = 0;
  /** Reads that could not see the order, each followed by a deferral to the redelivery stream. */
  unseen = 0;
  /** Wakes the waits of deferred events when the tracker stops. */
  private readonly stopping = new AbortController();
  /** Re-reads the recently applied orders when the bus reports it lost its streams. */
  readonly sweeper: ResetSweeper;

  constructor(private readonly opts: StatusTrackerOptions) {
    this.sweeper = new ResetSweeper({
      bus: opts.bus,
      group: opts.group ?? 'status-tracker',
      store: opts.store,
      logger: opts.logger,
      windowSeconds: opts.resetSweepSeconds ?? 3600,
      signal: this.stopping.signal,
    });
  }

  /** Joins the consumer group; seeds first when a seed is configured (events wait meanwhile). */
  async start(): Promise<void> {
    if (this.phase.name !== 'idle') throw new Error(`StatusTracker.start() in phase ${this.phase.name}`);
    this.phase = { name: 'seeding' };
    // A seed that fails must not leave a rejection nobody awaits (nor block handling for ever):
    // after stop() its reads fail with the server, which is expected; before, the tracker goes on
    // without it (the first change of an unseeded order then says previousStatus null).
    this.seeded = this.seed().catch((err: unknown) => {
      if (this.phase.name === 'stopped') return;
      this.opts.logger.error({ err: (err as Error).message }, 'status tracker seed failed; tracking without it');
    });
    const sub = this.opts.bus.consume(
      Streams.SOURCE,
      this.opts.group ?? 'status-tracker',
      this.opts.consumer,
      (d) => this.handle(d),
      { onReset: (reset) => this.sweeper.onReset(reset) },
    );
    await sub.ready;
    if (this.phase.name !== 'seeding') {
      await sub.close();
      return;
    }
    this.phase = { name: 'running', sub };
  }

  /** Resolves when the seed (if any) is recorded: changes after this are published. */
  whenSeeded(): Promise<void> {
    return this.seeded;
  }

  async stop(): Promise<void> {
    const phase = this.phase;
    this.phase = { name: 'stopped' };
    this.stopping.abort();
    switch (phase.name) {
      case 'running':
        await this.sweeper.idle();
        await phase.sub.close();
        break;
      case 'idle':
      case 'seeding':
      case 'stopped':
        break;
    }
  }

  private async seed(): Promise<void> {
    if (!this.opts.seed) return;
    let n = 0;
    for await (const { orderId, status } of this.opts.seed()) {
      if (this.phase.name === 'stopped') return;
      if (await this.opts.store.compareAndSet(orderId, 0, { status, causeId: 'seed', previous: null })) n++;
    }
    this.opts.logger.info({ orders: n }, 'status tracker seeded');
  }

  /** One source event: at most one status change published for it. Throws to have it redelivered. */
  async handle(d: Delivery): Promise<void> {
    await this.seeded;
    const deferral = d.event as CloudEvent & Deferral;
    if (deferral.trackerretryat) await this.sleep(Date.parse(deferral.trackerretryat) - Date.now());
    return this.opts.foreground ? this.opts.foreground.run(() => this.track(d)) : this.track(d);
  }

  /** The read, compare-and-set and publish of one event. */
  private async track(d: Delivery): Promise<void> {
    const orderId = d.event.subject;
    const reading = await this.readOnce(orderId);
    if (reading === 'unseen') return this.defer(d);
    if (reading === null) return; // not an order the graph knows (and it said so without an error)
    const status = reading.status!;
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const current = await this.opts.store.get(orderId);
      if (current?.status === status) {
        // Unchanged — unless this very event changed it on an earlier delivery whose publish failed.
        if (current.causeId === d.event.id && d.deliveries > 1)
          await this.publish(d, reading, current.previous, current.version);
        return;
      }
      const version = (current?.version ?? 0) + 1;
      const cause = {
        source: d.event.source,
        type: d.event.type,
        occurredAt: d.event.time,
        recordedAt: typeof d.event.recordedtime === 'string' ? d.event.recordedtime : null,
      };
      if (
        await this.opts.store.compareAndSet(orderId, current?.version ?? 0, {
          status,
          causeId: d.event.id,
          previous: current?.status ?? null,
          cause,
        })
      ) {
        await this.publish(d, reading, current?.status ?? null, version);
        return;
      }
    }
    throw new Error(`status of ${orderId} kept changing under ${MAX_CAS_ROUNDS} compare-and-set rounds; will retry`);
  }

  /** One read; 'unseen' when the answer does not show the order as it is now (or the read failed). */
  private async readOnce(orderId: string): Promise<StatusReading | null | 'unseen'> {
    try {
      const reading = await this.opts.read(orderId);
      if (reading === null || (reading.status !== null && !reading.unseen)) return reading;
      this.opts.logger.debug(
        { orderId, reason: reading.unseen ?? 'a slice it needs is unavailable' },
        'status tracker: order not seen, deferred',
      );
    } catch (err) {
      this.opts.logger.debug(
        { orderId, err: err instanceof Error ? err.message : String(err) },
        'status tracker: read failed, deferred',
      );
    }
    this.unseen++;
    return 'unseen';
  }

  /**
   * Hands the event to the group's redelivery stream with the time of its next read, then lets
   * this delivery be acknowledged. Throws (→ the bus redelivers this entry) when the stopping
   * tracker or the bus cannot take it.
   */
  private async defer(d: Delivery): Promise<void> {
    if (this.phase.name === 'stopped')
      throw new Error(`status of ${d.event.subject} not seen; the tracker is stopping`);
    const prev = d.event as CloudEvent & Deferral;
    const retries = (prev.trackerretries ?? 0) + 1;
    const waits = this.opts.unavailableBackoffMs ?? [100, 200, 400, 800, 1600, 3200];
    const wait = Math.min(MAX_HOLD_MS, waits[Math.min(retries, waits.length) - 1] ?? 0);
    const next: CloudEvent & Deferral = {
      ...withoutDeferral(d.event),
      trackerretryat: new Date(Date.now() + wait).toISOString(),
      trackerretries: retries,
      trackercursor: prev.trackercursor ?? d.id,
    };
    await this.opts.bus.redeliver(Streams.SOURCE, this.opts.group ?? 'status-tracker', next);
  }

  /** Waits `ms` (at most {@link MAX_HOLD_MS}); throws when the tracker stops meanwhile. */
  private async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    const signal = this.stopping.signal;
    await new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Error('the status tracker is stopping'));
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('the status tracker is stopping'));
      };
      const timer = setTimeout(
        () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(ms, MAX_HOLD_MS),
      );
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async publish(
    d: Delivery,
    reading: StatusReading,
    previousStatus: OrderStatus | null,
    version: number,
  ): Promise<void> {
    const orderId = d.event.subject;
    const deferral = d.event as CloudEvent & Deferral;
    const data: StatusChangeData = {
      orderId,
      customerId: reading.customerId,
      previousStatus,
      status: reading.status!,
      version,
      cause: { cursor: deferral.trackercursor ?? d.id, event: withoutDeferral(d.event) },
    };
    await this.opts.bus.publish(
      Streams.VISIBILITY,
      cloudEvent({
        id: `visibility:${orderId}:${version}`,
        source: 'visibility',
        type: ORDER_STATUS_CHANGED,
        subject: orderId,
        time: new Date().toISOString(),
        data: data as unknown as Record<string, unknown>,
      }),
    );
    this.published++;
  }
}
