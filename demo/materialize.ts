/**
 * Turns an order plan into each system's native records (demo/records.ts). Pure: no randomness.
 * Only the requested slices are written. Identical values (timestamps at minute resolution, ids
 * reused across systems, and frozen Money objects) are shared instances to keep a million orders small.
 */
import type { PaymentStatus } from '../canonical/index.js';
import { SCAN_DESCRIPTIONS } from './catalogue.js';
import { DAY, unitTax, type OrderPlan } from './plan.js';
import type { DemoData, Money, SystemName } from './records.js';

const MINUTE_MS = 60_000;

/**
 * Formats and interns timestamps and amounts for one generation run. Timestamps have minute
 * resolution, so a 120-day history has fewer than 200,000 distinct ones.
 */
export class Interner {
  private readonly times: (string | undefined)[] = [];
  private readonly otherTimes = new Map<number, string>();
  private readonly amounts = new Map<number, Money>();

  /** @param origin the first absolute minute expected; `span` minutes from it are kept in an array. */
  constructor(
    private readonly origin: number,
    private readonly span: number,
  ) {}

  /** ISO-8601 UTC for an absolute minute (minutes since 1970-01-01T00:00Z). */
  iso(minute: number): string {
    const i = minute - this.origin;
    if (i >= 0 && i < this.span) {
      let s = this.times[i];
      if (s === undefined) {
        while (this.times.length < i) this.times.push(undefined);
        s = new Date(minute * MINUTE_MS).toISOString();
        this.times[i] = s;
      }
      return s;
    }
    let s = this.otherTimes.get(minute);
    if (s === undefined) this.otherTimes.set(minute, (s = new Date(minute * MINUTE_MS).toISOString()));
    return s;
  }

  /**
   * A USD amount for a whole number of cents. Equal amounts share one frozen object (a value:
   * replace it, never mutate it), which saves about 400 bytes per order.
   */
  money(cents: number): Money {
    let m = this.amounts.get(cents);
    if (m === undefined) {
      const abs = Math.abs(cents);
      m = Object.freeze({
        amount: `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`,
        currency: 'USD',
      });
      this.amounts.set(cents, m);
    }
    return m;
  }
}

const pad6 = (n: number): string => String(n).padStart(6, '0');

/** Writes plan → records into `data`, keeping only `keep`'s slices. */
export class Materializer {
  /** Absolute minute the current order was placed; plan times are relative to it. */
  private placed = 0;

  constructor(
    private readonly data: DemoData,
    private readonly keep: ReadonlySet<SystemName>,
    private readonly intern: Interner,
  ) {}

  private iso(m: number): string {
    return this.intern.iso(this.placed + m);
  }

  private isoOrNull(m: number | null): string | null {
    return m == null ? null : this.intern.iso(this.placed + m);
  }

  /**
   * Writes order number `n` (1-based) placed at absolute minute `placed` for `customerId`.
   * @returns the order id.
   */
  write(n: number, customerId: string, letter: string, p: OrderPlan, placed: number): string {
    const { data, keep } = this;
    this.placed = placed;
    const key = pad6(n);
    const orderId = `ORD-${key}`;
    const foIds = p.fos.map((_, i) => `FO-${key}-${i + 1}`);
    const shipmentIds = p.shipments.map((_, i) => `SHP-${key}-${i + 1}`);
    const returnIds = p.returns.map((_, i) => `RET-${key}-${i + 1}`);
    if (keep.has('oms')) {
      data.oms.orders.push({
        id: orderId,
        number: `${letter}${100_000 + n}`,
        channel: p.channel,
        placedAt: this.iso(0),
        customerId,
        lines: p.lines.map((l) => ({
          lineNumber: l.lineNumber,
          sku: l.sku.sku,
          description: l.sku.description,
          finalSale: l.sku.finalSale,
          quantity: l.quantity,
          cancelledQuantity: l.cancelled,
          backorderedQuantity: l.backordered,
        })),
        fulfillmentOrderIds: foIds,
      });
      for (let i = 0; i < p.fos.length; i++) {
        const fo = p.fos[i]!;
        data.oms.fulfillmentOrders.push({
          id: foIds[i]!,
          orderId,
          nodeId: fo.node.id,
          allocatedAt: this.iso(fo.allocatedAt),
          lines: fo.lines.slice(),
        });
      }
    }
    if (keep.has('wms')) {
      for (let i = 0; i < p.fos.length; i++) {
        const fo = p.fos[i]!;
        data.wms.fulfillmentOrders.push({
          id: foIds[i]!,
          orderId,
          nodeId: fo.node.id,
          status: fo.status,
          releasedAt: this.iso(fo.releasedAt),
          pickedAt: this.isoOrNull(fo.pickedAt),
          packedAt: this.isoOrNull(fo.packedAt),
          shippedAt: this.isoOrNull(fo.shippedAt),
          ...(fo.cancelledAt != null
            ? { cancelledAt: this.iso(fo.cancelledAt), cancelReason: fo.cancelReason ?? null }
            : {}),
        });
      }
      for (let i = 0; i < p.shipments.length; i++) {
        const s = p.shipments[i]!;
        data.wms.shipments.push({
          id: shipmentIds[i]!,
          orderId,
          fulfillmentOrderId: foIds[s.fo]!,
          shippedAt: this.iso(s.at),
          lines: s.lines.slice(),
          carrier: s.carrier,
          trackingNumber: s.trackingNumber,
        });
      }
      for (let i = 0; i < p.returns.length; i++) {
        const r = p.returns[i]!;
        if (r.receivedAt == null) continue;
        data.wms.receipts.push({
          returnId: returnIds[i]!,
          orderId,
          receivedAt: this.iso(r.receivedAt),
          lines: r.lines.map((l, k) => ({
            lineNumber: l.lineNumber,
            quantity: l.quantity,
            disposition: r.dispositions[k]!,
          })),
        });
      }
    }
    if (keep.has('carrier')) {
      for (let i = 0; i < p.shipments.length; i++) {
        const s = p.shipments[i]!;
        if (!s.scans) continue;
        data.carrier.shipments.push({
          trackingNumber: s.trackingNumber,
          carrier: s.carrier,
          service: s.service.name,
          references: { shipmentId: shipmentIds[i]!, orderId },
          scans: s.scans.map((e) => ({
            occurredAt: this.iso(e.at),
            code: e.code,
            description: SCAN_DESCRIPTIONS[e.status],
            location: e.location,
          })),
          // The carrier quotes a delivery date once it has the parcel, not for a bare label.
          estimatedDeliveryAt: s.scans.length > 1 ? this.iso(s.at + s.service.days * DAY) : null,
        });
      }
    }
    if (keep.has('returns')) {
      for (let i = 0; i < p.returns.length; i++) {
        const r = p.returns[i]!;
        data.returns.returns.push({
          id: returnIds[i]!,
          orderId,
          rmaNumber: r.rma ? `RMA-${key}-${i + 1}` : null,
          status: r.status,
          channel: r.channel,
          requestedAt: this.iso(r.requestedAt),
          reason: r.reason,
          lines: r.lines.slice(),
          refund: r.refund && {
            amount: this.intern.money(r.refund.cents),
            creditMemoNumber: r.refund.refundedAt == null ? null : `CM-${key}-${i + 1}`,
            refundedAt: this.isoOrNull(r.refund.refundedAt),
          },
        });
      }
    }
    if (keep.has('erp')) this.writeErp(key, orderId, p, returnIds);
    return orderId;
  }

