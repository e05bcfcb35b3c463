import { describe, expect, it } from 'vitest';
import { VISIBILITY_RECONCILE } from '../../canonical/index.js';
import { redeliveryStream, Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { MemoryStatusStore, type StatusStore } from '../../gateway/tracker/store.js';
import { ResetSweeper } from '../../gateway/tracker/sweep.js';
import { createLogger } from '../../runtime/logger.js';

const logger = createLogger('sweep-test', 'silent');
const reset = { reason: 'lost' as const, streams: [Streams.SOURCE] };

/** A status store whose ledger lists `orders` (sorted), failing the first `failures` reads. */
function ledgerStore(orders: string[], failures = 0): StatusStore & { reads: Array<{ since: Date; after?: string }> } {
  const base = new MemoryStatusStore();
  const reads: Array<{ since: Date; after?: string }> = [];
  let fail = failures;
  return {
    reads,
    get: (id) => base.get(id),
    compareAndSet: (id, v, next) => base.compareAndSet(id, v, next),
    close: () => base.close(),
    ordersAppliedSince: async (since, limit, after) => {
      reads.push({ since, after });
      if (fail-- > 0) throw new Error('store unreachable');
      return orders.filter((o) => after === undefined || o > after).slice(0, limit);
    },
  };
}

async function queued(bus: MemoryEventBus) {
  return (await bus.read(redeliveryStream(Streams.SOURCE, 'status-tracker'), { count: 1000 })).map((e) => e.event);
}

describe('the tracker sweep after a bus reset', () => {
  it('should queue one reconcile event per order applied in the window, page by page, on the group redelivery stream only', async () => {
    const bus = new MemoryEventBus();
    const store = ledgerStore(['O-1', 'O-2', 'O-3', 'O-4', 'O-5']);
    const sweeper = new ResetSweeper({
      bus,
      group: 'status-tracker',
      store,
      logger,
      windowSeconds: 600,
      signal: new AbortController().signal,
      pageSize: 2,
    });
    const before = Date.now();
    await sweeper.onReset(reset);
    const events = await queued(bus);
    expect(events.map((e) => e.subject)).toEqual(['O-1', 'O-2', 'O-3', 'O-4', 'O-5']);
    for (const e of events) expect(e).toMatchObject({ source: 'visibility', type: VISIBILITY_RECONCILE });
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    expect(store.reads.map((r) => r.after)).toEqual([undefined, 'O-2', 'O-4']);
    expect(store.reads[0]!.since.getTime()).toBeGreaterThanOrEqual(before - 600_000);
    expect(store.reads[0]!.since.getTime()).toBeLessThanOrEqual(Date.now() - 600_000);
    expect(sweeper.swept).toBe(5);
    expect(await bus.read(Streams.SOURCE)).toEqual([]); // no other consumer of the source stream sees them
    await bus.close();
  });

  it('should retry a sweep that failed, and run a reset that arrives during a sweep after it', async () => {
    const bus = new MemoryEventBus();
    const store = ledgerStore(['O-1', 'O-2'], 2);
    const sweeper = new ResetSweeper({
      bus,
      group: 'status-tracker',
      store,
      logger,
      windowSeconds: 60,
      signal: new AbortController().signal,
      retryMs: [1],
    });
    const first = sweeper.onReset(reset);
    const second = sweeper.onReset({ reason: 'lost', streams: [redeliveryStream(Streams.SOURCE, 'status-tracker')] });
    await Promise.all([first, second]);
    expect(store.reads).toHaveLength(4); // two failures, the sweep, the queued one
    expect(sweeper.swept).toBe(4);
    expect((await queued(bus)).map((e) => e.subject)).toEqual(['O-1', 'O-2', 'O-1', 'O-2']);
    await bus.close();
  });

  it('should sweep nothing with a window of 0 or without a ledger, and stop when the tracker stops', async () => {
    const bus = new MemoryEventBus();
    const off = ledgerStore(['O-1']);
    await new ResetSweeper({
      bus,
      group: 'status-tracker',
      store: off,
      logger,
      windowSeconds: 0,
      signal: new AbortController().signal,
    }).onReset(reset);
    expect(off.reads).toEqual([]);
    await new ResetSweeper({
      bus,
      group: 'status-tracker',
      store: new MemoryStatusStore(),
      logger,
      windowSeconds: 60,
      signal: new AbortController().signal,
    }).onReset(reset);
    const stopping = new AbortController();
    const failing = ledgerStore(['O-1'], 1_000);
    const sweeper = new ResetSweeper({
      bus,
      group: 'status-tracker',
      store: failing,
      logger,
      windowSeconds: 60,
      signal: stopping.signal,
      retryMs: [60_000],
    });
    const sweep = sweeper.onReset(reset);
    stopping.abort();
    await sweep;
    expect(failing.reads).toHaveLength(1);
    expect(await queued(bus)).toEqual([]);
    await bus.close();
  });
});
