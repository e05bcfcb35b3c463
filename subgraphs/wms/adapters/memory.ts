import type { WmsSlice } from '../../../demo/records.js';
import { byTime, pushTo } from '../../common/collections.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type { WmsFulfillmentOrder, WmsPort, WmsReturnReceipt, WmsShipment } from '../port.js';

/** A seeded in-memory WMS with fault knobs; the embedded default. */
export class MemoryWms implements WmsPort {
  readonly sim: SystemSimulator;
  private readonly shipments = new Map<string, WmsShipment>();
  private readonly shipmentsByOrder = new Map<string, WmsShipment[]>();
  private readonly fulfillmentOrders = new Map<string, WmsFulfillmentOrder>();
  private readonly receipts = new Map<string, WmsReturnReceipt>();

  constructor(slice: WmsSlice, faults: Partial<FaultKnobs> = {}) {
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
}
