import { afterEach, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../canonical/index.js';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { CloseCode } from '../../gateway/subscriptions/server.js';
import { collect, eventually, wsClient } from '../helpers/ws.js';

const demo = generateDemo({ orders: 80 });
let s: Stack | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await s?.stop();
  s = undefined;
});

async function start(bus = new MemoryEventBus(), gateway = {}) {
  s = await startStack({ data: demo.data, bus, statusStore: new MemoryStatusStore(), gateway });
  return { bus, url: s.gateway.url };
}

function client(url: string, onClose?: (code: number) => void) {
  const c = wsClient(url, { onClose });
  cleanups.push(() => c.dispose());
  return c;
}

/** A status change as the tracker would publish it (published directly: these tests are about delivery). */
const change = (orderId: string, n: number, customerId = 'CUST-X') =>
  cloudEvent({
    id: `visibility:${orderId}:${n}`,
    source: 'visibility',
    type: 'order.status_changed',
    subject: orderId,
    time: new Date().toISOString(),
    data: {
      orderId,
      customerId,
      previousStatus: 'ALLOCATED',
      status: 'ON_HOLD',
      version: n,
      cause: {
        cursor: '1-0',
        event: cloudEvent({
          id: `erp:${n}`,
          source: 'erp',
          type: 'order.hold_placed',
          subject: orderId,
          time: '2026-11-01T10:00:00.000Z',
          data: {},
        }),
      },
    },
  });

const STATUS_SUB = `subscription ($orderId: ID, $customerId: ID, $after: String) {
  orderStatusChanged(orderId: $orderId, customerId: $customerId, after: $after) {
    cursor orderId previousStatus status changedAt
    cause { cursor id type source orderId occurredAt recordedAt data }
    order { number status holds { type } renamed: customer { id } }
  }
}`;

