import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deadLetterStream, type Delivery } from '../../events/bus.js';
import { RedisEventBus, type RedisEventBusOptions } from '../../events/redis.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { busHarness, ev, sleep, waitFor } from './harness.js';

await describeRedis('RedisEventBus on Redis Streams', () => {
  const keyPrefix = uniquePrefix();
  let raw: Redis;
  const { bus, stream } = busHarness(
    (opts: RedisEventBusOptions) => new RedisEventBus({ url: redisUrl(), keyPrefix, ...opts }),
  );
  const clients = async (name: string): Promise<number> =>
    ((await raw.client('LIST')) as string).split('\n').filter((l) => l.includes(` name=${name} `)).length;

  beforeAll(() => {
    raw = new Redis(redisUrl());
  });
  afterAll(async () => {
    await cleanupPrefix(keyPrefix);
    raw.disconnect();
  });

  it('should serve every subscription of every stream from one reader connection', async () => {
    const b = await bus({ blockMs: 60_000 });
    const [s1, s2] = [stream(), stream()];
    const counts = new Array<number>(50).fill(0);
    const subs = counts.map((_, i) => b.subscribe(i % 2 ? s2 : s1, () => void (counts[i]! += 1)));
    await Promise.all(subs.map((x) => x.ready));
    await b.publish(s1, ev(1));
    await b.publish(s2, ev(2));
    await waitFor('50 deliveries', () => counts.every((c) => c === 1));
    expect(await clients(`ovg:bus:reader:${keyPrefix}`)).toBe(1);
    await Promise.all(subs.map((x) => x.close()));
    await waitFor('the reader connection to close', async () => (await clients(`ovg:bus:reader:${keyPrefix}`)) === 0);
  });

  it('should read a stream subscribed while the reader blocks on another, without waiting for the block to end', async () => {
    const b = await bus({ blockMs: 60_000 });
    const [s1, s2] = [stream(), stream()];
    let firstGot = 0;
    const first = b.subscribe(s1, () => void (firstGot += 1));
    await first.ready;
    await b.publish(s1, ev(1));
    await waitFor('the first stream read', () => firstGot === 1); // the reader reads s1 alone, and blocks again
    const got: string[] = [];
    const second = b.subscribe(s2, (e) => void got.push(e.event.id));
    await second.ready;
    await b.publish(s2, ev(2));
    // The block is 60 s: the entry arrives within waitFor's 5 s only if subscribing s2 ended it.
    await waitFor('the entry of the stream added later', () => got.length === 1);
    expect(got).toEqual([ev(2).id]);
    expect(await clients(`ovg:bus:reader:${keyPrefix}`)).toBe(1);
  });

  it('should store each event as one JSON field under the key prefix', async () => {
    const b = await bus();
    const s = stream();
    const id = await b.publish(s, ev(1));
    const [[rawId, fields]] = (await raw.xrange(`${keyPrefix}${s}`, '-', '+')) as [[string, string[]]];
    expect(rawId).toBe(id);
    expect(fields[0]).toBe('event');
    expect(JSON.parse(fields[1]!)).toMatchObject(ev(1));
    expect(await raw.exists(s)).toBe(0);
  });

  it('should reclaim an entry from a consumer that died without acking', async () => {
    const b = await bus();
    const s = stream();
    const key = `${keyPrefix}${s}`;
    await raw.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
    await b.publish(s, ev(1));
    await raw.xreadgroup('GROUP', 'g', 'dead', 'COUNT', 1, 'STREAMS', key, '>');
    const takenAt = Date.now();
    const got: Array<Delivery & { at: number }> = [];
    const c = b.consume(s, 'g', 'alive', async (d) => void got.push({ ...d, at: Date.now() }), { reclaimIdleMs: 200 });
    await c.ready;
    await waitFor('the reclaim', () => got.length === 1, 3000);
    expect(got[0]).toMatchObject({ deliveries: 2, event: ev(1) });
    expect(got[0]!.at - takenAt).toBeGreaterThanOrEqual(190);
    await waitFor('the ack', async () => ((await raw.xpending(key, 'g')) as [number])[0] === 0);
  });

  it('should redeliver at once what was pending on its own name when a consumer starts again', async () => {
    const b = await bus();
    const s = stream();
    const key = `${keyPrefix}${s}`;
    await raw.xgroup('CREATE', key, 'g', '$', 'MKSTREAM');
    await b.publish(s, ev(1));
    await raw.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 1, 'STREAMS', key, '>');
    const got: Delivery[] = [];
    const c = b.consume(s, 'g', 'c1', async (d) => void got.push(d));
    await c.ready;
    await waitFor('the redelivery', () => got.length === 1, 1000);
    expect(got[0]).toMatchObject({ deliveries: 2, event: ev(1) });
  });

  it('should leave nothing pending in the group once an entry is dead-lettered', async () => {
    const b = await bus();
    const s = stream();
    const c = b.consume(
      s,
      'g',
      'c1',
      async () => {
        throw new Error('always');
      },
      { maxDeliveries: 2 },
    );
    await c.ready;
    await b.publish(s, ev(1));
    await waitFor('the dead letter', async () => (await raw.xlen(`${keyPrefix}${deadLetterStream(s)}`)) === 1);
    await waitFor('no pending entry', async () => ((await raw.xpending(`${keyPrefix}${s}`, 'g')) as [number])[0] === 0);
  });

  it('should end blocking reads at once when closing', async () => {
    const b = await bus({ blockMs: 30_000 });
    const s = stream();
    const subs = [b.subscribe(s, () => undefined), b.consume(s, 'g', 'c1', async () => undefined)];
    await Promise.all(subs.map((x) => x.ready));
    await sleep(50);
    const started = Date.now();
    await b.close();
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('should keep buses with different key prefixes apart', async () => {
    const other = uniquePrefix();
    const a = await bus();
    const b = new RedisEventBus({ url: redisUrl(), keyPrefix: other, onError: () => undefined });
    try {
      await a.publish('shared', ev(1));
      expect(await b.read('shared')).toEqual([]);
      expect(await cleanupPrefix(other)).toBe(0);
      await b.publish('shared', ev(2));
      expect((await a.read('shared')).map((e) => e.event.id)).toEqual(['e1']);
    } finally {
      await b.close();
      await cleanupPrefix(other);
    }
    expect(await raw.exists(`${other}shared`)).toBe(0);
    expect(await raw.exists(`${keyPrefix}shared`)).toBe(1);
  });
});
