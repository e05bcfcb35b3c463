import { normalizeCarrierStatus, type ShipmentStatus } from '../../canonical/index.js';
import type { CarrierShipment } from './port.js';

/** The carrier's tracking of one shipment, as the graph shows it. */
export interface TrackingView {
  id: string;
  carrier: string | null;
  service: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  status: ShipmentStatus;
  carrierStatusCode: string | null;
  events: {
    occurredAt: string;
    status: ShipmentStatus;
    carrierCode: string;
    description: string;
    location: string | null;
  }[];
  estimatedDeliveryAt: string | null;
  deliveredAt: string | null;
  lastScanAt: string | null;
}

const TRACKING_PAGES: Readonly<Record<string, string>> = {
  UPS: 'https://www.ups.com/track?tracknum=',
  FEDEX: 'https://www.fedex.com/fedextrack/?trknbr=',
  USPS: 'https://tools.usps.com/go/TrackConfirmAction?tLabels=',
  DHL: 'https://www.dhl.com/en/express/tracking.html?AWB=',
};

/** A shipment no carrier has a record of: status UNKNOWN, never null. */
export function unknownShipment(id: string): TrackingView {
  return {
    id,
    carrier: null,
    service: null,
    trackingNumber: null,
    trackingUrl: null,
    status: 'UNKNOWN',
    carrierStatusCode: null,
    events: [],
    estimatedDeliveryAt: null,
    deliveredAt: null,
    lastScanAt: null,
  };
}

/** Normalizes a carrier record: every scan's code → ShipmentStatus, the latest scan → status. */
export function toTrackingView(record: CarrierShipment): TrackingView {
  const events = record.scans.map((s) => ({
    occurredAt: s.occurredAt,
    status: normalizeCarrierStatus(record.carrier, s.code),
    carrierCode: s.code,
    description: s.description,
    location: s.location,
  }));
  const last = events.at(-1);
  const page = TRACKING_PAGES[record.carrier.toUpperCase()];
  return {
    id: record.references.shipmentId,
    carrier: record.carrier,
    service: record.service || null,
    trackingNumber: record.trackingNumber,
    trackingUrl: page ? page + encodeURIComponent(record.trackingNumber) : null,
    status: last?.status ?? 'UNKNOWN',
    carrierStatusCode: last?.carrierCode ?? null,
    events,
    estimatedDeliveryAt: record.estimatedDeliveryAt,
    deliveredAt: events.findLast((e) => e.status === 'DELIVERED')?.occurredAt ?? null,
    lastScanAt: last?.occurredAt ?? null,
  };
}
