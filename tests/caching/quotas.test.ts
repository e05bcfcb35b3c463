/**
 * Client quotas: each caller (consumer + subject) gets QUOTA_<CONSUMER>_PER_MINUTE requests per
 * one-minute window; past it, HTTP 429 with Retry-After and a GraphQL body, RATE_LIMITED — cached
 * answers included (the quota is checked before the response cache).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { codes, credential, gql } from '../helpers/http.js';
import type { GatewayService } from '../../gateway/server.js';
import { DEFAULT_COST_QUOTAS, type GatewayConfig } from '../../gateway/config.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { gatewayOptions, secondReplica } from './harness.js';

const demo = generateDemo({ orders: 60 });
const LIMIT = 3;
const ORDER = 'query ($id: ID!) { order(id: $id) { id number } }';

/**
 * Two gateway replicas sharing one Redis under a prefix of their own (started before the suite's
 * tests, stopped and cleaned after), each with `options(thatRedis)`.
 */
function replicaPair(options: (redis: { url: string; prefix: string }) => Partial<GatewayConfig>): {
  urls: () => string[];
} {
  const prefix = uniquePrefix();
  let shared: Stack | undefined;
  let b: GatewayService | undefined;
  beforeAll(async () => {
    const gateway = options({ url: redisUrl(), prefix });
    shared = await startStack({ data: demo.data, gateway });
    b = await secondReplica(shared, gateway);
  });
  afterAll(async () => {
    await b?.stop();
    await shared?.stop();
    await cleanupPrefix(prefix);
  });
  return { urls: () => [shared!.gateway.url, b!.url] };
}

let s: Stack;
beforeAll(async () => {
  // A burst of the whole minute: the quota admits LIMIT at once, as a window would; the pace
  // itself is tested below.
  s = await startStack({
    data: demo.data,
    gateway: { ...gatewayOptions({ quotas: { storefront: LIMIT } }), quotaBurstSeconds: 60 },
  });
});
afterAll(() => s?.stop());

describe('client quotas', () => {
  it('should answer a shopper past the quota with 429, Retry-After and RATE_LIMITED, and leave other callers alone', async () => {
    const [mine, other] = demo.data.oms.orders.slice(0, 2);
    const shopper = await credential('storefront', {
      customerId: mine!.customerId,
    });
    for (let i = 1; i <= LIMIT; i++) {
      const r = await gql(s.gateway.url, ORDER, { id: mine!.id }, shopper);
      expect(r.status, `request ${i}`).toBe(200);
      expect(r.headers.get('x-cache')).toBe(i === 1 ? 'miss' : 'hit');
    }
    const over = await gql(s.gateway.url, ORDER, { id: mine!.id }, shopper);
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.get('x-cache')).toBeNull(); // refused before the response cache
    expect(codes(over)).toEqual(['RATE_LIMITED']);
    expect(over.body.errors![0]!.extensions).toMatchObject({
      retryAfter,
      limit: LIMIT,
    });
    expect(over.body.data).toBeUndefined();

    // Another shopper, and Salesforce, have their own quotas.
    const otherShopper = await credential('storefront', {
      customerId: other!.customerId === mine!.customerId ? 'CUST-NOBODY' : other!.customerId,
    });
    expect((await gql(s.gateway.url, ORDER, { id: other!.id }, otherShopper)).status).toBe(200);
    expect((await gql(s.gateway.url, ORDER, { id: mine!.id })).status).toBe(200);
    // A fresh token for the same shopper is the same caller.
    const again = await credential('storefront', {
      customerId: mine!.customerId,
      now: Date.now() - 1000,
    });
    expect((await gql(s.gateway.url, ORDER, { id: mine!.id }, again)).status).toBe(429);
  });
});

await describeRedis('client quotas shared by replicas', () => {
  const pair = replicaPair((redis) => ({
    ...gatewayOptions({ quotas: { storefront: LIMIT }, redis, cache: { enabled: false } }),
    quotaBurstSeconds: 60,
  }));

  it("should count one shopper's requests on every replica against one quota", async () => {
    const order = demo.data.oms.orders[2]!;
    const shopper = await credential('storefront', {
      customerId: order.customerId,
    });
    const replicas = pair.urls();
    // LIMIT requests spread over both replicas are all admitted …
    for (let i = 0; i < LIMIT; i++)
      expect((await gql(replicas[i % 2]!, ORDER, { id: order.id }, shopper)).status, `request ${i + 1}`).toBe(200);
    // … and the next one is refused on either: each replica alone would still admit it.
    for (const url of replicas) {
      const over = await gql(url, ORDER, { id: order.id }, shopper);
      expect(over.status).toBe(429);
      expect(codes(over)).toEqual(['RATE_LIMITED']);
    }
  });
});

