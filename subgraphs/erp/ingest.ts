/**
 * ERP business-event notifications (docs/ingest.md, "erp"): sales order accepted, holds placed
 * and released, invoices and credit memos posted, payments authorized, captured, refunded, failed
 * and voided. Payment amounts are totals so far, never increments, so a replay cannot double them.
 */
import { HOLD_TYPES, type HoldType } from '../../canonical/index.js';
import { fromCents, toCents, type Money } from '../../canonical/index.js';
import { EventType } from '../../canonical/eventTypes.js';
import { sourceEvent, type ApplyResult, type IngestSystem } from '../common/ingest.js';
import { Reader } from '../common/reader.js';
import type { ErpOrder, ErpRecorder, PaymentChange } from './port.js';

export const ERP_EVENT_TYPES = [
  'SALES_ORDER_ACCEPTED',
  'HOLD_PLACED',
  'HOLD_RELEASED',
  'INVOICE_POSTED',
  'CREDIT_MEMO_POSTED',
  'PAYMENT_AUTHORIZED',
  'PAYMENT_CAPTURED',
  'PAYMENT_REFUNDED',
  'PAYMENT_FAILED',
  'PAYMENT_VOIDED',
] as const;
export type ErpEventType = (typeof ERP_EVENT_TYPES)[number];

/** One native ERP notification. Which optional part is required depends on `eventType`. */
export interface ErpNotification {
  /** The ERP's id of this notification; a redelivery repeats it. */
  notificationId: string;
  eventType: ErpEventType;
  /** When it was posted in the ERP. */
  postedAt: string;
  /** The sales order: our order id (the customer reference on it) and the ERP's own number. */
  salesOrder: { orderRef: string; salesOrderId?: string | null };
  /** SALES_ORDER_ACCEPTED (required the first time the ERP sees the order). */
  totals?: ErpOrder['totals'] | null;
  /** HOLD_PLACED, HOLD_RELEASED. */
  hold?: { type: HoldType; reason?: string | null };
  /** INVOICE_POSTED. */
  invoice?: { number: string; amount: Money; lines: { lineNumber: number; quantity: number; amount: Money }[] };
  /** CREDIT_MEMO_POSTED. */
  creditMemo?: { number: string; amount: Money; returnRef?: string | null };
  /** PAYMENT_*: `amount` for AUTHORIZED/FAILED, `capturedTotal` for CAPTURED, `refundedTotal` for REFUNDED. */
  payment?: { paymentId: string; method?: string | null; amount?: Money; capturedTotal?: Money; refundedTotal?: Money };
}

/** Validates an ERP notification, naming the first bad field. */
export function validateErpNotification(body: unknown): ErpNotification {
  const r = Reader.root(body);
  const so = r.object('salesOrder');
  const n: ErpNotification = {
    notificationId: r.id('notificationId'),
    eventType: r.oneOf('eventType', ERP_EVENT_TYPES),
    postedAt: r.dateTime('postedAt'),
    salesOrder: { orderRef: so.id('orderRef'), salesOrderId: so.optionalId('salesOrderId') },
  };
  switch (n.eventType) {
    case 'SALES_ORDER_ACCEPTED': {
      const t = r.optionalObject('totals');
      n.totals = t && {
        subtotal: t.money('subtotal'),
        tax: t.money('tax'),
        shipping: t.money('shipping'),
        total: t.money('total'),
      };
      if (n.totals) {
        const { subtotal, tax, shipping, total } = n.totals;
        if ([subtotal, tax, shipping].some((m) => m.currency !== total.currency))
          t!
            .object('total')
            .fail(
              'currency',
              `the currency of subtotal, tax and shipping (${subtotal.currency}, ${tax.currency}, ${shipping.currency})`,
            );
        const sum = toCents(subtotal) + toCents(tax) + toCents(shipping);
        if (sum !== toCents(total))
          t!.object('total').fail('amount', `subtotal + tax + shipping = ${fromCents(sum, total.currency).amount}`);
      }
      break;
    }
    case 'HOLD_PLACED':
    case 'HOLD_RELEASED': {
      const h = r.object('hold');
      n.hold = { type: h.oneOf('type', HOLD_TYPES), reason: h.optionalString('reason', 200) };
      break;
    }
    case 'INVOICE_POSTED': {
      const i = r.object('invoice');
      i.qtyLines('lines', 0);
      n.invoice = {
        number: i.id('number'),
        amount: i.money('amount'),
        lines: i.list('lines', 1, 500).map((l) => ({
          lineNumber: l.int('lineNumber', 1, 10_000),
          quantity: l.int('quantity', 0, 100_000),
          amount: l.money('amount'),
        })),
      };
      break;
    }
    case 'CREDIT_MEMO_POSTED': {
      const m = r.object('creditMemo');
      n.creditMemo = { number: m.id('number'), amount: m.money('amount'), returnRef: m.optionalId('returnRef') };
      break;
    }
    default: {
      const p = r.object('payment');
      n.payment = { paymentId: p.id('paymentId'), method: p.optionalString('method', 40) };
      if (n.eventType === 'PAYMENT_AUTHORIZED' || n.eventType === 'PAYMENT_FAILED')
        n.payment.amount = p.money('amount');
      if (n.eventType === 'PAYMENT_CAPTURED') n.payment.capturedTotal = p.money('capturedTotal');
      if (n.eventType === 'PAYMENT_REFUNDED') n.payment.refundedTotal = p.money('refundedTotal');
    }
  }
  return n;
}

