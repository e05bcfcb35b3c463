import { afterAll, expect, it } from 'vitest';
import { deadLetterStream, Streams } from '../../../events/bus.js';
import { RedisEventBus } from '../../../events/redis.js';
import { RedisVersionClaims } from '../../../connectors/salesforce/versionClaims.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../../helpers/redis.js';
import { salesforceHarness, statusChanged, waitFor } from './harness.js';

await describeRedis('Salesforce connector: two replicas on one Redis', () => {
  const h = salesforceHarness();
  const keyPrefix = uniquePrefix();
  afterAll(() => cleanupPrefix(keyPrefix));

  it('should write each change once, and the newest version per order, with two replicas sharing the group', async () => {
    const buses = [0, 1].map(() => new RedisEventBus({ url: redisUrl(), keyPrefix }));
    const claims = [0, 1].map(() => new RedisVersionClaims({ url: redisUrl(), keyPrefix: `${keyPrefix}sf-version:` }));
    const sf = await h.emulator();
    const replicas = [0, 1].map((i) =>
      h.connector(
        buses[i]!,
        sf,
        { consumer: `replica-${i}`, flushMs: 50 },
        { versions: claims[i]!, consume: { startFrom: '0' } },
      ),
    );
    await Promise.all(replicas.map((r) => r.start()));
    const publisher = buses[0]!;
    // Waves, so both replicas get work: each wave is read by whichever member asks first.
    for (let wave = 0; wave < 6; wave++) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          publisher.publish(Streams.VISIBILITY, statusChanged(`ORD-${wave * 50 + i}`, 1, 'ACCEPTED')),
        ),
      );
      await waitFor(`wave ${wave}`, () => replicas.reduce((n, r) => n + r.counters.written, 0) === (wave + 1) * 50);
    }
    // Two versions of the same orders split across the replicas: the newest wins.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        publisher.publish(Streams.VISIBILITY, statusChanged(`ORD-${i}`, 3, 'SHIPPED')),
      ),
    );
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        publisher.publish(Streams.VISIBILITY, statusChanged(`ORD-${i}`, 2, 'ALLOCATED')),
      ),
    );
    await waitFor(
      'the second round handled',
      () => replicas.reduce((n, r) => n + r.counters.written + r.counters.stale + r.counters.superseded, 0) === 380,
    );

    expect(sf.org.list('Order')).toHaveLength(300);
    for (let i = 40; i < 300; i++) expect(sf.org.writes.get(`Order/ORD-${i}`)).toBe(1);
    for (let i = 0; i < 40; i++) {
      expect(sf.org.find('Order', 'Order_Visibility_Id__c', `ORD-${i}`)).toMatchObject({
        Order_Visibility_Version__c: 3,
        Order_Visibility_Status__c: 'SHIPPED',
      });
      // v1 and v3 — and v2 too when its replica wrote it before v3 landed; never v2 after v3.
      expect(sf.org.writes.get(`Order/ORD-${i}`)).toBeGreaterThanOrEqual(2);
      expect(sf.org.writes.get(`Order/ORD-${i}`)).toBeLessThanOrEqual(3);
    }
    expect(replicas.every((r) => r.counters.written > 0)).toBe(true);
    expect(await publisher.read(deadLetterStream(Streams.VISIBILITY))).toEqual([]);
    for (const r of replicas) await r.stop();
    await Promise.all([...buses.map((b) => b.close()), ...claims.map((c) => c.close())]);
  });
});
