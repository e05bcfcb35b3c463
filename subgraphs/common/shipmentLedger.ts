/**
 * What the other systems reported about an order's parcels, as ingest's guards need it
 * (docs/ingest.md, "Guards"): folded from the source stream's `shipment.shipped` (wms: which units
 * of which lines) and `shipment.tracking_updated` / `shipment.delivered` (carrier: where the parcel
 * is). Pull-based: each question first reads what was published since the last one, so an event
 * published before the question is always counted, on the memory and the Redis bus alike.
 *
 * Best effort by design: a guard that uses it refuses what it can see; what it cannot (records
 * seeded without events, entries trimmed from the stream, a shipment published later) the derived
 * status reconciles at read time (canonical/quantities.ts, `reconcileLines`), whatever the order.
 */
import { EventType, type QtyLine, type ShipmentStatus } from '../../canonical/index.js';
import { CursorExpiredError, Streams, type EventBus, type StreamId } from '../../events/bus.js';

interface ParcelView {
  lines: QtyLine[];
  status: ShipmentStatus | null;
}

/** Units per line number. */
export type UnitsByLine = ReadonlyMap<number, number>;

/** Options of {@link ShipmentLedger}. */
export interface ShipmentLedgerOptions {
  /** Entries read per page while catching up. @default 1000 */
  pageSize?: number;
  /** Orders remembered; the least recently changed are forgotten first. @default 100000 */
  maxOrders?: number;
}

export class ShipmentLedger {
  private cursor: StreamId | undefined;
  private readonly orders = new Map<string, Map<string, ParcelView>>();
  private catchingUp: Promise<void> | null = null;
  /** Orders whose `order.placed` was read: their whole life is on the stream. */
  private readonly placed = new Set<string>();

  constructor(
    private readonly bus: EventBus,
    private readonly opts: ShipmentLedgerOptions = {},
  ) {}

  /** Units handed to a carrier and not voided (returned-to-sender parcels included), per line. */
  async dispatched(orderId: string): Promise<UnitsByLine> {
    await this.catchUp();
    return this.sum(orderId, (p) => p.status !== 'CANCELLED');
  }

  /**
   * Units the carrier delivered or is returning to sender, per line: what may come back. Null for
   * an order whose `order.placed` this ledger never saw (seeded, or trimmed): unknown is not zero.
   */
  async returnable(orderId: string): Promise<UnitsByLine | null> {
    await this.catchUp();
    if (!this.placed.has(orderId)) return null;
    return this.sum(orderId, (p) => p.status === 'DELIVERED' || p.status === 'RETURNED_TO_SENDER');
  }

  /**
   * Whether the WMS confirmed this parcel as a shipment of the order (`shipment.shipped`); null for
   * an order whose `order.placed` this ledger never saw.
   */
  async confirmed(orderId: string, shipmentId: string): Promise<boolean | null> {
    await this.catchUp();
    if (!this.placed.has(orderId)) return null;
    return (this.orders.get(orderId)?.get(shipmentId)?.lines.length ?? 0) > 0;
  }

  private sum(orderId: string, counts: (p: ParcelView) => boolean): UnitsByLine {
    const out = new Map<number, number>();
    for (const p of this.orders.get(orderId)?.values() ?? []) {
      if (!counts(p)) continue;
      for (const l of p.lines) out.set(l.lineNumber, (out.get(l.lineNumber) ?? 0) + l.quantity);
    }
    return out;
  }

  private catchUp(): Promise<void> {
    this.catchingUp ??= this.readAll().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private async readAll(): Promise<void> {
    const count = this.opts.pageSize ?? 1000;
    for (;;) {
      let page: Awaited<ReturnType<EventBus['read']>>;
      try {
        page = await this.bus.read(Streams.SOURCE, { after: this.cursor, count });
      } catch (err) {
        if (!(err instanceof CursorExpiredError)) throw err;
        this.cursor = undefined; // entries were trimmed: continue from the oldest retained
        continue;
      }
      for (const { id, event } of page) {
        this.cursor = id;
        this.fold(event.type, event.subject ?? '', event.data as Record<string, unknown> | undefined);
      }
      if (page.length < count) return;
    }
  }

  private parcel(orderId: string, shipmentId: string): ParcelView {
    let order = this.orders.get(orderId);
    if (!order) {
      order = new Map();
      this.orders.set(orderId, order);
      const max = this.opts.maxOrders ?? 100_000;
      if (this.orders.size > max) this.orders.delete(this.orders.keys().next().value!);
    }
    let p = order.get(shipmentId);
    if (!p) order.set(shipmentId, (p = { lines: [], status: null }));
    return p;
  }

  private fold(type: string, orderId: string, data: Record<string, unknown> | undefined): void {
    if (type === EventType.ORDER_PLACED && orderId) {
      this.placed.add(orderId);
      if (this.placed.size > (this.opts.maxOrders ?? 100_000)) this.placed.delete(this.placed.values().next().value!);
    }
    const shipmentId = typeof data?.shipmentId === 'string' ? data.shipmentId : null;
    if (!shipmentId || !orderId) return;
    if (type === EventType.SHIPMENT_SHIPPED && Array.isArray(data!.lines))
      this.parcel(orderId, shipmentId).lines = data!.lines as QtyLine[];
    if (
      (type === EventType.SHIPMENT_TRACKING_UPDATED || type === EventType.SHIPMENT_DELIVERED) &&
      typeof data!.status === 'string'
    ) {
      this.parcel(orderId, shipmentId).status = data!.status as ShipmentStatus;
    }
  }
}
