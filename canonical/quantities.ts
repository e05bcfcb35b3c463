import type { Money } from './money.js';
import {
  isPicked,
  VOID_RETURN_STATUSES,
  type HoldType,
  type PaymentStatus,
  type ReturnStatus,
  type ShipmentStatus,
  type WarehouseStatus,
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
  /**
   * carrier: parcels the carrier tracks for this order (by the reference on the label) that the
   * WMS never confirmed as shipments of this order (case F, docs/status.md); null when the carrier
   * could not be asked (a fact says so). @default none
   */
  unconfirmedShipments?: readonly UnconfirmedShipmentFacts[] | null;
  /** erp: the order's payments (refund story and financialState). @default none */
  payments?: readonly PaymentFacts[];
  /** erp: credit memos posted for the order. @default none */
  creditMemos?: readonly CreditMemoFacts[];
  /**
   * The reading time (ISO-8601 UTC) against which "estimated delivery passed" is judged.
   * @default none: no shipment is judged overdue
   */
  now?: string | null;
}

/** A parcel the carrier tracks for the order that no WMS shipment of the order names. */
export interface UnconfirmedShipmentFacts {
  id: string;
  status: ShipmentStatus;
  lastScanAt?: string | null;
  deliveredAt?: string | null;
}

/** erp: one payment of the order. */
export interface PaymentFacts {
  id?: string;
  status: PaymentStatus;
  amount: Money;
  capturedAmount: Money;
  refundedAmount: Money;
}

/** erp: one credit memo, with the return it credits when the ERP knows it. */
export interface CreditMemoFacts {
  number: string;
  postedAt: string;
  amount: Money;
  returnId?: string | null;
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

export interface QuantityLine {
  lineNumber: number;
  quantity: number;
}
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
  /** oms: the fulfillment order's id, when known (facts name it). */
  id?: string;
  /** oms: the node it was sourced to, when known (facts name it). */
  nodeId?: string | null;
  /** wms: why the node declined it (CANCELLED), e.g. `NO_STOCK`. */
  cancelReason?: string | null;
  /** wms: when the node declined it. */
  cancelledAt?: string | null;
}

export interface HoldFacts {
  type: HoldType;
  placedAt: string;
  releasedAt: string | null;
}

export interface ShipmentFacts {
  id?: string;
  /** wms: when the shipment was handed to a carrier. */
  shippedAt: string;
  lines: readonly QuantityLine[];
  /** carrier: normalized status (UNKNOWN when the carrier has no record). */
  status: ShipmentStatus;
  deliveredAt?: string | null;
  lastScanAt?: string | null;
  /** carrier: the delivery estimate; past it and not delivered → "estimated delivery passed". */
  estimatedDeliveryAt?: string | null;
}

export interface ReturnFacts {
  id?: string;
  status: ReturnStatus;
  requestedAt?: string | null;
  lines: readonly QuantityLine[];
  /** wms: what the warehouse physically received, or null before receipt. */
  receipt: { receivedAt: string; lines: readonly QuantityLine[] } | null;
  /** returns desk: the refund, once pending or issued. @default none */
  refund?: { amount: Money; creditMemoNumber?: string | null; refundedAt?: string | null } | null;
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
  'ordered',
  'cancelled',
  'allocated',
  'backordered',
  'picked',
  'shipped',
  'delivered',
  'returnInitiated',
  'returned',
] as const satisfies readonly (keyof LineQuantities)[];

export function emptyQuantities(): LineQuantities {
  return {
    ordered: 0,
    cancelled: 0,
    allocated: 0,
    backordered: 0,
    picked: 0,
    shipped: 0,
    delivered: 0,
    returnInitiated: 0,
    returned: 0,
  };
}

/** Adds `b` into `a` field by field and returns `a`. */
export function addQuantities(a: LineQuantities, b: LineQuantities): LineQuantities {
  for (const k of QUANTITY_KEYS) a[k] += b[k];
  return a;
}

/**
 * How the graph adjusted what a system reported so that a line's invariants hold
 * (docs/status.md, "Invariants"). `reported` is the sum the systems report; `applied` what the
 * line's quantities show.
 */
export interface LineCorrection {
  kind: LineCorrectionKind;
  lineNumber: number;
  reported: number;
  applied: number;
}

export const LINE_CORRECTION_KINDS = [
  'CANCEL_AFTER_SHIPMENT',
  'OVER_SHIPMENT',
  'ALLOCATION_EXCEEDS_NET',
  'BACKORDER_EXCEEDS_OPEN',
  'PICK_EXCEEDS_ALLOCATION',
  'OVER_RECEIPT',
  'RETURN_WITHOUT_DELIVERY',
] as const;
export type LineCorrectionKind = (typeof LINE_CORRECTION_KINDS)[number];

/** One line after reconciliation: its public quantities and what the rules read beyond them. */
export interface LineLedger {
  lineNumber: number;
  /** The contract's quantities, every invariant holding. */
  quantities: LineQuantities;
  /** Units on shipments whose label was not voided, returned-to-sender ones included. */
  dispatched: number;
  /** Units on shipments the carrier reports RETURNED_TO_SENDER. */
  returningToSender: number;
  /** Units on returns not yet received by a warehouse and not finished by the desk. */
  awaitingReturn: number;
  corrections: LineCorrection[];
}

