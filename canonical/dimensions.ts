import type { LineLedger, LineQuantities, ReturnFacts, ShipmentFacts, StatusInputs } from './quantities.js';
import type { StatusFact } from './status.js';
import {
  FULFILLMENT_STATE_PRECEDENCE,
  NOT_SHIPPED_SHIPMENT_STATUSES,
  type FulfillmentState,
  type OrderStatus,
  type ReturnState,
  type ReturnStatus,
} from './vocabularies.js';

/** An active fulfillment problem: its state and the fact that shows it. */
export interface FulfillmentProblem {
  state: FulfillmentState;
  fact: StatusFact;
}

const carries = (lines: readonly { lineNumber: number }[], lineNumber: number | null): boolean =>
  lineNumber === null || lines.some((l) => l.lineNumber === lineNumber);

const shipmentName = (s: ShipmentFacts): string => (s.id ? `shipment ${s.id}` : 'a shipment');

/** A shipment still travelling to the customer (handed over, not delivered, not coming back). */
const inFlight = (s: ShipmentFacts): boolean =>
  s.status !== 'DELIVERED' && !NOT_SHIPPED_SHIPMENT_STATUSES.has(s.status);

/**
 * The problems active on one line (`lineNumber`) or on the whole order (`null`, with `q` the sums).
 * A problem only counts while units are not delivered; one that another shipment or allocation has
 * made good (a re-shipped voided label, a re-sourced declined order) is history, not a problem.
 */
export function fulfillmentProblems(
  inputs: StatusInputs,
  lineNumber: number | null,
  q: LineQuantities,
  ledger: Pick<LineLedger, 'dispatched' | 'returningToSender'>,
): FulfillmentProblem[] {
  const net = q.ordered - q.cancelled;
  if (net === 0 || q.delivered >= net) return [];
  const problems: FulfillmentProblem[] = [];
  const now = inputs.now ?? null;
  for (const s of inputs.shipments) {
    if (!carries(s.lines, lineNumber)) continue;
    const at = s.lastScanAt ?? null;
    if (s.status === 'RETURNED_TO_SENDER' && q.shipped < net)
      problems.push({
        state: 'RETURNING_TO_SENDER',
        fact: {
          source: 'CARRIER',
          fact: `${shipmentName(s)} is returning to sender: neither shipped nor delivered`,
          observedAt: at,
        },
      });
    if (s.status === 'EXCEPTION')
      problems.push({
        state: 'DELIVERY_EXCEPTION',
        fact: { source: 'CARRIER', fact: `${shipmentName(s)} has a carrier exception`, observedAt: at },
      });
    if (s.status === 'CANCELLED' && ledger.dispatched < net)
      problems.push({
        state: 'LABEL_VOIDED',
        fact: { source: 'CARRIER', fact: `${shipmentName(s)}: label voided, the units did not leave`, observedAt: at },
      });
    if (s.status === 'DELIVERY_ATTEMPTED')
      problems.push({
        state: 'DELIVERY_ATTEMPTED',
        fact: { source: 'CARRIER', fact: `${shipmentName(s)}: delivery attempted, not delivered`, observedAt: at },
      });
    if (now && inFlight(s) && s.estimatedDeliveryAt && s.estimatedDeliveryAt < now) {
      problems.push({
        state: 'DELIVERY_OVERDUE',
        fact: {
          source: 'VISIBILITY',
          fact: `${shipmentName(s)}: estimated delivery ${s.estimatedDeliveryAt} passed, not delivered`,
          observedAt: s.estimatedDeliveryAt,
        },
      });
    }
  }
  if (net - q.allocated - q.backordered > 0) {
    for (const fo of inputs.fulfillmentOrders) {
      if (fo.warehouseStatus !== 'CANCELLED' || !carries(fo.lines, lineNumber)) continue;
      const who = [fo.id ? `fulfillment order ${fo.id}` : 'a fulfillment order', fo.nodeId ? `at ${fo.nodeId}` : null]
        .filter(Boolean)
        .join(' ');
      problems.push({
        state: 'FULFILLMENT_DECLINED',
        fact: {
          source: 'WMS',
          fact: `${who} declined${fo.cancelReason ? ` (${fo.cancelReason})` : ''}: ${net - q.allocated - q.backordered} units need re-sourcing`,
          observedAt: fo.cancelledAt ?? null,
        },
      });
    }
  }
  if (lineNumber === null) {
    for (const u of inputs.unconfirmedShipments ?? []) {
      if (u.status === 'UNKNOWN') continue;
      problems.push({
        state: 'UNCONFIRMED_SHIPMENT',
        fact: {
          source: 'CARRIER',
          fact: `the carrier reports parcel ${u.id} ${u.status} for this order; the WMS never confirmed that shipment`,
          observedAt: u.deliveredAt ?? u.lastScanAt ?? null,
        },
      });
    }
  }
  return problems;
}

