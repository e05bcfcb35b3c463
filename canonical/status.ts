import {
  addQuantities, computeLineQuantities, emptyQuantities,
  type LineQuantities, type StatusInputs,
} from './quantities.js';
import { isPicked, VOID_RETURN_STATUSES, type OrderStatus, type SourceSystem } from './vocabularies.js';

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
  /** Number of the rule that matched (1-15, CANONICAL_MODEL.md, "The derived status"). */
  rule: number;
  reason: string;
  facts: StatusFact[];
}

interface RuleContext { q: LineQuantities; net: number; held: boolean; accepted: boolean }

interface Rule {
  status: OrderStatus;
  when: (c: RuleContext) => boolean;
  reason: (c: RuleContext) => string;
}

/** The status table: first match wins. Index + 1 is the rule number. */
export const STATUS_RULES: readonly Rule[] = [
  { status: 'CANCELLED', when: (c) => c.net === 0, reason: (c) => `all ${c.q.ordered} ordered units are cancelled` },
  { status: 'RETURNED', when: (c) => c.q.returned >= c.net, reason: (c) => `returned ${c.q.returned} ≥ net ${c.net}` },
  { status: 'PARTIALLY_RETURNED', when: (c) => c.q.returned > 0, reason: (c) => `returned ${c.q.returned} of net ${c.net}` },
  { status: 'RETURN_INITIATED', when: (c) => c.q.returnInitiated > c.q.returned, reason: (c) => `return initiated for ${c.q.returnInitiated}, received ${c.q.returned}` },
  { status: 'ON_HOLD', when: (c) => c.held && c.q.shipped === 0, reason: () => 'an ERP hold is active and nothing has shipped' },
  { status: 'DELIVERED', when: (c) => c.q.delivered >= c.net, reason: (c) => `delivered ${c.q.delivered} ≥ net ${c.net}` },
  { status: 'PARTIALLY_DELIVERED', when: (c) => c.q.delivered > 0, reason: (c) => `delivered ${c.q.delivered} of net ${c.net}` },
  { status: 'SHIPPED', when: (c) => c.q.shipped >= c.net, reason: (c) => `shipped ${c.q.shipped} ≥ net ${c.net}` },
  { status: 'PARTIALLY_SHIPPED', when: (c) => c.q.shipped > 0, reason: (c) => `shipped ${c.q.shipped} of net ${c.net}` },
  { status: 'IN_FULFILLMENT', when: (c) => c.q.picked > 0, reason: (c) => `picked ${c.q.picked} of net ${c.net}` },
  { status: 'ALLOCATED', when: (c) => c.q.allocated >= c.net, reason: (c) => `allocated ${c.q.allocated} ≥ net ${c.net}` },
  { status: 'PARTIALLY_ALLOCATED', when: (c) => c.q.allocated > 0, reason: (c) => `allocated ${c.q.allocated} of net ${c.net}` },
  { status: 'BACKORDERED', when: (c) => c.q.backordered > 0, reason: (c) => `backordered ${c.q.backordered}` },
  { status: 'ACCEPTED', when: (c) => c.accepted, reason: () => 'accepted by the ERP; nothing allocated yet' },
  { status: 'PENDING', when: () => true, reason: () => 'not yet accepted by the ERP' },
];

/**
 * Applies the status table to one set of quantities (a line's, or an order's sums).
 * @returns the status and the 1-based number of the rule that matched.
 */
export function deriveStatus(q: LineQuantities, held: boolean, accepted: boolean): { status: OrderStatus; rule: number; reason: string } {
  const c: RuleContext = { q, net: q.ordered - q.cancelled, held, accepted };
  for (let i = 0; i < STATUS_RULES.length; i++) {
    const rule = STATUS_RULES[i]!;
    if (rule.when(c)) return { status: rule.status, rule: i + 1, reason: rule.reason(c) };
  }
  /* c8 ignore next */
  throw new Error('unreachable: rule 15 always matches');
}

/** A line's quantities and status (the contract's `LineStatus`). */
export interface LineStatusResult { lineNumber: number; quantities: LineQuantities; status: OrderStatus; rule: number }

/** The full derivation for one order: its status with explanation, and each line's. */
export interface OrderStatusResult {
  explanation: StatusExplanation;
  quantities: LineQuantities;
  lines: LineStatusResult[];
}

const isHeld = (inputs: StatusInputs): boolean => inputs.holds.some((h) => h.releasedAt == null);

