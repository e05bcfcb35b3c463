import { afterEach, describe, expect, it } from 'vitest';
import type { WmsMessage } from '../../subgraphs/wms/ingest.js';
import { after, harness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const FO =
  'query ($r: [_Any!]!) { _entities(representations: $r) { ... on FulfillmentOrder { id warehouseStatus pickedAt packedAt } } }';
const ORDER =
  'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { shipments { id shippedAt fulfillmentOrder { id } lines { lineNumber quantity } } } } }';
const RETURN =
  'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Return { id receipt { receivedAt lines { lineNumber quantity disposition } } } } }';
const fo = async (h: Harness, id: string) =>
  (await h.query(FO, { r: [{ __typename: 'FulfillmentOrder', id }] })).body.data._entities[0];
const shipments = async (h: Harness, orderId: string) =>
  (await h.query(ORDER, { r: [{ __typename: 'Order', id: orderId }] })).body.data._entities[0].shipments;

const ORDER_ID = 'ORD-900001';
const msg = (
  messageId: string,
  messageType: WmsMessage['messageType'],
  minutes: number,
  extra: Partial<WmsMessage> = {},
): WmsMessage => ({
  messageId,
  messageType,
  occurredAt: after(minutes),
  nodeId: 'DC-EAST',
  orderId: ORDER_ID,
  fulfillmentOrderId: 'FO-900001-1',
  ...extra,
});
const parcel = (shipmentId: string, lines = [{ lineNumber: 1, quantity: 1 }]) => ({
  shipmentId,
  carrier: 'UPS',
  trackingNumber: `1Z${shipmentId}`,
  lines,
});

describe('wms ingest', () => {
  it('should move a fulfillment order from release to shipped, as the WMS subgraph shows it, with one event per step', async () => {
    h = await harness('wms');
    const steps: [WmsMessage['messageType'], string][] = [
      ['RELEASE', 'RELEASED'],
      ['PICK_START', 'PICKING'],
      ['PICK_CONFIRM', 'PICKED'],
      ['PACK_CONFIRM', 'PACKED'],
    ];
    for (const [i, [type, status]] of steps.entries()) {
      expect((await h.post(msg(`m${i}`, type, 10 * (i + 1)))).body.status).toBe('applied');
      expect((await fo(h, 'FO-900001-1')).warehouseStatus).toBe(status);
    }
    expect((await h.post(msg('m9', 'SHIP_CONFIRM', 60, { shipments: [parcel('SHP-900001-1')] }))).body).toEqual({
      status: 'applied',
      events: ['wms:m9:SHP-900001-1'],
    });
    expect(await fo(h, 'FO-900001-1')).toMatchObject({
      warehouseStatus: 'SHIPPED',
      pickedAt: after(30),
      packedAt: after(40),
    });
    expect(await shipments(h, ORDER_ID)).toEqual([
      {
        id: 'SHP-900001-1',
        shippedAt: after(60),
        fulfillmentOrder: { id: 'FO-900001-1' },
        lines: [{ lineNumber: 1, quantity: 1 }],
      },
    ]);
    const events = await h.published();
    expect(events.map((e) => e.type)).toEqual([
      'fulfillment.released',
      'fulfillment.picking',
      'fulfillment.picked',
      'fulfillment.packed',
      'shipment.shipped',
    ]);
    expect(events.every((e) => e.source === 'wms' && e.subject === ORDER_ID)).toBe(true);
    expect(events.at(-1)!.data).toMatchObject({
      shipmentId: 'SHP-900001-1',
      fulfillmentOrderId: 'FO-900001-1',
      carrier: 'UPS',
      warehouseStatus: 'SHIPPED',
    });
  });

  it('should never move a fulfillment order back: an older or lesser step is acknowledged as stale', async () => {
    h = await harness('wms');
    await h.post(msg('m1', 'RELEASE', 10));
    await h.post(msg('m3', 'PACK_CONFIRM', 30));
    const older = await h.post(msg('m2', 'PICK_CONFIRM', 20));
    expect(older.body).toMatchObject({ status: 'stale', events: [] });
    const lesserButLater = await h.post(msg('m4', 'PICK_START', 40));
    expect(lesserButLater.body.status).toBe('stale');
    expect((await fo(h, 'FO-900001-1')).warehouseStatus).toBe('PACKED');
    const shipped = h.data.wms.fulfillmentOrders.find((f) => f.status === 'SHIPPED')!;
    const late = await h.post(
      msg('m5', 'CANCEL', 50, { orderId: shipped.orderId, fulfillmentOrderId: shipped.id, nodeId: shipped.nodeId }),
    );
    expect(late.body.status).toBe('stale');
    expect((await fo(h, shipped.id)).warehouseStatus).toBe('SHIPPED');
    expect((await h.published()).map((e) => e.type)).toEqual(['fulfillment.released', 'fulfillment.packed']);
  });

  it('should apply the second shipment of a split order even when it is older than the first', async () => {
    h = await harness('wms');
    const second = { fulfillmentOrderId: 'FO-900001-2', nodeId: 'STORE-0012' };
    expect((await h.post(msg('a', 'SHIP_CONFIRM', 100, { shipments: [parcel('SHP-900001-1')] }))).body.status).toBe(
      'applied',
    );
    expect(
      (
        await h.post(
          msg('b', 'SHIP_CONFIRM', 50, {
            ...second,
            shipments: [parcel('SHP-900001-2', [{ lineNumber: 2, quantity: 1 }])],
          }),
        )
      ).body.status,
    ).toBe('applied');
    // A second parcel of the first fulfillment order, confirmed late with an earlier time, still applies.
    expect((await h.post(msg('c', 'SHIP_CONFIRM', 70, { shipments: [parcel('SHP-900001-3')] }))).body.status).toBe(
      'applied',
    );
    expect((await shipments(h, ORDER_ID)).map((s: { id: string }) => s.id)).toEqual([
      'SHP-900001-2',
      'SHP-900001-3',
      'SHP-900001-1',
    ]);
    expect((await fo(h, 'FO-900001-2')).warehouseStatus).toBe('SHIPPED');
  });

  it("should ship a drop-ship partner's advance ship notice", async () => {
    h = await harness('wms');
    const asn = msg('asn-1', 'ASN', 20, {
      nodeId: 'DS-ACME',
      shipments: [
        {
          shipmentId: 'SHP-900001-1',
          carrier: 'FEDEX',
          trackingNumber: '770000000001',
          lines: [{ lineNumber: 1, quantity: 2 }],
        },
      ],
    });
    expect((await h.post(asn)).body.status).toBe('applied');
    expect((await fo(h, 'FO-900001-1')).warehouseStatus).toBe('SHIPPED');
    expect((await h.published())[0]!.data).toMatchObject({ nodeId: 'DS-ACME', advanceShipNotice: true });
  });

  it('should cancel an open fulfillment order and refuse to ship it afterwards', async () => {
    h = await harness('wms');
    await h.post(msg('m1', 'RELEASE', 10));
    expect((await h.post(msg('m2', 'CANCEL', 20, { reasonCode: 'SHORT_PICK' }))).body.status).toBe('applied');
    expect((await fo(h, 'FO-900001-1')).warehouseStatus).toBe('CANCELLED');
    expect((await h.post(msg('m3', 'SHIP_CONFIRM', 30, { shipments: [parcel('SHP-900001-1')] }))).body.status).toBe(
      'stale',
    );
    expect(await shipments(h, ORDER_ID)).toEqual([]);
    expect((await h.published())[1]).toMatchObject({
      type: 'fulfillment.cancelled',
      data: { warehouseStatus: 'CANCELLED', reasonCode: 'SHORT_PICK' },
    });
  });

  it('should record a return receipt, seen on the Return entity', async () => {
    h = await harness('wms');
    // A receipt counts at most what was shipped of the line (the over-receipt guard): ship it first.
    expect(
      (
        await h.post({
          ...msg('s1', 'SHIP_CONFIRM', 5),
          shipments: [
            {
              shipmentId: 'SHP-900001-1',
              carrier: 'UPS',
              trackingNumber: '1Z900001',
              lines: [{ lineNumber: 1, quantity: 1 }],
            },
          ],
        })
      ).body.status,
    ).toBe('applied');
    const receipt = {
      messageId: 'rr-1',
      messageType: 'RETURN_RECEIPT',
      occurredAt: after(10),
      nodeId: 'DC-EAST',
      orderId: ORDER_ID,
      returnId: 'RET-900001-1',
      lines: [{ lineNumber: 1, quantity: 1, disposition: 'RESTOCK' }],
    };
    const answer = await h.post(receipt);
    expect(answer.body.status).toBe('applied');
    expect(answer.body.corrected).toBeUndefined();
    const r = await h.query(RETURN, { r: [{ __typename: 'Return', id: 'RET-900001-1' }] });
    expect(r.body.data._entities[0].receipt).toEqual({
      receivedAt: after(10),
      lines: [{ lineNumber: 1, quantity: 1, disposition: 'RESTOCK' }],
    });
    expect((await h.published())[1]).toMatchObject({
      type: 'return.received',
      source: 'wms',
      data: { returnId: 'RET-900001-1' },
    });
  });

  it('should flag a receipt beyond what was shipped, record the excess and publish ingest.corrected', async () => {
    h = await harness('wms');
    await h.post({
      ...msg('s1', 'SHIP_CONFIRM', 5),
      shipments: [
        {
          shipmentId: 'SHP-900001-1',
          carrier: 'UPS',
          trackingNumber: '1Z900001',
          lines: [{ lineNumber: 1, quantity: 1 }],
        },
      ],
    });
    const receipt = {
      messageId: 'rr-1',
      messageType: 'RETURN_RECEIPT',
      occurredAt: after(10),
      nodeId: 'DC-EAST',
      orderId: ORDER_ID,
      returnId: 'RET-900001-1',
      lines: [{ lineNumber: 1, quantity: 5, disposition: 'RESTOCK' }],
    };
    const answer = await h.post(receipt);
    expect(answer.status).toBe(200);
    expect(answer.body.corrected).toEqual([
      expect.objectContaining({ reason: 'OVER_RECEIPT', lines: [{ lineNumber: 1, reported: 5, applied: 1 }] }),
    ]);
    const r = await h.query(RETURN, { r: [{ __typename: 'Return', id: 'RET-900001-1' }] });
    // The WMS's record keeps what the node reported; the derived quantities cap it (tests/e2e/statusTruth).
    expect(r.body.data._entities[0].receipt.lines).toEqual([{ lineNumber: 1, quantity: 5, disposition: 'RESTOCK' }]);
    const finding = (await h.published()).find((e) => e.type === 'ingest.corrected');
    expect(finding).toMatchObject({
      source: 'wms',
      subject: ORDER_ID,
      data: {
        reason: 'OVER_RECEIPT',
        eventType: 'return.received',
        occurredAt: after(10),
        entity: 'return:RET-900001-1',
      },
    });
  });

  it('should refuse a ship confirm without parcels, or a bad disposition, naming the field', async () => {
    h = await harness('wms');
    expect((await h.post(msg('m1', 'SHIP_CONFIRM', 10))).body.error.message).toBe(
      'shipments must be an array of 1 to 50 objects; received nothing',
    );
    const receipt = {
      messageId: 'rr-1',
      messageType: 'RETURN_RECEIPT',
      occurredAt: after(10),
      nodeId: 'DC-EAST',
      orderId: ORDER_ID,
      returnId: 'RET-1',
      lines: [{ lineNumber: 1, quantity: 1, disposition: 'LOST' }],
    };
    const r = await h.post(receipt);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(
      'lines[0].disposition must be one of RESTOCK, REFURBISH, DAMAGED, VENDOR_RETURN, SCRAP; received "LOST"',
    );
    expect((await h.post({ ...msg('m2', 'RELEASE', 10), messageType: 'TELEPORT' })).body.error.message).toMatch(
      /^messageType must be one of RELEASE, PICK_START/,
    );
    expect(await h.published()).toEqual([]);
  });
});
