import { cloudEvent, ORDER_STATUS_CHANGED, type CloudEvent, type OrderStatus } from '../../canonical/index.js';
import { Streams, type Delivery, type EventBus, type Subscription } from '../../events/bus.js';
import type { Logger } from '../../runtime/logger.js';
import type { StatusStore } from './store.js';

/**
 * What the graph says of an order now. A null status means the graph could not be seen as it is
 * now (a slice down, rate limited, refused, or served stale); `unseen` then says why.
 */
export interface StatusReading { status: OrderStatus | null; customerId: string | null; unseen?: string }

/** Reads an order's status through the graph, bypassing caches; null when no such order. */
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
   * Waits between re-reads while the status cannot be seen (a slice down, rate limited, refused or
   * served stale), before the event is handed back to the bus for redelivery
   * (`TRACKER_RETRY_MS`). @default [100, 200, 400, 800, 1600, 3200]
   */
  unavailableBackoffMs?: readonly number[];
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
 */
export class StatusTracker {
  private phase: Phase = { name: 'idle' };
  private seeded: Promise<void> = Promise.resolve();
  /** Changes published by this replica. */
  published = 0;
  /** Deliveries handed back to the bus because the status could not be seen. */
  unseen = 0;

  constructor(private readonly opts: StatusTrackerOptions) {}

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
    const sub = this.opts.bus.consume(Streams.SOURCE, this.opts.group ?? 'status-tracker', this.opts.consumer, (d) => this.handle(d));
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
    switch (phase.name) {
      case 'running': await phase.sub.close(); break;
      case 'idle': case 'seeding': case 'stopped': break;
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
    const orderId = d.event.subject;
    const reading = await this.readAvailable(orderId);
    if (reading === null) return; // not an order the graph knows (and it said so without an error)
    const status = reading.status!;
    for (let round = 0; round < MAX_CAS_ROUNDS; round++) {
      const current = await this.opts.store.get(orderId);
      if (current?.status === status) {
        // Unchanged — unless this very event changed it on an earlier delivery whose publish failed.
        if (current.causeId === d.event.id && d.deliveries > 1) await this.publish(d, reading, current.previous, current.version);
        return;
      }
      const version = (current?.version ?? 0) + 1;
      const cause = { source: d.event.source, type: d.event.type, occurredAt: d.event.time, recordedAt: typeof d.event.recordedtime === 'string' ? d.event.recordedtime : null };
      if (await this.opts.store.compareAndSet(orderId, current?.version ?? 0, { status, causeId: d.event.id, previous: current?.status ?? null, cause })) {
        await this.publish(d, reading, current?.status ?? null, version);
        return;
      }
    }
    throw new Error(`status of ${orderId} kept changing under ${MAX_CAS_ROUNDS} compare-and-set rounds; will retry`);
  }

  /** Reads the status, waiting out a short upstream outage; throws (→ redelivery) after the last wait. */
  private async readAvailable(orderId: string): Promise<StatusReading | null> {
    const waits = this.opts.unavailableBackoffMs ?? [100, 200, 400, 800, 1600, 3200];
    for (let attempt = 0; ; attempt++) {
      let reading: StatusReading | null;
      let failure: unknown;
      try {
        reading = await this.opts.read(orderId);
        if (reading === null || (reading.status !== null && !reading.unseen)) return reading;
        failure = new Error(`status of ${orderId} could not be seen (${reading.unseen ?? 'a slice it needs is unavailable'}); will retry`);
      } catch (err) {
        failure = err;
      }
      if (attempt >= waits.length || this.phase.name === 'stopped') {
        // Never acknowledged as "no change": the bus redelivers the event, and the read is made again.
        this.unseen++;
        throw failure instanceof Error ? failure : new Error(String(failure));
      }
      await new Promise((r) => setTimeout(r, waits[attempt]));
    }
  }

  private async publish(d: Delivery, reading: StatusReading, previousStatus: OrderStatus | null, version: number): Promise<void> {
    const orderId = d.event.subject;
    const data: StatusChangeData = {
      orderId, customerId: reading.customerId, previousStatus, status: reading.status!, version,
      cause: { cursor: d.id, event: d.event },
    };
    await this.opts.bus.publish(Streams.VISIBILITY, cloudEvent({
      id: `visibility:${orderId}:${version}`,
      source: 'visibility',
      type: ORDER_STATUS_CHANGED,
      subject: orderId,
      time: new Date().toISOString(),
      data: data as unknown as Record<string, unknown>,
    }));
    this.published++;
  }
}