/** The fulfillment progress of `q` when no problem is active. */
function progress(inputs: StatusInputs, lineNumber: number | null, q: LineQuantities): FulfillmentState {
  const net = q.ordered - q.cancelled;
  if (net === 0) return 'CANCELLED';
  if (q.delivered >= net) return 'DELIVERED';
  if (q.delivered > 0) return 'PARTIALLY_DELIVERED';
  const flying = inputs.shipments.filter((s) => inFlight(s) && carries(s.lines, lineNumber));
  if (q.shipped > 0 && flying.some((s) => s.status === 'AVAILABLE_FOR_PICKUP')) return 'AVAILABLE_FOR_PICKUP';
  if (q.shipped >= net)
    return flying.length > 0 && flying.every((s) => s.status === 'LABEL_CREATED') ? 'AWAITING_CARRIER_SCAN' : 'SHIPPED';
  if (q.shipped > 0) return 'PARTIALLY_SHIPPED';
  if (q.picked > 0) return 'IN_FULFILLMENT';
  if (q.allocated >= net) return 'ALLOCATED';
  if (q.allocated > 0) return 'PARTIALLY_ALLOCATED';
  if (q.backordered > 0) return 'BACKORDERED';
  return 'UNFULFILLED';
}

/** The fulfillment dimension: the worst active problem, else how far the units have come. */
export function fulfillmentStateOf(
  inputs: StatusInputs,
  lineNumber: number | null,
  q: LineQuantities,
  problems: readonly FulfillmentProblem[],
): FulfillmentState {
  if (q.ordered - q.cancelled === 0) return 'CANCELLED';
  for (const state of FULFILLMENT_STATE_PRECEDENCE) if (problems.some((p) => p.state === state)) return state;
  return progress(inputs, lineNumber, q);
}

const OPEN_RANK: Partial<Record<ReturnStatus, [number, ReturnState]>> = {
  REQUESTED: [0, 'REQUESTED'],
  APPROVED: [1, 'APPROVED'],
  IN_TRANSIT: [2, 'IN_TRANSIT'],
  RECEIVED: [3, 'RECEIVED'],
  REFUND_PENDING: [3, 'RECEIVED'],
};

const finished = (r: ReturnFacts): boolean => r.status === 'REFUNDED' || r.status === 'CLOSED';

/**
 * The return dimension of one line (`lineNumber`) or the order (`null`), from its returns and its
 * reconciled quantities: the least advanced return still on its way wins, then one being
 * processed, then what came back, then how returns without receipt ended.
 */
export function returnStateOf(
  inputs: StatusInputs,
  lineNumber: number | null,
  q: LineQuantities,
  awaitingReturn: number,
): ReturnState {
  const known = new Set(inputs.lines.map((l) => l.lineNumber));
  const touches = (r: ReturnFacts): boolean =>
    r.lines.some((l) => (lineNumber === null ? known.has(l.lineNumber) : l.lineNumber === lineNumber));
  const considered = inputs.returns.filter((r) => r.status !== 'CANCELLED' && touches(r));
  if (considered.length === 0) return 'NONE';
  const active = considered.filter((r) => r.status !== 'REJECTED');
  if (active.length === 0) return 'REJECTED';
  if (awaitingReturn > 0) {
    let best: [number, ReturnState] | null = null;
    for (const r of active) {
      const rank = !r.receipt && !finished(r) ? OPEN_RANK[r.status] : undefined;
      if (rank && (!best || rank[0] < best[0])) best = rank;
    }
    if (best) return best[1];
  }
  if (active.some((r) => r.receipt && !finished(r))) return 'RECEIVED';
  if (q.returned > 0) return q.returned >= q.ordered - q.cancelled ? 'RETURNED' : 'PARTIALLY_RETURNED';
  return active.some((r) => r.status === 'REFUNDED' || r.refund?.refundedAt) ? 'REFUNDED_WITHOUT_RETURN' : 'CLOSED';
}

