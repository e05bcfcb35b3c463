/**
 * The native records the carrier (tracking, keyed by tracking number; references printed on the label) keeps, as its port reads and writes them. Adapters map the real
 * system's API onto these; the simulator stores them as they are. Every record carries its order id.
 */
export interface CarrierScan {
  occurredAt: string;
  code: string;
  description: string;
  location: string | null;
}
export interface CarrierShipment {
  trackingNumber: string;
  carrier: string;
  service: string;
  references: { shipmentId: string; orderId: string };
  /** Oldest first. A label with no scan has only the label-created event. */
  scans: CarrierScan[];
  estimatedDeliveryAt: string | null;
}
export interface CarrierSlice {
  shipments: CarrierShipment[];
}
