import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cloudEvent } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import type { MemoryEventBus } from '../../events/memory.js';
import { devToken } from '../../gateway/auth/devCredentials.js';
import {
  accessStack,
  as,
  badTokens,
  byHash,
  fixtures,
  manifestOp,
  sleep,
  socket,
  subscribe,
  until,
  type Fixtures,
} from './harness.js';

/**
 * graphql-ws on the gateway's /graphql: the credential travels in connection_init and is checked as
 * over HTTP (4401 when missing, refused or expired, also later, when the token expires on an open
 * socket); a browser page from an origin not in CORS_ORIGINS cannot open a socket; partners run no
 * ad-hoc subscription; and a subscriber reads the fields it may read, as over HTTP.
 */

let s: Stack;
let bus: MemoryEventBus;
let f: Fixtures;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  ({ s, bus } = (await accessStack({ live: true })) as { s: Stack; bus: MemoryEventBus });
  f = fixtures();
});
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
  await s?.stop();
});

const ALLOWED_ORIGIN = 'https://x.lightning.force.com';
const STATUS = 'subscription ($o: ID) { orderStatusChanged(orderId: $o) { orderId status } }';

function open(params: Record<string, unknown>, headers?: Record<string, string>) {
  const ws = socket(s.gateway.url, params, headers);
  cleanups.push(() => ws.client.dispose());
  return ws;
}

/** Opens a socket with `params` and waits for the server to close it; returns the close code and reason. */
async function closedWith(params: Record<string, unknown>): Promise<{ code?: number; reason?: string }> {
  const { client, closed } = open(params);
  const sub = subscribe(client, { query: STATUS, variables: { o: f.orderA } });
  await until(
    () => closed.code !== undefined,
    5000,
    () => 'the server closed the socket',
  );
  expect(sub.messages).toEqual([]);
  return closed;
}

/** The HTTP status of a WebSocket upgrade sent with `origin`, or 101 when it was accepted. */
function upgradeStatus(origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(s.gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { origin });
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.on('upgrade', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => reject(err));
  });
}

describe('credentials over graphql-ws', () => {
  it('should close a connection whose connection_init carries no credential with 4401', async () => {
    const closed = await closedWith({});
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/^Unauthorized/);
  });

  it.each(['forged', 'expired', 'wrongAudience', 'wrongIssuer'] as const)(
    'should close a connection with the %s token with 4401',
    async (kind) => {
      const tokens = await badTokens(f.customerA);
      expect((await closedWith({ authorization: `Bearer ${tokens[kind]}` })).code).toBe(4401);
    },
  );

  it('should close a connection with an unknown API key with 4401', async () => {
    const key = (await as.partner(f.partnerNode))['x-api-key']!;
    expect((await closedWith({ 'x-api-key': `${key.slice(0, -2)}xx` })).code).toBe(4401);
  });

  it('should close an open socket with 4401 once its token expires, ending its subscriptions', async () => {
    const token = await devToken('storefront', { customerId: f.customerA, ttlSeconds: 2 });
    const expiresAt = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).exp * 1000;
    const before = s.gateway.subscriptions!.subscribers();
    const { client, closed } = open({ authorization: `Bearer ${token}` });
    const sub = subscribe(client, { query: STATUS, variables: { o: f.orderA } });
    // Accepted while the token is valid.
    await until(
      () => s.gateway.subscriptions!.subscribers() > before || closed.code !== undefined,
      2000,
      () => 'subscribed',
    );
    expect(closed.code).toBeUndefined();
    await until(
      () => closed.code !== undefined,
      5000,
      () => 'closed at expiry',
    );
    const at = Date.now();
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/expired/);
    expect(at).toBeGreaterThanOrEqual(expiresAt - 50);
    expect(at - expiresAt).toBeLessThan(1500);
    await sub.waitEnded(2000);
  });
});

describe('origins over graphql-ws', () => {
  it('should refuse the upgrade (403) from a browser origin not in CORS_ORIGINS', async () => {
    expect(await upgradeStatus('https://evil.example')).toBe(403);
    expect(await upgradeStatus('https://x.lightning.force.com.evil.example')).toBe(403);
  });

  it('should accept the upgrade from an allowed origin, and a subscription on it', async () => {
    expect(await upgradeStatus(ALLOWED_ORIGIN)).toBe(101);
    const before = s.gateway.subscriptions!.subscribers();
    const { client, closed } = open(await as.salesforce(), { origin: ALLOWED_ORIGIN });
    const sub = subscribe(client, { query: STATUS, variables: { o: f.orderA } });
    await until(
      () => s.gateway.subscriptions!.subscribers() > before,
      3000,
      () => 'subscribed',
    );
    expect(closed.code).toBeUndefined();
    expect(sub.ended).toBeUndefined();
    sub.stop();
  });
});

