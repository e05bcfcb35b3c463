import { afterEach, describe, expect, it } from 'vitest';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { gql } from '../helpers/http.js';
import { collect, eventually, wsClient } from '../helpers/ws.js';

const SECRET = 'change-path-test-secret-0123';
let s: Stack | undefined;
let bus: MemoryEventBus;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await s?.stop();
  s = undefined;
});

async function start() {
  const demo = generateDemo({ orders: 120 });
  bus = new MemoryEventBus();
  s = await startStack({
    data: demo.data,
    bus,
    statusStore: new MemoryStatusStore(),
    seedTracker: true,
    webhookSecret: SECRET,
  });
  await s.gateway.tracker!.whenSeeded();
  return demo;
}

/** Sends a system's native webhook, signed, over real HTTP. */
async function webhook(system: keyof Stack['subgraphs'], body: object): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const res = await fetch(s!.subgraphs[system].ingestUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
    body: raw,
  });
  return { status: res.status, body: await res.json() };
}

function subscribe(query: string, variables?: Record<string, unknown>) {
  const c = wsClient(s!.gateway.url);
  cleanups.push(() => c.dispose());
  return collect(c, query, variables);
}

const changesFor = async (orderId: string) =>
  (await bus.read(Streams.VISIBILITY, { count: 10_000 })).filter((e) => e.event.subject === orderId);

const hold = (id: string, orderId: string, postedAt: string, eventType = 'HOLD_PLACED') => ({
  notificationId: id,
  eventType,
  postedAt,
  salesOrder: { orderRef: orderId },
  hold: { type: 'FRAUD', reason: 'velocity check' },
});

describe('change path end to end: webhook → bus → tracker → subscriber', () => {
  it('should push a status change to a WebSocket subscriber after an ERP webhook is accepted', async () => {
    const demo = await start();
    const id = demo.scenarios.allocated[0]!;
    const sub = subscribe(
      `subscription ($o: ID) { orderStatusChanged(orderId: $o) { cursor previousStatus status cause { type source } order { status holds { type releasedAt } } } }`,
      { o: id },
    );
    await eventually(() => s!.gateway.subscriptions!.hub.size() === 1, 3000, 'subscribed');
    const answer = await webhook('erp', hold('ERP-E2E-1', id, '2026-11-20T10:00:00Z'));
    expect(answer.status).toBe(200);
    const [m] = await sub.waitFor(1);
    expect(m!.data.orderStatusChanged).toMatchObject({
      previousStatus: 'ALLOCATED',
      status: 'ON_HOLD',
      cause: { type: 'order.hold_placed', source: 'ERP' },
      order: { status: 'ON_HOLD' },
    });
    expect(m!.data.orderStatusChanged.order.holds).toContainEqual({ type: 'FRAUD', releasedAt: null });
  });

  it('should fetch the ERP once per change: the subscription payload reuses the slice the tracker just read', async () => {
    const demo = await start();
    const [a, b, c] = demo.scenarios['in-fulfillment'].slice(0, 3) as [string, string, string];
    // Another selection than the tracker's: its plan asks the ERP the same thing (status's
    // @requires) under another operation name, so only a key on what is asked can share it.
    const sub = subscribe(`subscription { orderStatusChanged { orderId status order { number status } } }`);
    await eventually(() => s!.gateway.subscriptions!.hub.size() === 1, 3000, 'subscribed');
    const before = s!.gateway.upstreamFetches().erp!;
    for (const [n, id] of [a, b, c].entries())
      expect((await webhook('erp', hold(`ERP-ONCE-${n}`, id, '2026-11-20T10:00:00Z'))).status).toBe(200);
    const frames = await sub.waitFor(3);
    expect(frames.map((m) => m.data.orderStatusChanged.order.status)).toEqual(['ON_HOLD', 'ON_HOLD', 'ON_HOLD']);
    expect(s!.gateway.upstreamFetches().erp! - before).toBe(3);
  });

  it('should publish exactly one status change for duplicate and out-of-order webhooks', async () => {
    const demo = await start();
    const id = demo.scenarios.allocated[1]!;
    const placed = hold('ERP-DUP-1', id, '2026-11-20T10:00:00Z');
    const released = hold('ERP-DUP-2', id, '2026-11-20T11:00:00Z', 'HOLD_RELEASED');
    expect((await webhook('erp', placed)).status).toBe(200);
    expect((await webhook('erp', released)).status).toBe(200);
    // The hold notice again (a replay), and again under a new id but older than the release (out of order).
    expect((await webhook('erp', placed)).body.status).toBe('duplicate');
    expect(
      (await webhook('erp', { ...placed, notificationId: 'ERP-DUP-3', postedAt: '2026-11-20T09:00:00Z' })).body.status,
    ).toBe('stale');
    await eventually(async () => (await changesFor(id)).length === 2, 5000, 'two changes');
    await new Promise((r) => setTimeout(r, 300));
    const statuses = (await changesFor(id)).map((e) => (e.event.data as any).status);
    expect(statuses).toEqual(['ON_HOLD', 'ALLOCATED']);
    const r = await gql(s!.gateway.url, 'query ($id: ID!) { order(id: $id) { status } }', { id });
    expect(r.body.data.order.status).toBe('ALLOCATED');
  });

  it('should apply events for both shipments of a split order', async () => {
    const demo = await start();
    const id = demo.scenarios['partially-shipped'][0]!;
    const fos = demo.data.oms.fulfillmentOrders.filter((f) => f.orderId === id);
    const wmsFos = demo.data.wms.fulfillmentOrders.filter((f) => f.orderId === id);
    const open = fos.find((f) => wmsFos.find((w) => w.id === f.id)?.status !== 'SHIPPED')!;
    expect(fos.length).toBeGreaterThanOrEqual(2);
    const answer = await webhook('wms', {
      messageId: 'WMS-SPLIT-2',
      messageType: 'SHIP_CONFIRM',
      occurredAt: '2026-11-20T12:00:00Z',
      nodeId: open.nodeId,
      orderId: id,
      fulfillmentOrderId: open.id,
      shipments: [
        { shipmentId: `${open.id}-S`, carrier: 'UPS', trackingNumber: '1ZSPLIT000000002', lines: open.lines },
      ],
    });
    expect(answer.status).toBe(200);
    await eventually(
      async () => (await changesFor(id)).some((e) => (e.event.data as any).status === 'SHIPPED'),
      5000,
      'SHIPPED',
    );
    const r = await gql(s!.gateway.url, 'query ($id: ID!) { order(id: $id) { status shipments { id } } }', { id });
    expect(r.body.data.order.status).toBe('SHIPPED');
    expect(r.body.data.order.shipments.length).toBeGreaterThanOrEqual(2);
  });

  it('should refuse an unsigned webhook and publish nothing', async () => {
    const demo = await start();
    const id = demo.scenarios.allocated[2]!;
    const raw = JSON.stringify(hold('ERP-FORGED', id, '2026-11-20T10:00:00Z'));
    const res = await fetch(s!.subgraphs.erp.ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signWebhook('not-the-secret-0123456789', raw) },
      body: raw,
    });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(await changesFor(id)).toEqual([]);
    expect((await bus.read(Streams.SOURCE, { count: 10_000 })).filter((e) => e.event.subject === id)).toEqual([]);
  });
});
