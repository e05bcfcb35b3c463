import type { CloudEvent } from '../../canonical/index.js';

/** What the engine remembers of one shipment. */
export interface ShipmentFacts {
  /** WMS shipment confirmation (occurred time). */
  shippedAt?: string;
  nodeId?: string;
  quantity?: number;
  /** First carrier scan. */
  firstScanAt?: string;
  /** The newest carrier status and its time. */
  carrierStatus?: string;
  carrierStatusAt?: string;
  deliveredAt?: string;
  estimatedDeliveryAt?: string | null;
}

/** What the engine remembers of one return. */
export interface ReturnFacts {
  status: string;
  since: string;
  receivedQuantity: number;
}

/**
 * The facts the exception rules read, per order, kept as JSON on the order row. Built only from
 * events (source events, `order.status_changed`, `ingest.refused` / `ingest.corrected`, dead letters).
 */
export interface OrderFacts {
  status?: string;
  statusSince?: string;
  channel?: string;
  cancelledAt?: string;
  /** The newest event's occurred time and source (any source). */
  lastEventAt?: string;
  lastSource?: string;
  shipments: Record<string, ShipmentFacts>;
  /** Fulfillment orders: node and warehouse status (CANCELLED = declined by the node). */
  fulfillment: Record<string, { nodeId?: string; status: string; at: string }>;
  hold?: { active: boolean; since: string; type?: string };
  returns: Record<string, ReturnFacts>;
  /** Refund totals in minor units: the returns desk's refunds, the ERP's credit memos, the payment refunded total. */
  refunds: { returnsCents: number; erpCents: number; paymentCents: number; firstAt?: string; currency?: string };
  /** Open `ingest.refused` per source: `{ reason, source, time }`. */
  refused: Record<string, { reason: string; source: string; time: string }>;
}

export const emptyFacts = (): OrderFacts => ({
  shipments: {},
  fulfillment: {},
  returns: {},
  refunds: { returnsCents: 0, erpCents: 0, paymentCents: 0 },
  refused: {},
});

