/**
 * Planning an order's physical life: oms sources units to nodes, the wms at each node (DC,
 * store, drop-ship partner) works its fulfillment order, parcels are handed to carriers, and the
 * carriers scan them with their native codes.
 */
import { carrierCodesFor, SHIPMENT_STATUSES, type ShipmentStatus, type WarehouseStatus } from '../canonical/index.js';
import {
  CARRIER_SERVICES,
  CARRIERS_BY_NODE_TYPE,
  DCS,
  DESTINATIONS,
  HUBS,
  node,
  STORES,
  type DemoNode,
} from './catalogue.js';
import {
  at,
  DAY,
  HOUR,
  idleAtMost,
  type OrderPlan,
  type PlanContext,
  type PlanFo,
  type PlanScan,
  type PlanShipment,
  type TrackOutcome,
} from './plan.js';
import type { QtyLine } from './records.js';
import { weighted } from './rng.js';

/** How units are spread over nodes: as sourcing decides, sometimes split, always split, or DC + store. */
export type SplitMode = 'none' | 'maybe' | 'two' | 'dc-store';

/**
 * Sources `units[i]` units of line i (skipping zeros) to nodes and returns the new fulfillment
 * orders, appended to the plan. Drop-ship SKUs go to their partner; the rest to one primary node.
 */
export function allocate(
  ctx: PlanContext,
  p: OrderPlan,
  units: readonly number[],
  split: SplitMode,
  t: number,
): PlanFo[] {
  const { rng } = ctx;
  const primary = split !== 'dc-store' && rng.chance(0.12) ? rng.pick(STORES) : rng.weighted(DCS);
  const groups: { node: DemoNode; lines: QtyLine[] }[] = [];
  p.lines.forEach((line, i) => {
    const quantity = units[i] ?? 0;
    if (quantity <= 0) return;
    const n = line.sku.dropShip ? node(line.sku.dropShip) : primary;
    let g = groups.find((x) => x.node === n);
    if (!g) groups.push((g = { node: n, lines: [] }));
    g.lines.push({ lineNumber: line.lineNumber, quantity });
  });
  const first = groups[0];
  const wantTwo = split === 'two' || split === 'dc-store' || (split === 'maybe' && rng.chance(0.1));
  if (first && wantTwo && groups.length === 1) {
    const toStore = split === 'dc-store' || primary.type === 'STORE' || rng.chance(0.4);
    let second = primary;
    while (second === primary) second = toStore ? rng.pick(STORES) : rng.weighted(DCS);
    const moved = splitLines(ctx, first.lines);
    if (moved) groups.push({ node: second, lines: moved });
  }
  const allocatedAt = at(p, t + rng.int(10, 6 * HOUR));
  const fos = groups.map(
    (g): PlanFo => ({
      node: g.node,
      lines: g.lines,
      status: 'RELEASED',
      allocatedAt,
      releasedAt: at(p, allocatedAt + rng.int(2, 60)),
      pickedAt: null,
      packedAt: null,
      shippedAt: null,
    }),
  );
  p.fos.push(...fos);
  return fos;
}

/**
 * Splits `lines` in two in place: whole lines when there are several, else the units of the
 * single line. Returns the part taken off, or null when there is only one unit.
 */
export function splitLines(ctx: PlanContext, lines: QtyLine[]): QtyLine[] | null {
  if (lines.length >= 2) return lines.splice(ctx.rng.int(1, lines.length - 1));
  const only = lines[0];
  if (!only || only.quantity < 2) return null;
  const keep = ctx.rng.int(1, only.quantity - 1);
  const rest = { lineNumber: only.lineNumber, quantity: only.quantity - keep };
  only.quantity = keep;
  return [rest];
}

/** The warehouse statuses an unshipped fulfillment order may stand at, by how far it has come. */
export const OPEN_STATUSES = weighted<WarehouseStatus>([
  ['RELEASED', 4],
  ['PICKING', 2],
  ['PICKED', 2],
  ['PACKED', 2],
]);
export const UNPICKED_STATUSES = weighted<WarehouseStatus>([
  ['RELEASED', 3],
  ['PICKING', 1],
]);
export const PICKED_STATUSES = weighted<WarehouseStatus>([
  ['PICKED', 1],
  ['PACKED', 1],
]);

