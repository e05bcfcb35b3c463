import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import {
  as,
  byHash,
  fixtures,
  manifestOp,
  post,
  socket,
  subscribe,
  until,
  world,
  type Fixtures,
  type Subscription,
} from './harness.js';
import { stack } from '../helpers/stack.js';

/**
 * PERSISTED_ONLY_CONSUMERS=storefront (beside partner, always): the storefront too may run only its
 * manifest operations, over HTTP and graphql-ws. graphql-ws requires a `query` string, so a client
 * running a persisted subscription by hash sends an empty one (or the operation's exact text).
 */

let s: Stack;
let bus: MemoryEventBus;
let f: Fixtures;
const cleanups: (() => unknown)[] = [];
beforeAll(async () => {
  bus = new MemoryEventBus();
  s = await stack({ data: world().data, bus, gateway: { persistedOnlyConsumers: ['partner', 'storefront'] } });
  f = fixtures();
});
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
  await s?.stop();
});

const change = (orderId: string, customerId: string, n: number) =>
  cloudEvent({
    id: `visibility:${orderId}:po-${n}`,
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
          id: `erp:po-${n}`,
          source: 'erp',
          type: 'order.hold_placed',
          subject: orderId,
          time: '2026-11-01T10:00:00.000Z',
          data: {},
        }),
      },
    },
  });

async function openAsA() {
  const { client } = socket(s.gateway.url, await as.customer(f.customerA));
  cleanups.push(() => client.dispose());
  return client;
}

const refusedCode = async (sub: Subscription): Promise<string | undefined> =>
  ((await sub.waitEnded()) as { extensions?: { code?: string } }[])[0]?.extensions?.code;

describe('a persisted-only storefront', () => {
  it('should run its persisted subscription by hash alone (an empty query) and with its exact text', async () => {
    const op = manifestOp('ShopperOrderStatusChanged');
    const client = await openAsA();
    const vars = { orderId: f.orderA, customerId: f.customerA };
    const byHashAlone = subscribe(client, { query: '', ...byHash(op.id, vars) });
    const withText = subscribe(client, { query: op.body, ...byHash(op.id, vars) });
    await until(
      () => s.gateway.subscriptions!.subscribers() >= 2 || byHashAlone.ended !== undefined,
      3000,
      () => 'subscribed',
    );
    expect(byHashAlone.ended).toBeUndefined();
    await bus.publish(Streams.VISIBILITY, change(f.orderA, f.customerA, 1));
    for (const sub of [byHashAlone, withText]) {
      const [m] = await sub.waitFor(1);
      expect(m!.data.orderStatusChanged).toMatchObject({
        orderId: f.orderA,
        status: 'ON_HOLD',
        order: { id: f.orderA },
      });
    }
  });

  it("should be refused an ad-hoc subscription, another client's and a text that does not match the hash", async () => {
    const client = await openAsA();
    const op = manifestOp('ShopperOrderStatusChanged');
    const lwc = manifestOp('AgentOrderStatusChanged');
    const subs = [
      subscribe(client, { query: 'subscription { orderStatusChanged { orderId } }' }),
      subscribe(client, { query: '', ...byHash(lwc.id, { orderId: f.orderA }) }),
      subscribe(client, {
        query: 'subscription ($orderId: ID!) { orderStatusChanged(orderId: $orderId) { orderId cause { data } } }',
        ...byHash(op.id, { orderId: f.orderA }),
      }),
    ];
    for (const sub of subs) expect(await refusedCode(sub)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
  });

  it('should be refused an ad-hoc query over HTTP and run its manifest query by hash', async () => {
    const A = await as.customer(f.customerA);
    const adHoc = await post(s.gateway.url, { query: '{ orders { totalCount } }' }, A);
    expect(adHoc.status).toBe(403);
    const history = await post(
      s.gateway.url,
      byHash(manifestOp('ShopperOrderHistory').id, { customerId: f.customerA }),
      A,
    );
    expect(history.body.data.orders.totalCount).toBe(f.ordersOfA.length);
  });
});
