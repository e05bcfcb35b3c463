/**
 * Plans one order's life for a scenario: its lines, ERP acceptance and holds, sourcing and
 * fulfillment, carrier tracking, returns. Every random draw happens here (and in the planners it
 * calls), so turning a plan into records is pure.
 */
import {
  ACTIVE_HOLD_TYPES,
  CHANNELS_WEIGHTED,
  DROP_SHIP_SKUS,
  HOLD_REASONS,
  PAYMENT_METHODS,
  RELEASED_HOLD_TYPES,
  RETURNABLE_SKUS,
  STOCKED_SKUS,
  type Sku,
} from './catalogue.js';
import {
  allocate,
  OPEN_STATUSES,
  PICKED_STATUSES,
  progress,
  ship,
  track,
  UNPICKED_STATUSES,
  type SplitMode,
} from './fulfilment.js';
import type { HoldType } from '../canonical/index.js';
import {
  at,
  DAY,
  HOUR,
  idleAtMost,
  type OrderPlan,
  type PlanContext,
  type PlanFo,
  type PlanHold,
  type PlanLine,
  type TrackOutcome,
} from './plan.js';
import { planReturn } from './returnsPlan.js';
import { weighted } from './rng.js';
import type { DemoScenario } from './scenarios.js';

const LINE_COUNTS = weighted([
  [1, 50],
  [2, 28],
  [3, 14],
  [4, 8],
]);
const QUANTITIES = weighted([
  [1, 72],
  [2, 20],
  [3, 8],
]);
const TAX_BP: readonly number[] = [0, 600, 625, 725, 825, 887];
const SHIPPING_CENTS: readonly number[] = [595, 795, 995];

/** Scenarios that need two lines (split across nodes), or at least two units (part of them goes one way). */
const TWO_LINES: ReadonlySet<DemoScenario> = new Set(['partially-shipped', 'split-dc-store-shipped']);
const TWO_UNITS: ReadonlySet<DemoScenario> = new Set([
  'partially-allocated',
  'partially-delivered',
  'partially-returned',
  'partially-cancelled',
]);
const RETURN_FIRST_LINE: ReadonlySet<DemoScenario> = new Set([
  'return-initiated',
  'return-rejected',
  'partially-returned',
  'refunded-without-return',
]);

/** The SKUs line `n` of a scenario's order may use: returnable ones where a return must be possible. */
function poolFor(ctx: PlanContext, scenario: DemoScenario, n: number): readonly Sku[] {
  if (scenario === 'returned') return RETURNABLE_SKUS;
  if (n === 1 && scenario === 'drop-ship') return DROP_SHIP_SKUS;
  if (n === 1 && RETURN_FIRST_LINE.has(scenario)) return RETURNABLE_SKUS;
  if (scenario === 'split-dc-store-shipped') return STOCKED_SKUS;
  return ctx.rng.chance(0.03) ? DROP_SHIP_SKUS : STOCKED_SKUS;
}

function drawLines(ctx: PlanContext, scenario: DemoScenario): PlanLine[] {
  const { rng } = ctx;
  const count = Math.max(rng.weighted(LINE_COUNTS), TWO_LINES.has(scenario) ? 2 : 1);
  const lines: PlanLine[] = [];
  for (let n = 1; n <= count; n++) {
    const pool = poolFor(ctx, scenario, n);
    // A SKU appears on one line only: take the next unused one after the drawn position.
    const start = rng.int(0, pool.length - 1);
    let sku: Sku | undefined;
    for (let k = 0; k < pool.length && !sku; k++) {
      const candidate = pool[(start + k) % pool.length]!;
      if (!lines.some((l) => l.sku === candidate)) sku = candidate;
    }
    if (!sku) break;
    lines.push({ lineNumber: n, sku, quantity: rng.weighted(QUANTITIES), cancelled: 0, backordered: 0 });
  }
  if (TWO_UNITS.has(scenario) && lines.length === 1 && lines[0]!.quantity < 2) lines[0]!.quantity = 2;
  return lines;
}

/** Takes `k` units off the end of the order (last lines first) and returns what is left per line. */
function takeFromEnd(p: OrderPlan, k: number, field: 'cancelled' | 'backordered'): number[] {
  const left = p.lines.map((l) => l.quantity - l.cancelled);
  for (let i = left.length - 1; i >= 0 && k > 0; i--) {
    const take = Math.min(k, left[i]!);
    p.lines[i]![field] += take;
    left[i]! -= take;
    k -= take;
  }
  return left;
}

