import type { CloudEvent } from '../canonical/index.js';
import type { Delivery, Subscription } from './bus.js';
import { errorMessage, yieldToEventLoop } from './async.js';
import { deadLetterEvent, unacknowledged, type DeadLetterEvent } from './deadLetter.js';
import { isPermanentFailure } from './permanentFailure.js';
import type { MemoryGroup, MemoryStream, PendingEntry } from './memoryStream.js';
import type { BusErrorHandler, ResolvedConsumeOptions } from './options.js';

type Phase = 'running' | 'closing' | 'closed';

export interface MemoryConsumerDeps {
  stream: MemoryStream;
  streamName: string;
  group: MemoryGroup;
  groupName: string;
  consumer: string;
  handler: (d: Delivery) => Promise<void>;
  opts: ResolvedConsumeOptions;
  deadLetter: (event: DeadLetterEvent) => void;
  onError: BusErrorHandler;
}

/**
 * One member of an in-memory consumer group. It takes one entry at a time, in this order: its own
 * entries whose handler threw (redelivery), entries other members have held longer than
 * `reclaimIdleMs` (reclaim from a dead or hung member), then the next new entry. An entry is acked
 * when the handler resolves; one already delivered `maxDeliveries` times, or whose handler threw a
 * `PermanentFailure`, goes to the dead-letter stream. Up to `concurrency` handler calls run at once.
 */
export class MemoryConsumer implements Subscription {
  readonly ready = Promise.resolve();
  private phase: Phase = 'running';
  private readonly done: Promise<void>;
  /** Handler calls in progress (at most `opts.concurrency`). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly d: MemoryConsumerDeps) {
    this.done = this.run();
  }

  close(): Promise<void> {
    if (this.phase === 'running') {
      this.phase = 'closing';
      this.d.group.changed.notify();
    }
    return this.done;
  }

  private async run(): Promise<void> {
    let delivered = 0;
    while (this.phase === 'running') {
      if (this.inFlight.size >= this.d.opts.concurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      const p = this.take(Date.now());
      if (!p) {
        await this.d.group.changed.wait(this.nextReclaimIn(Date.now()));
        continue;
      }
      const call: Promise<void> = this.deliver(p).finally(() => this.inFlight.delete(call));
      this.inFlight.add(call);
      if (++delivered % 100 === 0) await yieldToEventLoop(); // a backlog is worked through without starving I/O
    }
    await Promise.all(this.inFlight);
    this.phase = 'closed';
  }

  /** The next entry to deliver, already marked as delivered to this consumer; or undefined. */
  private take(now: number): PendingEntry | undefined {
    const { group, consumer, opts } = this.d;
    for (const p of group.pending.values()) {
      const reclaimable = p.consumer !== consumer && now - p.deliveredAt >= opts.reclaimIdleMs;
      if (!(p.consumer === consumer && p.failed) && !reclaimable) continue;
      if (p.deliveries >= opts.maxDeliveries) {
        this.deadLetter(p, p.error ?? unacknowledged(p.deliveries));
        continue;
      }
      Object.assign(p, { consumer, deliveries: p.deliveries + 1, deliveredAt: now, failed: false });
      return p;
    }
    const [entry] = this.d.stream.readLenient(group.lastDelivered, 1);
    if (!entry) return undefined;
    group.lastDelivered = entry.id;
    const p: PendingEntry = { entry, consumer, deliveries: 1, deliveredAt: now, failed: false };
    group.pending.set(entry.id, p);
    return p;
  }

  /** Milliseconds until another member's entry becomes reclaimable; undefined when none is pending. */
  private nextReclaimIn(now: number): number | undefined {
    let soonest: number | undefined;
    for (const p of this.d.group.pending.values()) {
      if (p.consumer === this.d.consumer) continue;
      const at = p.deliveredAt + this.d.opts.reclaimIdleMs - now;
      soonest = soonest === undefined ? at : Math.min(soonest, at);
    }
    return soonest === undefined ? undefined : Math.max(1, soonest);
  }

  private async deliver(p: PendingEntry): Promise<void> {
    const { group, consumer, handler, opts } = this.d;
    const deliveries = p.deliveries;
    try {
      await handler({ id: p.entry.id, event: p.entry.event, deliveries });
      group.pending.delete(p.entry.id);
    } catch (err) {
      // Another member may have reclaimed it meanwhile: then it is theirs to retry.
      if (group.pending.get(p.entry.id) !== p || p.consumer !== consumer) return;
      const message = errorMessage(err);
      if (deliveries >= opts.maxDeliveries || isPermanentFailure(err)) {
        this.deadLetter(p, message);
      } else {
        Object.assign(p, { failed: true, error: message });
        this.d.onError(err instanceof Error ? err : new Error(message), this.context(deliveries));
      }
    } finally {
      group.changed.notify();
    }
  }

  private deadLetter(p: PendingEntry, error: string): void {
    const { group, groupName } = this.d;
    const event: CloudEvent = p.entry.event;
    this.d.deadLetter(
      deadLetterEvent(event, {
        deadletterid: p.entry.id,
        deadletterdeliveries: p.deliveries,
        deadlettergroup: groupName,
        deadlettererror: error,
      }),
    );
    group.pending.delete(p.entry.id);
  }

  private context(deliveries: number): string {
    return `consumer ${this.d.consumer} of group ${this.d.groupName} on ${this.d.streamName}, delivery ${deliveries}/${this.d.opts.maxDeliveries}`;
  }
}
