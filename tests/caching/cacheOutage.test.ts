/**
 * A cache outage degrades to misses, never to errors: a gateway whose Redis (cache entries, tag
 * index, order versions, rate-limit buckets, quotas, APQ) is a redis-server this test owns keeps
 * answering 200 without errors after that server is stopped, and caches again once it is back.
 * Ingest, which cannot record a version bump meanwhile, refuses webhooks (503) rather than
 * acknowledge a change the caches could not see.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { MemoryEventBus } from '../../events/memory.js';
import { RedisOrderVersions } from '../../events/versions.js';
import { gql, requestHeaders } from '../helpers/http.js';
import { describeOwnRedis, startOwnRedis, type OwnRedis } from '../helpers/redis.js';
import { eventually } from '../helpers/ws.js';
import { erpHold, gatewayOptions, later, SECRET, webhook } from './harness.js';

const demo = generateDemo({ orders: 120 });
const ORDER =
  'query ($id: ID!) { order(id: $id) { id number holds { type releasedAt } shipments { id status } status } }';
const LIST = 'query ($c: ID) { orders(filter: { customerId: $c }) { totalCount edges { node { id status } } } }';

describeOwnRedis('a cache outage', () => {
  let redis: OwnRedis;
  let s: Stack;
  let versions: RedisOrderVersions;

  beforeAll(async () => {
    redis = await startOwnRedis();
    const prefix = 'ovg-test:';
    versions = new RedisOrderVersions({ url: redis.url, keyPrefix: prefix, timeoutMs: 500, onError: () => {} });
    s = await startStack({
      data: demo.data,
      bus: new MemoryEventBus(),
      webhookSecret: SECRET,
      versions,
      gateway: gatewayOptions({ redis: { url: redis.url, prefix } }),
    });
  });
  afterAll(async () => {
    await s?.stop();
    await versions?.close();
    await redis?.dispose();
  });

  it('should answer 200 without errors while its Redis is down, refuse webhooks meanwhile, and cache again once Redis is back', async () => {
    const ids = [demo.scenarios['in-transit'][0]!, demo.scenarios.allocated[0]!, demo.scenarios.delivered[0]!];
    const customer = demo.data.oms.orders.find((o) => o.id === ids[0])!.customerId;
    const reads = [
      ...ids.map((id) => ({ query: ORDER, variables: { id } })),
      { query: LIST, variables: { c: customer } },
    ];
    const known: unknown[] = [];
    for (const r of reads) {
      const first = await gql(s.gateway.url, r.query, r.variables);
      expect(first.body.errors).toBeUndefined();
      // Cached before the outage. A write to a just-started redis-server can take longer than the
      // cache's 50 ms bound on a busy machine (then it is a miss, as designed): ask until it is a hit.
      await eventually(
        async () => (await gql(s.gateway.url, r.query, r.variables)).headers.get('x-cache') === 'hit',
        5_000,
        `${JSON.stringify(r.variables)} cached`,
      );
      known.push(first.body.data);
    }

    await redis.stop();
    for (let round = 0; round < 3; round++) {
      for (const [i, r] of reads.entries()) {
        const started = performance.now();
        const res = await gql(s.gateway.url, r.query, r.variables);
        expect(res.status).toBe(200);
        expect(res.body.errors, `round ${round}, read ${i}`).toBeUndefined();
        expect(res.body.extensions?.freshness).toBeUndefined();
        expect(res.body.data).toEqual(known[i]);
        expect(res.headers.get('x-cache')).not.toBe('hit');
        expect(performance.now() - started, 'an outage costs bounded time, not a hang').toBeLessThan(2000);
      }
    }
    // Reads no cache ever held answer too, and so does a hash-only persisted query (not found: the client resends it).
    const unseen = await gql(s.gateway.url, ORDER, { id: demo.scenarios.delivered[1]! });
    expect(unseen.status).toBe(200);
    expect(unseen.body.errors).toBeUndefined();
    const apq = await fetch(s.gateway.url, {
      method: 'POST',
      headers: await requestHeaders(),
      body: JSON.stringify({
        extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(ORDER).digest('hex') } },
        variables: { id: ids[0] },
      }),
    });
    expect(((await apq.json()) as any).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    // A change ingest cannot record a version for is not acknowledged.
    const refused = await webhook(s, 'erp', erpHold(ids[1]!, later(1)));
    expect(refused.status).toBe(503);

    await redis.start();
    await eventually(
      async () => (await gql(s.gateway.url, ORDER, { id: ids[2]! })).headers.get('x-cache') === 'hit',
      10_000,
      'cached again',
    );
    const accepted = await webhook(s, 'erp', erpHold(ids[1]!, later(1)));
    expect(accepted.status).toBe(200);
    const changed = await gql(s.gateway.url, ORDER, { id: ids[1]! });
    expect(changed.body.errors).toBeUndefined();
    expect(changed.body.data.order.status).toBe('ON_HOLD');
  });
});