/** ERP holds: the scenario's active hold, or now and then one released before fulfillment. */
function planHolds(ctx: PlanContext, p: OrderPlan, scenario: DemoScenario): number {
  const { rng } = ctx;
  const accepted = p.acceptedAt!;
  if (scenario === 'held-accepted-in-oms') {
    const type = rng.weighted(ACTIVE_HOLD_TYPES);
    addHold(ctx, p, type);
    if (type === 'PAYMENT_REVIEW' && rng.chance(0.4)) {
      p.payment.mode = 'failed';
      p.payment.authorizedAt = null;
    }
    return accepted;
  }
  if (scenario === 'cancelled' && rng.chance(0.3)) {
    addHold(ctx, p, rng.chance(0.6) ? 'FRAUD' : 'CREDIT'); // released when the order is cancelled
    return accepted;
  }
  if (!rng.chance(0.08)) return accepted;
  const type = rng.weighted(RELEASED_HOLD_TYPES);
  const h = addHold(ctx, p, type);
  h.releasedAt = at(p, h.placedAt + rng.int(HOUR, 2 * DAY));
  if (type === 'PAYMENT_REVIEW' && rng.chance(0.4)) {
    p.payment.mode = 'retried';
    p.payment.authorizedAt = h.releasedAt;
  }
  return h.releasedAt;
}

/** An active hold placed just after acceptance (the caller may release it). */
function addHold(ctx: PlanContext, p: OrderPlan, type: HoldType): PlanHold {
  const h: PlanHold = {
    type,
    reason: ctx.rng.pick(HOLD_REASONS[type]),
    placedAt: at(p, p.acceptedAt! + ctx.rng.int(1, 30)),
    releasedAt: null,
  };
  p.holds.push(h);
  return h;
}

/**
 * How far the carrier has got with each parcel: the same outcome for all, the first delivered
 * and the rest moving, the first fulfillment order's parcels delivered or not (coin) and the rest
 * moving, or a coin per parcel.
 */
type OutcomeRule = TrackOutcome | 'first-delivered' | 'first-fo-coin' | 'coin';

function outcomeOf(ctx: PlanContext, rule: OutcomeRule, shipmentIndex: number, foIndex: number): TrackOutcome {
  switch (rule) {
    case 'first-delivered':
      return shipmentIndex === 0 ? 'delivered' : 'moving';
    case 'first-fo-coin':
      return foIndex === 0 && ctx.rng.chance(0.5) ? 'delivered' : 'moving';
    case 'coin':
      return ctx.rng.chance(0.5) ? 'delivered' : 'moving';
    default:
      return rule;
  }
}

/** Sources `units`, moves every fulfillment order to SHIPPED, and tracks each parcel by `rule`. */
function shipAll(
  ctx: PlanContext,
  p: OrderPlan,
  units: readonly number[],
  split: SplitMode,
  t: number,
  rule: OutcomeRule,
  twoParcels = false,
): PlanFo[] {
  const fos = allocate(ctx, p, units, split, t);
  for (let i = 0; i < fos.length; i++) {
    progress(ctx, p, fos[i]!, 'SHIPPED');
    ship(ctx, p, p.fos.indexOf(fos[i]!), twoParcels && fos.length === 1);
  }
  for (let i = 0; i < p.shipments.length; i++)
    track(ctx, p, p.shipments[i]!, outcomeOf(ctx, rule, i, p.shipments[i]!.fo));
  return fos;
}

