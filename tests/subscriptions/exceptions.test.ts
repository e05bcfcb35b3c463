/**
 * `Subscription.exceptionChanged` over a real graphql-ws connection, end to end: a carrier webhook
 * to `/ingest` → the exception engine opens DELIVERY_PROBLEM in the store and publishes
 * `exception.opened` → the gateway pushes it to the subscriber; the next scan closes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { carrierCodesFor, type ShipmentStatus } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { storeStatusStore } from '../../gateway/tracker/store.js';
import { openStore, type VisibilityStore } from '../../store/index.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { credential } from '../helpers/http.js';
import { demo, stack } from '../helpers/stack.js';
import { collect, eventually, wsClient } from '../helpers/ws.js';

const SECRET = 'exception-subscription-secret-0001';
const ORDERS = 120;
const d = demo(ORDERS);
let s: Stack;
let store: VisibilityStore;
let bus: MemoryEventBus;
const disposers: (() => unknown)[] = [];

beforeAll(async () => {
  store = await openStore({ databaseUrl: null, dataDir: '', schema: 'public' });
  bus = new MemoryEventBus();
  s = await stack({ orders: ORDERS, bus, store, statusStore: storeStatusStore(store), webhookSecret: SECRET });
});
afterAll(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
  await s?.stop();
  await bus?.close();
  await store?.close();
});

/** A graphql-ws client with `consumer`'s development credential in `connection_init`. */
function as(
  consumer: 'ops' | 'salesforce' | 'storefront' | 'partner',
  opts: { customerId?: string; partnerNodeId?: string } = {},
) {
  const c = wsClient(s.gateway.url, { connectionParams: () => credential(consumer, opts) });
  disposers.push(() => c.dispose());
  return c;
}

const scan = async (
  shipment: (typeof d.data.carrier.shipments)[number],
  id: string,
  status: ShipmentStatus,
  at: number,
): Promise<void> => {
  const raw = JSON.stringify({
    eventId: id,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    references: shipment.references,
    scans: [
      {
        code: carrierCodesFor(shipment.carrier, status)[0]!,
        occurredAt: new Date(at).toISOString(),
        description: status,
        location: null,
      },
    ],
  });
  const r = await fetch(s.subgraphs.carrier.ingestUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
    body: raw,
  });
  expect(r.status).toBe(200);
};

const SUB = `subscription ($o: ID, $t: ExceptionType, $after: String) {
  exceptionChanged(orderId: $o, type: $t, after: $after) {
    cursor change orderId changedAt
    exception { id type actor open since slaSeconds closedAt closeReason facts { name value } order { id number } }
  }
}`;

describe('exceptionChanged over graphql-ws', () => {
  it('should push an exception as a webhook opens it and as the next one closes it, resumable after a cursor', async () => {
    const orderId = d.scenarios['in-transit'][0]!;
    const shipment = d.data.carrier.shipments.find((x) => x.references.orderId === orderId)!;
    const number = d.data.oms.orders.find((o) => o.id === orderId)!.number;
    const ops = collect(as('ops'), SUB, { o: orderId, t: 'DELIVERY_PROBLEM' });
    // Any exception of any order, as salesforce: the same two changes, among others.
    const everything = collect(
      as('salesforce'),
      'subscription { exceptionChanged { change orderId exception { type } } }',
    );
    await eventually(() => s.gateway.subscriptions!.hub.size() === 2, 5000, 'both subscribed');
    expect(s.gateway.subscriptions!.hub.streams()).toContain(Streams.EXCEPTIONS);

    const t0 = Date.now();
    await scan(shipment, 'EXC-SUB-1', 'EXCEPTION', t0);
    const [opened] = await ops.waitFor(1, 10_000);
    expect(opened!.errors).toBeUndefined();
    const o = opened!.data.exceptionChanged;
    expect(o).toMatchObject({
      change: 'OPENED',
      orderId,
      exception: {
        type: 'DELIVERY_PROBLEM',
        actor: 'CARRIER_DESK',
        open: true,
        slaSeconds: 0,
        closedAt: null,
        order: { id: orderId, number },
      },
    });
    expect(o.exception.facts).toContainEqual({ name: 'carrierStatus', value: 'EXCEPTION' });
    expect(o.exception.facts).toContainEqual({ name: 'shipmentId', value: shipment.references.shipmentId });
    expect(o.cursor).toMatch(/^\d+-\d+$/);
    expect(o.changedAt).toMatch(/Z$/);

    await scan(shipment, 'EXC-SUB-2', 'IN_TRANSIT', t0 + 1000);
    const [, closed] = await ops.waitFor(2, 10_000);
    const c = closed!.data.exceptionChanged;
    expect(c).toMatchObject({
      change: 'CLOSED',
      orderId,
      exception: { id: o.exception.id, type: 'DELIVERY_PROBLEM', open: false, order: { id: orderId } },
    });
    expect(c.exception.closedAt).toMatch(/Z$/);
    expect(c.exception.closeReason).toMatch(/condition cleared after shipment\./);
    // The store says the same as the pushes.
    expect((await store.exceptions.forOrder(orderId)).find((x) => x.id === o.exception.id)?.closedAt).toBe(
      c.exception.closedAt,
    );

    await everything.waitFor(2, 10_000);
    const mine = everything.messages
      .map((m) => m.data.exceptionChanged)
      .filter((x) => x.orderId === orderId && x.exception.type === 'DELIVERY_PROBLEM');
    expect(mine.map((x) => x.change)).toEqual(['OPENED', 'CLOSED']);

    // Reconnected after the opening: the closing is replayed from the cursor, once.
    const resumed = collect(as('ops'), SUB, { o: orderId, after: o.cursor });
    const [again] = await resumed.waitFor(1, 10_000);
    expect(again!.data.exceptionChanged).toMatchObject({ cursor: c.cursor, change: 'CLOSED' });
  });

  it('should refuse a storefront with FORBIDDEN, before reading anything (partners run persisted operations only, none of which subscribes to exceptions)', async () => {
    const order = d.data.oms.orders[0]!;
    for (const client of [as('storefront', { customerId: order.customerId })]) {
      const sub = collect(client, 'subscription ($o: ID) { exceptionChanged(orderId: $o) { change } }', {
        o: order.id,
      });
      // graphql-ws answers a subscription that cannot start with one `next` carrying the errors, then `complete`.
      expect(await sub.ended).toBe('complete');
      expect(sub.messages).toHaveLength(1);
      expect(sub.messages[0]!.data ?? null).toBeNull();
      expect(sub.messages[0]!.errors![0]).toMatchObject({
        extensions: { code: 'FORBIDDEN', field: 'Subscription.exceptionChanged' },
      });
      expect(sub.messages[0]!.errors![0].message).toMatch(
        /^Not authorized to subscribe to exceptionChanged: it requires .*\(salesforce or ops\)/,
      );
    }
  });

  it('should refuse a malformed order id or cursor with BAD_USER_INPUT', async () => {
    const c = as('ops');
    const bad = collect(c, 'subscription { exceptionChanged(after: "not-a-cursor") { change } }');
    await bad.ended;
    expect(bad.messages[0]!.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
