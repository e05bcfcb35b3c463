import { fulfillmentProblems, fulfillmentStateOf, returnStateOf, type FulfillmentProblem } from './dimensions.js';
import {
  addQuantities,
  emptyQuantities,
  reconcileLines,
  type LineCorrection,
  type LineQuantities,
  type StatusInputs,
} from './quantities.js';
import { financialStateOf, refundStory, type RefundStory } from './refunds.js';
import {
  isPicked,
  VOID_RETURN_STATUSES,
  type FinancialState,
  type FulfillmentState,
  type OrderStatus,
  type ReturnState,
  type SourceSystem,
} from './vocabularies.js';

/** One input behind a derived status: what was observed, by which system, and when. */
export interface StatusFact {
  source: SourceSystem;
  fact: string;
  /** The source system's own timestamp for the fact, when it has one (ISO-8601 UTC). */
  observedAt: string | null;
}

/** A derived status with the rule that produced it and the facts it rests on. */
export interface StatusExplanation {
  status: OrderStatus;
  /** Number of the rule that matched (1-15, docs/status.md, "The headline"). */
  rule: number;
  reason: string;
  facts: StatusFact[];
}

/** What the headline rules read: reconciled quantities and the order's flags. */
export interface RuleContext {
  q: LineQuantities;
  net: number;
  held: boolean;
  accepted: boolean;
  /** Units on returns not yet received and not finished by the desk. */
  awaitingReturn: number;
}

interface Rule {
  status: OrderStatus;
  when: (c: RuleContext) => boolean;
  reason: (c: RuleContext) => string;
}

/** Every net unit is delivered: only then do return states take the headline. */
const forwardDone = (c: RuleContext): boolean => c.q.delivered >= c.net;

/**
 * The headline table (docs/status.md, "The headline"): first match wins; index + 1 is the rule
 * number. Return states (2-4) only take the headline once every net unit is delivered, so open
 * fulfillment is never hidden behind a return; a hold (5) shows while any net unit is unshipped.
 */
export const STATUS_RULES: readonly Rule[] = [
  { status: 'CANCELLED', when: (c) => c.net === 0, reason: (c) => `all ${c.q.ordered} ordered units are cancelled` },
  {
    status: 'RETURNED',
    when: (c) => forwardDone(c) && c.q.returned >= c.net,
    reason: (c) => `every net unit delivered; returned ${c.q.returned} ≥ net ${c.net}`,
  },
  {
    status: 'PARTIALLY_RETURNED',
    when: (c) => forwardDone(c) && c.q.returned > 0,
    reason: (c) => `every net unit delivered; returned ${c.q.returned} of net ${c.net}`,
  },
  {
    status: 'RETURN_INITIATED',
    when: (c) => forwardDone(c) && c.awaitingReturn > 0,
    reason: (c) => `every net unit delivered; a return of ${c.awaitingReturn} units is on its way back`,
  },
  {
    status: 'ON_HOLD',
    when: (c) => c.held && c.q.shipped < c.net,
    reason: (c) =>
      `an ERP hold is active and ${c.net - c.q.shipped} of net ${c.net} units are not with a carrier${c.q.delivered > 0 ? ` (${c.q.delivered} delivered)` : ''}`,
  },
  {
    status: 'DELIVERED',
    when: (c) => c.q.delivered >= c.net,
    reason: (c) => `delivered ${c.q.delivered} ≥ net ${c.net}`,
  },
  {
    status: 'PARTIALLY_DELIVERED',
    when: (c) => c.q.delivered > 0,
    reason: (c) => `delivered ${c.q.delivered} of net ${c.net}`,
  },
  { status: 'SHIPPED', when: (c) => c.q.shipped >= c.net, reason: (c) => `shipped ${c.q.shipped} ≥ net ${c.net}` },
  {
    status: 'PARTIALLY_SHIPPED',
    when: (c) => c.q.shipped > 0,
    reason: (c) => `shipped ${c.q.shipped} of net ${c.net}`,
  },
  { status: 'IN_FULFILLMENT', when: (c) => c.q.picked > 0, reason: (c) => `picked ${c.q.picked} of net ${c.net}` },
  {
    status: 'ALLOCATED',
    when: (c) => c.q.allocated >= c.net,
    reason: (c) => `allocated ${c.q.allocated} ≥ net ${c.net}`,
  },
  {
    status: 'PARTIALLY_ALLOCATED',
    when: (c) => c.q.allocated > 0,
    reason: (c) => `allocated ${c.q.allocated} of net ${c.net}`,
  },
  { status: 'BACKORDERED', when: (c) => c.q.backordered > 0, reason: (c) => `backordered ${c.q.backordered}` },
  { status: 'ACCEPTED', when: (c) => c.accepted, reason: () => 'accepted by the ERP; nothing allocated' },
  { status: 'PENDING', when: () => true, reason: () => 'not yet accepted by the ERP' },
];

