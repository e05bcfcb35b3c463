import type { WarehouseStatus } from '../../../canonical/index.js';
import type { WmsSlice } from '../records.js';
import { byTime, pushTo } from '../../common/collections.js';
import type { FindingLine } from '../../../canonical/index.js';
import { guarded, RecordConflictError, type ApplyResult, type GuardedApply } from '../../common/ingest.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type {
  FulfillmentChange,
  WmsFulfillmentOrder,
  WmsPort,
  WmsRecorder,
  WmsReturnReceipt,
  WmsShipment,
} from '../port.js';

/** How far a fulfillment order has come; CANCELLED and SHIPPED are final. */
const RANK: Readonly<Record<WarehouseStatus, number>> = {
  RELEASED: 0,
  PICKING: 1,
  PICKED: 2,
  PACKED: 3,
  SHIPPED: 4,
  CANCELLED: 5,
};

/**
 * A seeded in-memory WMS with fault knobs; the embedded default. Ingest changes its records in
 * place and appends new ones to the slice it was given.
 */
export class MemoryWms implements WmsPort, WmsRecorder {
  readonly sim: SystemSimulator;
  private readonly shipments = new Map<string, WmsShipment>();
  private readonly shipmentsByOrder = new Map<string, WmsShipment[]>();
  private readonly fulfillmentOrders = new Map<string, WmsFulfillmentOrder>();
  private readonly receipts = new Map<string, WmsReturnReceipt>();

  constructor(
    private readonly slice: WmsSlice,
    faults: Partial<FaultKnobs> = {},
  ) {
    this.sim = new SystemSimulator('wms', faults);
    for (const fo of slice.fulfillmentOrders) this.fulfillmentOrders.set(fo.id, fo);
    for (const r of slice.receipts) this.receipts.set(r.returnId, r);
    for (const s of [...slice.shipments].sort(byTime((x) => x.shippedAt))) {
      this.shipments.set(s.id, s);
      pushTo(this.shipmentsByOrder, s.orderId, s);
    }
  }

  shipmentsByOrderIds(orderIds: readonly string[]) {
    return this.sim.call('shipmentsByOrderIds', () => orderIds.map((id) => this.shipmentsByOrder.get(id) ?? []));
  }

  shipmentsById(ids: readonly string[]) {
    return this.sim.call('shipmentsById', () => ids.map((id) => this.shipments.get(id) ?? null));
  }

  fulfillmentOrdersById(ids: readonly string[]) {
    return this.sim.call('fulfillmentOrdersById', () => ids.map((id) => this.fulfillmentOrders.get(id) ?? null));
  }

  receiptsByReturnIds(returnIds: readonly string[]) {
    return this.sim.call('receiptsByReturnIds', () => returnIds.map((id) => this.receipts.get(id) ?? null));
  }

  /** The fulfillment order, created at `status` when the WMS had none; refuses one of another order or node. */
  private fulfillmentOrder(
    id: string,
    orderId: string,
    nodeId: string,
    status: WarehouseStatus,
    at: string,
  ): { fo: WmsFulfillmentOrder; created: boolean } {
    const fo = this.fulfillmentOrders.get(id);
    if (fo) {
      if (fo.orderId !== orderId || fo.nodeId !== nodeId) {
        throw new RecordConflictError(
          `fulfillment order ${id} belongs to order ${fo.orderId} at node ${fo.nodeId}; the message says order ${orderId} at node ${nodeId}`,
        );
      }
      return { fo, created: false };
    }
    const created: WmsFulfillmentOrder = {
      id,
      orderId,
      nodeId,
      status,
      releasedAt: at,
      pickedAt: null,
      packedAt: null,
      shippedAt: null,
    };
    this.fulfillmentOrders.set(id, created);
    this.slice.fulfillmentOrders.push(created);
    return { fo: created, created: true };
  }

