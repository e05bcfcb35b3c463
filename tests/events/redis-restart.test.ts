import { afterAll, beforeAll, expect, it } from 'vitest';
import { compareIds, type Delivery, type Envelope } from '../../events/bus.js';
import { RedisEventBus } from '../../events/redis.js';
import { describeOwnRedis, startOwnRedis, type OwnRedis } from '../helpers/redis.js';
import { ev, sleep, waitFor } from './harness.js';

describeOwnRedis('RedisEventBus across a Redis restart', () => {
  let redis: OwnRedis;
  const onError = (): void => undefined; // connection losses are expected here

  beforeAll(async () => {
    redis = await startOwnRedis({ appendonly: true });
  });
  afterAll(async () => {
    await redis?.dispose();
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'should lose no event when Redis restarts mid-stream (%s): the group handles each once, the subscriber sees all in order',
    async (signal) => {
      const bus = new RedisEventBus({ url: redis.url, blockMs: 200, timeoutMs: 10_000, onError });
      try {
        const s = `restart.orders.${signal}`;
        const seen: Envelope[] = [];
        const handled: Delivery[] = [];
        const sub = bus.subscribe(s, (e) => void seen.push(e));
        const group = bus.consume(s, 'tracker', 'c1', async (d) => void handled.push(d), { reclaimIdleMs: 500 });
        await Promise.all([sub.ready, group.ready]);

        const total = 90;
        const published: Array<Promise<string>> = [];
        let restarted: Promise<void> | undefined;
        let down = true;
        let duringOutage = 0;
        for (let i = 0; i < total; i++) {
          published.push(bus.publish(s, ev(i)));
          if (restarted && down) duringOutage += 1;
          if (i === 30) restarted = redis.restart(signal).finally(() => (down = false)); // later publishes wait for it
          await sleep(10);
        }
        await restarted;
        expect(duringOutage).toBeGreaterThan(0);
        const ids = await Promise.all(published);
        await waitFor(
          'every event at the subscriber and the group',
          () => seen.length >= total && handled.length >= total,
          15_000,
        );
        await sleep(300); // room for a duplicate to show up

        const expected = Array.from({ length: total }, (_, i) => `e${i}`);
        expect(seen.map((e) => e.event.id)).toEqual(expected);
        for (let i = 1; i < seen.length; i++) expect(compareIds(seen[i - 1]!.id, seen[i]!.id)).toBeLessThan(0);
        expect(seen.map((e) => e.id)).toEqual(ids);
        expect(handled.map((d) => d.event.id).sort()).toEqual([...expected].sort());
      } finally {
        await bus.close();
      }
    },
  );

  it('should fail a publish with a clear error when Redis stays unreachable past timeoutMs, then recover', async () => {
    const bus = new RedisEventBus({ url: redis.url, timeoutMs: 300, onError });
    try {
      const s = 'restart.outage';
      await bus.publish(s, ev(1));
      await redis.stop();
      const started = Date.now();
      // Whether ioredis has noticed the dead connection before the publish decides which bounded
      // failure it is: "unreachable, nothing was sent", or "sent, no reply" — in which case the
      // stopping server may have applied it, as the message says. Either way the caller is told.
      const failure = await bus.publish(s, ev(2)).then(
        () => null,
        (err: Error) => err.message,
      );
      expect(failure).toMatch(
        /publish to restart\.outage (failed: Redis at redis:\/\/127\.0\.0\.1:\d+\/? was unreachable for 300 ms.*nothing was sent|got no reply from Redis at redis:\/\/127\.0\.0\.1:\d+\/? within 300 ms; it may or may not have been applied)/,
      );
      expect(Date.now() - started).toBeLessThan(2000);
      await redis.start();
      // Retrying until the bus has reconnected cannot duplicate: a failed publish is not re-sent.
      await waitFor(
        'a publish after the reconnect',
        () =>
          bus.publish(s, ev(3)).then(
            () => true,
            () => false,
          ),
        5000,
      );
      const ids = (await bus.read(s)).map((e) => e.event.id);
      expect(ids).toEqual(/nothing was sent/.test(failure!) ? ['e1', 'e3'] : expect.arrayContaining(['e1', 'e3']));
      expect(ids.length).toBeLessThanOrEqual(3);
    } finally {
      await bus.close();
    }
  });
});
