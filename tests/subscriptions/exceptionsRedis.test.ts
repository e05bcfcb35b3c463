/**
 * `exceptionChanged` on the Redis Streams bus (the distributed mode's): the gateway reads the
 * exceptions stream only from its first subscriber on (one more blocking reader then), and pushes
 * the opening and closing a carrier webhook causes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { carrierCodesFor, type ShipmentStatus } from '../../canonical/index.js';
import type { Stack } from '../../embedded/stack.js';
import { Streams } from '../../events/bus.js';
import { RedisEventBus } from '../../events/redis.js';
import { signWebhook } from '../../subgraphs/common/ingest.js';
import { credential } from '../helpers/http.js';
import { cleanupPrefix, describeRedis, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { demo, stack } from '../helpers/stack.js';
import { collect, eventually, wsClient } from '../helpers/ws.js';

const SECRET = 'exception-subscription-redis-0001';
const ORDERS = 60;
const d = demo(ORDERS);

await describeRedis('exceptionChanged on the Redis bus', () => {
  const prefix = uniquePrefix();
  let s: Stack;
  let bus: RedisEventBus;
  beforeAll(async () => {
    bus = new RedisEventBus({ url: redisUrl(), keyPrefix: prefix });
    s = await stack({ orders: ORDERS, bus, webhookSecret: SECRET });
  });
  afterAll(async () => {
    await s?.stop();
    await bus?.close();
    await cleanupPrefix(prefix);
  });

  it('should start reading the exceptions stream on the first subscriber and push an opening and a closing', async () => {
    expect(s.gateway.subscriptions!.hub.streams()).not.toContain(Streams.EXCEPTIONS);
    const client = wsClient(s.gateway.url, { connectionParams: () => credential('ops') });
    try {
      const orderId = d.scenarios['in-transit'][0]!;
      const shipment = d.data.carrier.shipments.find((x) => x.references.orderId === orderId)!;
      const sub = collect(
        client,
        'subscription ($o: ID) { exceptionChanged(orderId: $o, type: DELIVERY_PROBLEM) { change exception { type open order { id } } } }',
        { o: orderId },
      );
      await eventually(() => s.gateway.subscriptions!.hub.size() === 1, 10_000, 'subscribed');
      expect(s.gateway.subscriptions!.hub.streams()).toContain(Streams.EXCEPTIONS);
      const scan = async (id: string, status: ShipmentStatus, at: number) => {
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
        expect(
          (
            await fetch(s.subgraphs.carrier.ingestUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...signWebhook(SECRET, raw) },
              body: raw,
            })
          ).status,
        ).toBe(200);
      };
      const t0 = Date.now();
      await scan('EXC-REDIS-1', 'EXCEPTION', t0);
      await sub.waitFor(1, 15_000);
      await scan('EXC-REDIS-2', 'IN_TRANSIT', t0 + 1000);
      const messages = await sub.waitFor(2, 15_000);
      expect(messages.map((m) => m.data.exceptionChanged)).toEqual([
        { change: 'OPENED', exception: { type: 'DELIVERY_PROBLEM', open: true, order: { id: orderId } } },
        { change: 'CLOSED', exception: { type: 'DELIVERY_PROBLEM', open: false, order: { id: orderId } } },
      ]);
    } finally {
      await client.dispose();
    }
  });
});
