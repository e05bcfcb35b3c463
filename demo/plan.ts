/**
 * An order's life as the generator plans it, before it becomes the systems' records. Times are
 * whole minutes after the order was placed (the placement minute is chosen last, so that the
 * whole life fits before the demo epoch); `materialize` turns a plan into records.
 */
import type {
  Channel,
  Disposition,
  HoldType,
  ReturnStatus,
  ShipmentStatus,
  WarehouseStatus,
} from '../canonical/index.js';
import type { CarrierService, DemoNode, Sku } from './catalogue.js';
import type { QtyLine, ReturnLineRecord } from './records.js';
import type { Rng } from './rng.js';
import type { DemoScenario } from './scenarios.js';

export const HOUR = 60;
export const DAY = 24 * HOUR;

export interface PlanLine {
  lineNumber: number;
  sku: Sku;
  quantity: number;
  cancelled: number;
  backordered: number;
}

export interface PlanHold {
  type: HoldType;
  reason: string;
  placedAt: number;
  releasedAt: number | null;
}

export interface PlanFo {
  node: DemoNode;
  lines: QtyLine[];
  status: WarehouseStatus;
  allocatedAt: number;
  releasedAt: number;
  pickedAt: number | null;
  packedAt: number | null;
  shippedAt: number | null;
  /** CANCELLED by the node: when, and why (the WMS CANCEL's reason code). */
  cancelledAt?: number | null;
  cancelReason?: string | null;
}

export interface PlanScan {
  at: number;
  status: ShipmentStatus;
  code: string;
  location: string | null;
}

/** What the carrier knows of a shipment: nothing, a label, a parcel on its way, or a delivery. */
export type TrackOutcome = 'none' | 'label' | 'moving' | 'delivered' | 'returned-to-sender';

export interface PlanShipment {
  /** Index into `OrderPlan.fos`. */
  fo: number;
  lines: QtyLine[];
  at: number;
  carrier: string;
  service: CarrierService;
  trackingNumber: string;
  /** null: the carrier has no record of the tracking number. */
  scans: PlanScan[] | null;
  deliveredAt: number | null;
}

export interface PlanReturn {
  status: ReturnStatus;
  channel: Channel;
  requestedAt: number;
  reason: string;
  lines: ReturnLineRecord[];
  /** An RMA number was issued (at approval). */
  rma: boolean;
  receivedAt: number | null;
  dispositions: Disposition[];
  /** Refund in cents with its time (null while pending); null before the refund is computed. */
  refund: { cents: number; refundedAt: number | null } | null;
}

export interface PlanPayment {
  method: string;
  /** normal: one payment; failed: it failed (payment review); retried: a failed one, then a good one. */
  mode: 'normal' | 'failed' | 'retried';
  /** When the (last) payment was authorized; null while pending or failed. */
  authorizedAt: number | null;
}

export interface OrderPlan {
  scenario: DemoScenario;
  channel: Channel;
  lines: PlanLine[];
  /** Tax in basis points of the unit price, rounded per unit; shipping in cents. */
  taxBp: number;
  shippingCents: number;
  acceptedAt: number | null;
  holds: PlanHold[];
  payment: PlanPayment;
  fos: PlanFo[];
  shipments: PlanShipment[];
  returns: PlanReturn[];
  /** Every unit was cancelled (the payment is voided). */
  cancelled: boolean;
  /** The latest minute anything happened. */
  end: number;
  /** At most this many minutes may pass between `end` and the demo epoch (in-flight orders are recent). */
  maxIdle: number;
}

/** What the planners share across orders: the generator and the running shipment count. */
export interface PlanContext {
  rng: Rng;
  shipmentCount: number;
}

/** Records that something happened at minute `t` and returns `t`. */
export function at(p: OrderPlan, t: number): number {
  if (t > p.end) p.end = t;
  return t;
}

/** Caps how long the order may have sat unchanged before the epoch. */
export function idleAtMost(p: OrderPlan, minutes: number): void {
  if (minutes < p.maxIdle) p.maxIdle = minutes;
}

/** Tax on one unit, in cents. */
export function unitTax(p: OrderPlan, line: PlanLine): number {
  return Math.round((line.sku.cents * p.taxBp) / 10_000);
}
