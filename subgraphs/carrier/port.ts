import type { CarrierShipment } from '../../demo/records.js';

export type { CarrierShipment };

/**
 * The carriers' tracking APIs, as the carrier subgraph reaches them: parcels are found by the
 * shipment reference printed on the label, or by tracking number. Batch-shaped.
 */
export interface CarrierPort {
  trackByShipmentIds(shipmentIds: readonly string[]): Promise<(CarrierShipment | null)[]>;
  trackByNumbers(trackingNumbers: readonly string[]): Promise<(CarrierShipment | null)[]>;
}
