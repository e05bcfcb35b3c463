/**
 * Planning returns: requested within the window after the last delivery, only for delivered
 * units of lines that are not final sale (CANONICAL_MODEL.md, "Returns policy"), then approved,
 * shipped back, received by the wms, refunded and closed, or rejected / cancelled on the way.
 */
import type { Channel, ReturnStatus } from '../canonical/index.js';
import { DISPOSITIONS_WEIGHTED, RETURN_REASONS } from './catalogue.js';
import { at, DAY, HOUR, idleAtMost, unitTax, type OrderPlan, type PlanContext, type PlanReturn } from './plan.js';
import { weighted } from './rng.js';

/** initiated: not yet received; partial: some units received; full: every unit received. */
export type ReturnKind = 'initiated' | 'rejected' | 'cancelled' | 'partial' | 'full' | 'keep';

const INITIATED = weighted<ReturnStatus>([
  ['REQUESTED', 3],
  ['APPROVED', 3],
  ['IN_TRANSIT', 4],
]);
const COMPLETED = weighted<ReturnStatus>([
  ['RECEIVED', 2],
  ['REFUND_PENDING', 2],
  ['REFUNDED', 4],
  ['CLOSED', 4],
]);
const OTHER_CHANNELS = weighted<Channel | null>([
  [null, 50],
  ['WEB', 25],
  ['STORE', 20],
  ['CALL_CENTER', 5],
]);

/**
 * Plans the order's return(s) of `kind` after its deliveries. Does nothing when no delivered
 * unit is returnable.
 */
export function planReturn(ctx: PlanContext, p: OrderPlan, kind: ReturnKind): void {
  const { rng } = ctx;
  const returnable = p.lines.map(() => 0);
  let lastDelivery = 0;
  for (const s of p.shipments) {
    if (s.deliveredAt == null) continue;
    lastDelivery = Math.max(lastDelivery, s.deliveredAt);
    for (const l of s.lines) if (!p.lines[l.lineNumber - 1]!.sku.finalSale) returnable[l.lineNumber - 1]! += l.quantity;
  }
  const candidates = returnable.flatMap((q, i) => (q > 0 ? [i] : []));
  if (candidates.length === 0) return;
  const requestedAt = lastDelivery + rng.int(HOUR, 20 * DAY);
  if (kind === 'full') {
    // Everything comes back, in one return or (now and then) one per group of lines.
    const cut = candidates.length >= 2 && rng.chance(0.3) ? rng.int(1, candidates.length - 1) : candidates.length;
    const parts = [candidates.slice(0, cut), candidates.slice(cut)].filter((x) => x.length > 0);
    parts.forEach((part, k) => {
      const units = returnable.map((q, i) => (part.includes(i) ? q : 0));
      const status = rng.weighted(COMPLETED);
      addReturn(ctx, p, status, units, requestedAt + k * rng.int(HOUR, 5 * DAY), k === parts.length - 1);
    });
    return;
  }
  const units = returnable.map(() => 0);
  const first = rng.pick(candidates);
  units[first] = rng.int(1, returnable[first]!);
  for (const i of candidates) if (i !== first && rng.chance(0.3)) units[i] = rng.int(1, returnable[i]!);
  if (kind === 'partial') {
    // Strictly fewer units than the order's net quantity come back.
    const net = p.lines.reduce((n, l) => n + l.quantity - l.cancelled, 0);
    let excess = units.reduce((a, b) => a + b, 0) - (net - 1);
    for (let i = units.length - 1; i >= 0 && excess > 0; i--) {
      const cut = Math.min(excess, i === first ? units[i]! - 1 : units[i]!);
      units[i]! -= cut;
      excess -= cut;
    }
  }
  if (kind === 'keep') {
    addReturn(ctx, p, 'REFUNDED', units, requestedAt, false, true);
    return;
  }
  const status: ReturnStatus =
    kind === 'initiated'
      ? rng.weighted(INITIATED)
      : kind === 'rejected'
        ? 'REJECTED'
        : kind === 'cancelled'
          ? 'CANCELLED'
          : rng.weighted(COMPLETED);
  addReturn(ctx, p, status, units, requestedAt, false);
}

/** Adds one return for `units[i]` units of line i, walked through the desk up to `status`. */
function addReturn(
  ctx: PlanContext,
  p: OrderPlan,
  status: ReturnStatus,
  units: readonly number[],
  requestedAt: number,
  refundsShipping: boolean,
  keep = false,
): void {
  const { rng } = ctx;
  const reason = rng.pick(RETURN_REASONS);
  const lines = units.flatMap((quantity, i) =>
    quantity > 0 ? [{ lineNumber: i + 1, quantity, reason: rng.chance(0.6) ? reason : rng.pick(RETURN_REASONS) }] : [],
  );
  const channel = p.channel === 'MARKETPLACE' ? 'MARKETPLACE' : (rng.weighted(OTHER_CHANNELS) ?? p.channel);
  const r: PlanReturn = {
    status,
    channel,
    requestedAt: at(p, requestedAt),
    reason,
    lines,
    rma: false,
    receivedAt: null,
    dispositions: [],
    refund: null,
  };
  p.returns.push(r);
  let t = requestedAt;
  if (status === 'REQUESTED') {
    idleAtMost(p, 4 * DAY);
    return;
  }
  if (status === 'REJECTED') {
    at(p, t + rng.int(HOUR, 2 * DAY));
    return;
  }
  if (status === 'CANCELLED') {
    r.rma = rng.chance(0.5);
    at(p, t + rng.int(HOUR, 3 * DAY));
    return;
  }
  r.rma = true;
  t = at(p, t + rng.int(10, DAY));
  if (status === 'APPROVED') {
    idleAtMost(p, 5 * DAY);
    return;
  }
  t = at(p, t + rng.int(HOUR, 3 * DAY));
  if (status === 'IN_TRANSIT') {
    idleAtMost(p, 5 * DAY);
    return;
  }
  if (keep) {
    // "Keep it": the desk refunds without asking for the units back (no receipt, ever).
    t = at(p, t + rng.int(HOUR, DAY));
  } else {
    r.receivedAt = t = at(p, t + rng.int(DAY, 5 * DAY));
    r.dispositions = lines.map(() => rng.weighted(DISPOSITIONS_WEIGHTED));
  }
  if (status === 'RECEIVED') {
    idleAtMost(p, 3 * DAY);
    return;
  }
  let cents = refundsShipping ? p.shippingCents : 0;
  for (const l of lines) {
    const line = p.lines[l.lineNumber - 1]!;
    cents += l.quantity * (line.sku.cents + unitTax(p, line));
  }
  if (status === 'REFUND_PENDING') {
    r.refund = { cents, refundedAt: null };
    at(p, t + rng.int(10, 10 * HOUR));
    idleAtMost(p, 3 * DAY);
    return;
  }
  r.refund = { cents, refundedAt: (t = at(p, t + rng.int(HOUR, 3 * DAY))) };
  if (status === 'CLOSED') at(p, t + rng.int(HOUR, 2 * DAY));
}