const RANK: Readonly<Record<WarehouseStatus, number>> = {
  RELEASED: 0,
  PICKING: 1,
  PICKED: 2,
  PACKED: 3,
  SHIPPED: 4,
  CANCELLED: -1,
};

/** Moves a fulfillment order through the wms up to `status`, with its times. */
export function progress(ctx: PlanContext, p: OrderPlan, fo: PlanFo, status: WarehouseStatus): void {
  const { rng } = ctx;
  fo.status = status;
  if (status === 'CANCELLED') return;
  if (RANK[status] >= RANK.PICKING) at(p, fo.releasedAt + rng.int(5, 60));
  if (RANK[status] >= RANK.PICKED) fo.pickedAt = at(p, fo.releasedAt + rng.int(30, 20 * HOUR));
  if (RANK[status] >= RANK.PACKED) fo.packedAt = at(p, fo.pickedAt! + rng.int(5, 3 * HOUR));
  if (status === 'SHIPPED') fo.shippedAt = at(p, fo.packedAt! + rng.int(30, 10 * HOUR));
}

/**
 * Hands a shipped fulfillment order's parcels to a carrier: usually one shipment, two when
 * `two` is set (or now and then for a multi-line order). Scans are planned later by {@link track}.
 */
export function ship(ctx: PlanContext, p: OrderPlan, foIndex: number, two: boolean): void {
  const { rng } = ctx;
  const fo = p.fos[foIndex]!;
  const lines = fo.lines.map((l) => ({ ...l }));
  const parts: QtyLine[][] = [lines];
  if (two || (lines.length >= 2 && rng.chance(0.08))) {
    const rest = splitLines(ctx, lines);
    if (rest) parts.push(rest);
  }
  const carrier = rng.weighted(CARRIERS_BY_NODE_TYPE[fo.node.type]);
  const services = CARRIER_SERVICES[carrier]!;
  const service = rng.chance(0.7) ? services[0]! : rng.pick(services);
  for (const part of parts) {
    p.shipments.push({
      fo: foIndex,
      lines: part,
      at: fo.shippedAt!,
      carrier,
      service,
      trackingNumber: trackingNumber(carrier, ++ctx.shipmentCount),
      scans: null,
      deliveredAt: null,
    });
  }
}

/** Scrambles `n` within [0, mod) bijectively (mod ≤ 1e10, multiplier coprime with 10). */
function scramble(n: number, mod: number): number {
  const hi = 40_503;
  const lo = 30_319;
  return (((n * hi) % mod) * 65_536 + n * lo + 7_919) % mod;
}

/** A tracking number in the carrier's own format, unique per shipment count `n`. */
export function trackingNumber(carrier: string, n: number): string {
  switch (carrier) {
    case 'UPS':
      return `1ZV8A47F03${String(scramble(n, 1e8)).padStart(8, '0')}`;
    case 'FEDEX':
      return `77${String(scramble(n, 1e10)).padStart(10, '0')}`;
    case 'USPS':
      return `940011189922${String(scramble(n, 1e10)).padStart(10, '0')}`;
    default:
      return `JD${String(scramble(n, 1e10)).padStart(10, '0')}`;
  }
}

/** Native codes per carrier and status, computed once. */
const CODES = new Map<string, Map<ShipmentStatus, string[]>>(
  Object.keys(CARRIER_SERVICES).map((c) => [c, new Map(SHIPMENT_STATUSES.map((s) => [s, carrierCodesFor(c, s)]))]),
);

/** Where a parcel that is still moving has got to. */
const MOVING = weighted<ShipmentStatus>([
  ['IN_TRANSIT', 60],
  ['OUT_FOR_DELIVERY', 12],
  ['EXCEPTION', 8],
  ['DELIVERY_ATTEMPTED', 8],
  ['AVAILABLE_FOR_PICKUP', 6],
]);