describe('persisted operations over graphql-ws', () => {
  it("should refuse a partner an ad-hoc subscription, and another client's, with PERSISTED_QUERY_NOT_ALLOWED", async () => {
    const { client } = open(await as.partner(f.partnerNode));
    const adHoc = subscribe(client, { query: STATUS, variables: { o: f.ordersOfPartner[0] } });
    const lwc = manifestOp('AgentOrderStatusChanged');
    const others = subscribe(client, { query: lwc.body, ...byHash(lwc.id, { orderId: f.ordersOfPartner[0] }) });
    for (const sub of [adHoc, others]) {
      const ended = (await sub.waitEnded()) as { extensions?: { code?: string } }[];
      expect(Array.isArray(ended), JSON.stringify(ended)).toBe(true);
      expect(ended[0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
      expect(sub.messages).toEqual([]);
    }
  });

  it("should run the storefront's persisted subscription by hash for its own order", async () => {
    const op = manifestOp('ShopperOrderStatusChanged');
    const { client } = open(await as.customer(f.customerA));
    const before = s.gateway.subscriptions!.hub.size();
    const sub = subscribe(client, { query: '', ...byHash(op.id, { orderId: f.orderA, customerId: f.customerA }) });
    await until(
      () => s.gateway.subscriptions!.hub.size() > before,
      3000,
      () => 'subscribed',
    );
    await bus.publish(Streams.VISIBILITY, change(f.orderA, f.customerA, 'persisted-1', {}));
    const [m] = await sub.waitFor(1);
    expect(m!.data.orderStatusChanged).toMatchObject({ orderId: f.orderA, status: 'ON_HOLD', order: { id: f.orderA } });
    sub.stop();
  });
});

/** A status change as the tracker publishes it, caused by an ERP event carrying `causeData`. */
const change = (orderId: string, customerId: string, id: string, causeData: Record<string, unknown>) =>
  cloudEvent({
    id: `visibility:${id}`,
    source: 'visibility',
    type: 'order.status_changed',
    subject: orderId,
    time: new Date().toISOString(),
    data: {
      orderId,
      customerId,
      previousStatus: 'ALLOCATED',
      status: 'ON_HOLD',
      version: 1,
      cause: {
        cursor: '1-0',
        event: cloudEvent({
          id: `erp:${id}`,
          source: 'erp',
          type: 'order.accepted',
          subject: orderId,
          time: '2026-11-01T10:00:00.000Z',
          data: causeData,
        }),
      },
    },
  });

describe('field rules over graphql-ws', () => {
  it('should not hand a storefront subscriber the internal fields of its own order', async () => {
    const SECRET = 'SO-INTERNAL-4711';
    const q = `subscription ($o: ID) {
      a: orderStatusChanged(orderId: $o) { orderId cause { type data } order { id erpSalesOrderId holds { reason } statusDetail { facts { fact } } } }
    }`;
    const events = 'subscription ($o: ID!) { orderEvents(orderId: $o) { orderId type data } }';
    const shopper = open(await as.customer(f.customerA)).client;
    const agent = open(await as.salesforce()).client;
    const before = s.gateway.subscriptions!.hub.size();
    const subs = {
      shopper: subscribe(shopper, { query: q, variables: { o: f.orderA } }),
      shopperEvents: subscribe(shopper, { query: events, variables: { o: f.orderA } }),
      agent: subscribe(agent, { query: q, variables: { o: f.orderA } }),
      agentEvents: subscribe(agent, { query: events, variables: { o: f.orderA } }),
    };
    await until(
      () => s.gateway.subscriptions!.hub.size() >= before + 4,
      3000,
      () => 'subscribed',
    );
    // The ERP's acceptance of A's order, carrying the ERP's own sales order id (an internal field).
    await bus.publish(
      Streams.SOURCE,
      cloudEvent({
        id: 'erp:leak-1',
        source: 'erp',
        type: 'order.accepted',
        subject: f.orderA,
        time: new Date().toISOString(),
        data: { erpSalesOrderId: SECRET, total: null },
      }),
    );
    await bus.publish(
      Streams.VISIBILITY,
      change(f.orderA, f.customerA, 'leak-1', { erpSalesOrderId: SECRET, total: null }),
    );
    for (const sub of Object.values(subs)) await sub.waitFor(1);
    await sleep(100);

    // Salesforce reads everything: the test is about who reads, not about what is there.
    expect(JSON.stringify(subs.agent.messages)).toContain(SECRET);
    expect(JSON.stringify(subs.agentEvents.messages)).toContain(SECRET);
    expect(subs.agent.messages[0]!.data.a.order.erpSalesOrderId).toEqual(expect.any(String));

    for (const name of ['shopper', 'shopperEvents'] as const) {
      const text = JSON.stringify(subs[name].messages);
      expect(text, name).not.toContain(SECRET);
    }
    const [m] = subs.shopper.messages;
    expect(m!.data.a).toMatchObject({
      orderId: f.orderA,
      cause: { type: 'order.accepted', data: null },
      order: { id: f.orderA, erpSalesOrderId: null, statusDetail: { facts: null } },
    });
    for (const h of m!.data.a.order.holds) expect(h.reason).toBeNull();
    // One FORBIDDEN error for each internal field where it appears, as over HTTP.
    const expected = [
      'Order.erpSalesOrderId',
      'OrderEvent.data',
      'StatusExplanation.facts',
      ...(m!.data.a.order.holds.length ? ['Hold.reason'] : []),
    ];
    expect(m!.errors?.map((e) => e.extensions?.field).sort()).toEqual(expected.sort());
    for (const e of m!.errors!) expect(e.extensions!.code).toBe('FORBIDDEN');
    expect(m!.errors!.find((e) => e.extensions!.field === 'Order.erpSalesOrderId')!.path).toEqual([
      'a',
      'order',
      'erpSalesOrderId',
    ]);
    const [e] = subs.shopperEvents.messages;
    expect(e!.data.orderEvents).toMatchObject({ orderId: f.orderA, type: 'order.accepted', data: null });
    expect(e!.errors?.map((x) => [x.extensions?.code, x.extensions?.field])).toEqual([
      ['FORBIDDEN', 'OrderEvent.data'],
    ]);
    for (const sub of Object.values(subs)) sub.stop();
  });
});
