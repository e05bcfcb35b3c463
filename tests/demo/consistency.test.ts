import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateReturnEligibility, normalizeCarrierStatus } from '../../canonical/index.js';
import {
  DEMO_CATALOGUE,
  DEMO_EPOCH,
  DEMO_HISTORY_DAYS,
  generateDemo,
  statusInputsFor,
  type Money,
} from '../../demo/index.js';

const { data, scenarios } = generateDemo();
/** Orders refunded without a return receipt ("keep it"): REFUNDED returns with no receipt, on purpose. */
const keptByCustomer = new Set(scenarios['refunded-without-return']);

/** Problems found by a test; each test asserts its list is empty (one assertion, fast). */
let problems: string[] = [];
const ok = (cond: boolean, what: string): void => {
  if (!cond) problems.push(what);
};
const cents = (m: Money): number => {
  ok(m.currency === 'USD' && /^\d+\.\d{2}$/.test(m.amount), `money ${JSON.stringify(m)}`);
  return Math.round(Number(m.amount) * 100);
};
const price = new Map(DEMO_CATALOGUE.map((s) => [s.sku, Math.round(Number(s.unitPrice) * 100)]));
const byOrder = <T extends { orderId: string }>(xs: readonly T[]): Map<string, T[]> => {
  const m = new Map<string, T[]>();
  for (const x of xs) m.set(x.orderId, [...(m.get(x.orderId) ?? []), x]);
  return m;
};
const erp = new Map(data.erp.orders.map((o) => [o.orderId, o]));
const omsOrders = new Map(data.oms.orders.map((o) => [o.id, o]));
const payments = new Map(data.erp.payments.map((p) => [p.id, p]));
const omsFos = new Map(data.oms.fulfillmentOrders.map((f) => [f.id, f]));
const wmsFos = new Map(data.wms.fulfillmentOrders.map((f) => [f.id, f]));
const shipments = byOrder(data.wms.shipments);
const returns = byOrder(data.returns.returns);
const receipts = new Map(data.wms.receipts.map((r) => [r.returnId, r]));
const tracking = new Map(data.carrier.shipments.map((c) => [c.trackingNumber, c]));

/** Asserts a < b for ISO strings (same format, so string order is time order). */
const before = (a: string | null | undefined, b: string | null | undefined, what: string): void => {
  if (a != null && b != null) ok(a < b, `${what}: ${a} < ${b}`);
};