/** Appends one scan `min`–`max` minutes after the previous one (or the handover) and returns its time. */
function scan(
  ctx: PlanContext,
  p: OrderPlan,
  s: PlanShipment,
  scans: PlanScan[],
  status: ShipmentStatus,
  min: number,
  max: number,
  location: string | null,
): number {
  const codes = CODES.get(s.carrier)?.get(status);
  if (!codes?.length) throw new Error(`carrier ${s.carrier} has no native code for ${status} (canonical/carrier.ts)`);
  const code = ctx.rng.pick(codes);
  const last = scans[scans.length - 1];
  const t = at(p, (last ? last.at : s.at) + ctx.rng.int(min, max));
  scans.push({ at: t, status, code, location });
  return t;
}

/** Plans the carrier's scans for one shipment, oldest first, ending in `outcome`. */
export function track(ctx: PlanContext, p: OrderPlan, s: PlanShipment, outcome: TrackOutcome): void {
  if (outcome === 'none') {
    idleAtMost(p, 5 * DAY);
    return;
  }
  const { rng } = ctx;
  const origin = p.fos[s.fo]!.node.city;
  const scans: PlanScan[] = [];
  s.scans = scans;
  scan(ctx, p, s, scans, 'LABEL_CREATED', 5, 2 * HOUR, rng.chance(0.5) ? origin : null);
  if (outcome === 'label') {
    idleAtMost(p, 2 * DAY);
    return;
  }
  scan(ctx, p, s, scans, 'IN_TRANSIT', HOUR, 6 * HOUR, origin);
  for (let i = rng.int(0, 2); i > 0; i--) scan(ctx, p, s, scans, 'IN_TRANSIT', 6 * HOUR, 30 * HOUR, rng.pick(HUBS));
  const dest = rng.pick(DESTINATIONS);
  // A parcel coming back to the sender is not "moving" to the customer: its own outcome.
  const final =
    outcome === 'delivered'
      ? 'DELIVERED'
      : outcome === 'returned-to-sender'
        ? 'RETURNED_TO_SENDER'
        : rng.weighted(MOVING);
  if (final !== 'DELIVERED') idleAtMost(p, 3 * DAY);
  switch (final) {
    case 'EXCEPTION':
      scan(ctx, p, s, scans, 'EXCEPTION', 2 * HOUR, DAY, rng.pick(HUBS));
      return;
    case 'RETURNED_TO_SENDER':
      scan(ctx, p, s, scans, 'EXCEPTION', 2 * HOUR, DAY, dest);
      scan(ctx, p, s, scans, 'RETURNED_TO_SENDER', DAY, 3 * DAY, origin);
      return;
    case 'IN_TRANSIT':
      return;
    default:
      break;
  }
  if (final === 'DELIVERED' && rng.chance(0.06)) {
    scan(ctx, p, s, scans, 'EXCEPTION', 2 * HOUR, DAY, rng.pick(HUBS));
    scan(ctx, p, s, scans, 'IN_TRANSIT', 6 * HOUR, DAY, rng.pick(HUBS));
  }
  scan(ctx, p, s, scans, 'OUT_FOR_DELIVERY', 6 * HOUR, 30 * HOUR, dest);
  if (final === 'OUT_FOR_DELIVERY') return;
  if (final !== 'DELIVERED' || rng.chance(0.06)) {
    scan(ctx, p, s, scans, 'DELIVERY_ATTEMPTED', 2 * HOUR, 9 * HOUR, dest);
    if (final === 'DELIVERY_ATTEMPTED') return;
    if (final === 'AVAILABLE_FOR_PICKUP') {
      scan(ctx, p, s, scans, 'AVAILABLE_FOR_PICKUP', HOUR, 12 * HOUR, dest);
      return;
    }
    scan(ctx, p, s, scans, 'OUT_FOR_DELIVERY', 15 * HOUR, 25 * HOUR, dest);
  }
  s.deliveredAt = scan(ctx, p, s, scans, 'DELIVERED', HOUR, 9 * HOUR, dest);
}
