/**
 * "The ERP never sees more than its configured rate from all replicas together": two gateway
 * replicas share the ERP's token bucket in Redis. Caching is off, so every read of a new order
 * asks for an ERP fetch, and both replicas are driven well past the rate for about two seconds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import type { GatewayService } from '../../gateway/server.js';
import { codes, gql } from '../helpers/http.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { gatewayOptions, secondReplica } from './harness.js';

const demo = generateDemo({ orders: 400 });
const RATE = 5;
const BURST = 5;
const DRIVE_MS = 2000;
const ORDER = 'query ($id: ID!) { order(id: $id) { id number holds { type releasedAt } } }';

await describeRedis('the ERP rate limit across two replicas', () => {
  const prefix = uniquePrefix();
  let s: Stack;
  let b: GatewayService;

  beforeAll(async () => {
    const options = gatewayOptions({
      redis: { url: redisUrl(), prefix },
      cache: { enabled: false },
      shield: { erp: { ratePerSecond: RATE, burst: BURST, retries: 0 } },
    });
    s = await startStack({ data: demo.data, gateway: options });
    b = await secondReplica(s, options);
  });
  afterAll(async () => {
    await b?.stop();
    await s?.stop();
    await cleanupPrefix(prefix);
  });

  it(`should let at most burst + rate × t ERP calls through from both replicas together`, async () => {
    const replicas = [s.gateway, b];
    const ids = demo.data.oms.orders.map((o) => o.id);
    let next = 0;
    const calls = s.subgraphs.erp.sim.callCount();
    const fetches = replicas.map((g) => g.upstreamFetches().erp!);
    const outcomes = { answered: 0, rateLimited: 0, other: [] as string[] };
    const started = performance.now();
    const deadline = started + DRIVE_MS;
    // Four readers per replica, each reading the next order (never one being read: no coalescing helps), until the deadline.
    await Promise.all(
      replicas.flatMap((g) =>
        Array.from({ length: 4 }, async () => {
          while (performance.now() < deadline) {
            const id = ids[next++ % ids.length]!;
            const r = await gql(g.url, ORDER, { id });
            expect(r.status).toBe(200);
            expect(r.body.data.order.number).toMatch(/\S/); // the OMS slice always answers
            if (r.body.data.order.holds !== null) outcomes.answered++;
            else if (codes(r).includes('RATE_LIMITED')) outcomes.rateLimited++;
            else outcomes.other.push(JSON.stringify(r.body.errors));
          }
        }),
      ),
    );
    const elapsed = (performance.now() - started) / 1000;
    const perReplica = replicas.map((g, i) => g.upstreamFetches().erp! - fetches[i]!);
    const total = perReplica[0]! + perReplica[1]!;
    const bound = BURST + RATE * elapsed + 2;

    expect(outcomes.other).toEqual([]);
    // Driven past the rate: even after waiting up to 1.5 s for a token, some reads were refused.
    expect(outcomes.rateLimited).toBeGreaterThan(0);
    expect(
      perReplica.every((n) => n > 0),
      `per replica: ${perReplica.join(', ')}`,
    ).toBe(true);
    expect(total, `ERP fetches ${perReplica.join(' + ')} in ${elapsed.toFixed(2)} s`).toBeLessThanOrEqual(bound);
    expect(s.subgraphs.erp.sim.callCount() - calls).toBeLessThanOrEqual(bound);
    expect(outcomes.answered).toBe(total);
  });
});
