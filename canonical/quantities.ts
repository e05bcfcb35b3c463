import {
  isPicked, VOID_RETURN_STATUSES,
  type HoldType, type ReturnStatus, type ShipmentStatus, type WarehouseStatus,
} from './vocabularies.js';

/**
 * Everything the status rules read, gathered from the systems that own each part
 * (CANONICAL_MODEL.md, "Line quantities"). In the graph, oms holds the first three parts and
 * receives the rest through `@requires`; tests build it from a response's slices.
 */
export interface StatusInputs {
  /** oms: the order's lines with what oms knows of them. */
  lines: readonly OmsLineFacts[];
  /** oms lines of each fulfillment order, with the wms status of that fulfillment order. */
  fulfillmentOrders: readonly FulfillmentFacts[];
  /** erp: when the ERP accepted the order, or null. */
  acceptedAt: string | null;
  /** erp: every hold, active or released. */
  holds: readonly HoldFacts[];
  /** wms shipments with their carrier status. */
  shipments: readonly ShipmentFacts[];
  /** returns-desk returns with their wms receipt. */
  returns: readonly ReturnFacts[];
}

export interface OmsLineFacts {
  lineNumber: number;
  /** Units ordered. */
  ordered: number;
  /** Units cancelled (oms). */
  cancelled: number;
  /** Units waiting for stock (oms). */
  backordered: number;
}

export interface QuantityLine { lineNumber: number; quantity: number }
/** A line number with a quantity: the shape every system uses for its line-level records. */
export type QtyLine = QuantityLine;

export interface FulfillmentFacts {
  /** oms: which units of which lines were sourced to the node (counted as allocated). */
  lines: readonly QuantityLine[];
  /** wms: execution status at the node; null while the node has not received it (still allocated, nothing picked). */
  warehouseStatus: WarehouseStatus | null;
  /** wms: when the pick completed, if it has. */
  pickedAt?: string | null;
  /** oms: when the units were sourced to the node, if known. */
  allocatedAt?: string | null;
}

export interface HoldFacts { type: HoldType; placedAt: string; releasedAt: string | null }

export interface ShipmentFacts {
  id?: string;
  /** wms: when the shipment was handed to a carrier. */
  shippedAt: string;
  lines: readonly QuantityLine[];
  /** carrier: normalized status (UNKNOWN when the carrier has no record). */
  status: ShipmentStatus;
  deliveredAt?: string | null;
  lastScanAt?: string | null;
}

export interface ReturnFacts {
  id?: string;
  status: ReturnStatus;
  requestedAt?: string | null;
  lines: readonly QuantityLine[];
  /** wms: what the warehouse physically received, or null before receipt. */
  receipt: { receivedAt: string; lines: readonly QuantityLine[] } | null;
}

/** The per-line quantities of the contract (`LineQuantities`). */
export interface LineQuantities {
  ordered: number;
  cancelled: number;
  allocated: number;
  backordered: number;
  picked: number;
  shipped: number;
  delivered: number;
  returnInitiated: number;
  returned: number;
}

export const QUANTITY_KEYS = [
  'ordered', 'cancelled', 'allocated', 'backordered', 'picked', 'shipped', 'delivered',
  'returnInitiated', 'returned',
] as const satisfies readonly (keyof LineQuantities)[];

export function emptyQuantities(): LineQuantities {
  return { ordered: 0, cancelled: 0, allocated: 0, backordered: 0, picked: 0, shipped: 0, delivered: 0, returnInitiated: 0, returned: 0 };
}

/** Adds `b` into `a` field by field and returns `a`. */
export function addQuantities(a: LineQuantities, b: LineQuantities): LineQuantities {
  for (const k of QUANTITY_KEYS) a[k] += b[k];
  return a;
}

/**
 * Computes each line's quantities from the owners' data, keyed by line number, in the order of
 * `inputs.lines`. Quantities reported for a line number the order does not have are ignored.
 */
export function computeLineQuantities(inputs: StatusInputs): Map<number, LineQuantities> {
  const byLine = new Map<number, LineQuantities>();
  for (const line of inputs.lines) {
    byLine.set(line.lineNumber, {
      ...emptyQuantities(),
      ordered: line.ordered,
      cancelled: line.cancelled,
      backordered: line.backordered,
    });
  }
  const add = (lines: readonly QuantityLine[], key: keyof LineQuantities): void => {
    for (const l of lines) {
      const q = byLine.get(l.lineNumber);
      if (q) q[key] += l.quantity;
    }
  };
  for (const fo of inputs.fulfillmentOrders) {
    // A fulfillment order the node cancelled no longer holds the units: they are not allocated.
    if (fo.warehouseStatus !== 'CANCELLED') add(fo.lines, 'allocated');
    if (isPicked(fo.warehouseStatus)) add(fo.lines, 'picked');
  }
  for (const s of inputs.shipments) {
    add(s.lines, 'shipped');
    if (s.status === 'DELIVERED') add(s.lines, 'delivered');
  }
  for (const r of inputs.returns) {
    if (!VOID_RETURN_STATUSES.has(r.status)) add(r.lines, 'returnInitiated');
    if (r.receipt) add(r.receipt.lines, 'returned');
  }
  return byLine;
}
