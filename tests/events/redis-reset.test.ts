import { afterAll, beforeAll, expect, it } from 'vitest';
import { redeliveryStream, type BusReset, type Delivery } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { RedisEventBus } from '../../events/redis.js';
import { describeOwnRedis, startOwnRedis, type OwnRedis } from '../helpers/redis.js';
import { ev, sleep, waitFor } from './harness.js';

/**
 * A Redis restarted without persistence comes back empty: the streams, the groups, their pending
 * entries and redelivery streams are gone. Consumers tell their owner (`onReset`), who rebuilds
 * what was lost from its own records (issue 16 #2).
 */
describeOwnRedis('RedisEventBus when Redis restarts empty', () => {
  let redis: OwnRedis;
  const onError = (): void => undefined; // connection losses and NOGROUP are expected here

  beforeAll(async () => {
    redis = await startOwnRedis({ appendonly: false });
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it('should report the group missing at start, then lost with its streams, to the member that creates it again; events published after are handled', async () => {
    const bus = new RedisEventBus({ url: redis.url, blockMs: 200, timeoutMs: 10_000, onError });
    try {
      const s = 'reset.orders';
      const resets: Array<BusReset & { member: string }> = [];
      const handled: Delivery[] = [];
      const member = (name: string) =>
        bus.consume(s, 'tracker', name, async (d) => void handled.push(d), {
          reclaimIdleMs: 500,
          onReset: (r) => void resets.push({ ...r, member: name }),
        });
      const first = member('c1');
      await first.ready;
      const second = member('c2');
      await second.ready;
      await waitFor('the reset at start', () => resets.length === 1);
      // The first member found no group: a first start, or streams lost while nobody ran. The second found it.
      expect(resets).toEqual([{ reason: 'start', streams: [s, redeliveryStream(s, 'tracker')], member: 'c1' }]);

      await bus.publish(s, ev(1));
      await waitFor('e1 handled', () => handled.length === 1);

      await redis.restart('SIGKILL');
      await waitFor('the reset after the restart', () => resets.length >= 2, 15_000);
      const lost = resets.slice(1);
      expect(lost.every((r) => r.reason === 'lost')).toBe(true);
      // Each stream's group was created again by one member (both may see NOGROUP; BUSYGROUP tells the second).
      expect(lost.flatMap((r) => r.streams).sort()).toEqual([s, redeliveryStream(s, 'tracker')].sort());

      await bus.publish(s, ev(2));
      await bus.redeliver(s, 'tracker', ev(3));
      await waitFor('e2 and e3 handled', () => handled.length === 3, 15_000);
      await sleep(300); // room for a duplicate to show up
      expect(handled.map((d) => d.event.id)).toEqual(['e1', 'e2', 'e3']);
    } finally {
      await bus.close();
    }
  });

  it('should report a failing onReset to onError and keep consuming', async () => {
    const errors: string[] = [];
    const bus = new RedisEventBus({
      url: redis.url,
      blockMs: 200,
      onError: (err, context) => errors.push(`${context}: ${err.message}`),
    });
    try {
      const handled: string[] = [];
      const sub = bus.consume('reset.failing', 'g', 'c1', async (d) => void handled.push(d.event.id), {
        onReset: async () => {
          throw new Error('sweep failed');
        },
      });
      await sub.ready;
      await waitFor('the onReset failure reported', () => errors.some((e) => e.includes('sweep failed')));
      expect(errors.find((e) => e.includes('sweep failed'))).toMatch(/onReset after group missing at start/);
      await bus.publish('reset.failing', ev(1));
      await waitFor('e1 handled', () => handled.length === 1);
    } finally {
      await bus.close();
    }
  });
});

it('should never report a reset from the in-memory bus', async () => {
  const bus = new MemoryEventBus();
  const resets: BusReset[] = [];
  const handled: string[] = [];
  const sub = bus.consume('mem.orders', 'g', 'c1', async (d) => void handled.push(d.event.id), {
    onReset: (r) => void resets.push(r),
  });
  await sub.ready;
  await bus.publish('mem.orders', ev(1));
  await waitFor('e1 handled', () => handled.length === 1);
  expect(resets).toEqual([]);
  await bus.close();
});