/** Plans the whole life of one order in `scenario`. */
export function planOrder(ctx: PlanContext, scenario: DemoScenario): OrderPlan {
  const { rng } = ctx;
  const lines = drawLines(ctx, scenario);
  const subtotal = lines.reduce((n, l) => n + l.sku.cents * l.quantity, 0);
  const p: OrderPlan = {
    scenario,
    channel: rng.weighted(CHANNELS_WEIGHTED),
    lines,
    taxBp: rng.pick(TAX_BP),
    shippingCents: subtotal >= 7_500 ? 0 : rng.pick(SHIPPING_CENTS),
    acceptedAt: null,
    holds: [],
    payment: { method: rng.weighted(PAYMENT_METHODS), mode: 'normal', authorizedAt: null },
    fos: [],
    shipments: [],
    returns: [],
    cancelled: false,
    end: 0,
    maxIdle: Number.POSITIVE_INFINITY,
  };
  if (scenario === 'pending') {
    idleAtMost(p, 6 * HOUR);
    return p;
  }
  p.acceptedAt = at(p, rng.int(5, 3 * HOUR));
  p.payment.authorizedAt = at(p, p.acceptedAt + 1);
  const t = planHolds(ctx, p, scenario);
  const all = lines.map((l) => l.quantity);
  const totalUnits = all.reduce((a, b) => a + b, 0);
  switch (scenario) {
    case 'accepted':
      idleAtMost(p, 12 * HOUR);
      break;
    case 'backordered':
      for (const l of lines) l.backordered = l.quantity;
      idleAtMost(p, 30 * DAY);
      break;
    case 'partially-allocated':
      for (const fo of allocate(ctx, p, takeFromEnd(p, rng.int(1, totalUnits - 1), 'backordered'), 'none', t)) {
        progress(ctx, p, fo, rng.weighted(UNPICKED_STATUSES));
      }
      idleAtMost(p, 14 * DAY);
      break;
    case 'allocated':
    case 'held-accepted-in-oms':
      for (const fo of allocate(ctx, p, all, 'maybe', t)) progress(ctx, p, fo, rng.weighted(UNPICKED_STATUSES));
      idleAtMost(p, scenario === 'allocated' ? DAY : 7 * DAY);
      break;
    case 'in-fulfillment':
      for (const [i, fo] of allocate(ctx, p, all, 'maybe', t).entries())
        progress(ctx, p, fo, rng.weighted(i === 0 ? PICKED_STATUSES : OPEN_STATUSES));
      idleAtMost(p, 12 * HOUR);
      break;
    case 'partially-shipped': {
      const [first, ...rest] = allocate(ctx, p, all, 'two', t);
      progress(ctx, p, first!, 'SHIPPED');
      for (const fo of rest) progress(ctx, p, fo, rng.weighted(OPEN_STATUSES));
      ship(ctx, p, 0, false);
      for (const s of p.shipments) track(ctx, p, s, 'moving');
      idleAtMost(p, 3 * DAY);
      break;
    }
    case 'split-dc-store-shipped':
      shipAll(ctx, p, all, 'dc-store', t, 'first-fo-coin');
      break;
    case 'drop-ship':
      shipAll(ctx, p, all, 'maybe', t, 'coin');
      break;
    case 'shipped-without-scan':
      shipAll(ctx, p, all, 'maybe', t, 'none');
      break;
    case 'shipped-label-only':
      shipAll(ctx, p, all, 'maybe', t, 'label');
      break;
    case 'in-transit':
      shipAll(ctx, p, all, 'maybe', t, 'moving');
      break;
    case 'partially-delivered':
      shipAll(ctx, p, all, 'maybe', t, 'first-delivered', true);
      break;
    case 'delivered':
      shipAll(ctx, p, all, 'maybe', t, 'delivered');
      if (rng.chance(0.06)) planReturn(ctx, p, 'cancelled');
      break;
    case 'return-initiated':
    case 'return-rejected':
    case 'partially-returned':
    case 'returned':
      shipAll(ctx, p, all, 'maybe', t, 'delivered');
      planReturn(
        ctx,
        p,
        scenario === 'return-initiated'
          ? 'initiated'
          : scenario === 'return-rejected'
            ? 'rejected'
            : scenario === 'returned'
              ? 'full'
              : 'partial',
      );
      break;
    case 'cancelled':
      planCancellation(ctx, p, t);
      break;
    case 'fulfillment-declined': {
      // A node declines (no stock) and the OMS has not re-sourced the units yet.
      const fos = allocate(ctx, p, all, 'maybe', t);
      fos.forEach((fo, i) => {
        progress(ctx, p, fo, i === 0 ? 'CANCELLED' : rng.weighted(UNPICKED_STATUSES));
      });
      fos[0]!.cancelledAt = at(p, fos[0]!.releasedAt + rng.int(30, 8 * HOUR));
      fos[0]!.cancelReason = rng.pick(['NO_STOCK', 'SHORT_PICK', 'DAMAGED_STOCK']);
      idleAtMost(p, 2 * DAY);
      break;
    }
    case 'returned-to-sender':
      shipAll(ctx, p, all, 'maybe', t, 'returned-to-sender');
      break;
    case 'refunded-without-return':
      shipAll(ctx, p, all, 'maybe', t, 'delivered');
      planReturn(ctx, p, 'keep');
      break;
    case 'partially-cancelled': {
      const outcome: TrackOutcome = rng.chance(0.6) ? 'delivered' : 'moving';
      if (rng.chance(0.5)) {
        // The customer cancels part of the order before it is sourced.
        const left = takeFromEnd(p, rng.int(1, totalUnits - 1), 'cancelled');
        shipAll(ctx, p, left, 'maybe', at(p, t + rng.int(10, 12 * HOUR)), outcome);
      } else {
        // A node cannot fill its part; oms cancels those units and the rest ships.
        const fos = allocate(ctx, p, all, 'two', t);
        const dropped = fos[fos.length - 1]!;
        progress(ctx, p, dropped, 'CANCELLED');
        at(p, dropped.releasedAt + rng.int(30, 8 * HOUR));
        for (const l of dropped.lines) p.lines[l.lineNumber - 1]!.cancelled += l.quantity;
        for (let i = 0; i < fos.length - 1; i++) {
          progress(ctx, p, fos[i]!, 'SHIPPED');
          ship(ctx, p, i, false);
        }
        for (const s of p.shipments) track(ctx, p, s, outcome);
      }
      break;
    }
  }
  return p;
}

/** Cancels every unit, before sourcing or after the node released the work; releases any hold. */
function planCancellation(ctx: PlanContext, p: OrderPlan, t: number): void {
  const { rng } = ctx;
  let cancelAt: number;
  if (rng.chance(0.5)) {
    cancelAt = at(p, p.end + rng.int(10, 2 * DAY));
  } else {
    const fos = allocate(
      ctx,
      p,
      p.lines.map((l) => l.quantity),
      'none',
      t,
    );
    for (const fo of fos) progress(ctx, p, fo, 'CANCELLED');
    cancelAt = at(p, p.end + rng.int(30, 8 * HOUR));
  }
  for (const l of p.lines) l.cancelled = l.quantity;
  for (const h of p.holds) if (h.releasedAt == null) h.releasedAt = cancelAt;
  p.cancelled = true;
}