describe('client cost budgets (QUOTA_<CONSUMER>_COST_PER_MINUTE)', () => {
  const BUDGET = 12;
  let c: Stack;
  beforeAll(async () => {
    c = await startStack({
      data: demo.data,
      // A burst of the whole minute: the budget behaves as a per-minute allowance here; the pace
      // itself is tested below with the default burst.
      gateway: {
        ...gatewayOptions(),
        costQuotas: { ...DEFAULT_COST_QUOTAS, storefront: BUDGET },
        quotaBurstSeconds: 60,
        quotaRefusalDelayMs: 0,
      },
    });
  });
  afterAll(() => c?.stop());
  const DETAIL = 'query ($id: ID!) { order(id: $id) { id number customer { id } lines { sku } } }';
  const PAGE = 'query ($n: Int!) { orders(first: $n) { edges { node { id lines { sku } } } } }';

  it('should charge each executed operation its cost and answer 429 RATE_LIMITED past the budget, other shoppers untouched', async () => {
    const [mine, other] = demo.data.oms.orders.slice(0, 2);
    const shopper = await credential('storefront', {
      customerId: mine!.customerId,
    });
    const ids = demo.data.oms.orders.map((o) => o.id);
    // Different ids: each answer is executed (a response cache hit would not be charged).
    let answered = 0;
    let over: Awaited<ReturnType<typeof gql>> | undefined;
    for (const id of ids.slice(0, BUDGET + 1)) {
      const r = await gql(c.gateway.url, DETAIL, { id }, shopper);
      if (r.status !== 200) {
        over = r;
        break;
      }
      answered++;
    }
    expect(over?.status).toBe(429);
    expect(codes(over!)).toEqual(['RATE_LIMITED']);
    const cost = Number(/this operation costs (\d+)/.exec(over!.body.errors![0]!.message)?.[1]);
    expect(cost).toBeGreaterThan(1);
    // Exactly as many as the budget holds.
    expect(answered).toBe(Math.floor(BUDGET / cost));
    const retryAfter = Number(over!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(over!.body.errors![0]!.extensions).toMatchObject({
      retryAfter,
      limit: BUDGET,
    });
    expect(over!.body.data).toBeUndefined();
    // Another shopper has a budget of its own; Salesforce has none by default.
    const otherShopper = await credential('storefront', {
      customerId: other!.customerId === mine!.customerId ? 'CUST-NOBODY' : other!.customerId,
    });
    expect((await gql(c.gateway.url, DETAIL, { id: other!.id }, otherShopper)).status).toBe(200);
    for (const id of ids.slice(0, BUDGET + 1)) expect((await gql(c.gateway.url, DETAIL, { id })).status).toBe(200);
  });

  it('should not charge answers served from the response cache', async () => {
    const order = demo.data.oms.orders[5]!;
    const shopper = await credential('storefront', {
      customerId: `${order.customerId}`,
    });
    for (let i = 0; i < BUDGET * 2; i++) {
      const r = await gql(c.gateway.url, DETAIL, { id: order.id }, shopper);
      expect(r.status, `request ${i + 1}`).toBe(200);
      if (i > 0) expect(r.headers.get('x-cache')).toBe('hit');
    }
  });

  it('should refuse an operation that costs more than the whole budget with 400 LIMIT_EXCEEDED, saying its cost', async () => {
    const shopper = await credential('storefront', {
      customerId: 'CUST-COSTLY',
    });
    const r = await gql(c.gateway.url, PAGE, { n: 100 }, shopper);
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['LIMIT_EXCEEDED']);
    expect(r.body.errors![0]!.extensions).toMatchObject({ limit: BUDGET });
    expect(r.body.errors![0]!.extensions!.value).toBeGreaterThan(BUDGET);
    expect(r.body.errors![0]!.message).toMatch(/cost \d+ exceeds the storefront cost budget of 12 per minute/);
  });
});

describe('refusals held back (QUOTA_REFUSAL_DELAY_MS, QUOTA_REFUSAL_MAX_HELD)', () => {
  const DELAY = 2000;
  let h: Stack;
  beforeAll(async () => {
    h = await startStack({
      data: demo.data,
      gateway: {
        ...gatewayOptions({ quotas: { storefront: 1 } }),
        quotaBurstSeconds: 60,
        quotaRefusalDelayMs: DELAY,
        quotaRefusalMaxHeld: 2,
      },
    });
  });
  afterAll(() => h?.stop());

  it("should answer a caller's 429s after the delay, at most 2 held at once, the rest at once with Connection: close", async () => {
    // The delay is at most the Retry-After (here about a minute).
    const order = demo.data.oms.orders[7]!;
    const shopper = await credential('storefront', {
      customerId: order.customerId,
    });
    expect((await gql(h.gateway.url, ORDER, { id: order.id }, shopper)).status).toBe(200);

    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const r = await gql(h.gateway.url, ORDER, { id: order.id }, shopper);
        return {
          status: r.status,
          code: codes(r)[0],
          connection: r.headers.get('connection'),
          ms: Date.now() - started,
        };
      }),
    );
    expect(answers.map((a) => [a.status, a.code])).toEqual(Array(4).fill([429, 'RATE_LIMITED']));
    const held = answers.filter((a) => a.connection !== 'close');
    const atOnce = answers.filter((a) => a.connection === 'close');
    expect(held).toHaveLength(2);
    expect(atOnce).toHaveLength(2);
    // Held ones waited the delay (a lower bound: timers never fire early); the others did not.
    for (const a of held) expect(a.ms).toBeGreaterThanOrEqual(DELAY - 20);
    for (const a of atOnce) expect(a.ms).toBeLessThan(Math.min(...held.map((x) => x.ms)));

    // Another shopper is neither refused nor held.
    const other = demo.data.oms.orders.find((o) => o.customerId !== order.customerId)!;
    const otherShopper = await credential('storefront', {
      customerId: other.customerId,
    });
    expect((await gql(h.gateway.url, ORDER, { id: other.id }, otherShopper)).status).toBe(200);
  });
});

