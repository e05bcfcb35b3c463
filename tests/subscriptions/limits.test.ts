import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cloudEvent } from '../../canonical/index.js';
import { generateDemo } from '../../demo/index.js';
import { startStack, type Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { defaultGatewayConfig, gatewayConfigFromEnv, type GatewayConfig } from '../../gateway/config.js';
import { MemoryStatusStore } from '../../gateway/tracker/store.js';
import { credential, gql, salesforceAuthorization } from '../helpers/http.js';
import { collect, eventually, wsClient } from '../helpers/ws.js';

// Issue 16 #4 and #11: one client cannot take more than its share of subscriptions, and a client
// that stops reading its socket is dropped once what it was sent and did not read passes the budget.

const demo = generateDemo({ orders: 80 });
let s: Stack | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await s?.stop();
  s = undefined;
});

async function start(gateway: Partial<GatewayConfig>) {
  const bus = new MemoryEventBus();
  s = await startStack({ data: demo.data, bus, statusStore: new MemoryStatusStore(), gateway });
  return { bus, url: s.gateway.url };
}

function client(url: string, connectionParams?: Record<string, unknown>) {
  const c = wsClient(url, connectionParams ? { connectionParams } : {});
  cleanups.push(() => c.dispose());
  return c;
}

const SUB = 'subscription ($o: ID) { orderStatusChanged(orderId: $o) { cursor status } }';

const change = (orderId: string, n: number) =>
  cloudEvent({
    id: `visibility:${orderId}:${n}`,
    source: 'visibility',
    type: 'order.status_changed',
    subject: orderId,
    time: new Date().toISOString(),
    data: {
      orderId,
      customerId: 'CUST-X',
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
          data: { note: 'x'.repeat(1500) },
        }),
      },
    },
  });

describe('subscription caps', () => {
  it('should refuse the subscription past the per-connection cap with LIMIT_EXCEEDED naming the cap, and accept one again after a complete', async () => {
    const { url } = await start({ maxSubscriptionsPerConnection: 3 });
    const c = client(url);
    const subs = [0, 1, 2].map((i) => collect(c, SUB, { o: `ORD-CAP-${i}` }));
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 3, 3000, 'three running');
    const fourth = collect(c, SUB, { o: 'ORD-CAP-3' });
    const err = (await fourth.ended) as { extensions?: { code?: string }; message?: string }[];
    expect(err[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(err[0]?.message).toMatch(/at most 3 subscriptions per connection \(WS_MAX_SUBSCRIPTIONS_PER_CONNECTION\)/);
    subs[0]!.stop();
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 2, 3000, 'one completed');
    collect(c, SUB, { o: 'ORD-CAP-4' });
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 3, 3000, 'a new one accepted');
  });

  it('should refuse past the per-caller cap over all its connections, while another caller still subscribes', async () => {
    const { url } = await start({ maxSubscriptionsPerConnection: 3, maxSubscriptionsPerCaller: 4 });
    const a1 = client(url);
    const a2 = client(url);
    for (let i = 0; i < 3; i++) collect(a1, SUB, { o: `ORD-A-${i}` });
    collect(a2, SUB, { o: 'ORD-A-3' });
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 4, 3000, 'four running');
    const fifth = (await collect(a2, SUB, { o: 'ORD-A-4' }).ended) as {
      extensions?: { code?: string };
      message?: string;
    }[];
    expect(fifth[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(fifth[0]?.message).toMatch(/at most 4 subscriptions per caller .*WS_MAX_SUBSCRIPTIONS_PER_CALLER/);
    const other = client(url, await credential('ops'));
    collect(other, SUB, { o: 'ORD-B-0' });
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 5, 3000, 'another caller subscribed');
    // Closing a connection gives its share back.
    await a1.dispose();
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 2, 3000, 'a1 closed');
    collect(a2, SUB, { o: 'ORD-A-5' });
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 3, 3000, 'a2 subscribes again');
  });
});

