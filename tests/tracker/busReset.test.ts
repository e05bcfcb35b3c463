/**
 * Issue 16 #2: nothing lost when the bus's Redis restarts empty. The source events not yet handled
 * and the tracker's redelivery stream (the events it deferred) are gone; the tracker rebuilds them
 * from the store's ingest ledger and the graph, and publishes each change exactly once, with the
 * store row's status as previousStatus.
 */
import { afterEach, expect, it } from 'vitest';
import { VISIBILITY_RECONCILE } from '../../canonical/index.js';
import { generateDemo, type GeneratedDemo } from '../../demo/index.js';
import type { ErpOrder } from '../../demo/records.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { Streams, type Envelope, type EventBus, type Subscription } from '../../events/bus.js';
import { RedisEventBus } from '../../events/redis.js';
import { internalIdentity } from '../../gateway/auth/index.js';
import { defaultGatewayConfig } from '../../gateway/config.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import { storeStatusStore } from '../../gateway/tracker/store.js';
import type { StatusChangeData } from '../../gateway/tracker/tracker.js';
import { openStore, type VisibilityStore } from '../../store/index.js';
import {
  cleanupPrefix,
  describeOwnRedis,
  describeRedis,
  redisUrl,
  startOwnRedis,
  uniquePrefix,
  type OwnRedis,
} from '../helpers/redis.js';
import { eventually } from '../helpers/ws.js';
import { after, post, SECRET } from '../ingest/harness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

/** `n` orders the ERP has not accepted yet (PENDING). */
function pendingOrders(demo: GeneratedDemo, n: number): ErpOrder[] {
  const ids = new Set([...demo.scenarios.pending, ...demo.scenarios.accepted]);
  const orders = demo.data.erp.orders.filter((o) => ids.has(o.orderId)).slice(0, n);
  expect(orders).toHaveLength(n);
  for (const o of orders) o.acceptedAt = null;
  return orders;
}

/** A stack on `bus` with a store whose ingest ledger the tracker sweeps; every change it publishes, as a subscriber sees it. */
async function stackOn(bus: EventBus, demo: GeneratedDemo) {
  const store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
  cleanups.push(() => store.close());
  const s = await startStack({
    data: demo.data,
    bus,
    store,
    statusStore: storeStatusStore(store),
    seedTracker: true,
    webhookSecret: SECRET,
    gateway: { trackerRetryMs: [50, 100, 200] },
  });
  cleanups.push(() => s.stop());
  await s.gateway.tracker!.whenSeeded();
  const seen: StatusChangeData[] = [];
  const sub: Subscription = bus.subscribe(Streams.VISIBILITY, (e: Envelope) => {
    if (e.event.type === 'order.status_changed') seen.push(e.event.data as unknown as StatusChangeData);
  });
  cleanups.push(() => sub.close());
  await sub.ready;
  return { s, store, seen };
}

