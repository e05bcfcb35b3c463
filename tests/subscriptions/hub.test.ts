/** The event hub's lazily read streams: no reader until the first listener; a failed start is retried by the next one. */
import { afterEach, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../canonical/index.js';
import { Streams, type Envelope, type EventBus } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { EventHub } from '../../gateway/subscriptions/hub.js';
import { createLogger } from '../../runtime/logger.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A memory bus whose first `n` subscriptions to `stream` never start (as a Redis bus that cannot connect). */
function failingFirst(bus: MemoryEventBus, stream: string, n: number): EventBus & { subscribed: () => number } {
  let failures = n;
  let subscribed = 0;
  return Object.assign(Object.create(bus) as EventBus, {
    subscribe: (s: string, handler: (e: Envelope) => void) => {
      if (s === stream) subscribed++;
      if (s === stream && failures-- > 0)
        return { ready: Promise.reject(new Error('bus unreachable')), close: async () => undefined };
      return bus.subscribe(s, handler);
    },
    subscribed: () => subscribed,
  });
}

const opened = (id: string) =>
  cloudEvent({
    id,
    source: 'visibility',
    type: 'exception.opened',
    subject: 'ORD-1',
    time: new Date().toISOString(),
    data: { type: 'DELIVERY_PROBLEM', orderId: 'ORD-1' },
  });

describe('EventHub lazy streams', () => {
  it('should read a lazy stream only from its first listener on, and retry a start that failed', async () => {
    const memory = new MemoryEventBus();
    closers.push(() => memory.close());
    const bus = failingFirst(memory, Streams.EXCEPTIONS, 1);
    const hub = new EventHub(bus, createLogger('test'));
    closers.push(() => hub.stop());
    await hub.start([Streams.SOURCE], [Streams.EXCEPTIONS]);
    expect(hub.streams()).toEqual([Streams.SOURCE]);
    expect(bus.subscribed()).toBe(0);

    await expect(hub.listen(Streams.EXCEPTIONS, {}, () => undefined)).rejects.toThrow('bus unreachable');
    expect(hub.streams()).toEqual([Streams.SOURCE]);
    expect(hub.size()).toBe(0);

    const got: string[] = [];
    const [detach, second] = await Promise.all([
      hub.listen(Streams.EXCEPTIONS, { key: 'order:ORD-1' }, (e) => got.push(e.event.id)),
      hub.listen(Streams.EXCEPTIONS, {}, () => undefined),
    ]);
    expect(bus.subscribed()).toBe(2); // one failed start, then one reader shared by both listeners
    expect(hub.streams()).toContain(Streams.EXCEPTIONS);
    await memory.publish(Streams.EXCEPTIONS, opened('x1'));
    await expect.poll(() => got).toEqual(['x1']);
    detach();
    second();
    expect(hub.size()).toBe(0);
  });
});
