import type { CarrierSlice } from '../../../demo/records.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type { CarrierPort, CarrierShipment } from '../port.js';

/** A seeded in-memory carrier network with fault knobs; the embedded default. */
export class MemoryCarrier implements CarrierPort {
  readonly sim: SystemSimulator;
  private readonly byShipment = new Map<string, CarrierShipment>();
  private readonly byNumber = new Map<string, CarrierShipment>();

  constructor(slice: CarrierSlice, faults: Partial<FaultKnobs> = {}) {
    this.sim = new SystemSimulator('carrier', faults);
    for (const s of slice.shipments) {
      this.byShipment.set(s.references.shipmentId, s);
      this.byNumber.set(s.trackingNumber, s);
    }
  }

  trackByShipmentIds(shipmentIds: readonly string[]) {
    return this.sim.call('trackByShipmentIds', () => shipmentIds.map((id) => this.byShipment.get(id) ?? null));
  }

  trackByNumbers(trackingNumbers: readonly string[]) {
    return this.sim.call('trackByNumbers', () => trackingNumbers.map((n) => this.byNumber.get(n) ?? null));
  }
}
