import { afterEach, describe, expect, it } from 'vitest';
import { HOLD_TYPES } from '../../canonical/index.js';
import type { ErpNotification } from '../../subgraphs/erp/ingest.js';
import { after, harness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ORDER = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order {
  erpSalesOrderId acceptedAt paymentStatus totals { total { amount } } holds { type reason placedAt releasedAt }
  invoices { number amount { amount } lines { lineNumber quantity } } creditMemos { number returnId amount { amount } }
  payments { id status amount { amount } capturedAmount { amount } refundedAmount { amount } authorizedAt }
} } }`;
const order = async (h: Harness, id: string) =>
  (await h.query(ORDER, { r: [{ __typename: 'Order', id }] })).body.data._entities[0];

const ORDER_ID = 'ORD-900001';
const usd = (amount: string) => ({ amount, currency: 'USD' });
const note = (
  notificationId: string,
  eventType: ErpNotification['eventType'],
  minutes: number,
  extra: Partial<ErpNotification> = {},
): ErpNotification => ({
  notificationId,
  eventType,
  postedAt: after(minutes),
  salesOrder: { orderRef: ORDER_ID, salesOrderId: 'SO-900001' },
  ...extra,
});
const accepted = note('n-acc', 'SALES_ORDER_ACCEPTED', 1, {
  totals: { subtotal: usd('100.00'), tax: usd('8.00'), shipping: usd('5.95'), total: usd('113.95') },
});
const pay = (id: string, type: ErpNotification['eventType'], minutes: number, payment: ErpNotification['payment']) =>
  note(id, type, minutes, { payment });

describe('erp ingest', () => {
  it('should create the ERP record of a newly accepted order, as the erp subgraph shows it', async () => {
    h = await harness('erp');
    expect((await order(h, ORDER_ID)).acceptedAt).toBeNull();
    expect((await h.post(accepted)).body).toEqual({ status: 'applied', events: ['erp:n-acc'] });
    expect(await order(h, ORDER_ID)).toMatchObject({
      erpSalesOrderId: 'SO-900001',
      acceptedAt: after(1),
      paymentStatus: 'PENDING',
      totals: { total: { amount: '113.95' } },
    });
    expect((await h.published())[0]).toMatchObject({
      type: 'order.accepted',
      source: 'erp',
      subject: ORDER_ID,
      data: { erpSalesOrderId: 'SO-900001' },
    });
  });

  it('should place and release holds of every type', async () => {
    h = await harness('erp');
    await h.post(accepted);
    for (const [i, type] of HOLD_TYPES.entries()) {
      expect(
        (await h.post(note(`p${i}`, 'HOLD_PLACED', 10 + i, { hold: { type, reason: 'check' } }))).body.status,
      ).toBe('applied');
    }
    expect(
      (await order(h, ORDER_ID)).holds.map((x: { type: string; releasedAt: null }) => [x.type, x.releasedAt]),
    ).toEqual(HOLD_TYPES.map((t) => [t, null]));
    expect((await h.post(note('r0', 'HOLD_RELEASED', 30, { hold: { type: 'CREDIT' } }))).body.status).toBe('applied');
    const holds = (await order(h, ORDER_ID)).holds;
    expect(holds.find((x: { type: string }) => x.type === 'CREDIT').releasedAt).toBe(after(30));
    // An older placement of the same hold arriving late does not re-open it.
    expect((await h.post(note('p-late', 'HOLD_PLACED', 5, { hold: { type: 'CREDIT' } }))).body.status).toBe('stale');
    expect((await order(h, ORDER_ID)).holds.filter((x: { type: string }) => x.type === 'CREDIT')).toHaveLength(1);
    const types = (await h.published()).map((e) => e.type);
    expect(types.filter((t) => t === 'order.hold_placed')).toHaveLength(5);
    expect(types.at(-1)).toBe('order.hold_released');
  });

  it('should move payments through every PaymentStatus, with amounts as totals that never go back', async () => {
    h = await harness('erp');
    await h.post(accepted);
    const payment = async (id: string) => (await order(h!, ORDER_ID)).payments.find((p: { id: string }) => p.id === id);
    const steps: [ErpNotification['eventType'], ErpNotification['payment'], string][] = [
      ['PAYMENT_AUTHORIZED', { paymentId: 'PAY-1', method: 'VISA', amount: usd('113.95') }, 'AUTHORIZED'],
      ['PAYMENT_CAPTURED', { paymentId: 'PAY-1', capturedTotal: usd('50.00') }, 'PARTIALLY_PAID'],
      ['PAYMENT_CAPTURED', { paymentId: 'PAY-1', capturedTotal: usd('113.95') }, 'PAID'],
      ['PAYMENT_REFUNDED', { paymentId: 'PAY-1', refundedTotal: usd('20.00') }, 'PARTIALLY_REFUNDED'],
      ['PAYMENT_REFUNDED', { paymentId: 'PAY-1', refundedTotal: usd('113.95') }, 'REFUNDED'],
    ];
    for (const [i, [type, p, status]] of steps.entries()) {
      expect((await h.post(pay(`pay-${i}`, type, 10 + i, p))).body.status).toBe('applied');
      expect((await payment('PAY-1')).status).toBe(status);
    }
    expect((await order(h, ORDER_ID)).paymentStatus).toBe('REFUNDED');
    // A late capture notice with a smaller total is stale even though it is newer.
    expect(
      (await h.post(pay('late', 'PAYMENT_CAPTURED', 30, { paymentId: 'PAY-1', capturedTotal: usd('50.00') }))).body
        .status,
    ).toBe('stale');
    expect((await payment('PAY-1')).capturedAmount.amount).toBe('113.95');

    await h.post(pay('f', 'PAYMENT_FAILED', 40, { paymentId: 'PAY-2', amount: usd('10.00') }));
    expect((await order(h, ORDER_ID)).paymentStatus).toBe('FAILED');
    await h.post(pay('a3', 'PAYMENT_AUTHORIZED', 41, { paymentId: 'PAY-3', amount: usd('10.00') }));
    await h.post(pay('v3', 'PAYMENT_VOIDED', 42, { paymentId: 'PAY-3' }));
    expect(await payment('PAY-3')).toMatchObject({ status: 'VOIDED', authorizedAt: after(41) });
    expect((await order(h, ORDER_ID)).paymentStatus).toBe('VOIDED');
    expect(new Set((await h.published()).map((e) => e.type))).toEqual(
      new Set([
        'order.accepted',
        'payment.authorized',
        'payment.captured',
        'payment.refunded',
        'payment.failed',
        'payment.voided',
      ]),
    );
  });

  it('should refuse money that does not add up: a negative total (400), a capture in another currency or above the authorization (409, ingest.refused)', async () => {
    h = await harness('erp');
    const negative = await h.post({
      ...accepted,
      totals: { subtotal: usd('-100.00'), tax: usd('8.00'), shipping: usd('5.95'), total: usd('-86.05') },
    });
    expect(negative.status).toBe(400);
    expect(negative.body.error.message).toBe(
      'totals.subtotal.amount must be a non-negative amount (a refund or credit is its own event, never a negative amount); received "-100.00"',
    );
    const sum = await h.post({
      ...accepted,
      totals: { subtotal: usd('100.00'), tax: usd('8.00'), shipping: usd('5.95'), total: usd('99.00') },
    });
    expect(sum.status).toBe(400);
    expect(sum.body.error.message).toBe(
      'totals.total.amount must be subtotal + tax + shipping = 113.95; received "99.00"',
    );
    await h.post(accepted);
    await h.post(pay('a', 'PAYMENT_AUTHORIZED', 10, { paymentId: 'PAY-1', amount: usd('100.00') }));
    const euros = await h.post(
      pay('c1', 'PAYMENT_CAPTURED', 11, { paymentId: 'PAY-1', capturedTotal: { amount: '500.00', currency: 'EUR' } }),
    );
    expect(euros.status).toBe(409);
    expect(euros.body.error.message).toBe('payment PAY-1 is in USD; the captured total is 500.00 EUR');
    const tooMuch = await h.post(
      pay('c2', 'PAYMENT_CAPTURED', 12, { paymentId: 'PAY-1', capturedTotal: usd('500.00') }),
    );
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.message).toBe(
      'payment PAY-1 authorized 100.00 USD; a captured total of 500.00 exceeds it',
    );
    const refund = await h.post(pay('r1', 'PAYMENT_REFUNDED', 13, { paymentId: 'PAY-1', refundedTotal: usd('1.00') }));
    expect(refund.status).toBe(409);
    const authEuros = await h.post(
      pay('a2', 'PAYMENT_AUTHORIZED', 14, { paymentId: 'PAY-2', amount: { amount: '10.00', currency: 'EUR' } }),
    );
    expect(authEuros.status).toBe(409);
    expect((await order(h, ORDER_ID)).payments).toEqual([
      expect.objectContaining({ id: 'PAY-1', status: 'AUTHORIZED', capturedAmount: { amount: '0.00' } }),
    ]);
    const refusals = (await h.published())
      .filter((e) => e.type === 'ingest.refused')
      .map((e) => (e.data as { reason: string }).reason);
    expect(refusals).toEqual([
      'CURRENCY_MISMATCH',
      'CAPTURE_EXCEEDS_AUTHORIZATION',
      'REFUND_EXCEEDS_CAPTURE',
      'CURRENCY_MISMATCH',
    ]);
  });

  it('should post invoices and credit memos (a credit memo is refund.issued from the ERP)', async () => {
    h = await harness('erp');
    await h.post(accepted);
    const invoice = {
      number: 'INV-900001-1',
      amount: usd('113.95'),
      lines: [{ lineNumber: 1, quantity: 2, amount: usd('100.00') }],
    };
    expect((await h.post(note('i1', 'INVOICE_POSTED', 5, { invoice }))).body.status).toBe('applied');
    expect(
      (
        await h.post(
          note('c1', 'CREDIT_MEMO_POSTED', 6, {
            creditMemo: { number: 'CM-900001-1', amount: usd('50.00'), returnRef: 'RET-900001-1' },
          }),
        )
      ).body.status,
    ).toBe('applied');
    const o = await order(h, ORDER_ID);
    expect(o.invoices).toEqual([
      { number: 'INV-900001-1', amount: { amount: '113.95' }, lines: [{ lineNumber: 1, quantity: 2 }] },
    ]);
    expect(o.creditMemos).toEqual([{ number: 'CM-900001-1', returnId: 'RET-900001-1', amount: { amount: '50.00' } }]);
    expect((await h.published()).map((e) => [e.type, e.source])).toEqual([
      ['order.accepted', 'erp'],
      ['invoice.posted', 'erp'],
      ['refund.issued', 'erp'],
    ]);
  });

  it('should answer 409 for an order the ERP does not know, and 400 for a bad hold type', async () => {
    h = await harness('erp');
    const unknown = await h.post(note('h1', 'HOLD_PLACED', 5, { hold: { type: 'FRAUD' } }));
    expect(unknown.status).toBe(409);
    expect(unknown.body.error.message).toMatch(/order ORD-900001 is unknown to the ERP/);
    const bad = await h.post({ ...note('h2', 'HOLD_PLACED', 5), hold: { type: 'WEATHER' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe(
      'hold.type must be one of CREDIT, PAYMENT_REVIEW, FRAUD, INVENTORY, ADDRESS; received "WEATHER"',
    );
    const money = await h.post({
      ...accepted,
      totals: { ...accepted.totals, total: { amount: 113.95, currency: 'USD' } },
    });
    expect(money.body.error.message).toBe(
      'totals.total.amount must be a decimal string such as "129.90"; received number 113.95',
    );
    expect(await h.published()).toEqual([]);
  });
});
