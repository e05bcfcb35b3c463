/**
 * Caching without lying, on two gateway replicas sharing Redis (cache entries, order versions,
 * event streams): an acknowledged webhook is seen by the next read on either replica, an event
 * leaves the other systems' fetches cached, and a new order shows in its customer's cached lists.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { RedisEventBus } from '../../events/redis.js';
import { RedisOrderVersions } from '../../events/versions.js';
import type { GatewayService } from '../../gateway/server.js';
import { credential, gql } from '../helpers/http.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { eventually } from '../helpers/ws.js';
import {
  carrierScan,
  erpHold,
  gatewayOptions,
  later,
  omsAllocated,
  omsOrderCreated,
  secondReplica,
  SECRET,
  webhook,
} from './harness.js';

const demo = generateDemo({ orders: 150 });

const ORDER = `query ($id: ID!) { order(id: $id) {
  id status holds { type placedAt releasedAt } acceptedAt
  shipments { id status carrierStatusCode lastScanAt }
} }`;
const ERP_ONLY = 'query ($id: ID!) { order(id: $id) { id holds { type releasedAt } } }';
const LIST = `query ($c: ID) { orders(filter: { customerId: $c }, first: 50) { totalCount edges { node { id number } } } }`;
const NODE_LIST = `query ($c: ID, $n: ID) { orders(filter: { customerId: $c, fulfillmentNodeId: $n }, first: 50) { totalCount edges { node { id } } } }`;

await describeRedis('cache invalidation on two replicas sharing Redis', () => {
  const prefix = uniquePrefix();
  const closers: (() => unknown)[] = [];
  let s: Stack;
  let a: GatewayService;
  let b: GatewayService;

  beforeAll(async () => {
    // The ERP's shield rate is raised: past it, the last known slice is served (marked stale) —
    // right, but not what these tests are about (staleIfError.test.ts is). So is the Redis timeout
    // of cache calls (a slower call is a miss): these tests count fetches on a busy machine.
    const options = gatewayOptions({
      redis: { url: redisUrl(), prefix },
      cache: { redisTimeoutMs: 1000 },
      shield: { erp: { ratePerSecond: 1000, burst: 1000 } },
    });
    const bus = (): RedisEventBus => {
      const x = new RedisEventBus({ url: redisUrl(), keyPrefix: prefix });
      closers.push(() => x.close());
      return x;
    };
    const versions = new RedisOrderVersions({ url: redisUrl(), keyPrefix: prefix });
    closers.push(() => versions.close());
    s = await startStack({ data: demo.data, bus: bus(), webhookSecret: SECRET, versions, gateway: options });
    a = s.gateway;
    // The second replica opens its own versions on the same Redis and prefix, as a distributed one does.
    b = await secondReplica(s, options, { bus: bus() });
  });
  afterAll(async () => {
    await b?.stop();
    await s?.stop();
    for (const c of closers.reverse()) await c();
    await cleanupPrefix(prefix);
  });

  const fetches = (g: GatewayService) => ({ ...g.upstreamFetches() });

  it('should answer the next read on either replica with the value an ERP webhook acknowledged, then cache it again', async () => {
    const id = demo.scenarios.allocated[0]!;
    const first = await gql(a.url, ORDER, { id });
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.order.status).toBe('ALLOCATED');
    // Cached in Redis: the other replica answers it without Apollo or any subgraph.
    const before = fetches(b);
    const shared = await gql(b.url, ORDER, { id });
    expect(shared.headers.get('x-cache')).toBe('hit');
    expect(shared.body).toEqual(first.body);
    expect(fetches(b)).toEqual(before);

    expect((await webhook(s, 'erp', erpHold(id, later(1)))).status).toBe(200);
    for (const g of [b, a]) {
      const r = await gql(g.url, ORDER, { id });
      // b misses and caches the new answer in Redis; a is then served that one.
      expect(r.headers.get('x-cache')).toBe(g === b ? 'miss' : 'hit');
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.order.status).toBe('ON_HOLD');
      expect(r.body.data.order.holds).toContainEqual({ type: 'FRAUD', placedAt: later(1), releasedAt: null });
    }
  });

  it('should leave the ERP fetch cached (for both replicas) when a carrier event changes the order', async () => {
    const id = demo.scenarios['in-transit'][0]!;
    const first = await gql(a.url, ORDER, { id });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.order.shipments.length).toBeGreaterThan(0);

    expect((await webhook(s, 'carrier', carrierScan(demo, id, 'OUT_FOR_DELIVERY', later(2)))).status).toBe(200);
    const before = fetches(b);
    const r = await gql(b.url, ORDER, { id });
    expect(r.headers.get('x-cache')).toBe('miss');
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.order.shipments.map((x: any) => x.status)).toContain('OUT_FOR_DELIVERY');
    const after = fetches(b);
    // The carrier's slice and the OMS's derivation over it are fetched again; the ERP's is not.
    expect(after.carrier! - before.carrier!).toBeGreaterThanOrEqual(1);
    expect(after.erp).toBe(before.erp);
    expect(r.body.data.order.holds).toEqual(first.body.data.order.holds);
  });

  it("should purge by tag what an event changed — the order's responses and its carrier fetches — and keep its ERP fetches", async () => {
    const id = demo.scenarios['in-transit'][1]!;
    expect((await gql(a.url, ORDER, { id })).body.errors).toBeUndefined();
    const redis = new Redis(redisUrl());
    try {
      const tagged = async (tag: string) => redis.smembers(`${prefix}cache-tag:${tag}`);
      const present = async (keys: string[]) =>
        keys.length ? redis.exists(...keys.map((k) => `${prefix}cache:${k}`)) : 0;
      const responses = await tagged(`order:${id}`);
      const carrier = await tagged(`order:${id}:carrier`);
      const erp = await tagged(`order:${id}:erp`);
      for (const keys of [responses, carrier, erp]) {
        expect(keys.length).toBeGreaterThan(0);
        expect(await present(keys)).toBe(keys.length);
      }
      expect((await webhook(s, 'carrier', carrierScan(demo, id, 'OUT_FOR_DELIVERY', later(6)))).status).toBe(200);
      await eventually(async () => (await present([...responses, ...carrier])) === 0, 5000, 'the purged entries gone');
      expect(await present(erp)).toBe(erp.length);
    } finally {
      redis.disconnect();
    }
  });

  it('should refetch the ERP slice, and only it, after an ERP event when only ERP fields are asked', async () => {
    const id = demo.scenarios.allocated[1]!;
    await gql(a.url, ERP_ONLY, { id });
    const cached = fetches(a);
    expect((await gql(a.url, ERP_ONLY, { id })).headers.get('x-cache')).toBe('hit');
    expect((await webhook(s, 'erp', erpHold(id, later(3), 'HOLD_PLACED', 'CREDIT'))).status).toBe(200);
    const r = await gql(a.url, ERP_ONLY, { id });
    expect(r.body.data.order.holds).toContainEqual({ type: 'CREDIT', releasedAt: null });
    const after = fetches(a);
    expect(after.erp! - cached.erp!).toBe(1);
    expect(after.oms).toBe(cached.oms); // the OMS entry point's fetch is still current
  });

  it("should show a new order in its customer's cached lists, and where it was cached as absent, on both replicas", async () => {
    const customerId = demo.data.oms.orders.find((o) => o.id === demo.scenarios.delivered[0])!.customerId;
    const storefront = await credential('storefront', { customerId });
    const lists = [
      { query: LIST, variables: { c: customerId }, headers: {} },
      { query: LIST, variables: {}, headers: storefront },
    ];
    const counts: number[] = [];
    for (const l of lists) {
      const r = await gql(a.url, l.query, l.variables, l.headers);
      expect(r.body.errors).toBeUndefined();
      counts.push(r.body.data.orders.totalCount);
      expect((await gql(b.url, l.query, l.variables, l.headers)).headers.get('x-cache')).toBe('hit');
    }
    const newId = `ORD-T${process.pid}`;
    // Not placed yet: null, and that answer is cached too.
    expect((await gql(a.url, ORDER, { id: newId })).body.data.order).toBeNull();
    expect((await gql(b.url, ORDER, { id: newId })).headers.get('x-cache')).toBe('hit');
    expect((await webhook(s, 'oms', omsOrderCreated(demo, newId, customerId, later(4)))).status).toBe(200);
    expect((await gql(b.url, ORDER, { id: newId })).body.data.order).toMatchObject({
      id: newId,
      status: expect.any(String),
    });
    for (const [i, l] of lists.entries()) {
      for (const g of [b, a]) {
        const r = await gql(g.url, l.query, l.variables, l.headers);
        expect(r.body.errors).toBeUndefined();
        expect(r.body.data.orders.totalCount).toBe(counts[i]! + 1);
        expect(r.body.data.orders.edges[0].node.id).toBe(newId);
      }
    }
  });

  it('should show a new order in a cached list by Salesforce Account (the agent console search), on both replicas', async () => {
    const customer = demo.data.oms.customers.find(
      (c) => c.salesforceAccountId && demo.data.oms.orders.some((o) => o.customerId === c.id),
    )!;
    const query = `query ($a: String!) { orders(filter: { salesforceAccountId: $a }, first: 50) { totalCount edges { node { id } } } }`;
    const before = await gql(a.url, query, { a: customer.salesforceAccountId });
    expect(before.body.errors).toBeUndefined();
    expect((await gql(b.url, query, { a: customer.salesforceAccountId })).headers.get('x-cache')).toBe('hit');
    const newId = `ORD-A${process.pid}`;
    expect((await webhook(s, 'oms', omsOrderCreated(demo, newId, customer.id, later(5)))).status).toBe(200);
    for (const g of [b, a]) {
      const r = await gql(g.url, query, { a: customer.salesforceAccountId });
      expect(r.body.data.orders.totalCount).toBe(before.body.data.orders.totalCount + 1);
      expect(r.body.data.orders.edges[0].node.id).toBe(newId);
    }
  });

  it('should show an order in a cached list by fulfillment node once it is allocated there', async () => {
    const id = demo.scenarios.backordered[0]!;
    const order = demo.data.oms.orders.find((o) => o.id === id)!;
    const nodesOf = new Set(demo.data.oms.fulfillmentOrders.filter((f) => f.orderId === id).map((f) => f.nodeId));
    const node = demo.data.oms.nodes.find((n) => !nodesOf.has(n.id))!;
    const vars = { c: order.customerId, n: node.id };
    const first = await gql(a.url, NODE_LIST, vars);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.orders.edges.map((e: any) => e.node.id)).not.toContain(id);
    await gql(a.url, NODE_LIST, vars);

    expect((await webhook(s, 'oms', omsAllocated(id, `${id}-FT`, node.id, later(5)))).status).toBe(200);
    for (const g of [b, a]) {
      const r = await gql(g.url, NODE_LIST, vars);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.orders.edges.map((e: any) => e.node.id)).toContain(id);
      expect(r.body.data.orders.totalCount).toBe(first.body.data.orders.totalCount + 1);
    }
  });

  it('should never return the value a webhook replaced to a read that starts after its 2xx (20 changes, both replicas, both caches)', async () => {
    const id = demo.scenarios.allocated[2]!;
    const types = ['FRAUD', 'CREDIT', 'ADDRESS', 'PAYMENT_REVIEW'];
    const replicas = [a, b];
    for (let i = 0; i < 20; i++) {
      const reader = replicas[i % 2]!;
      const other = replicas[(i + 1) % 2]!;
      // Warm both caches on both replicas with the current value.
      await gql(reader.url, ORDER, { id });
      await gql(other.url, ERP_ONLY, { id });
      const placed = i % 2 === 0;
      const type = types[Math.floor(i / 2) % types.length]!;
      const at = later(100 + i);
      const ack = await webhook(s, 'erp', erpHold(id, at, placed ? 'HOLD_PLACED' : 'HOLD_RELEASED', type));
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
      const [full, erpOnly] = await Promise.all([gql(other.url, ORDER, { id }), gql(reader.url, ERP_ONLY, { id })]);
      for (const r of [full, erpOnly]) {
        expect(r.body.errors).toBeUndefined();
        expect(r.body.extensions?.freshness, `change ${i}`).toBeUndefined();
        const active = r.body.data.order.holds.some((h: any) => h.type === type && h.releasedAt === null);
        expect(
          active,
          `change ${i} (${placed ? 'placed' : 'released'} ${type}): ${JSON.stringify(r.body.data.order.holds)}`,
        ).toBe(placed);
      }
      expect(full.body.data.order.status).toBe(placed ? 'ON_HOLD' : 'ALLOCATED');
    }
  });
});