describe('subscriptions over graphql-ws', () => {
  it('should push a status change with any Order selection resolved through the federated graph', async () => {
    const { bus, url } = await start();
    const id = demo.data.oms.orders[3]!.id;
    const sub = collect(client(url), STATUS_SUB, { orderId: id });
    await eventually(() => s!.gateway.subscriptions!.hub.size() === 1, 3000, 'subscribed');
    await bus.publish(Streams.VISIBILITY, change(id, 1));
    const [msg] = await sub.waitFor(1);
    expect(msg!.errors).toBeUndefined();
    const c = msg!.data!.orderStatusChanged;
    expect(c).toMatchObject({
      orderId: id,
      previousStatus: 'ALLOCATED',
      status: 'ON_HOLD',
      cause: { id: 'erp:1', source: 'ERP', type: 'order.hold_placed' },
    });
    expect(c.cursor).toMatch(/^\d+-\d+$/);
    expect(c.order.number).toBe(demo.data.oms.orders[3]!.number);
    expect(c.order.holds).toEqual(expect.any(Array)); // an erp field, through the graph
    expect(c.order.renamed.id).toBe(demo.data.oms.orders[3]!.customerId); // aliases work
  });

  it('should filter by order and by customer', async () => {
    const { bus, url } = await start();
    const [a, b] = [demo.data.oms.orders[0]!.id, demo.data.oms.orders[1]!.id];
    const c = client(url);
    const onlyA = collect(c, 'subscription ($o: ID) { orderStatusChanged(orderId: $o) { orderId } }', { o: a });
    const byCustomer = collect(c, 'subscription ($c: ID) { orderStatusChanged(customerId: $c) { orderId } }', {
      c: 'CUST-B',
    });
    const everything = collect(c, 'subscription { orderStatusChanged { orderId } }');
    await eventually(() => s!.gateway.subscriptions!.hub.size() === 3, 3000, 'subscribed');
    await bus.publish(Streams.VISIBILITY, change(a, 1, 'CUST-A'));
    await bus.publish(Streams.VISIBILITY, change(b, 1, 'CUST-B'));
    await everything.waitFor(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(onlyA.messages.map((m) => m.data.orderStatusChanged.orderId)).toEqual([a]);
    expect(byCustomer.messages.map((m) => m.data.orderStatusChanged.orderId)).toEqual([b]);
  });

  it('should execute once per event and distinct subscription, not once per subscriber', async () => {
    const { bus, url } = await start();
    const id = demo.data.oms.orders[5]!.id;
    const subs = Array.from({ length: 25 }, () =>
      collect(client(url), 'subscription ($o: ID) { orderStatusChanged(orderId: $o) { order { status number } } }', {
        o: id,
      }),
    );
    // A different selection of the same order is its own execution.
    const other = collect(
      client(url),
      'subscription ($o: ID) { orderStatusChanged(orderId: $o) { status order { channel } } }',
      { o: id },
    );
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 26, 5000, 'subscribed');
    expect(s!.gateway.subscriptions!.executions()).toBe(2); // 25 identical subscriptions share one
    const before = s!.gateway.subscriptions!.payloads.executions;
    await bus.publish(Streams.VISIBILITY, change(id, 1));
    await Promise.all([...subs, other].map((x) => x.waitFor(1)));
    for (const x of subs)
      expect(x.messages[0]!.data.orderStatusChanged.order.number).toBe(demo.data.oms.orders[5]!.number);
    expect(other.messages[0]!.data.orderStatusChanged.order.channel).toBe(demo.data.oms.orders[5]!.channel);
    expect(s!.gateway.subscriptions!.payloads.executions - before).toBe(2);
  });

  it('should keep delivering to the other members when one of many identical subscribers leaves', async () => {
    const { bus, url } = await start();
    const id = demo.data.oms.orders[6]!.id;
    const q = 'subscription ($o: ID) { orderStatusChanged(orderId: $o) { cause { id } } }';
    const [a, b, c] = [
      collect(client(url), q, { o: id }),
      collect(client(url), q, { o: id }),
      collect(client(url), q, { o: id }),
    ];
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 3, 5000, 'subscribed');
    await bus.publish(Streams.VISIBILITY, change(id, 1));
    await Promise.all([a, b, c].map((x) => x.waitFor(1)));
    b.stop();
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 2, 5000, 'b left');
    await bus.publish(Streams.VISIBILITY, change(id, 2));
    await Promise.all([a, c].map((x) => x.waitFor(2)));
    expect(a.messages.map((m) => m.data.orderStatusChanged.cause.id)).toEqual(['erp:1', 'erp:2']);
    expect(b.messages).toHaveLength(1);
    a.stop();
    c.stop();
    await eventually(
      () => s!.gateway.subscriptions!.subscribers() === 0 && s!.gateway.subscriptions!.hub.size() === 0,
      5000,
      'all gone, hub listener released',
    );
  });

  it('should resume after a cursor with every missed event, in order, without duplicates', async () => {
    const { bus, url } = await start();
    const id = demo.data.oms.orders[7]!.id;
    const first = collect(
      client(url),
      'subscription ($o: ID) { orderStatusChanged(orderId: $o) { cursor orderId cause { id } } }',
      { o: id },
    );
    await eventually(() => s!.gateway.subscriptions!.hub.size() === 1, 3000, 'subscribed');
    await bus.publish(Streams.VISIBILITY, change(id, 1));
    await bus.publish(Streams.VISIBILITY, change(id, 2));
    const seen = await first.waitFor(2);
    const cursor = seen[1]!.data.orderStatusChanged.cursor;
    first.stop();
    // Disconnected: three more changes happen.
    for (const n of [3, 4, 5]) await bus.publish(Streams.VISIBILITY, change(id, n));
    const resumed = collect(
      client(url),
      'subscription ($o: ID, $after: String) { orderStatusChanged(orderId: $o, after: $after) { cursor cause { id } } }',
      { o: id, after: cursor },
    );
    await resumed.waitFor(3);
    await bus.publish(Streams.VISIBILITY, change(id, 6));
    const all = await resumed.waitFor(4);
    await new Promise((r) => setTimeout(r, 100));
    expect(resumed.messages.map((m) => m.data.orderStatusChanged.cause.id)).toEqual([
      'erp:3',
      'erp:4',
      'erp:5',
      'erp:6',
    ]);
    const cursors = all.map((m) => m.data.orderStatusChanged.cursor);
    expect([...cursors].sort()).toEqual(cursors);
  });

  it('should answer CURSOR_EXPIRED for a cursor older than the retained stream', async () => {
    const { bus, url } = await start(new MemoryEventBus({ maxLen: 5 }));
    const id = demo.data.oms.orders[8]!.id;
    const firstId = await bus.publish(Streams.VISIBILITY, change(id, 1));
    for (let n = 2; n <= 12; n++) await bus.publish(Streams.VISIBILITY, change(id, n));
    const sub = collect(client(url), 'subscription ($after: String) { orderStatusChanged(after: $after) { cursor } }', {
      after: firstId,
    });
    // graphql-ws answers a subscription that cannot start with one `next` carrying the errors, then `complete`.
    expect(await sub.ended).toBe('complete');
    expect(sub.messages[0]!.errors![0].extensions.code).toBe('CURSOR_EXPIRED');
    expect(sub.messages[0]!.errors![0].message).toMatch(/older than the retained stream/);
  });

  it('should refuse a malformed cursor and a query sent over the socket with clear errors', async () => {
    const { url } = await start();
    const c = client(url);
    const bad = collect(c, 'subscription { orderStatusChanged(after: "not-a-cursor") { cursor } }');
    await bad.ended;
    expect(bad.messages[0]!.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.messages[0]!.errors![0].message).toMatch(/after must be a cursor from a previous message/);
    const query = collect(c, '{ order(id: "ORD-000001") { id } }');
    expect(JSON.stringify(await query.ended)).toMatch(/only subscriptions run over WebSocket/);
  });

  it('should push each system event of an order with orderEvents', async () => {
    const { bus, url } = await start();
    const id = demo.data.oms.orders[9]!.id;
    const sub = collect(
      client(url),
      'subscription ($o: ID!) { orderEvents(orderId: $o) { cursor id type source orderId occurredAt recordedAt data } }',
      { o: id },
    );
    await eventually(() => s!.gateway.subscriptions!.hub.size() === 1, 3000, 'subscribed');
    await bus.publish(
      Streams.SOURCE,
      cloudEvent({
        id: 'carrier:1',
        source: 'carrier',
        type: 'shipment.tracking_updated',
        subject: id,
        time: '2026-11-01T10:00:00.000Z',
        data: { status: 'IN_TRANSIT' },
      }),
    );
    await bus.publish(
      Streams.SOURCE,
      cloudEvent({
        id: 'carrier:2',
        source: 'carrier',
        type: 'shipment.tracking_updated',
        subject: 'ORD-OTHER',
        time: '2026-11-01T10:00:00.000Z',
        data: {},
      }),
    );
    const [m] = await sub.waitFor(1);
    expect(m!.data.orderEvents).toMatchObject({
      id: 'carrier:1',
      source: 'CARRIER',
      orderId: id,
      data: { status: 'IN_TRANSIT' },
    });
    expect(m!.data.orderEvents.recordedAt).toMatch(/Z$/);
  });

  it('should drop a subscriber that falls too far behind with the documented close code', async () => {
    const { bus, url } = await start(new MemoryEventBus(), { maxQueuedEvents: 5, maxBufferedBytes: 2048 });
    let closed: number | undefined;
    const c = client(url, (code) => (closed = code));
    const big = collect(
      c,
      'subscription { orderStatusChanged { cursor cause { data } order { lines { sku description } } } }',
    );
    await eventually(() => s!.gateway.subscriptions!.hub.size() === 1, 3000, 'subscribed');
    // The client does not stop reading, so pile up faster than the socket drains: a burst larger than both bounds.
    for (let n = 1; n <= 400; n++) void bus.publish(Streams.VISIBILITY, change(demo.data.oms.orders[n % 80]!.id, n));
    await eventually(() => closed !== undefined, 10_000, 'the slow subscriber to be dropped');
    expect(closed).toBe(CloseCode.SlowConsumer);
    void big;
  });

  it('should close a connection that never sends connection_init', async () => {
    const { url } = await start(new MemoryEventBus(), { wsInitTimeoutMs: 200 });
    const { default: WebSocket } = await import('ws');
    const raw = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const code = await new Promise<number>((resolve) => raw.on('close', (c) => resolve(c)));
    expect(code).toBe(4408);
  });
});
