import { cloudEvent, VISIBILITY_RECONCILE } from '../../canonical/index.js';
import { Streams, type BusReset, type EventBus } from '../../events/bus.js';
import type { Logger } from '../../runtime/logger.js';
import type { StatusStore } from './store.js';

/** What a {@link ResetSweeper} needs. */
export interface ResetSweepOptions {
  bus: EventBus;
  /** The tracker's consumer group: the sweep queues on its redelivery stream. */
  group: string;
  store: StatusStore;
  logger: Logger;
  /** Orders applied this far back are re-read (`TRACKER_RESET_SWEEP_SECONDS`); 0 turns the sweep off. */
  windowSeconds: number;
  /** Aborted when the tracker stops: the sweep ends (a sweep cut short is not resumed). */
  signal: AbortSignal;
  /** Orders per store read. @default 500 */
  pageSize?: number;
  /** Waits before retrying a sweep that failed (the last repeats). @default [1000, 2000, 5000, 10000] */
  retryMs?: readonly number[];
}

/**
 * Rebuilds what the bus lost (issue 16 #2). When Redis restarted empty the source events not yet
 * handled and the tracker's redelivery stream (the events it deferred) are gone; the store still
 * knows which orders had an event applied (the ingest ledger). For each order applied in the last
 * `windowSeconds` the sweep queues a {@link VISIBILITY_RECONCILE} event on the tracker's redelivery
 * stream, so the normal path handles it: read through the graph, deferred while the order cannot be
 * seen, compare-and-set against the store's row, published with the row's status as
 * `previousStatus`. An order whose change was already published finds its status unchanged and
 * publishes nothing — so a sweep by two replicas, or over orders handled before the loss, adds no
 * duplicate. A failing sweep is retried; a reset during a sweep runs another after it.
 */
export class ResetSweeper {
  private running: Promise<void> | undefined;
  private queued: BusReset | undefined;
  /** Orders queued for a re-read by the sweeps so far. */
  swept = 0;

  constructor(private readonly o: ResetSweepOptions) {}

  /** Starts a sweep (or queues one after the current); resolves when no sweep is left to run. */
  onReset(reset: BusReset): Promise<void> {
    if (this.running) {
      this.queued = reset;
      return this.running;
    }
    this.running = (async () => {
      let next: BusReset | undefined = reset;
      while (next && !this.o.signal.aborted) {
        this.queued = undefined;
        await this.sweepUntilDone(next);
        next = this.queued;
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves when the sweep under way (if any) has ended. */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async sweepUntilDone(reset: BusReset): Promise<void> {
    const { logger, windowSeconds, signal } = this.o;
    if (windowSeconds <= 0 || !this.o.store.ordersAppliedSince) {
      logger[reset.reason === 'lost' ? 'warn' : 'info'](
        { reset: reset.reason, streams: reset.streams },
        windowSeconds <= 0
          ? 'status tracker: the bus lost its streams; no sweep (TRACKER_RESET_SWEEP_SECONDS=0)'
          : 'status tracker: the bus lost its streams; no sweep (the status store keeps no ingest ledger)',
      );
      return;
    }
    const since = new Date(Date.now() - windowSeconds * 1000);
    const waits = this.o.retryMs ?? [1000, 2000, 5000, 10_000];
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const orders = await this.sweep(reset, since);
        if (signal.aborted) return;
        this.swept += orders;
        logger.info(
          { reset: reset.reason, streams: reset.streams, since: since.toISOString(), orders },
          `status tracker: the bus ${reset.reason === 'lost' ? 'lost its streams' : 'had no consumer group at start'}; ${orders} orders applied in the last ${windowSeconds} s queued for a re-read`,
        );
        return;
      } catch (err) {
        if (signal.aborted) return;
        const wait = waits[Math.min(attempt, waits.length) - 1] ?? 1000;
        logger.warn(
          { err: err instanceof Error ? err.message : String(err), attempt, retryInMs: wait },
          'status tracker: the sweep after a bus reset failed; retrying it',
        );
        await abortableSleep(wait, signal);
      }
    }
  }

  /** Queues one reconcile event per order applied since `since`; returns how many. */
  private async sweep(reset: BusReset, since: Date): Promise<number> {
    const { bus, group, store, signal } = this.o;
    const pageSize = this.o.pageSize ?? 500;
    const sweepId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    let after: string | undefined;
    let n = 0;
    for (;;) {
      const orders = await store.ordersAppliedSince!(since, pageSize, after);
      for (const orderId of orders) {
        if (signal.aborted) return n;
        await bus.redeliver(
          Streams.SOURCE,
          group,
          cloudEvent({
            id: `visibility:reconcile:${sweepId}:${orderId}`,
            source: 'visibility',
            type: VISIBILITY_RECONCILE,
            subject: orderId,
            time: new Date().toISOString(),
            data: { reason: 'bus-reset', reset: reset.reason, since: since.toISOString() },
          }),
        );
        n++;
      }
      if (orders.length < pageSize) return n;
      after = orders.at(-1);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