async function accept(s: Stack, orders: ErpOrder[]): Promise<void> {
  for (const [i, o] of orders.entries()) {
    const r = await post(`${s.subgraphs.erp.service.origin}/ingest`, {
      notificationId: `accept-${o.orderId}`,
      eventType: 'SALES_ORDER_ACCEPTED',
      postedAt: after(i),
      salesOrder: { orderRef: o.orderId, salesOrderId: o.erpSalesOrderId },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
}

/** Exactly one PENDING → ACCEPTED per order, published and in the store (version 2 after the seed's 1). */
async function expectEachAcceptedOnce(all: StatusChangeData[], store: VisibilityStore, orders: ErpOrder[]) {
  const ids = new Set(orders.map((o) => o.orderId));
  const of = () => all.filter((c) => ids.has(c.orderId));
  await eventually(() => of().length >= orders.length, 60_000, `${orders.length} changes after the reset`);
  await new Promise((r) => setTimeout(r, 500)); // room for a duplicate to show up
  const seen = of();
  expect(seen.map((c) => c.orderId).sort()).toEqual(orders.map((o) => o.orderId).sort());
  for (const c of seen) expect(c).toMatchObject({ previousStatus: 'PENDING', status: 'ACCEPTED', version: 2 });
  for (const o of orders)
    expect(await store.orders.getStatus(o.orderId)).toMatchObject({ status: 'ACCEPTED', version: 2 });
}

describeOwnRedis('status tracker when the bus Redis restarts empty', () => {
  it('should publish each change it had deferred (ERP rate limited) exactly once after Redis came back empty', async () => {
    const redis: OwnRedis = await startOwnRedis({ appendonly: false });
    cleanups.push(() => redis.dispose()); // last: the stack stops while Redis still answers
    const bus = new RedisEventBus({ url: redis.url, blockMs: 200, onError: () => undefined });
    cleanups.push(() => bus.close());
    const demo = generateDemo({ orders: 400 });
    const [published, ...orders] = pendingOrders(demo, 7);
    const { s, store, seen } = await stackOn(bus, demo);
    const tracker = s.gateway.tracker!;
    const read = (id: string) =>
      s.gateway.execute('query S($id: ID!) { order(id: $id) { status } }', { id }, internalIdentity('status-tracker'));
    for (const o of orders) expect((await read(o.orderId)).data?.order).toMatchObject({ status: 'PENDING' });
    // One change goes out before the fault: the sweep re-reads it too, and must not publish it again.
    await accept(s, [published!]);
    await eventually(() => seen.length === 1, 30_000, 'the change before the fault');

    // The ERP refuses almost every read: the tracker defers each change to its redelivery stream.
    s.subgraphs.erp.sim.faults.rateLimitPerSecond = 1;
    await accept(s, orders);
    await eventually(() => tracker.unseen >= orders.length, 30_000, 'every change deferred at least once');
    const sweptBefore = tracker.sweeper.swept;

    // Redis dies and comes back without its data: the source stream and the deferred events are gone.
    await redis.restart('SIGKILL');
    await eventually(() => tracker.sweeper.swept >= sweptBefore + orders.length, 30_000, 'the sweep after the reset');
    s.subgraphs.erp.sim.faults.rateLimitPerSecond = 0;

    await expectEachAcceptedOnce(seen, store, orders);
    expect(seen).toHaveLength(orders.length + 1);
    expect(seen.filter((c) => c.orderId === published!.orderId)).toHaveLength(1);
    expect(tracker.sweeper.swept - sweptBefore).toBeGreaterThanOrEqual(orders.length + 1);
    // A change found by the sweep names it as its cause.
    const swept = seen.filter((c) => c.cause.event.type === VISIBILITY_RECONCILE);
    for (const c of swept) expect(c.cause.event).toMatchObject({ source: 'visibility', subject: c.orderId });
  }, 120_000);
});

await describeRedis('status tracker when the bus streams are flushed while no tracker runs', () => {
  it('should publish the changes applied meanwhile exactly once when a tracker starts again', async () => {
    const prefix = uniquePrefix();
    cleanups.push(() => cleanupPrefix(prefix));
    const bus = new RedisEventBus({ url: redisUrl(), keyPrefix: prefix, blockMs: 200, onError: () => undefined });
    cleanups.push(() => bus.close());
    const demo = generateDemo({ orders: 400 });
    const orders = pendingOrders(demo, 4);
    const { s, store, seen } = await stackOn(bus, demo);

    // No tracker runs (the gateways are down) while the webhooks are applied; then the streams are lost.
    await s.gateway.tracker!.stop();
    await accept(s, orders);
    expect(await cleanupPrefix(prefix)).toBeGreaterThan(0);

    // A gateway starts: its tracker finds no group, sweeps the orders applied in the last hour, publishes each change once.
    const second: GatewayService = await startGateway(
      defaultGatewayConfig({
        port: 0,
        subgraphUrls: {
          ...Object.fromEntries(Object.entries(s.subgraphs).map(([n, sg]) => [n, sg.service.url])),
          visibility: s.visibility.service.url,
        },
      }),
      { bus, statusStore: storeStatusStore(store), store },
    );
    cleanups.push(() => second.stop());
    await expectEachAcceptedOnce(seen, store, orders);
    expect(second.tracker!.sweeper.swept).toBeGreaterThanOrEqual(orders.length);
    expect(seen.every((c) => c.cause.event.type === VISIBILITY_RECONCILE)).toBe(true);
  }, 120_000);
});