/**
 * Applies the headline table to one set of reconciled quantities (a line's, or an order's sums).
 * @returns the status and the 1-based number of the rule that matched.
 */
export function deriveStatus(c: Omit<RuleContext, 'net'>): { status: OrderStatus; rule: number; reason: string } {
  const ctx: RuleContext = { ...c, net: c.q.ordered - c.q.cancelled };
  for (let i = 0; i < STATUS_RULES.length; i++) {
    const rule = STATUS_RULES[i]!;
    if (rule.when(ctx)) return { status: rule.status, rule: i + 1, reason: rule.reason(ctx) };
  }
  /* c8 ignore next */
  throw new Error('unreachable: rule 15 always matches');
}

/** The three dimensions beside a headline (docs/status.md, "Dimensions"). */
export interface Dimensions {
  fulfillmentState: FulfillmentState;
  financialState: FinancialState;
  returnState: ReturnState;
}

/** A line's quantities, status and dimensions (the contract's `LineStatus`). */
export interface LineStatusResult extends Dimensions {
  lineNumber: number;
  quantities: LineQuantities;
  status: OrderStatus;
  rule: number;
}

/** The full derivation for one order: headline with explanation, dimensions, each line's. */
export interface OrderStatusResult extends Dimensions {
  explanation: StatusExplanation;
  quantities: LineQuantities;
  lines: LineStatusResult[];
  /** The returns desk, the ERP and the payments on refunds, side by side. */
  refund: RefundStory;
  /** How the graph adjusted what systems reported so every invariant holds. */
  corrections: LineCorrection[];
  /** A shipment still travelling is past the carrier's delivery estimate (judged at `inputs.now`). */
  deliveryOverdue: boolean;
}

const isHeld = (inputs: StatusInputs): boolean => inputs.holds.some((h) => h.releasedAt == null);

/** Derives the order's headline, its explanation, its dimensions and every line's, from the owners' data. */
export function deriveOrderStatus(inputs: StatusInputs): OrderStatusResult {
  const held = isHeld(inputs);
  const accepted = inputs.acceptedAt != null;
  const ledgers = reconcileLines(inputs);
  const refund = refundStory(inputs);
  const financialState = financialStateOf(inputs, refund);
  const total = emptyQuantities();
  const lines: LineStatusResult[] = [];
  let dispatched = 0;
  let returningToSender = 0;
  let awaitingReturn = 0;
  const corrections: LineCorrection[] = [];
  for (const [lineNumber, l] of ledgers) {
    const q = l.quantities;
    addQuantities(total, q);
    dispatched += l.dispatched;
    returningToSender += l.returningToSender;
    awaitingReturn += l.awaitingReturn;
    corrections.push(...l.corrections);
    const { status, rule } = deriveStatus({ q, held, accepted, awaitingReturn: l.awaitingReturn });
    const problems = fulfillmentProblems(inputs, lineNumber, q, l);
    lines.push({
      lineNumber,
      quantities: q,
      status,
      rule,
      financialState,
      fulfillmentState: fulfillmentStateOf(inputs, lineNumber, q, problems),
      returnState: returnStateOf(inputs, lineNumber, q, l.awaitingReturn),
    });
  }
  const problems = fulfillmentProblems(inputs, null, total, { dispatched, returningToSender });
  const fulfillmentState = fulfillmentStateOf(inputs, null, total, problems);
  const returnState = returnStateOf(inputs, null, total, awaitingReturn);
  const { status, rule, reason } = deriveStatus({ q: total, held, accepted, awaitingReturn });
  const shown = problems.find((p) => p.state === fulfillmentState);
  const explanation: StatusExplanation = {
    status,
    rule,
    reason: shown ? `${reason}; ${shown.fact.fact}` : reason,
    facts: explain(status, inputs, total, { problems, corrections, refund, returnState }),
  };
  return {
    explanation,
    quantities: total,
    lines,
    fulfillmentState,
    financialState,
    returnState,
    refund,
    corrections,
    deliveryOverdue: problems.some((p) => p.state === 'DELIVERY_OVERDUE'),
  };
}