  private writeErp(key: string, orderId: string, p: OrderPlan, returnIds: string[]): void {
    const { intern } = this;
    let subtotal = 0;
    let tax = 0;
    let cancelledValue = 0;
    for (const l of p.lines) {
      const unit = l.sku.cents + unitTax(p, l);
      subtotal += l.sku.cents * l.quantity;
      tax += unitTax(p, l) * l.quantity;
      cancelledValue += unit * l.cancelled;
    }
    const total = subtotal + tax + p.shippingCents;
    let captured = 0;
    let capturedAt = -1;
    const invoices = p.shipments.map((s, i) => {
      let amount = i === 0 ? p.shippingCents : 0;
      const lines = s.lines.map((l) => {
        const line = p.lines[l.lineNumber - 1]!;
        amount += l.quantity * (line.sku.cents + unitTax(p, line));
        return { lineNumber: l.lineNumber, quantity: l.quantity, amount: intern.money(l.quantity * line.sku.cents) };
      });
      captured += amount;
      capturedAt = Math.max(capturedAt, s.at);
      return { number: `INV-${key}-${i + 1}`, postedAt: this.iso(s.at), amount: intern.money(amount), lines };
    });
    let refunded = 0;
    const creditMemos = [];
    for (let i = 0; i < p.returns.length; i++) {
      const refund = p.returns[i]!.refund;
      if (refund?.refundedAt == null) continue;
      refunded += refund.cents;
      creditMemos.push({
        number: `CM-${key}-${i + 1}`,
        postedAt: this.iso(refund.refundedAt),
        amount: intern.money(refund.cents),
        returnId: returnIds[i]!,
      });
    }
    const { payment } = p;
    // The authorization follows the order: reduced when units are cancelled, voided when all are.
    const authorized = p.cancelled ? total : total - cancelledValue;
    const status: PaymentStatus =
      payment.mode === 'failed'
        ? 'FAILED'
        : p.acceptedAt == null
          ? 'PENDING'
          : p.cancelled
            ? 'VOIDED'
            : refunded > 0
              ? refunded >= captured
                ? 'REFUNDED'
                : 'PARTIALLY_REFUNDED'
              : captured > 0
                ? captured >= authorized
                  ? 'PAID'
                  : 'PARTIALLY_PAID'
                : 'AUTHORIZED';
    const paymentIds: string[] = [];
    const payments = this.data.erp.payments;
    if (payment.mode === 'retried') {
      paymentIds.push(`PAY-${key}-1`);
      payments.push({
        id: paymentIds[0]!,
        orderId,
        method: payment.method,
        status: 'FAILED',
        amount: intern.money(total),
        capturedAmount: intern.money(0),
        refundedAmount: intern.money(0),
        authorizedAt: null,
        capturedAt: null,
      });
    }
    paymentIds.push(`PAY-${key}-${paymentIds.length + 1}`);
    payments.push({
      id: paymentIds[paymentIds.length - 1]!,
      orderId,
      method: payment.method,
      status,
      amount: intern.money(authorized),
      capturedAmount: intern.money(captured),
      refundedAmount: intern.money(refunded),
      authorizedAt: status === 'FAILED' || status === 'PENDING' ? null : this.isoOrNull(payment.authorizedAt),
      capturedAt: capturedAt < 0 ? null : this.iso(capturedAt),
    });
    this.data.erp.orders.push({
      orderId,
      erpSalesOrderId: `SO-${key}`,
      acceptedAt: this.isoOrNull(p.acceptedAt),
      holds: p.holds.map((h) => ({
        type: h.type,
        reason: h.reason,
        placedAt: this.iso(h.placedAt),
        releasedAt: this.isoOrNull(h.releasedAt),
      })),
      invoices,
      paymentIds: paymentIds.slice(),
      paymentStatus: status,
      creditMemos: creditMemos.slice(),
      totals: {
        subtotal: intern.money(subtotal),
        tax: intern.money(tax),
        shipping: intern.money(p.shippingCents),
        total: intern.money(total),
      },
    });
  }
}
