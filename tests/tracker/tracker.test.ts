import { afterEach, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../canonical/index.js';
import { generateDemo, type GeneratedDemo } from '../../demo/index.js';
import type { ErpHold } from '../../demo/records.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { deadLetterStream, Streams, type Envelope } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { defaultGatewayConfig } from '../../gateway/config.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import type { StatusChangeData } from '../../gateway/tracker/tracker.js';
import { internalIdentity } from '../../gateway/auth/index.js';
import { eventually } from '../helpers/ws.js';
import { after, post, SECRET } from '../ingest/harness.js';

let s: Stack | undefined;
const extra: GatewayService[] = [];
afterEach(async () => {
  await Promise.all(extra.splice(0).map((g) => g.stop()));
  await s?.stop();
  s = undefined;
});

/** An ALLOCATED order, and a hold placed on it in the ERP's records (as an ERP notice would). */
function placeHold(demo: GeneratedDemo, id: string, at = '2026-11-01T10:00:00.000Z'): ErpHold {
  const erp = demo.data.erp.orders.find((o) => o.orderId === id)!;
  const hold: ErpHold = { type: 'CREDIT', reason: 'credit limit', placedAt: at, releasedAt: null };
  erp.holds.push(hold);
  return hold;
}

const holdEvent = (id: string, orderId: string) =>
  cloudEvent({
    id,
    source: 'erp',
    type: 'order.hold_placed',
    subject: orderId,
    time: '2026-11-01T10:00:00.000Z',
    data: { holdType: 'CREDIT' },
  });

async function changes(bus: MemoryEventBus): Promise<Envelope[]> {
  return (await bus.read(Streams.VISIBILITY, { count: 1000 })).filter((e) => e.event.type === 'order.status_changed');
}

describe('status tracker', () => {
  it('should publish exactly one order.status_changed per real change, with previous status and cause', async () => {
    const demo = generateDemo({ orders: 60 });
    const bus = new MemoryEventBus();
    s = await startStack({ data: demo.data, bus, statusStore: new MemoryStatusStore(), seedTracker: true });
    await s.gateway.tracker!.whenSeeded();
    const id = demo.scenarios.allocated[0]!;
    placeHold(demo, id);
    await bus.publish(Streams.SOURCE, holdEvent('erp:hold-1', id));
    await eventually(async () => (await changes(bus)).length === 1, 5000, 'one status change');
    const [change] = await changes(bus);
    const data = change!.event.data as unknown as StatusChangeData;
    expect(data).toMatchObject({ orderId: id, previousStatus: 'ALLOCATED', status: 'ON_HOLD', version: 2 });
    expect(data.cause.event.id).toBe('erp:hold-1');
    expect(change!.event.source).toBe('visibility');
    expect(change!.event.subject).toBe(id);

    // The same event again, and another event that changes nothing: no further change.
    await bus.publish(Streams.SOURCE, holdEvent('erp:hold-1', id));
    await bus.publish(
      Streams.SOURCE,
      cloudEvent({
        id: 'carrier:noise',
        source: 'carrier',
        type: 'shipment.tracking_updated',
        subject: id,
        time: '2026-11-01T10:01:00.000Z',
        data: {},
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await changes(bus)).toHaveLength(1);
  });

  it('should let only one of two racing trackers publish a change', async () => {
    const demo = generateDemo({ orders: 60 });
    const bus = new MemoryEventBus();
    const store = new MemoryStatusStore();
    s = await startStack({ data: demo.data, bus, statusStore: store, seedTracker: true });
    const second = await startGateway(
      defaultGatewayConfig({
        port: 0,
        subgraphUrls: Object.fromEntries(Object.entries(s.subgraphs).map(([n, sg]) => [n, sg.service.url])),
      }),
      { bus, statusStore: store },
    );
    extra.push(second);
    await s.gateway.tracker!.whenSeeded();
    await second.tracker!.whenSeeded();
    const ids = demo.scenarios.allocated.slice(0, 3);
    for (const id of ids) placeHold(demo, id);
    // Several source events per order, spread over both trackers of the group.
    for (let i = 0; i < 8; i++)
      for (const id of ids) await bus.publish(Streams.SOURCE, holdEvent(`erp:race-${id}-${i}`, id));
    await eventually(async () => (await changes(bus)).length >= ids.length, 5000, 'a change per order');
    await new Promise((r) => setTimeout(r, 300));
    const all = await changes(bus);
    expect(all.map((e) => e.event.subject).sort()).toEqual([...ids].sort());
    expect((s.gateway.tracker?.published ?? 0) + (second.tracker?.published ?? 0)).toBe(ids.length);
  });

  it('should retry while a slice the status needs is down, and publish once it is back', async () => {
    const demo = generateDemo({ orders: 60 });
    const bus = new MemoryEventBus();
    s = await startStack({ data: demo.data, bus, statusStore: new MemoryStatusStore(), seedTracker: true });
    await s.gateway.tracker!.whenSeeded();
    const id = demo.scenarios.allocated[0]!;
    s.subgraphs.erp.sim.faults.outage = true;
    placeHold(demo, id);
    await bus.publish(Streams.SOURCE, holdEvent('erp:hold-outage', id));
    await new Promise((r) => setTimeout(r, 200));
    expect(await changes(bus)).toHaveLength(0);
    s.subgraphs.erp.sim.faults.outage = false;
    await eventually(async () => (await changes(bus)).length === 1, 10_000, 'the change after recovery');
  });
});

describe('status tracker under an ERP rate limit (issue 16 #2)', () => {
  // The ERP stays limited for as long as the 40 webhooks take to post plus 1.5 s — longer than
  // five quick deliveries: the tracker defers what it cannot see to its redelivery stream instead of
  // spending the bus's delivery budget, so nothing is dead-lettered.
  it('should publish every ACCEPTED change once after the limit clears, never taking a stale slice for "no change"', async () => {
    const demo = generateDemo({ orders: 1200 });
    // Forty orders the ERP has not accepted yet (PENDING): the pending and accepted scenarios, un-accepted.
    const ids = new Set([...demo.scenarios.pending, ...demo.scenarios.accepted]);
    const pending = demo.data.erp.orders.filter((o) => ids.has(o.orderId)).slice(0, 40);
    expect(pending).toHaveLength(40);
    for (const o of pending) o.acceptedAt = null;
    const bus = new MemoryEventBus();
    s = await startStack({
      data: demo.data,
      bus,
      statusStore: new MemoryStatusStore(),
      seedTracker: true,
      webhookSecret: SECRET,
      gateway: { trackerRetryMs: [50, 100, 200] },
    });
    await s.gateway.tracker!.whenSeeded();
    // The tracker has read every one of them once (PENDING): the gateway now holds a last known ERP slice for each.
    const read = (id: string) =>
      s!.gateway.execute(
        'query TrackerStatus($id: ID!) { order(id: $id) { status customer { id } } }',
        { id },
        internalIdentity('status-tracker'),
      );
    for (const o of pending) expect((await read(o.orderId)).data?.order).toMatchObject({ status: 'PENDING' });

    // The ERP refuses almost everything (429) while all 40 are accepted within a second.
    s.subgraphs.erp.sim.faults.rateLimitPerSecond = 1;
    for (const [i, o] of pending.entries()) {
      const r = await post(`${s.subgraphs.erp.service.origin}/ingest`, {
        notificationId: `accept-${i}`,
        eventType: 'SALES_ORDER_ACCEPTED',
        postedAt: after(i),
        salesOrder: { orderRef: o.orderId, salesOrderId: o.erpSalesOrderId },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    // Under the limit the gateway answers from the stale slice, and says so.
    const stale = (await read(pending[0]!.orderId)) as { extensions?: { freshness?: unknown[] } };
    expect(stale.extensions?.freshness?.length ?? 0).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1500));
    s.subgraphs.erp.sim.faults.rateLimitPerSecond = 0;

    await eventually(async () => (await changes(bus)).length >= 40, 60_000, 'all 40 changes after the limit clears');
    await new Promise((r) => setTimeout(r, 300));
    const all = (await changes(bus)).map((e) => e.event.data as unknown as StatusChangeData);
    expect(all).toHaveLength(40);
    expect(new Set(all.map((c) => c.orderId))).toEqual(new Set(pending.map((o) => o.orderId)));
    for (const c of all) expect(c).toMatchObject({ previousStatus: 'PENDING', status: 'ACCEPTED' });
    // Each change names its source event as it was ingested, with its cursor in the source stream.
    const sourceIds = new Set((await bus.read(Streams.SOURCE, { count: 1000 })).map((e) => e.id));
    for (const c of all) {
      expect(sourceIds.has(c.cause.cursor)).toBe(true);
      expect(Object.keys(c.cause.event).filter((k) => k.startsWith('tracker'))).toEqual([]);
    }
    // Nothing was given up on: the tracker's group dead-lettered no event.
    const dead = (await bus.read(deadLetterStream(Streams.SOURCE), { count: 1000 })).filter(
      (e) => (e.event as { deadlettergroup?: string }).deadlettergroup === 'status-tracker',
    );
    expect(dead).toEqual([]);
  }, 90_000);
});