const PROBLEMS: ReadonlySet<FulfillmentState> = new Set([
  'FULFILLMENT_DECLINED',
  'LABEL_VOIDED',
  'DELIVERY_ATTEMPTED',
  'DELIVERY_OVERDUE',
  'DELIVERY_EXCEPTION',
  'RETURNING_TO_SENDER',
  'UNCONFIRMED_SHIPMENT',
]);
const FORWARD_DONE: ReadonlySet<OrderStatus> = new Set([
  'DELIVERED',
  'RETURN_INITIATED',
  'PARTIALLY_RETURNED',
  'RETURNED',
]);
const NOTHING_SHIPPED: ReadonlySet<OrderStatus> = new Set([
  'IN_FULFILLMENT',
  'ALLOCATED',
  'PARTIALLY_ALLOCATED',
  'BACKORDERED',
  'ACCEPTED',
  'PENDING',
]);
const MOVING: ReadonlySet<FulfillmentState> = new Set([
  'DELIVERED',
  'PARTIALLY_DELIVERED',
  'SHIPPED',
  'PARTIALLY_SHIPPED',
  'AWAITING_CARRIER_SCAN',
  'AVAILABLE_FOR_PICKUP',
]);
const ON_ITS_WAY_BACK: ReadonlySet<ReturnState> = new Set(['REQUESTED', 'APPROVED', 'IN_TRANSIT', 'RECEIVED']);

/**
 * Whether a headline agrees with the dimensions beside it (docs/status.md, "Precedence"): the
 * headline may say less than a dimension, never the opposite. Returns the contradiction in words,
 * or null.
 */
export function headlineContradiction(status: OrderStatus, f: FulfillmentState, r: ReturnState): string | null {
  const no = (why: string) => `${status} contradicts fulfillmentState ${f} / returnState ${r}: ${why}`;
  if ((status === 'CANCELLED') !== (f === 'CANCELLED')) return no('only a fully cancelled order is CANCELLED in both');
  if (FORWARD_DONE.has(status) !== (f === 'DELIVERED'))
    return no('the headline speaks of returns or delivery only once every net unit is delivered');
  if (status === 'PARTIALLY_DELIVERED' && !(PROBLEMS.has(f) || f === 'PARTIALLY_DELIVERED'))
    return no('some units are delivered');
  if (
    status === 'SHIPPED' &&
    !(PROBLEMS.has(f) || f === 'SHIPPED' || f === 'AWAITING_CARRIER_SCAN' || f === 'AVAILABLE_FOR_PICKUP')
  )
    return no('every net unit is with a carrier');
  if ((f === 'SHIPPED' || f === 'AWAITING_CARRIER_SCAN') && status !== 'SHIPPED')
    return no('every net unit is with a carrier');
  if (NOTHING_SHIPPED.has(status) && MOVING.has(f)) return no('nothing was handed to a carrier');
  if (status === 'RETURN_INITIATED' && !ON_ITS_WAY_BACK.has(r)) return no('a return is on its way');
  if (
    (status === 'RETURNED' || status === 'PARTIALLY_RETURNED') &&
    (r === 'NONE' || r === 'REJECTED' || r === 'CLOSED' || r === 'REFUNDED_WITHOUT_RETURN')
  )
    return no('units came back');
  if (status === 'DELIVERED' && (r === 'REQUESTED' || r === 'APPROVED' || r === 'IN_TRANSIT'))
    return no('a return on its way would read RETURN_INITIATED');
  return null;
}
