import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudEvent } from '../../canonical/index.js';
import { Streams } from '../../events/bus.js';
import { busRedeliverer, EXCEPTION_TYPES, replayDeadLetters, type ExceptionType } from '../../store/index.js';
import { exceptionsHarness, hooks, usd, type ExceptionsHarness } from './harness.js';

const H = 60; // minutes
let h: ExceptionsHarness;
beforeAll(async () => {
  h = await exceptionsHarness();
});
afterAll(() => h?.stop());

/** The open exception of `type` on `orderId`, or undefined. */
async function open(orderId: string, type: ExceptionType) {
  return (await h.store.exceptions.openFor(orderId, type))[0];
}
/** Sends, waits for the engine, sweeps at the current fake time. */
async function step(...sends: Array<[Parameters<ExceptionsHarness['send']>[0], unknown]>): Promise<void> {
  for (const [system, body] of sends) await h.send(system, body);
  await h.settle();
  await h.engine.sweep();
}
/** Every exception of `type` on `orderId` was opened and closed once, and both were published. */
async function openedAndClosed(orderId: string, type: ExceptionType): Promise<void> {
  const all = (await h.store.exceptions.forOrder(orderId)).filter((x) => x.type === type);
  expect(all.length).toBeGreaterThan(0);
  expect(all.every((x) => x.closedAt !== null)).toBe(true);
  const published = (await h.bus.read(Streams.EXCEPTIONS, { count: 100_000 }))
    .map((e) => e.event)
    .filter((e) => e.subject === orderId && (e.data as { type: string }).type === type);
  expect(published.map((e) => e.type)).toEqual(
    all
      .flatMap(() => ['exception.opened', 'exception.closed'])
      .sort((a, b) => (a === b ? 0 : a === 'exception.opened' ? -1 : 1))
      .slice(0, published.length),
  );
  expect(published.filter((e) => e.type === 'exception.opened')).toHaveLength(all.length);
  expect(published.filter((e) => e.type === 'exception.closed')).toHaveLength(all.length);
}