describe('quotas are a pace, not a window (QUOTA_BURST_SECONDS)', () => {
  it('should admit a burst of QUOTA_BURST_SECONDS of the quota, then one request per sixtieth of a minute', async () => {
    // 6 a minute: a request is 10 s of quota; 20 s of burst admit 2 at once, the third waits ~10 s.
    const q = await startStack({
      data: demo.data,
      gateway: { ...gatewayOptions({ quotas: { storefront: 6 } }), quotaBurstSeconds: 20, quotaRefusalDelayMs: 0 },
    });
    try {
      const order = demo.data.oms.orders[30]!;
      const shopper = await credential('storefront', { customerId: order.customerId });
      const started = Date.now();
      expect((await gql(q.gateway.url, ORDER, { id: order.id }, shopper)).status).toBe(200);
      expect((await gql(q.gateway.url, ORDER, { id: order.id }, shopper)).status).toBe(200);
      const third = await gql(q.gateway.url, ORDER, { id: order.id }, shopper);
      expect(third.status).toBe(429);
      expect(codes(third)).toEqual(['RATE_LIMITED']);
      const retryAfter = Number(third.headers.get('retry-after'));
      expect(retryAfter).toBeLessThanOrEqual(10);
      expect(retryAfter).toBeGreaterThanOrEqual(10 - Math.ceil((Date.now() - started) / 1000));
      // A window would have admitted all 6 at once.
      expect(third.body.errors![0]!.extensions).toMatchObject({ retryAfter, limit: 6 });
    } finally {
      await q.stop();
    }
  });

  const BUDGET = 12; // per minute: 5 s of budget per unit of cost
  const DETAIL = 'query ($id: ID!) { order(id: $id) { id number customer { id } lines { sku } } }';
  async function paceOf(url: string, other: string): Promise<void> {
    const [a, b] = demo.data.oms.orders.slice(10, 12);
    const shopper = await credential('storefront', {
      customerId: 'CUST-PACED',
    });
    // Owing nothing, an operation runs whatever its cost (here more than the 10 s burst) …
    const first = await gql(url, DETAIL, { id: a!.id }, shopper);
    expect(first.status).toBe(200);
    // … and the next one waits until the first is paid down to the 10 s burst: 429 with that wait.
    const started = Date.now();
    const next = await gql(other, DETAIL, { id: b!.id }, shopper);
    expect(next.status).toBe(429);
    expect(codes(next)).toEqual(['RATE_LIMITED']);
    const cost = Number(/this operation costs (\d+)/.exec(next.body.errors![0]!.message)?.[1]);
    expect(cost).toBeGreaterThanOrEqual(2);
    const owedS = (2 * cost * 60) / BUDGET - 10; // two operations' time, less the burst
    const retryAfter = Number(next.headers.get('retry-after'));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil(owedS));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor(owedS - (Date.now() - started) / 1000) - 1);
    expect(next.body.errors![0]!.extensions).toMatchObject({
      retryAfter,
      limit: BUDGET,
    });
  }

  it('should run one operation when the caller owes nothing, and refuse the next until it is paid for', async () => {
    const p = await startStack({
      data: demo.data,
      gateway: {
        ...gatewayOptions(),
        costQuotas: { ...DEFAULT_COST_QUOTAS, storefront: BUDGET },
        quotaBurstSeconds: 10,
        quotaRefusalDelayMs: 0,
      },
    });
    try {
      await paceOf(p.gateway.url, p.gateway.url);
    } finally {
      await p.stop();
    }
  });
});

await describeRedis('the cost budget pace shared by replicas (Redis)', () => {
  const pair = replicaPair((redis) => ({
    ...gatewayOptions({ redis, cache: { enabled: false } }),
    costQuotas: { ...DEFAULT_COST_QUOTAS, storefront: 12 },
    quotaBurstSeconds: 10,
    quotaRefusalDelayMs: 0,
  }));

  it('should refuse on one replica what the caller spent on the other', async () => {
    const DETAIL = 'query ($id: ID!) { order(id: $id) { id number customer { id } lines { sku } } }';
    const [x, y] = demo.data.oms.orders.slice(20, 22);
    const shopper = await credential('storefront', {
      customerId: 'CUST-PACED-REDIS',
    });
    const [one, other] = pair.urls();
    expect((await gql(one!, DETAIL, { id: x!.id }, shopper)).status).toBe(200);
    const next = await gql(other!, DETAIL, { id: y!.id }, shopper);
    expect(next.status).toBe(429);
    expect(codes(next)).toEqual(['RATE_LIMITED']);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
