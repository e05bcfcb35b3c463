import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_STATUSES, type OrderStatus } from '../../canonical/index.js';
import { generateDemo, SYSTEM_NAMES } from '../../demo/index.js';
import type { SystemName } from '../../demo/records.js';
import { MemoryEventBus } from '../../events/memory.js';
import { defaultGatewayConfig } from '../../gateway/config.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import { createLogger } from '../../runtime/logger.js';
import type { RunningService } from '../../runtime/http.js';
import { gql } from '../helpers/http.js';
import { after, post, startSubgraph } from './harness.js';

// The five subgraphs with ingest and the gateway in front: one new order is driven through every
// OrderStatus by nothing but the systems' own webhooks, read back through the federated graph.
let services: Record<SystemName, RunningService>;
let gateway: GatewayService;
const bus = new MemoryEventBus();
beforeAll(async () => {
  const { data } = generateDemo({ orders: 30 });
  const started = await Promise.all(SYSTEM_NAMES.map((n) => startSubgraph(n, data, bus)));
  services = Object.fromEntries(SYSTEM_NAMES.map((n, i) => [n, started[i]!])) as Record<SystemName, RunningService>;
  gateway = await startGateway(
    defaultGatewayConfig({ port: 0, subgraphUrls: Object.fromEntries(SYSTEM_NAMES.map((n) => [n, services[n].url])) }),
    { logger: createLogger('gateway', 'silent') },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await Promise.all(Object.values(services ?? {}).map((s) => s.stop()));
  await bus.close();
});

let minute = 0;
const usd = (amount: string) => ({ amount, currency: 'USD' });
async function send(system: SystemName, body: Record<string, unknown>): Promise<void> {
  const r = await post(`${services[system].origin}/ingest`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.status).toBe('applied');
}
const oms = (orderId: string, eventType: string, extra: object = {}) =>
  send('oms', { eventId: `o${++minute}`, eventType, eventTime: after(minute), orderId, ...extra });
const erp = (orderId: string, eventType: string, extra: object = {}) =>
  send('erp', {
    notificationId: `e${++minute}`,
    eventType,
    postedAt: after(minute),
    salesOrder: { orderRef: orderId, salesOrderId: `SO-${orderId}` },
    ...extra,
  });
const wms = (orderId: string, fo: string, nodeId: string, messageType: string, extra: object = {}) =>
  send('wms', {
    messageId: `w${++minute}`,
    messageType,
    occurredAt: after(minute),
    nodeId,
    orderId,
    fulfillmentOrderId: fo,
    ...extra,
  });
const delivered = (orderId: string, shipmentId: string, trackingNumber: string) =>
  send('carrier', {
    eventId: `c${++minute}`,
    carrier: 'UPS',
    trackingNumber,
    references: { shipmentId, orderId },
    scans: [{ code: 'D', occurredAt: after(minute), description: 'Delivered' }],
  });
const requestReturn = (orderId: string, id: string, lines: object[]) =>
  send('returns', {
    webhookId: `r${++minute}`,
    topic: 'return.requested',
    createdAt: after(minute),
    return: { id, orderId, channel: 'WEB', lines },
  });
const receive = (orderId: string, returnId: string, lines: object[]) =>
  send('wms', {
    messageId: `w${++minute}`,
    messageType: 'RETURN_RECEIPT',
    occurredAt: after(minute),
    nodeId: 'DC-EAST',
    orderId,
    returnId,
    lines,
  });

const create = (orderId: string, number: string) =>
  oms(orderId, 'ORDER_CREATED', {
    order: {
      number,
      channel: 'WEB',
      customer: { id: 'CUST-90001', name: 'Ada Lovelace' },
      lines: [
        { lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 2 },
        { lineNumber: 2, sku: 'HOM-MUG-2PK', quantity: 1 },
      ],
    },
  });
const ship = async (
  orderId: string,
  fo: string,
  node: string,
  shipmentId: string,
  lines: object[],
  steps = ['PICK_START', 'PICK_CONFIRM', 'PACK_CONFIRM'],
) => {
  for (const step of steps) await wms(orderId, fo, node, step);
  await wms(orderId, fo, node, 'SHIP_CONFIRM', {
    shipments: [{ shipmentId, carrier: 'UPS', trackingNumber: `1Z${shipmentId}`, lines }],
  });
};

async function status(orderId: string): Promise<OrderStatus> {
  const r = await gql(gateway.url, 'query ($id: ID!) { order(id: $id) { status } }', { id: orderId });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data.order.status;
}

describe('every OrderStatus through webhooks', () => {
  it('should take one new order through every status, and another to CANCELLED, as the gateway derives it', async () => {
    const id = 'ORD-900001';
    const seen: OrderStatus[] = [];
    const step = async (work: () => Promise<void>, expected: OrderStatus) => {
      await work();
      expect(await status(id)).toBe(expected);
      seen.push(expected);
    };
    await step(() => create(id, 'W9000001'), 'PENDING');
    await step(
      () =>
        erp(id, 'SALES_ORDER_ACCEPTED', {
          totals: { subtotal: usd('80.00'), tax: usd('6.40'), shipping: usd('5.95'), total: usd('92.35') },
        }),
      'ACCEPTED',
    );
    await step(() => erp(id, 'HOLD_PLACED', { hold: { type: 'ADDRESS' } }), 'ON_HOLD');
    await step(() => erp(id, 'HOLD_RELEASED', { hold: { type: 'ADDRESS' } }), 'ACCEPTED');
    await step(
      () =>
        oms(id, 'ORDER_BACKORDERED', {
          backorders: [
            { lineNumber: 1, backorderedQuantity: 2 },
            { lineNumber: 2, backorderedQuantity: 1 },
          ],
        }),
      'BACKORDERED',
    );
    await step(async () => {
      await wms(id, 'FO-900001-1', 'DC-EAST', 'RELEASE');
      await oms(id, 'ORDER_ALLOCATED', {
        fulfillmentOrder: { id: 'FO-900001-1', nodeId: 'DC-EAST', lines: [{ lineNumber: 1, quantity: 2 }] },
      });
    }, 'PARTIALLY_ALLOCATED');
    await step(async () => {
      await wms(id, 'FO-900001-2', 'STORE-0012', 'RELEASE');
      await oms(id, 'ORDER_ALLOCATED', {
        fulfillmentOrder: { id: 'FO-900001-2', nodeId: 'STORE-0012', lines: [{ lineNumber: 2, quantity: 1 }] },
      });
    }, 'ALLOCATED');
    await step(async () => {
      await wms(id, 'FO-900001-1', 'DC-EAST', 'PICK_START');
      await wms(id, 'FO-900001-1', 'DC-EAST', 'PICK_CONFIRM');
    }, 'IN_FULFILLMENT');
    await step(
      () => ship(id, 'FO-900001-2', 'STORE-0012', 'SHP-900001-2', [{ lineNumber: 2, quantity: 1 }]),
      'PARTIALLY_SHIPPED',
    );
    await step(
      () => ship(id, 'FO-900001-1', 'DC-EAST', 'SHP-900001-1', [{ lineNumber: 1, quantity: 2 }], ['PACK_CONFIRM']),
      'SHIPPED',
    );
    await step(() => delivered(id, 'SHP-900001-1', '1ZSHP-900001-1'), 'PARTIALLY_DELIVERED');
    await step(() => delivered(id, 'SHP-900001-2', '1ZSHP-900001-2'), 'DELIVERED');
    await step(() => requestReturn(id, 'RET-900001-1', [{ lineNumber: 1, quantity: 1 }]), 'RETURN_INITIATED');
    await step(
      () => receive(id, 'RET-900001-1', [{ lineNumber: 1, quantity: 1, disposition: 'RESTOCK' }]),
      'PARTIALLY_RETURNED',
    );
    await step(async () => {
      await requestReturn(id, 'RET-900001-2', [
        { lineNumber: 1, quantity: 1 },
        { lineNumber: 2, quantity: 1 },
      ]);
      await receive(id, 'RET-900001-2', [
        { lineNumber: 1, quantity: 1, disposition: 'DAMAGED' },
        { lineNumber: 2, quantity: 1, disposition: 'SCRAP' },
      ]);
    }, 'RETURNED');

    await create('ORD-900002', 'W9000002');
    await oms('ORD-900002', 'ORDER_CANCELLED', { reasonCode: 'CUSTOMER_REQUEST' });
    expect(await status('ORD-900002')).toBe('CANCELLED');
    expect(new Set([...seen, 'CANCELLED'])).toEqual(new Set(ORDER_STATUSES));
  });
});