describe('demo data consistency', () => {
  beforeEach(() => {
    problems = [];
  });
  afterEach(() => {
    expect(problems).toEqual([]);
  });

  it('should use ISO-8601 UTC timestamps inside the history window', () => {
    const from = new Date(Date.parse(DEMO_EPOCH) - DEMO_HISTORY_DAYS * 86_400_000).toISOString();
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    const visit = (value: unknown, key: string): void => {
      if (typeof value === 'string' && /At$/.test(key)) {
        ok(iso.test(value) && value >= from, `${key} ${value}`);
        ok(key === 'estimatedDeliveryAt' || value < DEMO_EPOCH, `${key} ${value} before the epoch`);
      } else if (Array.isArray(value)) for (const v of value) visit(v, key);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
    };
    visit(data, 'data');
  });

  it("should order every order's events causally", () => {
    for (const o of data.oms.orders) {
      const e = erp.get(o.id)!;
      before(o.placedAt, e.acceptedAt, `${o.id} accepted`);
      for (const h of e.holds) {
        before(e.acceptedAt, h.placedAt, `${o.id} hold`);
        before(h.placedAt, h.releasedAt, `${o.id} hold released`);
      }
      for (const id of o.fulfillmentOrderIds) {
        const fo = omsFos.get(id)!;
        const w = wmsFos.get(id)!;
        before(e.acceptedAt, fo.allocatedAt, `${id} allocated`);
        before(fo.allocatedAt, w.releasedAt, `${id} released`);
        before(w.releasedAt, w.pickedAt, `${id} picked`);
        before(w.pickedAt, w.packedAt, `${id} packed`);
        before(w.packedAt, w.shippedAt, `${id} shipped`);
      }
      let lastDelivery: string | null = null;
      for (const s of shipments.get(o.id) ?? []) {
        ok(s.shippedAt === wmsFos.get(s.fulfillmentOrderId)!.shippedAt, `${s.id} shipped with its fulfillment order`);
        const c = tracking.get(s.trackingNumber);
        let t = s.shippedAt;
        for (const scan of c?.scans ?? []) {
          before(t, scan.occurredAt, `${s.id} scan`);
          t = scan.occurredAt;
        }
        const delivered = statusInputsFor(data, o.id).shipments.find((x) => x.id === s.id)!.deliveredAt;
        if (delivered && (!lastDelivery || delivered > lastDelivery)) lastDelivery = delivered;
      }
      for (const r of returns.get(o.id) ?? []) {
        before(lastDelivery, r.requestedAt, `${r.id} requested`);
        const rc = receipts.get(r.id);
        before(r.requestedAt, rc?.receivedAt, `${r.id} received`);
        before(rc?.receivedAt, r.refund?.refundedAt, `${r.id} refunded`);
      }
      for (const id of e.paymentIds) before(e.acceptedAt, payments.get(id)!.authorizedAt, `${id} authorized`);
    }
  });

  it('should price orders from the catalogue and invoice exactly what shipped', () => {
    for (const o of data.oms.orders) {
      const e = erp.get(o.id)!;
      const subtotal = o.lines.reduce((n, l) => n + price.get(l.sku)! * l.quantity, 0);
      ok(cents(e.totals.subtotal) === subtotal, `${o.id} subtotal`);
      ok(cents(e.totals.total) === subtotal + cents(e.totals.tax) + cents(e.totals.shipping), `${o.id} total`);
      const shipped = shipments.get(o.id) ?? [];
      const qty = (xs: readonly { lines: readonly { lineNumber: number; quantity: number }[] }[]): string =>
        JSON.stringify(xs.map((x) => x.lines.map((l) => [l.lineNumber, l.quantity])));
      ok(qty(e.invoices) === qty(shipped), `${o.id} invoice lines = shipment lines`);
      ok(
        e.invoices.every((inv, k) => inv.postedAt === shipped[k]?.shippedAt),
        `${o.id} invoices posted at shipment`,
      );
      for (const i of e.invoices) {
        const lineSum = i.lines.reduce((n, l) => n + cents(l.amount), 0);
        ok(cents(i.amount) >= lineSum, `${i.number} amount`);
        ok(
          i.lines.every((l) => cents(l.amount) === price.get(o.lines[l.lineNumber - 1]!.sku)! * l.quantity),
          `${i.number} line amounts`,
        );
      }
      const last = payments.get(e.paymentIds[e.paymentIds.length - 1]!)!;
      const captured = cents(last.capturedAmount);
      const refunded = cents(last.refundedAmount);
      ok(e.paymentStatus === last.status, `${o.id} payment status`);
      ok(captured === e.invoices.reduce((n, i) => n + cents(i.amount), 0), `${o.id} captured = invoiced`);
      ok(refunded === e.creditMemos.reduce((n, c) => n + cents(c.amount), 0), `${o.id} refunded = credit memos`);
      ok(refunded <= captured && captured <= cents(last.amount), `${o.id} refunded ≤ captured ≤ authorized`);
      ok(
        last.capturedAt ===
          (e.invoices
            .map((i) => i.postedAt)
            .sort()
            .at(-1) ?? null),
        `${o.id} capturedAt`,
      );
    }
  });

  it('should post a credit memo for every refunded return and none for the others', () => {
    for (const r of data.returns.returns) {
      const memo = erp.get(r.orderId)!.creditMemos.find((c) => c.returnId === r.id);
      if (r.status === 'REFUNDED' || r.status === 'CLOSED') {
        ok(
          memo !== undefined &&
            JSON.stringify(r.refund) ===
              JSON.stringify({ amount: memo.amount, creditMemoNumber: memo.number, refundedAt: memo.postedAt }),
          `${r.id} refund = credit memo`,
        );
      } else {
        ok(memo === undefined, `${r.id} has no credit memo`);
        ok(
          r.status === 'REFUND_PENDING'
            ? r.refund?.creditMemoNumber === null && r.refund.refundedAt === null
            : r.refund === null,
          `${r.id} refund`,
        );
      }
      const received = ['RECEIVED', 'REFUND_PENDING', 'REFUNDED', 'CLOSED'].includes(r.status);
      const keepIt = keptByCustomer.has(r.orderId) && r.status === 'REFUNDED';
      ok(receipts.has(r.id) === (received && !keepIt), `${r.id} receipt iff received (never for a "keep it" refund)`);
      ok(r.rmaNumber !== null || ['REQUESTED', 'REJECTED', 'CANCELLED'].includes(r.status), `${r.id} rma`);
    }
  });

  it('should only return delivered, invoiced, non-final-sale units within the window', () => {
    for (const [orderId, rs] of returns) {
      const o = omsOrders.get(orderId)!;
      const inputs = statusInputsFor(data, orderId);
      const invoiced = new Map<number, number>();
      for (const i of erp.get(orderId)!.invoices)
        for (const l of i.lines) invoiced.set(l.lineNumber, (invoiced.get(l.lineNumber) ?? 0) + l.quantity);
      const initiated = new Map<number, number>();
      for (const r of rs) {
        for (const l of r.lines) {
          const line = o.lines.find((x) => x.lineNumber === l.lineNumber)!;
          const delivered = inputs.shipments.filter((s) => s.status === 'DELIVERED');
          const verdict = evaluateReturnEligibility({
            requestedAt: r.requestedAt,
            quantity: l.quantity,
            finalSale: line.finalSale,
            delivered: delivered
              .flatMap((s) => s.lines)
              .filter((x) => x.lineNumber === l.lineNumber)
              .reduce((n, x) => n + x.quantity, 0),
            invoiced: invoiced.get(l.lineNumber) ?? 0,
            returnInitiated: initiated.get(l.lineNumber) ?? 0,
            lastDeliveredAt:
              delivered
                .map((s) => s.deliveredAt!)
                .sort()
                .at(-1) ?? null,
          });
          ok(
            verdict.failures.length === 0,
            `${r.id} line ${l.lineNumber}: ${verdict.failures.map((f) => f.message).join('; ')}`,
          );
          if (r.status !== 'REJECTED' && r.status !== 'CANCELLED')
            initiated.set(l.lineNumber, (initiated.get(l.lineNumber) ?? 0) + l.quantity);
        }
      }
    }
  });

  it("should speak each carrier's native codes, starting with the label", () => {
    for (const c of data.carrier.shipments) {
      const statuses = c.scans.map((s) => normalizeCarrierStatus(c.carrier, s.code));
      ok(
        statuses[0] === 'LABEL_CREATED' && !statuses.includes('UNKNOWN'),
        `${c.trackingNumber} codes ${statuses.join(',')}`,
      );
      const delivered = statuses.indexOf('DELIVERED');
      ok(delivered < 0 || delivered === statuses.length - 1, `${c.trackingNumber} delivered last`);
      ok(/^(UPS|FedEx|USPS|DHL) /.test(c.service), `${c.trackingNumber} service`);
      ok((c.estimatedDeliveryAt === null) === (c.scans.length === 1), `${c.trackingNumber} estimate once picked up`);
    }
  });

  it('should gather the status inputs the graph would, in linear time', () => {
    const started = process.hrtime.bigint();
    for (const o of data.oms.orders) statusInputsFor(data, o.id);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1_000);
    const unknown = data.wms.shipments.find((s) => !tracking.has(s.trackingNumber))!;
    expect(statusInputsFor(data, unknown.orderId).shipments.find((s) => s.id === unknown.id)).toMatchObject({
      status: 'UNKNOWN',
      deliveredAt: null,
      lastScanAt: null,
    });
    expect(() => statusInputsFor(data, 'ORD-999999')).toThrow(/no order "ORD-999999" in the oms slice/);
  });
});
