import { toCents, type HoldType, type PaymentStatus } from '../../../canonical/index.js';
import type { Money } from '../../../canonical/index.js';
import type { ErpSlice } from '../records.js';
import { GuardRefusal, RecordConflictError, type ApplyResult } from '../../common/ingest.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type { ErpCreditMemo, ErpInvoice, ErpOrder, ErpPayment, ErpPort, ErpRecorder, PaymentChange } from '../port.js';

const money = (c: number, currency: string): Money => ({
  amount: `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`,
  currency,
});

/** A payment's status from its amounts (for a payment that is neither failed nor voided). */
function statusFromAmounts(p: ErpPayment): PaymentStatus {
  const captured = toCents(p.capturedAmount);
  const refunded = toCents(p.refundedAmount);
  if (refunded > 0) return refunded >= captured ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
  if (captured > 0) return captured >= toCents(p.amount) ? 'PAID' : 'PARTIALLY_PAID';
  return p.authorizedAt ? 'AUTHORIZED' : 'PENDING';
}

/**
 * A seeded in-memory ERP with fault knobs; the embedded default. Ingest changes its records in
 * place (Money values are replaced, never mutated) and appends new ones to the slice it was given.
 */
/** The ERP simulator's default rate limit, requests per second (Dynamics answers 429 past 6,000 per 5 minutes). */
export const ERP_DEFAULT_RATE_LIMIT = 50;

export class MemoryErp implements ErpPort, ErpRecorder {
  readonly sim: SystemSimulator;
  private readonly orders = new Map<string, ErpOrder>();
  private readonly payments = new Map<string, ErpPayment>();

  constructor(
    private readonly slice: ErpSlice,
    faults: Partial<FaultKnobs> = {},
  ) {
    // Like a real ERP, the simulator refuses bursts: 50 requests/s unless told otherwise (ERP_SIM_RATE_LIMIT; 0 = unlimited).
    this.sim = new SystemSimulator('erp', { rateLimitPerSecond: ERP_DEFAULT_RATE_LIMIT, ...faults });
    for (const o of slice.orders) this.orders.set(o.orderId, o);
    for (const p of slice.payments) this.payments.set(p.id, p);
  }

  ordersById(orderIds: readonly string[]) {
    return this.sim.call('ordersById', () => orderIds.map((id) => this.orders.get(id) ?? null));
  }

  paymentsById(ids: readonly string[]) {
    return this.sim.call('paymentsById', () => ids.map((id) => this.payments.get(id) ?? null));
  }

  private order(orderId: string): ErpOrder {
    const o = this.orders.get(orderId);
    if (!o)
      throw new RecordConflictError(
        `order ${orderId} is unknown to the ERP; its acceptance (SALES_ORDER_ACCEPTED with totals) must come first`,
      );
    return o;
  }

  acceptOrder(a: {
    orderId: string;
    erpSalesOrderId: string | null;
    totals: ErpOrder['totals'] | null;
    at: string;
  }): ApplyResult {
    const o = this.orders.get(a.orderId);
    if (o) {
      o.acceptedAt ??= a.at;
      return 'applied';
    }
    if (!a.totals || !a.erpSalesOrderId)
      throw new RecordConflictError(
        `order ${a.orderId} is unknown to the ERP; its first acceptance must carry salesOrder.salesOrderId and totals`,
      );
    const created: ErpOrder = {
      orderId: a.orderId,
      erpSalesOrderId: a.erpSalesOrderId,
      acceptedAt: a.at,
      holds: [],
      invoices: [],
      paymentIds: [],
      paymentStatus: 'PENDING',
      creditMemos: [],
      totals: a.totals,
    };
    this.orders.set(a.orderId, created);
    this.slice.orders.push(created);
    return 'applied';
  }

  placeHold(orderId: string, h: { type: HoldType; reason: string | null; at: string }): ApplyResult {
    const o = this.order(orderId);
    if (o.holds.some((x) => x.type === h.type && x.releasedAt == null)) return 'applied';
    if (o.holds.some((x) => x.type === h.type && x.placedAt >= h.at)) return 'stale';
    o.holds.push({ type: h.type, reason: h.reason, placedAt: h.at, releasedAt: null });
    return 'applied';
  }

  releaseHold(orderId: string, type: HoldType, at: string): ApplyResult {
    const o = this.order(orderId);
    const active = o.holds.find((x) => x.type === type && x.releasedAt == null);
    if (active) {
      active.releasedAt = at > active.placedAt ? at : active.placedAt;
      return 'applied';
    }
    if (o.holds.some((x) => x.type === type && (x.releasedAt ?? '') >= at))
      return o.holds.some((x) => x.type === type && x.releasedAt === at) ? 'applied' : 'stale';
    // A release that arrives before its placement: remember it, so the late placement is stale
    // (placed at or before this release) instead of holding the order for ever.
    o.holds.push({ type, reason: null, placedAt: at, releasedAt: at });
    return 'applied';
  }

