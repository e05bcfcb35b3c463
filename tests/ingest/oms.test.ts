import { afterEach, describe, expect, it } from 'vitest';
import type { OmsNotification } from '../../subgraphs/oms/ingest.js';
import { after, harness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ORDER_ID = 'ORD-900001';
const created: OmsNotification = {
  eventId: 'e-1',
  eventType: 'ORDER_CREATED',
  eventTime: after(1),
  orderId: ORDER_ID,
  order: {
    number: 'W9000001',
    channel: 'WEB',
    customer: {
      id: 'CUST-90001',
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      salesforceAccountId: '001900000000001AAA',
    },
    lines: [
      { lineNumber: 1, sku: 'APP-TEE-S-BLK', description: 'Organic cotton tee', quantity: 2 },
      { lineNumber: 2, sku: 'HOM-MUG-2PK', quantity: 1 },
    ],
  },
};
const event = (
  eventId: string,
  eventType: OmsNotification['eventType'],
  minutes: number,
  extra: Partial<OmsNotification> = {},
): OmsNotification => ({ eventId, eventType, eventTime: after(minutes), orderId: ORDER_ID, ...extra });

/** The derived status as the gateway would ask for it: oms's row plus the other owners' slices (accepted, nothing else). */
async function derived(
  h: Harness,
): Promise<{ status: string; lineStatuses: { lineNumber: number; quantities: Record<string, number> }[] }> {
  const foCount = h.data.oms.orders.find((o) => o.id === ORDER_ID)!.fulfillmentOrderIds.length;
  const rep = {
    // Each owner's slice carries its non-null marker (docs/status.md, "Portable @requires").
    __typename: 'Order',
    id: ORDER_ID,
    erpAsOf: after(0),
    wmsAsOf: after(0),
    returnsAsOf: after(0),
    carrierAsOf: after(0),
    acceptedAt: after(0),
    holds: [],
    payments: [],
    creditMemos: [],
    shipments: [],
    returns: [],
    trackedShipments: [],
    fulfillmentOrders: Array.from({ length: foCount }, () => ({
      executionAsOf: after(0),
      warehouseStatus: 'RELEASED',
      pickedAt: null,
    })),
  };
  const q =
    'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { status lineStatuses { lineNumber quantities { cancelled allocated backordered } } } } }';
  const r = await h.query(q, { r: [rep] });
  expect(r.body.errors).toBeUndefined();
  return r.body.data._entities[0];
}

describe('oms ingest', () => {
  it('should create an order that order, orderByNumber and every orders index find at once', async () => {
    h = await harness('oms');
    const total = (await h.query('{ orders { totalCount } }')).body.data.orders.totalCount;
    expect((await h.post(created)).body).toEqual({ status: 'applied', events: ['oms:e-1'] });
    const one = await h.query(
      'query ($id: ID!) { order(id: $id) { id number channel placedAt customer { id name } lines { lineNumber sku quantity } fulfillmentOrders { id } } }',
      { id: ORDER_ID },
    );
    expect(one.body.data.order).toEqual({
      id: ORDER_ID,
      number: 'W9000001',
      channel: 'WEB',
      placedAt: after(1),
      customer: { id: 'CUST-90001', name: 'Ada Lovelace' },
      lines: [
        { lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 2 },
        { lineNumber: 2, sku: 'HOM-MUG-2PK', quantity: 1 },
      ],
      fulfillmentOrders: [],
    });
    expect((await h.query('{ orderByNumber(number: "W9000001") { id } }')).body.data.orderByNumber).toEqual({
      id: ORDER_ID,
    });
    const newest = await h.query('{ orders(first: 1) { totalCount edges { node { id } } } }');
    expect(newest.body.data.orders).toEqual({ totalCount: total + 1, edges: [{ node: { id: ORDER_ID } }] });
    const mine = await h.query('{ orders(filter: { customerId: "CUST-90001" }) { edges { node { id } } } }');
    expect(mine.body.data.orders.edges).toEqual([{ node: { id: ORDER_ID } }]);
    const bySf = await h.query(
      '{ orders(filter: { salesforceAccountId: "001900000000001AAA", channel: WEB }) { totalCount } }',
    );
    expect(bySf.body.data.orders.totalCount).toBe(1);
    expect((await h.published())[0]).toMatchObject({
      type: 'order.placed',
      source: 'oms',
      subject: ORDER_ID,
      data: { number: 'W9000001', customerId: 'CUST-90001' },
    });
  });

  it('should backorder, then allocate to a node (a new fulfillment order), moving the derived status', async () => {
    h = await harness('oms');
    await h.post(created);
    expect((await derived(h)).status).toBe('ACCEPTED');
    await h.post(event('e-2', 'ORDER_BACKORDERED', 2, { backorders: [{ lineNumber: 1, backorderedQuantity: 2 }] }));
    expect((await derived(h)).status).toBe('BACKORDERED');
    const fo = { id: 'FO-900001-1', nodeId: 'DC-EAST', lines: [{ lineNumber: 1, quantity: 2 }] };
    expect((await h.post(event('e-3', 'ORDER_ALLOCATED', 3, { fulfillmentOrder: fo }))).body.status).toBe('applied');
    const d = await derived(h);
    expect(d.status).toBe('PARTIALLY_ALLOCATED');
    expect(d.lineStatuses[0]!.quantities).toEqual({ cancelled: 0, allocated: 2, backordered: 0 });
    await h.post(
      event('e-4', 'ORDER_ALLOCATED', 4, {
        fulfillmentOrder: { id: 'FO-900001-2', nodeId: 'STORE-0012', lines: [{ lineNumber: 2, quantity: 1 }] },
      }),
    );
    expect((await derived(h)).status).toBe('ALLOCATED');
    const r = await h.query(
      '{ order(id: "ORD-900001") { fulfillmentOrders { id allocatedAt node { id type } lines { lineNumber quantity } } } }',
    );
    expect(r.body.data.order.fulfillmentOrders[0]).toEqual({
      id: 'FO-900001-1',
      allocatedAt: after(3),
      node: { id: 'DC-EAST', type: 'DC' },
      lines: [{ lineNumber: 1, quantity: 2 }],
    });
    const atStore = await h.query(
      '{ orders(filter: { fulfillmentNodeId: "STORE-0012" }, first: 1) { edges { node { id } } } }',
    );
    expect(atStore.body.data.orders.edges).toEqual([{ node: { id: ORDER_ID } }]);
    expect((await h.published()).map((e) => e.type)).toEqual([
      'order.placed',
      'inventory.backordered',
      'inventory.allocated',
      'inventory.allocated',
    ]);
  });

  it('should cancel a line and then the order; an older line cancellation is stale', async () => {
    h = await harness('oms');
    await h.post(created);
    expect(
      (await h.post(event('e-2', 'ORDER_LINE_CANCELLED', 5, { line: { lineNumber: 1, cancelledQuantity: 2 } }))).body
        .status,
    ).toBe('applied');
    expect((await derived(h)).lineStatuses[0]!.quantities.cancelled).toBe(2);
    expect(
      (await h.post(event('e-0', 'ORDER_LINE_CANCELLED', 4, { line: { lineNumber: 1, cancelledQuantity: 1 } }))).body
        .status,
    ).toBe('stale');
    expect((await h.post(event('e-3', 'ORDER_CANCELLED', 6, { reasonCode: 'CUSTOMER_REQUEST' }))).body.status).toBe(
      'applied',
    );
    expect((await derived(h)).status).toBe('CANCELLED');
    expect((await h.published()).map((e) => e.type)).toEqual([
      'order.placed',
      'order.line_cancelled',
      'order.cancelled',
    ]);
  });

  it('should refuse ORDER_CREATED for an existing order id with another customer (409) and publish ingest.refused', async () => {
    h = await harness('oms');
    expect((await h.post(created)).status).toBe(200);
    expect((await h.post({ ...created, eventId: 'e-1b' })).body.status).toBe('applied'); // the same order again is a no-op
    const other = await h.post({
      ...created,
      eventId: 'e-2',
      order: { ...created.order, customer: { id: 'CUST-00666', name: 'Mallory' } },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toBe(
      'order ORD-900001 exists with customerId "CUST-90001"; ORDER_CREATED says "CUST-00666"',
    );
    const published = await h.published();
    expect(
      published.filter((e) => e.type === 'order.placed').map((e) => (e.data as { customerId: string }).customerId),
    ).toEqual(['CUST-90001', 'CUST-90001']);
    expect(published.find((e) => e.type === 'ingest.refused')).toMatchObject({
      source: 'oms',
      subject: ORDER_ID,
      data: {
        reason: 'ORDER_CONTRADICTS_RECORD',
        eventId: 'oms:e-2',
        eventType: 'order.placed',
        reported: { customerId: 'CUST-00666' },
        applied: { customerId: 'CUST-90001' },
      },
    });
  });

  it('should keep backordered units within the open units when a line is cancelled (no phantom backorder)', async () => {
    h = await harness('oms');
    await h.post({
      ...created,
      order: { ...created.order, lines: [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 3 }] },
    });
    await h.post(event('e-2', 'ORDER_BACKORDERED', 2, { backorders: [{ lineNumber: 1, backorderedQuantity: 3 }] }));
    await h.post(
      event('e-3', 'ORDER_ALLOCATED', 3, {
        fulfillmentOrder: { id: 'FO-900001-1', nodeId: 'DC-EAST', lines: [{ lineNumber: 1, quantity: 1 }] },
      }),
    );
    await h.post(event('e-4', 'ORDER_LINE_CANCELLED', 4, { line: { lineNumber: 1, cancelledQuantity: 2 } }));
    expect((await derived(h)).lineStatuses[0]!.quantities).toEqual({ cancelled: 2, allocated: 1, backordered: 0 });
    const over = await h.post(
      event('e-5', 'ORDER_BACKORDERED', 5, { backorders: [{ lineNumber: 1, backorderedQuantity: 3 }] }),
    );
    expect(over.body.corrected).toEqual([
      expect.objectContaining({
        reason: 'BACKORDER_EXCEEDS_OPEN',
        lines: [{ lineNumber: 1, reported: 3, applied: 0 }],
      }),
    ]);
  });

  it('should refuse events for an unknown order (409), an unknown node (409), and a bad channel (400)', async () => {
    h = await harness('oms');
    const unknown = await h.post(event('e-1', 'ORDER_CANCELLED', 1));
    expect(unknown.status).toBe(409);
    expect(unknown.body.error.message).toMatch(/order ORD-900001 is unknown to the OMS/);
    await h.post(created);
    const node = await h.post(
      event('e-2', 'ORDER_ALLOCATED', 2, {
        fulfillmentOrder: { id: 'FO-1', nodeId: 'MOON-BASE', lines: [{ lineNumber: 1, quantity: 1 }] },
      }),
    );
    expect(node.status).toBe(409);
    expect(node.body.error.message).toMatch(/node MOON-BASE is unknown to the OMS/);
    const bad = await h.post({ ...created, eventId: 'e-3', order: { ...created.order, channel: 'FAX' } });
    expect(bad.body.error.message).toBe(
      'order.channel must be one of WEB, MOBILE_APP, STORE, CALL_CENTER, MARKETPLACE; received "FAX"',
    );
    expect((await h.published()).map((e) => e.type)).toEqual(['order.placed']);
  });
});
