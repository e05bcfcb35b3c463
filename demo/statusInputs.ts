/**
 * Builds the canonical status inputs for one order from the five systems' native records, the
 * way the graph gathers them (oms owns lines and sourcing; erp acceptance and holds; wms
 * execution, shipments and receipts; the carrier tracking; the returns desk returns).
 */
import {
  normalizeCarrierStatus,
  type FulfillmentFacts,
  type ReturnFacts,
  type ShipmentFacts,
  type ShipmentStatus,
  type StatusInputs,
} from '../canonical/index.js';
import type {
  CarrierShipment,
  DemoData,
  ErpOrder,
  ErpPayment,
  OmsFulfillmentOrder,
  OmsOrder,
  ReturnRecord,
  WmsFulfillmentOrder,
  WmsReturnReceipt,
  WmsShipment,
} from './records.js';

interface DemoIndex {
  omsOrders: Map<string, OmsOrder>;
  omsFos: Map<string, OmsFulfillmentOrder>;
  wmsFos: Map<string, WmsFulfillmentOrder>;
  erpOrders: Map<string, ErpOrder>;
  shipments: Map<string, WmsShipment[]>;
  /** Carrier records by `carrier|trackingNumber`. */
  tracking: Map<string, CarrierShipment>;
  returns: Map<string, ReturnRecord[]>;
  receipts: Map<string, WmsReturnReceipt>;
  payments: Map<string, ErpPayment>;
}

const indexes = new WeakMap<DemoData, DemoIndex>();

const byId = <T>(items: readonly T[], key: (t: T) => string): Map<string, T> => new Map(items.map((t) => [key(t), t]));

function grouped<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list) list.push(t);
    else m.set(k, [t]);
  }
  return m;
}

const trackingKey = (carrier: string, trackingNumber: string): string => `${carrier.toUpperCase()}|${trackingNumber}`;

/**
 * The indexes over one data object, built on first use and cached for it (so gathering every
 * order's inputs is linear). Records added to `data` after the first call are not seen.
 */
function indexFor(data: DemoData): DemoIndex {
  let index = indexes.get(data);
  if (!index) {
    index = {
      omsOrders: byId(data.oms.orders, (o) => o.id),
      omsFos: byId(data.oms.fulfillmentOrders, (f) => f.id),
      wmsFos: byId(data.wms.fulfillmentOrders, (f) => f.id),
      erpOrders: byId(data.erp.orders, (o) => o.orderId),
      shipments: grouped(data.wms.shipments, (s) => s.orderId),
      tracking: byId(data.carrier.shipments, (c) => trackingKey(c.carrier, c.trackingNumber)),
      returns: grouped(data.returns.returns, (r) => r.orderId),
      receipts: byId(data.wms.receipts, (r) => r.returnId),
      payments: byId(data.erp.payments, (p) => p.id),
    };
    indexes.set(data, index);
  }
  return index;
}

/** The carrier's view of one shipment: normalized status of the last scan, delivery and last-scan times. */
function carrierFacts(record: CarrierShipment | undefined): {
  status: ShipmentStatus;
  deliveredAt: string | null;
  lastScanAt: string | null;
} {
  const last = record?.scans[record.scans.length - 1];
  if (!record || !last) return { status: 'UNKNOWN', deliveredAt: null, lastScanAt: null };
  let deliveredAt: string | null = null;
  for (const scan of record.scans) {
    if (normalizeCarrierStatus(record.carrier, scan.code) === 'DELIVERED') deliveredAt = scan.occurredAt;
  }
  return { status: normalizeCarrierStatus(record.carrier, last.code), deliveredAt, lastScanAt: last.occurredAt };
}

/**
 * The canonical {@link StatusInputs} of `orderId` gathered from `data`'s slices. Slices left
 * empty (see `DemoOptions.systems`) contribute nothing: no acceptance, holds, shipments or
 * returns; a fulfillment order the wms does not know counts as RELEASED (sourced, not worked).
 * @throws Error when the oms slice has no such order (the lines are the order).
 */
export function statusInputsFor(data: DemoData, orderId: string): StatusInputs {
  const ix = indexFor(data);
  const order = ix.omsOrders.get(orderId);
  if (!order)
    throw new Error(
      `statusInputsFor: no order ${JSON.stringify(orderId)} in the oms slice (${ix.omsOrders.size} orders)`,
    );
  const fulfillmentOrders: FulfillmentFacts[] = [];
  for (const id of order.fulfillmentOrderIds) {
    const oms = ix.omsFos.get(id);
    if (!oms) continue;
    const wms = ix.wmsFos.get(id);
    fulfillmentOrders.push({
      id,
      nodeId: oms.nodeId,
      lines: oms.lines,
      warehouseStatus: wms?.status ?? 'RELEASED',
      pickedAt: wms?.pickedAt ?? null,
      allocatedAt: oms.allocatedAt,
      cancelReason: wms?.cancelReason ?? null,
      cancelledAt: wms?.cancelledAt ?? null,
    });
  }
  const erp = ix.erpOrders.get(orderId);
  const shipments: ShipmentFacts[] = (ix.shipments.get(orderId) ?? []).map((s) => ({
    id: s.id,
    shippedAt: s.shippedAt,
    lines: s.lines,
    ...carrierFacts(ix.tracking.get(trackingKey(s.carrier, s.trackingNumber))),
  }));
  const returns: ReturnFacts[] = (ix.returns.get(orderId) ?? []).map((r) => {
    const receipt = ix.receipts.get(r.id);
    return {
      id: r.id,
      status: r.status,
      requestedAt: r.requestedAt,
      lines: r.lines.map((l) => ({ lineNumber: l.lineNumber, quantity: l.quantity })),
      receipt: receipt
        ? {
            receivedAt: receipt.receivedAt,
            lines: receipt.lines.map((l) => ({ lineNumber: l.lineNumber, quantity: l.quantity })),
          }
        : null,
      refund: r.refund ? { amount: r.refund.amount, refundedAt: r.refund.refundedAt } : null,
    };
  });
  return {
    lines: order.lines.map((l) => ({
      lineNumber: l.lineNumber,
      ordered: l.quantity,
      cancelled: l.cancelledQuantity,
      backordered: l.backorderedQuantity,
    })),
    fulfillmentOrders,
    acceptedAt: erp?.acceptedAt ?? null,
    holds: (erp?.holds ?? []).map((h) => ({ type: h.type, placedAt: h.placedAt, releasedAt: h.releasedAt })),
    shipments,
    returns,
    payments: (erp?.paymentIds ?? []).flatMap((id) => {
      const p = ix.payments.get(id);
      return p
        ? [
            {
              id: p.id,
              status: p.status,
              amount: p.amount,
              capturedAmount: p.capturedAmount,
              refundedAmount: p.refundedAmount,
            },
          ]
        : [];
    }),
    creditMemos: (erp?.creditMemos ?? []).map((m) => ({
      number: m.number,
      postedAt: m.postedAt,
      amount: m.amount,
      returnId: m.returnId,
    })),
  };
}