/** Order statuses after which nothing more is expected (no DELAYED_UPDATE). */
export const FINAL_STATUSES = new Set(['DELIVERED', 'CANCELLED', 'RETURNED']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
/**
 * An id from event data to index a facts dictionary with, or undefined: never a name Object.prototype
 * answers to (`__proto__`, `constructor`, `toString`, …). `facts.returns["__proto__"] ??= {…}` reads
 * Object.prototype itself, and writing its fields would pollute every object in the process.
 */
const key = (v: unknown): string | undefined => {
  const s = str(v);
  return s !== undefined && !(s in Object.prototype) ? s : undefined;
};
const later = (a: string | undefined, b: string): boolean => a === undefined || b >= a;

/** A Money `{ amount: "12.34" }` (or a bare decimal string) in minor units; 0 when absent. */
export function cents(m: unknown): number {
  const amount =
    typeof m === 'string' ? m : m && typeof m === 'object' ? (m as { amount?: unknown }).amount : undefined;
  if (typeof amount !== 'string' || !/^-?\d+(\.\d{1,4})?$/.test(amount)) return 0;
  return Math.round(Number(amount) * 100);
}

function qty(lines: unknown): number {
  return Array.isArray(lines)
    ? lines.reduce((n: number, l) => n + (typeof l?.quantity === 'number' ? l.quantity : 0), 0)
    : 0;
}

/**
 * Folds one event into the facts (pure; returns a new object). Relies on these event data fields
 * (absent ones are ignored): `shipment.*` → `shipmentId`, `nodeId`, `lines[].quantity`, `status`,
 * `estimatedDeliveryAt`; `fulfillment.*` → `fulfillmentOrderId`, `nodeId`; `order.placed` →
 * `channel`; `order.hold_*` → `holdType`; `return.*` / `refund.issued` → `returnId`, `lines`,
 * `refundAmount` / `amount`; `payment.refunded` → `refundedAmount` (a total);
 * `order.status_changed` → `status`; `ingest.refused` / `ingest.corrected` → `{ reason, source, time }`.
 */
export function applyEvent(prev: OrderFacts, e: CloudEvent): OrderFacts {
  const f: OrderFacts = structuredClone(prev);
  const d = (e.data ?? {}) as Record<string, unknown>;
  if (e.source !== 'visibility' && !e.type.startsWith('ingest.') && later(f.lastEventAt, e.time)) {
    f.lastEventAt = e.time;
    f.lastSource = e.source;
  }
  const ship = (id: string | undefined): ShipmentFacts | undefined => (id ? (f.shipments[id] ??= {}) : undefined);
  switch (e.type) {
    case 'order.status_changed': {
      const status = str(d.status);
      if (status) {
        f.status = status;
        f.statusSince = e.time;
      }
      break;
    }
    case 'order.placed':
      f.channel = str(d.channel) ?? f.channel;
      break;
    case 'order.cancelled':
      f.cancelledAt ??= e.time;
      f.status = 'CANCELLED';
      break;
    case 'order.hold_placed':
      f.hold = { active: true, since: e.time, type: str(d.holdType) };
      break;
    case 'order.hold_released':
      f.hold = { active: false, since: e.time, type: str(d.holdType) };
      break;
    case 'fulfillment.released':
    case 'fulfillment.picking':
    case 'fulfillment.picked':
    case 'fulfillment.packed':
    case 'fulfillment.cancelled': {
      const fo = key(d.fulfillmentOrderId);
      if (fo && later(f.fulfillment[fo]?.at, e.time))
        f.fulfillment[fo] = {
          nodeId: str(d.nodeId),
          status: e.type === 'fulfillment.cancelled' ? 'CANCELLED' : e.type.split('.')[1]!.toUpperCase(),
          at: e.time,
        };
      break;
    }
    case 'shipment.shipped': {
      const s = ship(key(d.shipmentId));
      if (s)
        Object.assign(s, {
          shippedAt: s.shippedAt ?? e.time,
          nodeId: str(d.nodeId) ?? s.nodeId,
          quantity: qty(d.lines) || s.quantity,
        });
      break;
    }
    case 'shipment.tracking_updated':
    case 'shipment.delivered': {
      const s = ship(key(d.shipmentId));
      if (!s) break;
      s.firstScanAt = s.firstScanAt && s.firstScanAt < e.time ? s.firstScanAt : e.time;
      if (later(s.carrierStatusAt, e.time)) {
        s.carrierStatus = str(d.status) ?? (e.type === 'shipment.delivered' ? 'DELIVERED' : s.carrierStatus);
        s.carrierStatusAt = e.time;
        if ('estimatedDeliveryAt' in d) s.estimatedDeliveryAt = str(d.estimatedDeliveryAt) ?? null;
      }
      if (e.type === 'shipment.delivered') s.deliveredAt ??= e.time;
      break;
    }
    case 'return.requested':
    case 'return.approved':
    case 'return.rejected':
    case 'return.in_transit':
    case 'return.received':
    case 'return.refund_pending':
    case 'return.closed':
    case 'return.cancelled':
    case 'refund.issued': {
      const id = key(d.returnId);
      if (e.type === 'refund.issued') {
        const amount = cents(d.amount ?? d.refundAmount);
        if (e.source === 'erp') f.refunds.erpCents += amount;
        else f.refunds.returnsCents += amount;
        f.refunds.firstAt ??= e.time;
      }
      if (!id || (e.type === 'refund.issued' && e.source === 'erp')) break;
      const status = e.type === 'refund.issued' ? 'REFUNDED' : e.type.split('.')[1]!.toUpperCase();
      const r = (f.returns[id] ??= { status, since: e.time, receivedQuantity: 0 });
      if (e.type === 'return.received') r.receivedQuantity = Math.max(r.receivedQuantity, qty(d.lines));
      // Both the returns desk and the WMS report a receipt: the same state, not a new one.
      if (later(r.since, e.time) && r.status !== status) Object.assign(r, { status, since: e.time });
      break;
    }
    case 'payment.refunded': {
      const total = cents(d.refundedAmount);
      if (total > f.refunds.paymentCents) f.refunds.paymentCents = total;
      f.refunds.firstAt ??= e.time;
      break;
    }
    case 'ingest.refused': {
      const source = key(d.source) ?? e.source;
      f.refused[source] = { reason: str(d.reason) ?? 'refused', source, time: str(d.time) ?? e.time };
      break;
    }
    case 'ingest.corrected': {
      delete f.refused[key(d.source) ?? e.source];
      break;
    }
    default:
      break;
  }
  return f;
}