describe('per-consumer subscription caps', () => {
  it('should cap a shopper at the storefront cap (20 by default), below the general per-caller cap, while an agent subscribes past it', async () => {
    const { url } = await start({});
    const order = demo.data.oms.orders[0]!;
    const shopper = await credential('storefront', { customerId: order.customerId });
    const c1 = client(url, shopper);
    const c2 = client(url, shopper);
    for (let i = 0; i < 12; i++) collect(c1, SUB, { o: order.id });
    for (let i = 0; i < 8; i++) collect(c2, SUB, { o: order.id });
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 20, 3000, 'twenty running');
    const next = (await collect(c2, SUB, { o: order.id }).ended) as {
      extensions?: { code?: string };
      message?: string;
    }[];
    expect(next[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(next[0]?.message).toMatch(
      /at most 20 subscriptions per storefront caller over all its connections \(WS_MAX_SUBSCRIPTIONS_PER_STOREFRONT\); storefront .* already has 20/,
    );
    // The Salesforce org (one identity for every agent) keeps the general cap.
    const agent = client(url);
    for (let i = 0; i < 25; i++) collect(agent, SUB, { o: order.id });
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 45, 3000, 'the agent past twenty');
  });

  it("should refuse a subscribe past the cap before it spends the caller's quota", async () => {
    // 12 a minute with 20 s of burst: 4 requests at once, then one every 5 s.
    const { url } = await start({
      maxSubscriptionsByConsumer: { storefront: 2 },
      quotas: { ...defaultGatewayConfig().quotas, storefront: 12 },
    });
    const order = demo.data.oms.orders[0]!;
    const shopper = await credential('storefront', { customerId: order.customerId });
    const c = client(url, shopper);
    collect(c, SUB, { o: order.id });
    collect(c, SUB, { o: order.id });
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 2, 3000, 'two running');
    const refused = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const errors = (await collect(c, SUB, { o: order.id }).ended) as { extensions?: { code?: string } }[];
        return errors[0]?.extensions?.code;
      }),
    );
    expect(refused).toEqual(Array(6).fill('LIMIT_EXCEEDED'));
    // The refused subscribes took none of the shopper's requests: two of the four are left.
    for (let i = 0; i < 2; i++) {
      const r = await gql(url, 'query ($id: ID!) { order(id: $id) { id status } }', { id: order.id }, shopper);
      expect(r.status).toBe(200);
      expect(r.body.data?.order?.id).toBe(order.id);
    }
    const past = await gql(url, 'query ($id: ID!) { order(id: $id) { id } }', { id: order.id }, shopper);
    expect(past.status).toBe(429);
  });

  it('should read WS_MAX_SUBSCRIPTIONS_PER_<CONSUMER> over the defaults and refuse a value that is not a count', () => {
    expect(gatewayConfigFromEnv({}).maxSubscriptionsByConsumer).toEqual({ storefront: 20 });
    expect(
      gatewayConfigFromEnv({ WS_MAX_SUBSCRIPTIONS_PER_STOREFRONT: '5', WS_MAX_SUBSCRIPTIONS_PER_PARTNER: '50' })
        .maxSubscriptionsByConsumer,
    ).toEqual({ storefront: 5, partner: 50 });
    expect(() => gatewayConfigFromEnv({ WS_MAX_SUBSCRIPTIONS_PER_STOREFRONT: 'many' })).toThrow(
      /WS_MAX_SUBSCRIPTIONS_PER_STOREFRONT/,
    );
  });
});

describe('a subscriber that stops reading (issue 16 #11)', () => {
  it('should be dropped once the bytes it was sent and did not read pass WS_MAX_UNACKED_BYTES, though the kernel buffers them', async () => {
    // ws's own buffer limit is far away: only what the client has not acknowledged can trip.
    const { bus, url } = await start({
      maxUnackedBytes: 64 * 1024,
      maxBufferedBytes: 64 * 1024 * 1024,
      maxQueuedEvents: 100_000,
    });
    const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    cleanups.push(() => ws.terminate());
    await new Promise((r) => ws.once('open', r));
    const received: string[] = [];
    ws.on('message', (m) => received.push(String(m)));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: await salesforceAuthorization() } }));
    await eventually(() => received.some((m) => m.includes('connection_ack')), 3000, 'connection_ack');
    ws.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: { query: 'subscription { orderStatusChanged { cursor cause { data } } }' },
      }),
    );
    await eventually(() => s!.gateway.subscriptions!.subscribers() === 1, 3000, 'subscribed');
    // One event read, then the client stops reading its socket (no more data, no more pongs).
    const id = demo.data.oms.orders[1]!.id;
    await bus.publish(Streams.VISIBILITY, change(id, 1));
    await eventually(() => received.some((m) => m.includes('"next"')), 3000, 'a first event');
    ws.pause();
    // ~200 KB: more than the budget, far less than what loopback send and receive buffers hold.
    for (let n = 2; n <= 120; n++) await bus.publish(Streams.VISIBILITY, change(id, n));
    await eventually(() => s!.gateway.subscriptions!.clients() === 0, 15_000, 'the paused subscriber to be dropped');
    expect(s!.gateway.subscriptions!.subscribers()).toBe(0);
  });
});