  /** Refuses an amount in another currency than the order's totals. */
  private sameCurrency(o: ErpOrder, what: string, m: Money): void {
    const expected = o.totals.total.currency;
    if (m.currency !== expected)
      throw new GuardRefusal(
        'CURRENCY_MISMATCH',
        `${what} must be in the order's currency ${expected}; received ${m.amount} ${m.currency}`,
        { reported: { amount: m }, applied: { currency: expected } },
      );
  }

  postInvoice(orderId: string, invoice: ErpInvoice): ApplyResult {
    const o = this.order(orderId);
    this.sameCurrency(o, `invoice ${invoice.number}`, invoice.amount);
    if (!o.invoices.some((i) => i.number === invoice.number)) o.invoices.push(invoice);
    return 'applied';
  }

  postCreditMemo(orderId: string, memo: ErpCreditMemo): ApplyResult {
    const o = this.order(orderId);
    this.sameCurrency(o, `credit memo ${memo.number}`, memo.amount);
    if (!o.creditMemos.some((m) => m.number === memo.number)) o.creditMemos.push(memo);
    return 'applied';
  }

  recordPayment(orderId: string, c: PaymentChange): ApplyResult {
    const o = this.order(orderId);
    let p = this.payments.get(c.paymentId);
    if (p && p.orderId !== orderId)
      throw new RecordConflictError(`payment ${c.paymentId} belongs to order ${p.orderId}, not ${orderId}`);
    if (c.amount) this.sameCurrency(o, `payment ${c.paymentId}'s amount`, c.amount);
    if (p && c.total) {
      if (c.total.currency !== p.amount.currency) {
        throw new GuardRefusal(
          'CURRENCY_MISMATCH',
          `payment ${c.paymentId} is in ${p.amount.currency}; the ${c.kind} total is ${c.total.amount} ${c.total.currency}`,
          { reported: { total: c.total }, applied: { currency: p.amount.currency } },
        );
      }
      if (c.kind === 'captured' && toCents(c.total) > toCents(p.amount)) {
        throw new GuardRefusal(
          'CAPTURE_EXCEEDS_AUTHORIZATION',
          `payment ${c.paymentId} authorized ${p.amount.amount} ${p.amount.currency}; a captured total of ${c.total.amount} exceeds it`,
          { reported: { capturedTotal: c.total }, applied: { authorized: p.amount } },
        );
      }
      if (c.kind === 'refunded' && toCents(c.total) > toCents(p.capturedAmount)) {
        throw new GuardRefusal(
          'REFUND_EXCEEDS_CAPTURE',
          `payment ${c.paymentId} captured ${p.capturedAmount.amount} ${p.capturedAmount.currency}; a refunded total of ${c.total.amount} exceeds it`,
          { reported: { refundedTotal: c.total }, applied: { captured: p.capturedAmount } },
        );
      }
    }
    if (!p) {
      if (c.kind !== 'authorized' && c.kind !== 'failed')
        throw new RecordConflictError(`payment ${c.paymentId} is unknown to the ERP; it must be authorized first`);
      const zero = money(0, c.amount!.currency);
      p = {
        id: c.paymentId,
        orderId,
        method: c.method,
        status: 'PENDING',
        amount: c.amount!,
        capturedAmount: zero,
        refundedAmount: zero,
        authorizedAt: null,
        capturedAt: null,
      };
      this.payments.set(p.id, p);
      this.slice.payments.push(p);
      o.paymentIds.push(p.id);
    }
    const result = this.movePayment(p, c);
    o.paymentStatus = this.payments.get(o.paymentIds.at(-1)!)?.status ?? 'PENDING';
    return result;
  }

  private movePayment(p: ErpPayment, c: PaymentChange): ApplyResult {
    const final = p.status === 'VOIDED' || p.status === 'FAILED';
    switch (c.kind) {
      case 'authorized':
        if (p.authorizedAt || final) return p.status === 'AUTHORIZED' || p.authorizedAt === c.at ? 'applied' : 'stale';
        p.authorizedAt = c.at;
        p.amount = c.amount ?? p.amount;
        break;
      case 'failed':
      case 'voided': {
        const target: PaymentStatus = c.kind === 'failed' ? 'FAILED' : 'VOIDED';
        if (p.status === target) return 'applied';
        if (final || toCents(p.capturedAmount) > 0) return 'stale';
        p.status = target;
        return 'applied';
      }
      case 'captured':
      case 'refunded': {
        if (final) return 'stale';
        const field = c.kind === 'captured' ? 'capturedAmount' : 'refundedAmount';
        const delta = toCents(c.total!) - toCents(p[field]);
        if (delta < 0) return 'stale';
        p[field] = c.total!;
        if (c.kind === 'captured') p.capturedAt = p.capturedAt && p.capturedAt > c.at ? p.capturedAt : c.at;
        break;
      }
    }
    p.status = statusFromAmounts(p);
    return 'applied';
  }
}