describe('business exceptions from webhooks, on a fake clock', () => {
  it('should open UNCONFIRMED_SHIPMENT when the WMS shipped and no scan came within the SLA, and close it on the first scan', async () => {
    const o = 'ORD-910001';
    await step([
      'wms',
      hooks.wms('w1-ship', 'SHIP_CONFIRM', o, h.at(0), { shipments: [hooks.parcel('SHP-910001-1')] }),
    ]);
    h.clock.advance(23 * H * 60_000);
    await h.engine.sweep();
    expect(await open(o, 'UNCONFIRMED_SHIPMENT')).toBeUndefined();
    h.clock.advance(2 * H * 60_000);
    await h.engine.sweep();
    expect(await open(o, 'UNCONFIRMED_SHIPMENT')).toMatchObject({
      subjectKey: 'SHP-910001-1',
      actor: 'WAREHOUSE',
      slaSeconds: 86_400,
      fulfillmentNodeId: 'DC-EAST',
      facts: { missing: 'carrier scan' },
    });
    await step(['carrier', hooks.scan('c1-scan', o, 'SHP-910001-1', 'IN_TRANSIT', h.at(0))]);
    expect(await open(o, 'UNCONFIRMED_SHIPMENT')).toBeUndefined();
    await openedAndClosed(o, 'UNCONFIRMED_SHIPMENT');
  });

  it('should open UNCONFIRMED_SHIPMENT for a carrier scan without a WMS shipment (drop-ship without ASN), and close it on the ASN', async () => {
    const o = 'ORD-910002';
    await step(['carrier', hooks.scan('c2-scan', o, 'SHP-910002-1', 'IN_TRANSIT', h.at(0))]);
    h.clock.advance(25 * H * 60_000);
    await h.engine.sweep();
    expect(await open(o, 'UNCONFIRMED_SHIPMENT')).toMatchObject({ facts: { missing: 'WMS shipment (ASN)' } });
    await step(['wms', hooks.wms('w2-asn', 'ASN', o, h.at(0), { shipments: [hooks.parcel('SHP-910002-1')] })]);
    await openedAndClosed(o, 'UNCONFIRMED_SHIPMENT');
  });

  it('should open DELAYED_UPDATE when an open order hears nothing past the SLA, and close it on the next event', async () => {
    const o = 'ORD-910003';
    await step(['oms', hooks.omsCreated('o3-new', o, h.at(0))]);
    h.clock.advance(49 * H * 60_000);
    await h.engine.sweep();
    expect(await open(o, 'DELAYED_UPDATE')).toMatchObject({
      actor: 'INTEGRATION_OPS',
      channel: 'WEB',
      facts: { lastSource: 'oms' },
    });
    await step(['wms', hooks.wms('w3-rel', 'RELEASE', o, h.at(0))]);
    await openedAndClosed(o, 'DELAYED_UPDATE');
  });

  it('should open DELIVERY_OVERDUE when the estimated delivery passed, and close it on delivery', async () => {
    const o = 'ORD-910004';
    await step(
      ['wms', hooks.wms('w4-ship', 'SHIP_CONFIRM', o, h.at(0), { shipments: [hooks.parcel('SHP-910004-1')] })],
      ['carrier', hooks.scan('c4-scan', o, 'SHP-910004-1', 'IN_TRANSIT', h.at(1), h.at(2 * H))],
    );
    expect(await open(o, 'DELIVERY_OVERDUE')).toBeUndefined();
    h.clock.advance(15 * H * 60_000);
    await h.engine.sweep();
    expect(await open(o, 'DELIVERY_OVERDUE')).toMatchObject({ actor: 'CARRIER_DESK', subjectKey: 'SHP-910004-1' });
    await step(['carrier', hooks.scan('c4-del', o, 'SHP-910004-1', 'DELIVERED', h.at(0))]);
    await openedAndClosed(o, 'DELIVERY_OVERDUE');
  });

  it('should open DELIVERY_PROBLEM at once on a carrier exception, and close it when the parcel moves again', async () => {
    const o = 'ORD-910005';
    await step(
      ['wms', hooks.wms('w5-ship', 'SHIP_CONFIRM', o, h.at(0), { shipments: [hooks.parcel('SHP-910005-1')] })],
      ['carrier', hooks.scan('c5-x', o, 'SHP-910005-1', 'EXCEPTION', h.at(1))],
    );
    expect(await open(o, 'DELIVERY_PROBLEM')).toMatchObject({ facts: { carrierStatus: 'EXCEPTION' } });
    await step(['carrier', hooks.scan('c5-t', o, 'SHP-910005-1', 'IN_TRANSIT', h.at(2))]);
    await openedAndClosed(o, 'DELIVERY_PROBLEM');
  });

  it('should open STUCK_RETURN when a return waits in one state past the SLA, and close it when it moves', async () => {
    const o = 'ORD-910006';
    await step([
      'returns',
      hooks.ret('r6-req', 'return.requested', o, 'RET-910006-1', h.at(0), {
        channel: 'WEB',
        lines: [{ lineNumber: 1, quantity: 1 }],
      }),
    ]);
    h.clock.advance(8 * 24 * H * 60_000);
    await h.engine.sweep();
    expect(await open(o, 'STUCK_RETURN')).toMatchObject({ actor: 'RETURNS_DESK', facts: { status: 'REQUESTED' } });
    await step(['returns', hooks.ret('r6-app', 'return.approved', o, 'RET-910006-1', h.at(0))]);
    await openedAndClosed(o, 'STUCK_RETURN');
  });

  it('should open REFUND_MISMATCH when refunds disagree past the SLA, and close it when the ERP and the payment catch up', async () => {
    const o = 'ORD-910007';
    await step(
      ['erp', hooks.erpAccepted('e7-acc', o, h.at(0))],
      [
        'returns',
        hooks.ret('r7-req', 'return.requested', o, 'RET-910007-1', h.at(1), {
          channel: 'WEB',
          lines: [{ lineNumber: 1, quantity: 1 }],
        }),
      ],
      [
        'returns',
        hooks.ret('r7-ref', 'return.refunded', o, 'RET-910007-1', h.at(2), { refund: { amount: usd('24.00') } }),
      ],
    );
    h.clock.advance(25 * H * 60_000);
    await h.engine.sweep();
    expect(await open(o, 'REFUND_MISMATCH')).toMatchObject({
      actor: 'FINANCE',
      facts: { returnsRefund: 24, erpCreditMemos: 0, paymentRefunded: 0 },
    });
    await step(
      [
        'erp',
        hooks.erp('e7-cm', 'CREDIT_MEMO_POSTED', o, h.at(0), {
          creditMemo: { number: 'CM-910007-1', amount: usd('24.00'), returnRef: 'RET-910007-1' },
        }),
      ],
      [
        'erp',
        hooks.erp('e7-auth', 'PAYMENT_AUTHORIZED', o, h.at(1), {
          payment: { paymentId: 'PAY-7', method: 'VISA', amount: usd('113.95') },
        }),
      ],
      [
        'erp',
        hooks.erp('e7-cap', 'PAYMENT_CAPTURED', o, h.at(2), {
          payment: { paymentId: 'PAY-7', capturedTotal: usd('113.95') },
        }),
      ],
    );
    expect(await open(o, 'REFUND_MISMATCH')).toMatchObject({ facts: { erpCreditMemos: 24, paymentRefunded: 0 } });
    await step([
      'erp',
      hooks.erp('e7-ref', 'PAYMENT_REFUNDED', o, h.at(3), {
        payment: { paymentId: 'PAY-7', refundedTotal: usd('24.00') },
      }),
    ]);
    await openedAndClosed(o, 'REFUND_MISMATCH');
  });

  it('should open CANCEL_AFTER_SHIPMENT when a shipped order is cancelled, and close it when the goods come back', async () => {
    const o = 'ORD-910008';
    await step(
      ['oms', hooks.omsCreated('o8-new', o, h.at(0))],
      ['wms', hooks.wms('w8-ship', 'SHIP_CONFIRM', o, h.at(1), { shipments: [hooks.parcel('SHP-910008-1')] })],
      ['oms', hooks.omsCancelled('o8-can', o, h.at(2))],
    );
    expect(await open(o, 'CANCEL_AFTER_SHIPMENT')).toMatchObject({
      actor: 'CUSTOMER_SERVICE',
      facts: { shipments: ['SHP-910008-1'] },
    });
    await step(['carrier', hooks.scan('c8-rts', o, 'SHP-910008-1', 'RETURNED_TO_SENDER', h.at(3))]);
    await openedAndClosed(o, 'CANCEL_AFTER_SHIPMENT');
  });

  it('should open OVER_RECEIPT when more comes back than shipped, and close it when the missing shipment is reported', async () => {
    const o = 'ORD-910009';
    await step(
      ['wms', hooks.wms('w9-ship', 'SHIP_CONFIRM', o, h.at(0), { shipments: [hooks.parcel('SHP-910009-1', 1)] })],
      ['carrier', hooks.scan('c9-del', o, 'SHP-910009-1', 'DELIVERED', h.at(1))],
      ['wms', hooks.receipt('w9-rr', o, 'RET-910009-1', h.at(2), 2)],
    );
    expect(await open(o, 'OVER_RECEIPT')).toMatchObject({ facts: { shippedQuantity: 1, receivedQuantity: 2 } });
    await step([
      'wms',
      hooks.wms('w9-ship2', 'SHIP_CONFIRM', o, h.at(3), {
        fulfillmentOrderId: 'FO-910009-2',
        shipments: [hooks.parcel('SHP-910009-2', 1)],
      }),
    ]);
    await openedAndClosed(o, 'OVER_RECEIPT');
  });

  it('should open RETURN_WITHOUT_DELIVERY when a return is received for an undelivered order, and close it on the late delivery scan', async () => {
    const o = 'ORD-910010';
    await step(
      ['wms', hooks.wms('w10-ship', 'SHIP_CONFIRM', o, h.at(0), { shipments: [hooks.parcel('SHP-910010-1')] })],
      ['wms', hooks.receipt('w10-rr', o, 'RET-910010-1', h.at(2))],
    );
    expect(await open(o, 'RETURN_WITHOUT_DELIVERY')).toBeDefined();
    await step(['carrier', hooks.scan('c10-del', o, 'SHP-910010-1', 'DELIVERED', h.at(1))]);
    await openedAndClosed(o, 'RETURN_WITHOUT_DELIVERY');
  });

  it('should open FULFILLMENT_DECLINED when a node cancels its fulfillment order, and close it when another node takes the order', async () => {
    const o = 'ORD-910011';
    await step(
      ['wms', hooks.wms('w11-rel', 'RELEASE', o, h.at(0))],
      ['wms', hooks.wms('w11-can', 'CANCEL', o, h.at(1), { reasonCode: 'NO_STOCK' })],
    );
    expect(await open(o, 'FULFILLMENT_DECLINED')).toMatchObject({
      subjectKey: 'FO-910011-1',
      fulfillmentNodeId: 'DC-EAST',
    });
    await step([
      'wms',
      hooks.wms('w11-rel2', 'RELEASE', o, h.at(2), { nodeId: 'STORE-12', fulfillmentOrderId: 'FO-910011-2' }),
    ]);
    await openedAndClosed(o, 'FULFILLMENT_DECLINED');
  });

  it('should open HOLD_AFTER_PARTIAL_FULFILLMENT when a hold lands after a shipment, and close it when the hold is released', async () => {
    const o = 'ORD-910012';
    await step(
      ['erp', hooks.erpAccepted('e12-acc', o, h.at(0))],
      ['wms', hooks.wms('w12-ship', 'SHIP_CONFIRM', o, h.at(1), { shipments: [hooks.parcel('SHP-910012-1')] })],
      ['erp', hooks.erp('e12-hold', 'HOLD_PLACED', o, h.at(2), { hold: { type: 'FRAUD', reason: 'check' } })],
    );
    expect(await open(o, 'HOLD_AFTER_PARTIAL_FULFILLMENT')).toMatchObject({ facts: { holdType: 'FRAUD', shipped: 1 } });
    await step(['erp', hooks.erp('e12-rel', 'HOLD_RELEASED', o, h.at(3), { hold: { type: 'FRAUD' } })]);
    await openedAndClosed(o, 'HOLD_AFTER_PARTIAL_FULFILLMENT');
  });

  it('should open DEAD_LETTER when a consumer gives up on an order event, and close it once the letter is replayed', async () => {
    const o = 'ORD-910013';
    let healthy = false;
    const flaky = h.bus.consume(
      Streams.SOURCE,
      'flaky',
      'f1',
      async (d) => {
        if (d.event.subject === o && !healthy) throw new Error('downstream refused');
      },
      { maxDeliveries: 1 },
    );
    await flaky.ready;
    try {
      await step(['oms', hooks.omsCreated('o13-new', o, h.at(0))]);
      await expect
        .poll(async () => (await open(o, 'DEAD_LETTER'))?.facts, { timeout: 10_000 })
        .toMatchObject({ group: 'flaky', error: 'downstream refused' });
      healthy = true;
      const letter = (await open(o, 'DEAD_LETTER'))!.subjectKey;
      const [outcome] = await replayDeadLetters(
        h.store,
        busRedeliverer({ bus: h.bus, ingestUrl: () => undefined, sign: () => ({}) }),
        { id: letter },
        { actor: 'ops', reason: 'fixed' },
      );
      expect(outcome!.outcome).toBe('replayed');
      await h.engine.sweep();
      await openedAndClosed(o, 'DEAD_LETTER');
    } finally {
      await flaky.close();
    }
  });

  it('should open DEAD_LETTER on ingest.refused ({ reason, source, time }) and close it on ingest.corrected from the same source', async () => {
    const o = 'ORD-910014';
    const ev = (id: string, type: string, data: Record<string, unknown>) =>
      cloudEvent({ id, source: 'erp', type, subject: o, time: h.at(0), data });
    await h.bus.publish(
      Streams.SOURCE,
      ev('erp:r1', 'ingest.refused', { reason: 'PAYMENT_CURRENCY_MISMATCH', source: 'erp', time: h.at(0) }),
    );
    await h.settle();
    expect(await open(o, 'DEAD_LETTER')).toMatchObject({
      subjectKey: 'refused:erp',
      facts: { reason: 'PAYMENT_CURRENCY_MISMATCH', source: 'erp' },
    });
    await h.bus.publish(
      Streams.SOURCE,
      ev('erp:c1', 'ingest.corrected', { reason: 'PAYMENT_CURRENCY_MISMATCH', source: 'erp', time: h.at(1) }),
    );
    await h.settle();
    await openedAndClosed(o, 'DEAD_LETTER');
  });

  it('should open DEAD_LETTER at the sweep for an ingest letter naming an order the store has no facts for, and close it once discarded', async () => {
    const o = 'ORD-910015';
    // What a subgraph's keepRefused records for a 409 (maybe in another process than the engine's).
    const letter = await h.store.deadLetters.recordIngest({
      system: 'erp',
      rawBody: '{}',
      headers: {},
      error: '409: order ORD-910015 is unknown',
      orderId: o,
      eventId: 'erp:e15',
    });
    await h.engine.sweep();
    expect(await open(o, 'DEAD_LETTER')).toMatchObject({
      subjectKey: letter.id,
      facts: { letterId: letter.id, error: '409: order ORD-910015 is unknown' },
    });
    await h.store.deadLetters.discard(letter.id, { actor: 'ops', reason: 'test order' });
    await h.engine.sweep();
    await openedAndClosed(o, 'DEAD_LETTER');
  });

  it('should have exercised every exception type', async () => {
    const seen = new Set((await h.store.exceptions.list({}, 200)).nodes.map((x) => x.type));
    expect([...EXCEPTION_TYPES].filter((t) => !seen.has(t))).toEqual([]);
  });
});
