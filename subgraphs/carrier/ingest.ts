/**
 * Carrier tracking webhooks (docs/ingest.md, "carrier"): one parcel, one or more scans in the
 * carrier's own codes. The newest scan by `occurredAt` decides the status
 * (`normalizeCarrierStatus`); an older webhook never replaces a newer status.
 */
import { KNOWN_CARRIERS, normalizeCarrierStatus } from '../../canonical/index.js';
import { EventType } from '../../canonical/eventTypes.js';
import { guarded, sourceEvent, type IngestSystem } from '../common/ingest.js';
import type { ShipmentLedger } from '../common/shipmentLedger.js';
import { Reader } from '../common/reader.js';
import type { CarrierRecorder, CarrierScan } from './port.js';

/** The carrier's native tracking webhook. */
export interface CarrierTrackingWebhook {
  /** The carrier's id of this notification; a redelivery repeats it. */
  eventId: string;
  /** `UPS`, `FEDEX`, `USPS` or `DHL`. */
  carrier: string;
  trackingNumber: string;
  /** Printed on the label: our shipment id and order id. */
  references: { shipmentId: string; orderId: string };
  service?: string | null;
  estimatedDeliveryAt?: string | null;
  /** In the carrier's own codes, any order. */
  scans: { code: string; occurredAt: string; description: string; location?: string | null }[];
}

/** Validates a tracking webhook, naming the first bad field. */
export function validateTrackingWebhook(body: unknown): CarrierTrackingWebhook {
  const r = Reader.root(body);
  const refs = r.object('references');
  return {
    eventId: r.id('eventId'),
    carrier: r.oneOf('carrier', KNOWN_CARRIERS),
    trackingNumber: r.id('trackingNumber'),
    references: { shipmentId: refs.id('shipmentId'), orderId: refs.id('orderId') },
    service: r.optionalString('service', 80),
    estimatedDeliveryAt: r.optionalDateTime('estimatedDeliveryAt'),
    scans: r.list('scans', 1, 100).map((s) => ({
      code: s.string('code', 32),
      occurredAt: s.dateTime('occurredAt'),
      description: s.string('description', 200),
      location: s.optionalString('location', 120),
    })),
  };
}

/** Carrier ingest over the carrier's records: one `shipment.tracking_updated` or `shipment.delivered` per webhook. */
export function carrierIngest(
  records: CarrierRecorder,
  parcels?: ShipmentLedger,
): IngestSystem<CarrierTrackingWebhook> {
  return {
    source: 'carrier',
    validate: validateTrackingWebhook,
    plan(w) {
      const scans: CarrierScan[] = w.scans.map((s) => ({
        occurredAt: s.occurredAt,
        code: s.code,
        description: s.description,
        location: s.location ?? null,
      }));
      const newest = scans.reduce((a, b) => (b.occurredAt >= a.occurredAt ? b : a));
      const status = normalizeCarrierStatus(w.carrier, newest.code);
      const { shipmentId, orderId } = w.references;
      const event = sourceEvent('carrier', w.eventId, null, {
        type: status === 'DELIVERED' ? EventType.SHIPMENT_DELIVERED : EventType.SHIPMENT_TRACKING_UPDATED,
        subject: orderId,
        time: newest.occurredAt,
        data: {
          shipmentId,
          trackingNumber: w.trackingNumber,
          carrier: w.carrier,
          status,
          carrierStatusCode: newest.code,
          location: newest.location,
          scans: scans.length,
          // The exception engine's DELIVERY_OVERDUE reads the carrier's promise (store/engine/facts.ts).
          estimatedDeliveryAt: w.estimatedDeliveryAt ?? null,
        },
      });
      const apply = async () => {
        // A parcel of an order whose shipment the WMS never confirmed (a drop-ship partner's
        // missing notice): recorded and shown on Order.trackedShipments, and flagged.
        const confirmed = parcels ? await parcels.confirmed(orderId, shipmentId) : null;
        const result = records.recordScans({
          carrier: w.carrier,
          trackingNumber: w.trackingNumber,
          service: w.service ?? null,
          references: { shipmentId, orderId },
          scans,
          estimatedDeliveryAt: w.estimatedDeliveryAt ?? null,
        });
        return guarded(
          confirmed === false
            ? [
                {
                  kind: 'corrected',
                  reason: 'UNCONFIRMED_SHIPMENT',
                  reported: { shipmentId, status },
                  message: `the carrier reports parcel ${shipmentId} ${status} for order ${orderId}; the WMS never confirmed that shipment (it is listed on Order.trackedShipments, not counted as shipped)`,
                },
              ]
            : [],
          result,
        );
      };
      return [{ event, entity: `shipment:${shipmentId}`, apply }];
    },
  };
}
