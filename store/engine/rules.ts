import { ExceptionType } from '../exceptionTypes.js';
import { FINAL_STATUSES, type OrderFacts } from './facts.js';
import type { ExceptionSlas } from './sla.js';

/** An exception that should be open now. */
export interface Desired {
  type: ExceptionType;
  subjectKey: string;
  since: string;
  slaSeconds: number;
  fulfillmentNodeId?: string | null;
  facts: Record<string, unknown>;
}

const PROBLEM_STATUSES = new Set(['EXCEPTION', 'RETURNED_TO_SENDER', 'CANCELLED']);
const RETURN_WAITING = new Set(['REQUESTED', 'APPROVED', 'IN_TRANSIT', 'RECEIVED', 'REFUND_PENDING']);
const iso = (ms: number): string => new Date(ms).toISOString();
const sec = (ms: number): number => Math.round(ms / 1000);

/**
 * Every exception the facts call for at `now` (pure). The engine opens the ones not open yet and
 * closes the open ones no longer called for; docs/operations.md describes each rule.
 */
export function evaluate(
  f: OrderFacts,
  now: number,
  sla: ExceptionSlas,
  openLetters: ReadonlyArray<{ id: string; since: string; group: string | null; error: string }> = [],
): Desired[] {
  const out: Desired[] = [];
  const shipments = Object.entries(f.shipments);
  const cancelled = f.status === 'CANCELLED' || f.cancelledAt !== undefined;
  const anyShipped = shipments.some(([, s]) => s.shippedAt !== undefined);
  const anyDelivered = shipments.some(([, s]) => s.deliveredAt !== undefined || s.carrierStatus === 'DELIVERED');

  for (const [id, s] of shipments) {
    // UNCONFIRMED_SHIPMENT: shipped with no scan, or scanned with no shipment, past the SLA.
    if (s.shippedAt && !s.firstScanAt && now - Date.parse(s.shippedAt) >= sla.unconfirmedShipmentMs) {
      out.push({
        type: ExceptionType.UNCONFIRMED_SHIPMENT,
        subjectKey: id,
        since: s.shippedAt,
        slaSeconds: sec(sla.unconfirmedShipmentMs),
        fulfillmentNodeId: s.nodeId ?? null,
        facts: { shipmentId: id, shippedAt: s.shippedAt, missing: 'carrier scan' },
      });
    }
    if (s.firstScanAt && !s.shippedAt && now - Date.parse(s.firstScanAt) >= sla.unconfirmedShipmentMs) {
      out.push({
        type: ExceptionType.UNCONFIRMED_SHIPMENT,
        subjectKey: id,
        since: s.firstScanAt,
        slaSeconds: sec(sla.unconfirmedShipmentMs),
        facts: { shipmentId: id, firstScanAt: s.firstScanAt, missing: 'WMS shipment (ASN)' },
      });
    }
    // DELIVERY_OVERDUE: the carrier's estimate passed (plus the SLA) without delivery.
    if (
      s.estimatedDeliveryAt &&
      !s.deliveredAt &&
      s.carrierStatus !== 'DELIVERED' &&
      now - Date.parse(s.estimatedDeliveryAt) >= sla.deliveryOverdueMs
    ) {
      out.push({
        type: ExceptionType.DELIVERY_OVERDUE,
        subjectKey: id,
        since: s.estimatedDeliveryAt,
        slaSeconds: sec(sla.deliveryOverdueMs),
        fulfillmentNodeId: s.nodeId ?? null,
        facts: { shipmentId: id, estimatedDeliveryAt: s.estimatedDeliveryAt, carrierStatus: s.carrierStatus ?? null },
      });
    }
    // DELIVERY_PROBLEM: the newest carrier status is an exception, a return to sender or a voided label.
    if (s.carrierStatus && PROBLEM_STATUSES.has(s.carrierStatus)) {
      out.push({
        type: ExceptionType.DELIVERY_PROBLEM,
        subjectKey: id,
        since: s.carrierStatusAt!,
        slaSeconds: 0,
        fulfillmentNodeId: s.nodeId ?? null,
        facts: { shipmentId: id, carrierStatus: s.carrierStatus },
      });
    }
  }

  // DELAYED_UPDATE: an open order none of whose sources said anything for the SLA.
  if (
    f.lastEventAt &&
    !cancelled &&
    !FINAL_STATUSES.has(f.status ?? '') &&
    now - Date.parse(f.lastEventAt) >= sla.delayedUpdateMs
  ) {
    out.push({
      type: ExceptionType.DELAYED_UPDATE,
      subjectKey: '',
      since: f.lastEventAt,
      slaSeconds: sec(sla.delayedUpdateMs),
      facts: { lastEventAt: f.lastEventAt, lastSource: f.lastSource ?? null, status: f.status ?? null },
    });
  }

  // STUCK_RETURN: a return in one waiting state past the SLA.
  for (const [id, r] of Object.entries(f.returns)) {
    if (RETURN_WAITING.has(r.status) && now - Date.parse(r.since) >= sla.stuckReturnMs) {
      out.push({
        type: ExceptionType.STUCK_RETURN,
        subjectKey: id,
        since: r.since,
        slaSeconds: sec(sla.stuckReturnMs),
        facts: { returnId: id, status: r.status },
      });
    }
  }

  // REFUND_MISMATCH: after the SLA from the first refund, the three refund totals disagree.
  const { returnsCents, erpCents, paymentCents, firstAt } = f.refunds;
  if (
    firstAt &&
    now - Date.parse(firstAt) >= sla.refundMismatchMs &&
    !(returnsCents === erpCents && erpCents === paymentCents)
  ) {
    out.push({
      type: ExceptionType.REFUND_MISMATCH,
      subjectKey: '',
      since: iso(Date.parse(firstAt)),
      slaSeconds: sec(sla.refundMismatchMs),
      facts: { returnsRefund: returnsCents / 100, erpCreditMemos: erpCents / 100, paymentRefunded: paymentCents / 100 },
    });
  }

  // CANCEL_AFTER_SHIPMENT: cancelled while goods are out — until they come back (a receipt or a return to sender).
  const cameBack =
    Object.values(f.returns).some((r) => r.receivedQuantity > 0) ||
    shipments.every(([, s]) => !s.shippedAt || s.carrierStatus === 'RETURNED_TO_SENDER');
  if (f.cancelledAt && anyShipped && !cameBack) {
    out.push({
      type: ExceptionType.CANCEL_AFTER_SHIPMENT,
      subjectKey: '',
      since: f.cancelledAt,
      slaSeconds: 0,
      facts: { cancelledAt: f.cancelledAt, shipments: shipments.filter(([, s]) => s.shippedAt).map(([id]) => id) },
    });
  }

  // OVER_RECEIPT: more received back than was shipped (by units).
  const shippedQty = shipments.reduce((n, [, s]) => n + (s.quantity ?? 0), 0);
  const receivedQty = Object.values(f.returns).reduce((n, r) => n + r.receivedQuantity, 0);
  const receipts = Object.values(f.returns).filter((r) => r.receivedQuantity > 0);
  if (receivedQty > shippedQty && receipts.length > 0) {
    out.push({
      type: ExceptionType.OVER_RECEIPT,
      subjectKey: '',
      since: receipts.map((r) => r.since).sort()[0]!,
      slaSeconds: 0,
      facts: { shippedQuantity: shippedQty, receivedQuantity: receivedQty },
    });
  }

  // RETURN_WITHOUT_DELIVERY: a return received while no shipment of the order was delivered.
  if (receipts.length > 0 && !anyDelivered) {
    out.push({
      type: ExceptionType.RETURN_WITHOUT_DELIVERY,
      subjectKey: '',
      since: receipts.map((r) => r.since).sort()[0]!,
      slaSeconds: 0,
      facts: { receivedQuantity: receivedQty },
    });
  }

  // FULFILLMENT_DECLINED: a node cancelled its fulfillment order, the order is not cancelled, and no later one was released.
  for (const [fo, x] of Object.entries(f.fulfillment)) {
    if (x.status !== 'CANCELLED' || cancelled) continue;
    const rerouted = Object.entries(f.fulfillment).some(
      ([other, y]) => other !== fo && y.status !== 'CANCELLED' && y.at >= x.at,
    );
    if (!rerouted)
      out.push({
        type: ExceptionType.FULFILLMENT_DECLINED,
        subjectKey: fo,
        since: x.at,
        slaSeconds: 0,
        fulfillmentNodeId: x.nodeId ?? null,
        facts: { fulfillmentOrderId: fo, nodeId: x.nodeId ?? null },
      });
  }

  // HOLD_AFTER_PARTIAL_FULFILLMENT: a hold is active and part of the order already shipped.
  if (f.hold?.active && anyShipped && !cancelled) {
    out.push({
      type: ExceptionType.HOLD_AFTER_PARTIAL_FULFILLMENT,
      subjectKey: '',
      since: f.hold.since,
      slaSeconds: 0,
      facts: { holdType: f.hold.type ?? null, shipped: shipments.filter(([, s]) => s.shippedAt).length },
    });
  }

  // DEAD_LETTER: an open dead letter for the order, or a source's `ingest.refused` not yet corrected.
  for (const l of openLetters)
    out.push({
      type: ExceptionType.DEAD_LETTER,
      subjectKey: l.id,
      since: l.since,
      slaSeconds: 0,
      facts: { letterId: l.id, group: l.group, error: l.error },
    });
  for (const r of Object.values(f.refused)) {
    out.push({
      type: ExceptionType.DEAD_LETTER,
      subjectKey: `refused:${r.source}`,
      since: r.time,
      slaSeconds: 0,
      facts: { reason: r.reason, source: r.source },
    });
  }
  return out;
}