/** Derives the order status, its explanation and every line's status from the owners' data. */
export function deriveOrderStatus(inputs: StatusInputs): OrderStatusResult {
  const held = isHeld(inputs);
  const accepted = inputs.acceptedAt != null;
  const perLine = computeLineQuantities(inputs);
  const total = emptyQuantities();
  const lines: LineStatusResult[] = [];
  for (const [lineNumber, quantities] of perLine) {
    addQuantities(total, quantities);
    const { status, rule } = deriveStatus(quantities, held, accepted);
    lines.push({ lineNumber, quantities, status, rule });
  }
  const { status, rule, reason } = deriveStatus(total, held, accepted);
  return { explanation: { status, rule, reason, facts: explain(rule, inputs, total) }, quantities: total, lines };
}

const latest = (times: readonly (string | null | undefined)[]): string | null =>
  times.reduce<string | null>((max, t) => (t != null && (max == null || t > max) ? t : max), null);

const named = (kind: string, id: string | undefined): string => (id ? `${kind} ${id}` : kind);

const sum = (lines: readonly { quantity: number }[]): number => lines.reduce((n, l) => n + l.quantity, 0);

/** The facts behind the matched rule, each from the system that owns it, newest evidence first. */
function explain(rule: number, inputs: StatusInputs, q: LineQuantities): StatusFact[] {
  const facts: StatusFact[] = [];
  const net = q.ordered - q.cancelled;
  facts.push({ source: 'OMS', fact: `${q.ordered} units ordered, ${q.cancelled} cancelled (net ${net})`, observedAt: null });
  const status = STATUS_RULES[rule - 1]!.status;
  switch (status) {
    case 'RETURNED':
    case 'PARTIALLY_RETURNED':
      for (const r of inputs.returns) {
        if (r.receipt) facts.push({ source: 'WMS', fact: `${named('return', r.id)} received: ${sum(r.receipt.lines)} units`, observedAt: r.receipt.receivedAt });
      }
      break;
    case 'RETURN_INITIATED':
      for (const r of inputs.returns) {
        if (!VOID_RETURN_STATUSES.has(r.status)) facts.push({ source: 'RETURNS', fact: `${named('return', r.id)} ${r.status}: ${sum(r.lines)} units`, observedAt: r.requestedAt ?? null });
      }
      break;
    case 'ON_HOLD':
      for (const h of inputs.holds) {
        if (h.releasedAt == null) facts.push({ source: 'ERP', fact: `${h.type} hold active`, observedAt: h.placedAt });
      }
      facts.push({ source: 'WMS', fact: 'no shipment handed to a carrier', observedAt: null });
      break;
    case 'DELIVERED':
    case 'PARTIALLY_DELIVERED':
      for (const s of inputs.shipments) {
        if (s.status === 'DELIVERED') facts.push({ source: 'CARRIER', fact: `${named('shipment', s.id)} delivered: ${sum(s.lines)} units`, observedAt: s.deliveredAt ?? s.lastScanAt ?? null });
      }
      break;
    case 'SHIPPED':
    case 'PARTIALLY_SHIPPED':
      for (const s of inputs.shipments) {
        facts.push({ source: 'WMS', fact: `${named('shipment', s.id)} handed to carrier: ${sum(s.lines)} units`, observedAt: s.shippedAt });
        facts.push({ source: 'CARRIER', fact: `carrier status ${s.status}`, observedAt: s.lastScanAt ?? null });
      }
      break;
    case 'IN_FULFILLMENT':
      for (const fo of inputs.fulfillmentOrders) {
        if (isPicked(fo.warehouseStatus)) facts.push({ source: 'WMS', fact: `fulfillment order ${fo.warehouseStatus}: ${sum(fo.lines)} units`, observedAt: fo.pickedAt ?? null });
      }
      break;
    case 'ALLOCATED':
    case 'PARTIALLY_ALLOCATED': {
      const live = inputs.fulfillmentOrders.filter((f) => f.warehouseStatus !== 'CANCELLED');
      facts.push({ source: 'OMS', fact: `${q.allocated} units sourced to ${live.length} fulfillment order(s)`, observedAt: latest(live.map((f) => f.allocatedAt)) });
      if (q.backordered > 0) facts.push({ source: 'OMS', fact: `${q.backordered} units backordered`, observedAt: null });
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
  return facts;
}
