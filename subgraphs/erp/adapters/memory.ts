import type { ErpSlice } from '../../../demo/records.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type { ErpOrder, ErpPayment, ErpPort } from '../port.js';

/** A seeded in-memory ERP with fault knobs; the embedded default. */
export class MemoryErp implements ErpPort {
  readonly sim: SystemSimulator;
  private readonly orders = new Map<string, ErpOrder>();
  private readonly payments = new Map<string, ErpPayment>();

  constructor(slice: ErpSlice, faults: Partial<FaultKnobs> = {}) {
    this.sim = new SystemSimulator('erp', faults);
    for (const o of slice.orders) this.orders.set(o.orderId, o);
    for (const p of slice.payments) this.payments.set(p.id, p);
  }

  ordersById(orderIds: readonly string[]) {
    return this.sim.call('ordersById', () => orderIds.map((id) => this.orders.get(id) ?? null));
  }

  paymentsById(ids: readonly string[]) {
    return this.sim.call('paymentsById', () => ids.map((id) => this.payments.get(id) ?? null));
  }
}