const latest = (times: readonly (string | null | undefined)[]): string | null =>
  times.reduce<string | null>((max, t) => (t != null && (max == null || t > max) ? t : max), null);

const named = (kind: string, id: string | undefined): string => (id ? `${kind} ${id}` : kind);

const sum = (lines: readonly { quantity: number }[]): number => lines.reduce((n, l) => n + l.quantity, 0);

const CORRECTION_WORDS: Readonly<Record<LineCorrection['kind'], (c: LineCorrection) => string>> = {
  CANCEL_AFTER_SHIPMENT: (c) =>
    `line ${c.lineNumber}: cancellation of ${c.reported} units applies to unshipped units only; ${c.applied} cancelled`,
  OVER_SHIPMENT: (c) =>
    `line ${c.lineNumber}: shipments carry ${c.reported} units, more than ordered; counted ${c.applied}`,
  ALLOCATION_EXCEEDS_NET: (c) =>
    `line ${c.lineNumber}: ${c.reported} units sourced to nodes exceed the net quantity; counted ${c.applied}`,
  BACKORDER_EXCEEDS_OPEN: (c) =>
    `line ${c.lineNumber}: ${c.reported} units reported backordered, only ${c.applied} are open`,
  PICK_EXCEEDS_ALLOCATION: (c) =>
    `line ${c.lineNumber}: ${c.reported} units reported picked, only ${c.applied} are allocated`,
  OVER_RECEIPT: (c) =>
    `line ${c.lineNumber}: ${c.reported} units received back, only ${c.applied} were delivered or returned to sender; counted ${c.applied}`,
  RETURN_WITHOUT_DELIVERY: (c) =>
    `line ${c.lineNumber}: a return names ${c.reported} units, more than were delivered (marked: return for units never delivered)`,
};

interface Extras {
  problems: readonly FulfillmentProblem[];
  corrections: readonly LineCorrection[];
  refund: RefundStory;
  returnState: ReturnState;
}

/**
 * The facts behind the headline, each from the system that owns it; then every active hold,
 * backorder, fulfillment problem, correction and return the headline does not show.
 */
