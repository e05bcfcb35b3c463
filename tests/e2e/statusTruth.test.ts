import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../canonical/index.js';
import { generateDemo, SYSTEM_NAMES } from '../../demo/index.js';
import type { SystemName } from '../../demo/records.js';
import { Streams } from '../../events/bus.js';
import { MemoryEventBus } from '../../events/memory.js';
import { defaultGatewayConfig } from '../../gateway/config.js';
import { startGateway, type GatewayService } from '../../gateway/server.js';
import type { RunningService } from '../../runtime/http.js';
import { createLogger } from '../../runtime/logger.js';
import { MemoryCarrier } from '../../subgraphs/carrier/adapters/memory.js';
import { start as startCarrier } from '../../subgraphs/carrier/server.js';
import { MemoryErp } from '../../subgraphs/erp/adapters/memory.js';
import { start as startErp } from '../../subgraphs/erp/server.js';
import { MemoryOms } from '../../subgraphs/oms/adapters/memory.js';
import { start as startOms } from '../../subgraphs/oms/server.js';
import { MemoryReturns } from '../../subgraphs/returns/adapters/memory.js';
import { start as startReturns } from '../../subgraphs/returns/server.js';
import { MemoryWms } from '../../subgraphs/wms/adapters/memory.js';
import { start as startWms } from '../../subgraphs/wms/server.js';
import { gql } from '../helpers/http.js';
import { after, post, SECRET, type Answer } from '../ingest/harness.js';

// The status-truth cases A–L of docs/status.md, end to end: the five subgraphs with ingest on one
// bus and the gateway in front; every change arrives as a system's own signed webhook at /ingest,
// every answer is read through the gateway as a service agent (salesforce credential) reads it.