  advanceFulfillment(c: FulfillmentChange): ApplyResult {
    const { fo, created } = this.fulfillmentOrder(c.fulfillmentOrderId, c.orderId, c.nodeId, c.status, c.at);
    if (!created) {
      if (fo.status === c.status) return 'applied';
      if (
        fo.status === 'SHIPPED' ||
        fo.status === 'CANCELLED' ||
        (c.status !== 'CANCELLED' && RANK[c.status] < RANK[fo.status])
      )
        return 'stale';
      fo.status = c.status;
    }
    if (c.status === 'CANCELLED') {
      fo.cancelledAt ??= c.at;
      fo.cancelReason ??= c.reasonCode ?? null;
    }
    if (c.status === 'PICKED') fo.pickedAt ??= c.at;
    if (c.status === 'PACKED') fo.packedAt ??= c.at;
    return 'applied';
  }

  confirmShipment(s: WmsShipment, nodeId: string): ApplyResult {
    const existing = this.shipments.get(s.id);
    if (existing) {
      if (existing.fulfillmentOrderId !== s.fulfillmentOrderId) {
        throw new RecordConflictError(
          `shipment ${s.id} belongs to fulfillment order ${existing.fulfillmentOrderId}; the message says ${s.fulfillmentOrderId}`,
        );
      }
      return 'applied';
    }
    const { fo } = this.fulfillmentOrder(s.fulfillmentOrderId, s.orderId, nodeId, 'SHIPPED', s.shippedAt);
    if (fo.status === 'CANCELLED') return 'stale';
    fo.status = 'SHIPPED';
    fo.shippedAt ??= s.shippedAt;
    this.shipments.set(s.id, s);
    this.slice.shipments.push(s);
    const list = this.shipmentsByOrder.get(s.orderId) ?? [];
    const at = list.findIndex((x) => x.shippedAt > s.shippedAt);
    list.splice(at < 0 ? list.length : at, 0, s);
    this.shipmentsByOrder.set(s.orderId, list);
    return 'applied';
  }

  receiveReturn(r: WmsReturnReceipt): ApplyResult | GuardedApply {
    const existing = this.receipts.get(r.returnId);
    if (existing) {
      if (existing.orderId !== r.orderId)
        throw new RecordConflictError(
          `return ${r.returnId} was received for order ${existing.orderId}; the message says ${r.orderId}`,
        );
      return 'applied';
    }
    // What may still come back of each line: shipped, less what other receipts of the order counted.
    const room = new Map<number, number>();
    for (const s of this.shipmentsByOrder.get(r.orderId) ?? [])
      for (const l of s.lines) room.set(l.lineNumber, (room.get(l.lineNumber) ?? 0) + l.quantity);
    for (const other of this.receipts.values()) {
      if (other.orderId !== r.orderId) continue;
      for (const l of other.lines) room.set(l.lineNumber, (room.get(l.lineNumber) ?? 0) - l.quantity);
    }
    const capped: FindingLine[] = [];
    for (const l of r.lines) {
      const counted = Math.max(0, Math.min(l.quantity, room.get(l.lineNumber) ?? 0));
      if (counted < l.quantity) capped.push({ lineNumber: l.lineNumber, reported: l.quantity, applied: counted });
    }
    // The receipt keeps what the node reported (its truth); the graph counts at most what was
    // delivered or returned to sender (canonical reconcileLines), whenever the shipments arrive.
    const receipt: WmsReturnReceipt = {
      ...r,
      ...(capped.length
        ? { excess: capped.map((c) => ({ lineNumber: c.lineNumber, quantity: c.reported - c.applied })) }
        : {}),
    };
    this.receipts.set(r.returnId, receipt);
    this.slice.receipts.push(receipt);
    return guarded(
      capped.length
        ? [
            {
              kind: 'corrected',
              reason: 'OVER_RECEIPT',
              lines: capped,
              message: `units received back beyond what was shipped are recorded as reported and not counted as returned: ${capped.map((c) => `line ${c.lineNumber} received ${c.reported}, counted ${c.applied}`).join('; ')}`,
            },
          ]
        : [],
    );
  }
}