function explain(status: OrderStatus, inputs: StatusInputs, q: LineQuantities, extras: Extras): StatusFact[] {
  const facts: StatusFact[] = [];
  const net = q.ordered - q.cancelled;
  facts.push({
    source: 'OMS',
    fact: `${q.ordered} units ordered, ${q.cancelled} cancelled (net ${net})`,
    observedAt: null,
  });
  const liveReturns = inputs.returns.filter((r) => !VOID_RETURN_STATUSES.has(r.status));
  switch (status) {
    case 'RETURNED':
    case 'PARTIALLY_RETURNED':
      for (const r of liveReturns) {
        if (r.receipt)
          facts.push({
            source: 'WMS',
            fact: `${named('return', r.id)} received: ${sum(r.receipt.lines)} units`,
            observedAt: r.receipt.receivedAt,
          });
      }
      break;
    case 'RETURN_INITIATED':
      for (const r of liveReturns) {
        if (!r.receipt && r.status !== 'REFUNDED' && r.status !== 'CLOSED')
          facts.push({
            source: 'RETURNS',
            fact: `${named('return', r.id)} ${r.status}: ${sum(r.lines)} units`,
            observedAt: r.requestedAt ?? null,
          });
      }
      break;
    case 'ON_HOLD':
      for (const h of inputs.holds) {
        if (h.releasedAt == null) facts.push({ source: 'ERP', fact: `${h.type} hold active`, observedAt: h.placedAt });
      }
      facts.push({
        source: 'WMS',
        fact: q.shipped === 0 ? 'no shipment handed to a carrier' : `${net - q.shipped} units not handed to a carrier`,
        observedAt: null,
      });
      break;
    case 'DELIVERED':
    case 'PARTIALLY_DELIVERED':
      for (const s of inputs.shipments) {
        if (s.status === 'DELIVERED')
          facts.push({
            source: 'CARRIER',
            fact: `${named('shipment', s.id)} delivered: ${sum(s.lines)} units`,
            observedAt: s.deliveredAt ?? s.lastScanAt ?? null,
          });
      }
      break;
    case 'SHIPPED':
    case 'PARTIALLY_SHIPPED':
      for (const s of inputs.shipments) {
        facts.push({
          source: 'WMS',
          fact: `${named('shipment', s.id)} handed to carrier: ${sum(s.lines)} units`,
          observedAt: s.shippedAt,
        });
        facts.push({ source: 'CARRIER', fact: `carrier status ${s.status}`, observedAt: s.lastScanAt ?? null });
      }
      break;
    case 'IN_FULFILLMENT':
      for (const fo of inputs.fulfillmentOrders) {
        if (isPicked(fo.warehouseStatus))
          facts.push({
            source: 'WMS',
            fact: `fulfillment order ${fo.warehouseStatus}: ${sum(fo.lines)} units`,
            observedAt: fo.pickedAt ?? null,
          });
      }
      break;
    case 'ALLOCATED':
    case 'PARTIALLY_ALLOCATED': {
      const live = inputs.fulfillmentOrders.filter((f) => f.warehouseStatus !== 'CANCELLED');
      facts.push({
        source: 'OMS',
        fact: `${q.allocated} units sourced to ${live.length} fulfillment order(s)`,
        observedAt: latest(live.map((f) => f.allocatedAt)),
      });
      break;
    }
    case 'BACKORDERED':
      facts.push({ source: 'OMS', fact: `${q.backordered} units backordered`, observedAt: null });
      break;
    case 'ACCEPTED':
    case 'PENDING':
    case 'CANCELLED':
      break;
  }
  if (status !== 'PENDING') {
    if (inputs.acceptedAt) facts.push({ source: 'ERP', fact: 'accepted by the ERP', observedAt: inputs.acceptedAt });
  } else {
    facts.push({ source: 'ERP', fact: 'not accepted by the ERP', observedAt: null });
  }
  // What the headline does not show: every active hold, backorder, problem, correction and return.
  for (const h of inputs.holds) {
    if (h.releasedAt == null) facts.push({ source: 'ERP', fact: `${h.type} hold active`, observedAt: h.placedAt });
  }
  if (q.backordered > 0) facts.push({ source: 'OMS', fact: `${q.backordered} units backordered`, observedAt: null });
  if (inputs.unconfirmedShipments === null)
    facts.push({
      source: 'CARRIER',
      fact: 'the carrier is unavailable: parcels the WMS never confirmed cannot be checked',
      observedAt: null,
    });
  for (const p of extras.problems) facts.push(p.fact);
  for (const c of extras.corrections)
    facts.push({ source: 'VISIBILITY', fact: CORRECTION_WORDS[c.kind](c), observedAt: null });
  for (const r of inputs.returns) {
    if (r.status === 'REJECTED' && r.receipt)
      facts.push({
        source: 'RETURNS',
        fact: `${named('return', r.id)} rejected after receipt: its ${sum(r.receipt.lines)} units do not count as returned`,
        observedAt: r.receipt.receivedAt,
      });
    else if (status !== 'RETURN_INITIATED' && !VOID_RETURN_STATUSES.has(r.status))
      facts.push({
        source: 'RETURNS',
        fact: `${named('return', r.id)} ${r.status}: ${sum(r.lines)} units${r.receipt ? ', received' : ''}`,
        observedAt: r.requestedAt ?? null,
      });
  }
  if (extras.refund.state === 'MISMATCH' || extras.refund.state === 'PENDING')
    facts.push({
      source: 'VISIBILITY',
      fact: `refund ${extras.refund.state.toLowerCase()}: ${extras.refund.reason}`,
      observedAt: null,
    });
  if (extras.returnState === 'REFUNDED_WITHOUT_RETURN')
    facts.push({
      source: 'RETURNS',
      fact: 'refunded without a return receipt (the customer keeps the units)',
      observedAt: null,
    });
  const seen = new Set<string>();
  return facts.filter((f) => {
    const key = `${f.source}|${f.fact}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
