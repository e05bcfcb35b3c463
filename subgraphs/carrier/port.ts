import type { CarrierScan, CarrierShipment } from './records.js';
import type { ApplyResult } from '../common/ingest.js';

export type { CarrierScan, CarrierShipment };

/**
 * The carriers' tracking APIs, as the carrier subgraph reaches them: parcels are found by the
 * shipment reference printed on the label, or by tracking number. Batch-shaped.
 */
export interface CarrierPort {
  trackByShipmentIds(shipmentIds: readonly string[]): Promise<(CarrierShipment | null)[]>;
  trackByNumbers(trackingNumbers: readonly string[]): Promise<(CarrierShipment | null)[]>;
  /** Every parcel whose label references each order, oldest label first ([] when none). */
  trackByOrderIds(orderIds: readonly string[]): Promise<CarrierShipment[][]>;
}

/** One tracking webhook's facts, as ingest applies them. */
export interface TrackingUpdate {
  carrier: string;
  trackingNumber: string;
  /** The service level, when the webhook names it. */
  service: string | null;
  references: { shipmentId: string; orderId: string };
  /** The scans the webhook reports, in any order. */
  scans: CarrierScan[];
  /** A new delivery estimate, when the webhook carries one. */
  estimatedDeliveryAt: string | null;
}

/** The write side ingest applies carrier webhooks to (the memory simulator implements it). */
export interface CarrierRecorder {
  /**
   * Merges the scans into the parcel's history, oldest first, creating the record for a shipment
   * the carrier had none of. `stale` (nothing changed) when the record already holds a scan newer
   * than every scan of the update: an older scan never replaces a newer status.
   * @throws RecordConflictError when the shipment is tracked under another number.
   */
  recordScans(update: TrackingUpdate): ApplyResult;
}