/** The oms clock: "estimated delivery passed" is judged against it (injected, never the wall clock). */
const NOW = Date.parse(after(10_000));
let services: Record<SystemName, RunningService>;
let gateway: GatewayService;
const bus = new MemoryEventBus();
beforeAll(async () => {
  const { data } = generateDemo({ orders: 30 });
  const common = { port: 0, bus, webhookSecret: SECRET };
  const started: Record<SystemName, RunningService> = {
    erp: await startErp({ ...common, system: new MemoryErp(data.erp, { rateLimitPerSecond: 0 }) }),
    oms: await startOms({ ...common, system: new MemoryOms(data.oms), now: () => NOW }),
    wms: await startWms({ ...common, system: new MemoryWms(data.wms) }),
    carrier: await startCarrier({ ...common, system: new MemoryCarrier(data.carrier) }),
    returns: await startReturns({ ...common, system: new MemoryReturns(data.returns) }),
  };
  services = started;
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
async function send(system: SystemName, body: Record<string, unknown>): Promise<Answer> {
  const r = await post(`${services[system].origin}/ingest`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r;
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
/** A carrier webhook: label scan, then the given UPS codes (D delivered, X exception, RS returned to sender, MV voided, I in transit). */
const track = (orderId: string, shipmentId: string, codes: string[], extra: object = {}) =>
  send('carrier', {
    eventId: `c${++minute}`,
    carrier: 'UPS',
    trackingNumber: `1Z${shipmentId}`,
    references: { shipmentId, orderId },
    ...extra,
    scans: ['M', ...codes].map((code, i) => ({ code, occurredAt: after(minute + i / 10), description: code })),
  });
const returns = (orderId: string, id: string, topic: string, extra: object = {}) =>
  send('returns', { webhookId: `r${++minute}`, topic, createdAt: after(minute), return: { id, orderId, ...extra } });
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

const TWO_LINES = [
  { lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 2 },
  { lineNumber: 2, sku: 'HOM-MUG-2PK', quantity: 1 },
];
/** Creates and accepts an order (total 92.35 USD) with an authorized and captured payment. */
async function placed(orderId: string, lines = TWO_LINES): Promise<void> {
  await oms(orderId, 'ORDER_CREATED', {
    order: {
      number: `W${orderId.slice(4)}`,
      channel: 'WEB',
      customer: { id: 'CUST-91001', name: 'Ada Lovelace' },
      lines,
    },
  });
  await erp(orderId, 'SALES_ORDER_ACCEPTED', {
    totals: { subtotal: usd('80.00'), tax: usd('6.40'), shipping: usd('5.95'), total: usd('92.35') },
  });
  await erp(orderId, 'PAYMENT_AUTHORIZED', { payment: { paymentId: `PAY-${orderId}`, amount: usd('92.35') } });
  await erp(orderId, 'PAYMENT_CAPTURED', { payment: { paymentId: `PAY-${orderId}`, capturedTotal: usd('92.35') } });
}
/** Sources `lines` to `node` as fulfillment order `fo`. */
async function allocate(orderId: string, fo: string, node: string, lines: object[]): Promise<void> {
  await wms(orderId, fo, node, 'RELEASE');
  await oms(orderId, 'ORDER_ALLOCATED', { fulfillmentOrder: { id: fo, nodeId: node, lines } });
}
/** Allocates, picks, packs and ships `lines` as shipment `shipmentId`; `codes` are its carrier scans after the label. */
async function shipped(
  orderId: string,
  fo: string,
  shipmentId: string,
  lines: object[],
  codes: string[],
  extra: object = {},
): Promise<void> {
  await allocate(orderId, fo, 'DC-EAST', lines);
  for (const step of ['PICK_CONFIRM', 'PACK_CONFIRM']) await wms(orderId, fo, 'DC-EAST', step);
  await wms(orderId, fo, 'DC-EAST', 'SHIP_CONFIRM', {
    shipments: [{ shipmentId, carrier: 'UPS', trackingNumber: `1Z${shipmentId}`, lines }],
  });
  await track(orderId, shipmentId, codes, extra);
}

const ORDER = `query ($id: ID!) { order(id: $id) {
  status fulfillmentState financialState returnState deliveryOverdue
  statusDetail { rule reason facts { source fact } }
  refundSummary { state reason currency returnsDeskAmount creditMemoAmount paymentRefundedAmount }
  lineStatuses { lineNumber status fulfillmentState returnState quantities { ordered cancelled allocated backordered picked shipped delivered returnInitiated returned } }
  shipments { id status } trackedShipments { id status }
  returns { id status exchangeOrder { id number } } exchangeFor { id }
} }`;
async function read(orderId: string): Promise<any> {
  const r = await gql(gateway.url, ORDER, { id: orderId });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data.order;
}
const facts = (o: any): string[] =>
  o.statusDetail.facts.map((f: { source: string; fact: string }) => `${f.source}: ${f.fact}`);
const line = (o: any, n: number) => o.lineStatuses.find((l: { lineNumber: number }) => l.lineNumber === n);
const published = async (type: string, orderId: string): Promise<CloudEvent[]> =>
  (await bus.read(Streams.SOURCE, { count: 10_000 }))
    .map((e) => e.event)
    .filter((e) => e.type === type && e.subject === orderId);

describe('status truth, cases A–L (docs/status.md)', () => {
  it('A: should refuse to cancel delivered units, answer what it refused, and keep the order DELIVERED', async () => {
    const id = 'ORD-910001';
    await placed(id);
    await shipped(
      id,
      'FO-910001-1',
      'SHP-910001-1',
      [
        { lineNumber: 1, quantity: 2 },
        { lineNumber: 2, quantity: 1 },
      ],
      ['I', 'D'],
    );
    const answer = await oms(id, 'ORDER_CANCELLED', { reasonCode: 'CUSTOMER_REQUEST' });
    expect(answer.body.refused).toEqual([
      expect.objectContaining({
        reason: 'CANCEL_AFTER_SHIPMENT',
        lines: [
          { lineNumber: 1, reported: 2, applied: 0 },
          { lineNumber: 2, reported: 1, applied: 0 },
        ],
      }),
    ]);
    const o = await read(id);
    expect(o).toMatchObject({ status: 'DELIVERED', fulfillmentState: 'DELIVERED', financialState: 'PAID' });
    expect(line(o, 1).quantities).toMatchObject({ ordered: 2, cancelled: 0, shipped: 2, delivered: 2 });
    const [refusal] = await published('ingest.refused', id);
    expect(refusal).toMatchObject({
      source: 'oms',
      data: { reason: 'CANCEL_AFTER_SHIPMENT', eventType: 'order.cancelled', entity: `order:${id}:cancelled` },
    });
  });

  it('B: should never count more units than ordered after a cancellation of backordered units', async () => {
    const id = 'ORD-910002';
    await placed(id, [{ lineNumber: 1, sku: 'APP-TEE-S-BLK', quantity: 3 }]);
    await oms(id, 'ORDER_BACKORDERED', { backorders: [{ lineNumber: 1, backorderedQuantity: 3 }] });
    await allocate(id, 'FO-910002-1', 'DC-EAST', [{ lineNumber: 1, quantity: 1 }]);
    await oms(id, 'ORDER_LINE_CANCELLED', { line: { lineNumber: 1, cancelledQuantity: 2 } });
    const o = await read(id);
    expect(line(o, 1).quantities).toMatchObject({ ordered: 3, cancelled: 2, allocated: 1, backordered: 0 });
    expect(o).toMatchObject({ status: 'ALLOCATED', fulfillmentState: 'ALLOCATED' });
  });

  it('C: should show a return for units never shipped, marked, without hiding that nothing shipped', async () => {
    const id = 'ORD-910003';
    await placed(id);
    const answer = await returns(id, 'RET-910003-1', 'return.requested', {
      channel: 'WEB',
      lines: [{ lineNumber: 1, quantity: 1 }],
    });
    expect(answer.body.corrected).toEqual([
      expect.objectContaining({
        reason: 'RETURN_WITHOUT_DELIVERY',
        lines: [{ lineNumber: 1, reported: 1, applied: 1 }],
      }),
    ]);
    const o = await read(id);
    expect(o).toMatchObject({ status: 'ACCEPTED', returnState: 'REQUESTED', fulfillmentState: 'UNFULFILLED' });
    expect(facts(o)).toContain(
      'VISIBILITY: line 1: a return names 1 units, more than were delivered (marked: return for units never delivered)',
    );
    expect(await published('ingest.corrected', id)).toEqual([
      expect.objectContaining({
        source: 'returns',
        data: expect.objectContaining({ reason: 'RETURN_WITHOUT_DELIVERY' }),
      }),
    ]);
  });

  it('D: should end a refund without receipt as DELIVERED / REFUNDED_WITHOUT_RETURN, and say when the refund records disagree', async () => {
    const id = 'ORD-910004';
    await placed(id);
    await shipped(
      id,
      'FO-910004-1',
      'SHP-910004-1',
      [
        { lineNumber: 1, quantity: 2 },
        { lineNumber: 2, quantity: 1 },
      ],
      ['D'],
    );
    await returns(id, 'RET-910004-1', 'return.requested', { channel: 'WEB', lines: [{ lineNumber: 2, quantity: 1 }] });
    await returns(id, 'RET-910004-1', 'return.approved', { rmaNumber: 'RMA-910004' });
    await returns(id, 'RET-910004-1', 'return.refunded', {
      refund: { amount: usd('12.00'), creditMemoNumber: 'CM-910004-1' },
    });
    await returns(id, 'RET-910004-1', 'return.closed');
    const disagreeing = await read(id);
    expect(disagreeing).toMatchObject({
      status: 'DELIVERED',
      returnState: 'REFUNDED_WITHOUT_RETURN',
      financialState: 'REFUND_MISMATCH',
    });
    expect(disagreeing.refundSummary).toMatchObject({
      state: 'MISMATCH',
      returnsDeskAmount: '12.00',
      creditMemoAmount: '0.00',
      paymentRefundedAmount: '0.00',
    });
    await erp(id, 'CREDIT_MEMO_POSTED', {
      creditMemo: { number: 'CM-910004-1', amount: usd('12.00'), returnRef: 'RET-910004-1' },
    });
    await erp(id, 'PAYMENT_REFUNDED', { payment: { paymentId: `PAY-${id}`, refundedTotal: usd('12.00') } });
    const agreeing = await read(id);
    expect(agreeing).toMatchObject({
      status: 'DELIVERED',
      returnState: 'REFUNDED_WITHOUT_RETURN',
      financialState: 'PARTIALLY_REFUNDED',
    });
    expect(agreeing.refundSummary).toMatchObject({
      state: 'AGREED',
      returnsDeskAmount: '12.00',
      creditMemoAmount: '12.00',
      paymentRefundedAmount: '12.00',
    });
  });

  it('E: should read ON_HOLD when a credit hold blocks the undelivered rest, and name a hold placed after everything was delivered', async () => {
    const id = 'ORD-910005';
    await placed(id);
    await shipped(id, 'FO-910005-1', 'SHP-910005-1', [{ lineNumber: 1, quantity: 2 }], ['D']);
    await allocate(id, 'FO-910005-2', 'STORE-0012', [{ lineNumber: 2, quantity: 1 }]);
    await erp(id, 'HOLD_PLACED', { hold: { type: 'CREDIT', reason: 'limit exceeded' } });
    const held = await read(id);
    expect(held).toMatchObject({ status: 'ON_HOLD', fulfillmentState: 'PARTIALLY_DELIVERED' });
    expect(held.statusDetail.reason).toBe(
      'an ERP hold is active and 1 of net 3 units are not with a carrier (2 delivered)',
    );
    expect(facts(held)).toContain('ERP: CREDIT hold active');

    const done = 'ORD-910015';
    await placed(done);
    await shipped(
      done,
      'FO-910015-1',
      'SHP-910015-1',
      [
        { lineNumber: 1, quantity: 2 },
        { lineNumber: 2, quantity: 1 },
      ],
      ['D'],
    );
    await erp(done, 'HOLD_PLACED', { hold: { type: 'CREDIT' } });
    const o = await read(done);
    expect(o.status).toBe('DELIVERED');
    expect(facts(o)).toContain('ERP: CREDIT hold active');
  });

  it('F: should link a drop-ship parcel the WMS never confirmed to its order, flagged, without counting it as shipped', async () => {
    const id = 'ORD-910006';
    await placed(id);
    await allocate(id, 'FO-910006-1', 'DS-ACME', [
      { lineNumber: 1, quantity: 2 },
      { lineNumber: 2, quantity: 1 },
    ]);
    const answer = await track(id, 'SHP-910006-1', ['D']);
    expect(answer.body.corrected).toEqual([expect.objectContaining({ reason: 'UNCONFIRMED_SHIPMENT' })]);
    const o = await read(id);
    expect(o).toMatchObject({
      status: 'ALLOCATED',
      shipments: [],
      trackedShipments: [{ id: 'SHP-910006-1', status: 'DELIVERED' }],
    });
  });

  it('G: should never read SHIPPED over a parcel coming back or a voided label, and show carrier problems beside the headline', async () => {
    const lines = [
      { lineNumber: 1, quantity: 2 },
      { lineNumber: 2, quantity: 1 },
    ];
    const cases: [string, string[], object, Record<string, unknown>][] = [
      ['ORD-910007', ['I', 'X', 'RS'], {}, { status: 'IN_FULFILLMENT', fulfillmentState: 'RETURNING_TO_SENDER' }],
      ['ORD-910017', ['MV'], {}, { status: 'IN_FULFILLMENT', fulfillmentState: 'LABEL_VOIDED' }],
      ['ORD-910027', ['I', 'X'], {}, { status: 'SHIPPED', fulfillmentState: 'DELIVERY_EXCEPTION' }],
      ['ORD-910037', [], {}, { status: 'SHIPPED', fulfillmentState: 'AWAITING_CARRIER_SCAN' }],
      [
        'ORD-910047',
        ['I'],
        { estimatedDeliveryAt: after(5_000) },
        { status: 'SHIPPED', fulfillmentState: 'DELIVERY_OVERDUE', deliveryOverdue: true },
      ],
      [
        'ORD-910057',
        ['I'],
        { estimatedDeliveryAt: after(20_000) },
        { status: 'SHIPPED', fulfillmentState: 'SHIPPED', deliveryOverdue: false },
      ],
    ];
    for (const [id, codes, extra, expected] of cases) {
      await placed(id);
      await shipped(id, `FO-${id.slice(4)}-1`, `SHP-${id.slice(4)}-1`, lines, codes, extra);
      const o = await read(id);
      expect(o, id).toMatchObject(expected);
      expect(line(o, 1).quantities.delivered, id).toBe(0);
    }
  });

  it('H: should show a declined fulfillment order with its reason as needing re-sourcing, not a silent step back', async () => {
    const id = 'ORD-910008';
    await placed(id);
    await allocate(id, 'FO-910008-1', 'STORE-0047', [
      { lineNumber: 1, quantity: 2 },
      { lineNumber: 2, quantity: 1 },
    ]);
    await wms(id, 'FO-910008-1', 'STORE-0047', 'CANCEL', { reasonCode: 'NO_STOCK' });
    const o = await read(id);
    expect(o).toMatchObject({ status: 'ACCEPTED', fulfillmentState: 'FULFILLMENT_DECLINED' });
    expect(o.statusDetail.reason).toBe(
      'accepted by the ERP; nothing allocated; fulfillment order FO-910008-1 at STORE-0047 declined (NO_STOCK): 3 units need re-sourcing',
    );
    expect(line(o, 2).fulfillmentState).toBe('FULFILLMENT_DECLINED');
  });

  it('I: should cap an over-receipt at what was delivered, record it, and not call the order returned while a line is open', async () => {
    const id = 'ORD-910009';
    await placed(id);
    await shipped(id, 'FO-910009-1', 'SHP-910009-1', [{ lineNumber: 2, quantity: 1 }], ['D']);
    await allocate(id, 'FO-910009-2', 'DC-WEST', [{ lineNumber: 1, quantity: 2 }]);
    await returns(id, 'RET-910009-1', 'return.requested', { channel: 'WEB', lines: [{ lineNumber: 2, quantity: 1 }] });
    const answer = await receive(id, 'RET-910009-1', [{ lineNumber: 2, quantity: 5, disposition: 'RESTOCK' }]);
    expect(answer.body.corrected).toEqual([
      expect.objectContaining({ reason: 'OVER_RECEIPT', lines: [{ lineNumber: 2, reported: 5, applied: 1 }] }),
    ]);
    const o = await read(id);
    expect(o).toMatchObject({ status: 'PARTIALLY_DELIVERED', returnState: 'RECEIVED' });
    expect(line(o, 2)).toMatchObject({ status: 'RETURNED', quantities: { returned: 1, delivered: 1 } });
    expect(line(o, 1).status).toBe('ALLOCATED');
    expect(facts(o)).toContain(
      'VISIBILITY: line 2: 5 units received back, only 1 were delivered or returned to sender; counted 1',
    );
  });

  it('J: should not let return states hide open fulfillment', async () => {
    const inTransit = 'ORD-910010';
    await placed(inTransit);
    await shipped(inTransit, 'FO-910010-1', 'SHP-910010-1', [{ lineNumber: 1, quantity: 2 }], ['D']);
    await shipped(inTransit, 'FO-910010-2', 'SHP-910010-2', [{ lineNumber: 2, quantity: 1 }], ['I']);
    await returns(inTransit, 'RET-910010-1', 'return.requested', {
      channel: 'WEB',
      lines: [{ lineNumber: 1, quantity: 1 }],
    });
    const a = await read(inTransit);
    expect(a).toMatchObject({
      status: 'PARTIALLY_DELIVERED',
      returnState: 'REQUESTED',
      fulfillmentState: 'PARTIALLY_DELIVERED',
    });
    expect([line(a, 1).status, line(a, 2).status]).toEqual(['RETURN_INITIATED', 'SHIPPED']);

    const backordered = 'ORD-910020';
    await placed(backordered);
    await oms(backordered, 'ORDER_BACKORDERED', { backorders: [{ lineNumber: 2, backorderedQuantity: 1 }] });
    await shipped(backordered, 'FO-910020-1', 'SHP-910020-1', [{ lineNumber: 1, quantity: 2 }], ['D']);
    await returns(backordered, 'RET-910020-1', 'return.requested', {
      channel: 'WEB',
      lines: [{ lineNumber: 1, quantity: 2 }],
    });
    await receive(backordered, 'RET-910020-1', [{ lineNumber: 1, quantity: 2, disposition: 'RESTOCK' }]);
    const b = await read(backordered);
    expect(b).toMatchObject({ status: 'PARTIALLY_DELIVERED' });
    expect([line(b, 1).status, line(b, 2).status]).toEqual(['RETURNED', 'BACKORDERED']);
    expect(facts(b)).toContain('OMS: 1 units backordered');
  });

  it('K: should not call a return rejected after receipt returned', async () => {
    const id = 'ORD-910011';
    await placed(id);
    await shipped(
      id,
      'FO-910011-1',
      'SHP-910011-1',
      [
        { lineNumber: 1, quantity: 2 },
        { lineNumber: 2, quantity: 1 },
      ],
      ['D'],
    );
    await returns(id, 'RET-910011-1', 'return.requested', {
      channel: 'WEB',
      lines: [
        { lineNumber: 1, quantity: 2 },
        { lineNumber: 2, quantity: 1 },
      ],
    });
    await returns(id, 'RET-910011-1', 'return.approved', { rmaNumber: 'RMA-910011' });
    await receive(id, 'RET-910011-1', [
      { lineNumber: 1, quantity: 2, disposition: 'DAMAGED' },
      { lineNumber: 2, quantity: 1, disposition: 'DAMAGED' },
    ]);
    await returns(id, 'RET-910011-1', 'return.rejected', { reason: 'damaged by customer' });
    const o = await read(id);
    expect(o).toMatchObject({ status: 'DELIVERED', returnState: 'REJECTED' });
    expect(line(o, 1).quantities).toMatchObject({ returned: 0, returnInitiated: 0 });
    expect(facts(o)).toContain(
      'RETURNS: return RET-910011-1 rejected after receipt: its 3 units do not count as returned',
    );
  });

  it('L: should link an exchange: the return names its replacement order and the replacement links back', async () => {
    const id = 'ORD-910012';
    await placed(id);
    await shipped(
      id,
      'FO-910012-1',
      'SHP-910012-1',
      [
        { lineNumber: 1, quantity: 2 },
        { lineNumber: 2, quantity: 1 },
      ],
      ['D'],
    );
    await returns(id, 'RET-910012-1', 'return.requested', { channel: 'WEB', lines: [{ lineNumber: 1, quantity: 1 }] });
    await placed('ORD-910013', [{ lineNumber: 1, sku: 'APP-TEE-M-BLK', quantity: 1 }]);
    await returns(id, 'RET-910012-1', 'return.approved', { rmaNumber: 'RMA-910012', exchangeOrderId: 'ORD-910013' });
    const original = await read(id);
    expect(original.returns).toEqual([
      { id: 'RET-910012-1', status: 'APPROVED', exchangeOrder: { id: 'ORD-910013', number: 'W910013' } },
    ]);
    const replacement = await read('ORD-910013');
    expect(replacement.exchangeFor).toEqual({ id: 'RET-910012-1' });
    const other = await post(`${services.returns.origin}/ingest`, {
      webhookId: `r${++minute}`,
      topic: 'return.shipped',
      createdAt: after(minute),
      return: { id: 'RET-910012-1', orderId: id, exchangeOrderId: 'ORD-910014' },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toBe(
      'return RET-910012-1 already names exchange order ORD-910013; the webhook says ORD-910014',
    );
  });
});