const PAYMENT_KINDS: Readonly<Partial<Record<ErpEventType, [PaymentChange['kind'], string]>>> = {
  PAYMENT_AUTHORIZED: ['authorized', EventType.PAYMENT_AUTHORIZED],
  PAYMENT_CAPTURED: ['captured', EventType.PAYMENT_CAPTURED],
  PAYMENT_REFUNDED: ['refunded', EventType.PAYMENT_REFUNDED],
  PAYMENT_FAILED: ['failed', EventType.PAYMENT_FAILED],
  PAYMENT_VOIDED: ['voided', EventType.PAYMENT_VOIDED],
};

/** ERP ingest over the ERP's records: one event per notification. */
export function erpIngest(records: ErpRecorder): IngestSystem<ErpNotification> {
  return {
    source: 'erp',
    validate: validateErpNotification,
    plan(n) {
      const orderId = n.salesOrder.orderRef;
      const at = n.postedAt;
      const one = (type: string, entity: string, data: Record<string, unknown>, apply: () => ApplyResult) => [
        {
          event: sourceEvent('erp', n.notificationId, null, { type, subject: orderId, time: at, data }),
          entity,
          apply,
        },
      ];
      switch (n.eventType) {
        case 'SALES_ORDER_ACCEPTED':
          return one(
            EventType.ORDER_ACCEPTED,
            `order:${orderId}:acceptance`,
            { erpSalesOrderId: n.salesOrder.salesOrderId ?? null, total: n.totals?.total ?? null },
            () =>
              records.acceptOrder({
                orderId,
                erpSalesOrderId: n.salesOrder.salesOrderId ?? null,
                totals: n.totals ?? null,
                at,
              }),
          );
        case 'HOLD_PLACED':
        case 'HOLD_RELEASED': {
          const { type, reason } = n.hold!;
          const placed = n.eventType === 'HOLD_PLACED';
          return one(
            placed ? EventType.ORDER_HOLD_PLACED : EventType.ORDER_HOLD_RELEASED,
            `hold:${orderId}:${type}`,
            { holdType: type, active: placed },
            () =>
              placed
                ? records.placeHold(orderId, { type, reason: reason ?? null, at })
                : records.releaseHold(orderId, type, at),
          );
        }
        case 'INVOICE_POSTED': {
          const inv = n.invoice!;
          return one(
            EventType.INVOICE_POSTED,
            `invoice:${inv.number}`,
            {
              invoiceNumber: inv.number,
              amount: inv.amount,
              lines: inv.lines.map(({ lineNumber, quantity }) => ({ lineNumber, quantity })),
            },
            () =>
              records.postInvoice(orderId, { number: inv.number, postedAt: at, amount: inv.amount, lines: inv.lines }),
          );
        }
        case 'CREDIT_MEMO_POSTED': {
          const m = n.creditMemo!;
          return one(
            EventType.REFUND_ISSUED,
            `creditMemo:${m.number}`,
            { creditMemoNumber: m.number, amount: m.amount, returnId: m.returnRef ?? null },
            () =>
              records.postCreditMemo(orderId, {
                number: m.number,
                postedAt: at,
                amount: m.amount,
                returnId: m.returnRef ?? null,
              }),
          );
        }
        default: {
          const p = n.payment!;
          const [kind, type] = PAYMENT_KINDS[n.eventType]!;
          const total = p.capturedTotal ?? p.refundedTotal ?? null;
          const data = {
            paymentId: p.paymentId,
            ...(p.amount ? { amount: p.amount } : {}),
            ...(p.capturedTotal ? { capturedAmount: p.capturedTotal } : {}),
            ...(p.refundedTotal ? { refundedAmount: p.refundedTotal } : {}),
          };
          return one(type, `payment:${p.paymentId}`, data, () =>
            records.recordPayment(orderId, {
              paymentId: p.paymentId,
              method: p.method ?? null,
              kind,
              amount: p.amount ?? null,
              total,
              at,
            }),
          );
        }
      }
    },
  };
}