const clamp = (v: number, max: number): number => Math.max(0, Math.min(v, max));

/**
 * Reconciles each line's quantities from the owners' data, keyed by line number in the order of
 * `inputs.lines` (quantities for a line number the order does not have are ignored). The systems
 * stay the truth of what they did; the graph never adds it up wrong. With d = dispatched
 * (non-voided shipments, returned-to-sender included) the invariants are:
 * - 0 ≤ d ≤ ordered; cancelled ≤ ordered − d (a shipped unit cannot be cancelled);
 * - shipped = d − returned-to-sender; delivered ≤ shipped;
 * - shipped ≤ allocated ≤ net = ordered − cancelled; picked ≤ allocated;
 * - backordered ≤ net − allocated (so cancelled + open + shipped ≤ ordered, open = allocated − shipped + backordered);
 * - returned ≤ delivered + returned-to-sender (a receipt beyond that is an over-receipt).
 * Each adjustment is listed in {@link LineLedger.corrections}.
 */
export function reconcileLines(inputs: StatusInputs): Map<number, LineLedger> {
  type Raw = Record<
    'allocated' | 'picked' | 'dispatched' | 'rts' | 'delivered' | 'initiated' | 'received' | 'awaiting',
    number
  >;
  const raw = new Map<number, Raw>();
  for (const line of inputs.lines)
    raw.set(line.lineNumber, {
      allocated: 0,
      picked: 0,
      dispatched: 0,
      rts: 0,
      delivered: 0,
      initiated: 0,
      received: 0,
      awaiting: 0,
    });
  const add = (lines: readonly QuantityLine[], key: keyof Raw): void => {
    for (const l of lines) {
      const r = raw.get(l.lineNumber);
      if (r) r[key] += l.quantity;
    }
  };
  for (const fo of inputs.fulfillmentOrders) {
    // A fulfillment order the node cancelled no longer holds the units: they are not allocated.
    if (fo.warehouseStatus !== 'CANCELLED') add(fo.lines, 'allocated');
    if (isPicked(fo.warehouseStatus)) add(fo.lines, 'picked');
  }
  for (const s of inputs.shipments) {
    if (s.status === 'CANCELLED') continue; // a voided label never left
    add(s.lines, 'dispatched');
    if (s.status === 'RETURNED_TO_SENDER') add(s.lines, 'rts');
    if (s.status === 'DELIVERED') add(s.lines, 'delivered');
  }
  for (const r of inputs.returns) {
    if (VOID_RETURN_STATUSES.has(r.status)) continue; // a rejected return's receipt goes back to the customer
    add(r.lines, 'initiated');
    if (r.receipt) add(r.receipt.lines, 'received');
    else if (r.status !== 'REFUNDED' && r.status !== 'CLOSED') add(r.lines, 'awaiting');
  }
  const out = new Map<number, LineLedger>();
  for (const line of inputs.lines) {
    const r = raw.get(line.lineNumber)!;
    const corrections: LineCorrection[] = [];
    const fix = (kind: LineCorrectionKind, reported: number, applied: number): number => {
      if (reported !== applied) corrections.push({ kind, lineNumber: line.lineNumber, reported, applied });
      return applied;
    };
    const ordered = line.ordered;
    const dispatched = fix('OVER_SHIPMENT', r.dispatched, clamp(r.dispatched, ordered));
    const delivered = clamp(r.delivered, dispatched);
    const rts = clamp(r.rts, dispatched - delivered);
    const cancelled = fix('CANCEL_AFTER_SHIPMENT', line.cancelled, clamp(line.cancelled, ordered - dispatched));
    const net = ordered - cancelled;
    const allocated = fix(
      'ALLOCATION_EXCEEDS_NET',
      Math.max(r.allocated, dispatched),
      clamp(Math.max(r.allocated, dispatched), net),
    );
    const backordered = fix('BACKORDER_EXCEEDS_OPEN', line.backordered, clamp(line.backordered, net - allocated));
    const picked = fix('PICK_EXCEEDS_ALLOCATION', r.picked, clamp(r.picked, allocated));
    const returned = fix('OVER_RECEIPT', r.received, clamp(r.received, delivered + rts));
    if (r.initiated > delivered + rts)
      corrections.push({
        kind: 'RETURN_WITHOUT_DELIVERY',
        lineNumber: line.lineNumber,
        reported: r.initiated,
        applied: r.initiated,
      });
    out.set(line.lineNumber, {
      lineNumber: line.lineNumber,
      quantities: {
        ordered,
        cancelled,
        allocated,
        backordered,
        picked,
        shipped: dispatched - rts,
        delivered,
        returnInitiated: r.initiated,
        returned,
      },
      dispatched,
      returningToSender: rts,
      awaitingReturn: r.awaiting,
      corrections,
    });
  }
  return out;
}

/** Each line's reconciled quantities (see {@link reconcileLines}), keyed by line number. */
export function computeLineQuantities(inputs: StatusInputs): Map<number, LineQuantities> {
  return new Map([...reconcileLines(inputs)].map(([n, l]) => [n, l.quantities]));
}
