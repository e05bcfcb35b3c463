import type { CarrierSlice } from '../records.js';
import { byTime, pushTo } from '../../common/collections.js';
import { RecordConflictError, type ApplyResult } from '../../common/ingest.js';
import { SystemSimulator, type FaultKnobs } from '../../common/simulator.js';
import type { CarrierPort, CarrierRecorder, CarrierShipment, TrackingUpdate } from '../port.js';

/**
 * A seeded in-memory carrier network with fault knobs; the embedded default. Ingest changes its
 * records in place and appends new ones to the slice it was given.
 */
export class MemoryCarrier implements CarrierPort, CarrierRecorder {
  readonly sim: SystemSimulator;
  private readonly byShipment = new Map<string, CarrierShipment>();
  private readonly byNumber = new Map<string, CarrierShipment>();

  constructor(
    private readonly slice: CarrierSlice,
    faults: Partial<FaultKnobs> = {},
  ) {
    this.sim = new SystemSimulator('carrier', faults);
    for (const s of slice.shipments) this.index(s);
  }

  private readonly byOrder = new Map<string, CarrierShipment[]>();

  private index(s: CarrierShipment): void {
    this.byShipment.set(s.references.shipmentId, s);
    this.byNumber.set(s.trackingNumber, s);
    pushTo(this.byOrder, s.references.orderId, s);
  }

  trackByOrderIds(orderIds: readonly string[]) {
    return this.sim.call('trackByOrderIds', () => orderIds.map((id) => this.byOrder.get(id) ?? []));
  }

  trackByShipmentIds(shipmentIds: readonly string[]) {
    return this.sim.call('trackByShipmentIds', () => shipmentIds.map((id) => this.byShipment.get(id) ?? null));
  }

  trackByNumbers(trackingNumbers: readonly string[]) {
    return this.sim.call('trackByNumbers', () => trackingNumbers.map((n) => this.byNumber.get(n) ?? null));
  }

  recordScans(u: TrackingUpdate): ApplyResult {
    const { shipmentId } = u.references;
    let record = this.byShipment.get(shipmentId);
    const other = this.byNumber.get(u.trackingNumber);
    if (
      (record && record.trackingNumber !== u.trackingNumber) ||
      (other && other.references.shipmentId !== shipmentId)
    ) {
      throw new RecordConflictError(
        `tracking number ${u.trackingNumber} and shipment ${shipmentId} belong to different parcels at the carrier`,
      );
    }
    const newest = u.scans.reduce((t, s) => (s.occurredAt > t ? s.occurredAt : t), '');
    const last = record?.scans.reduce((t, s) => (s.occurredAt > t ? s.occurredAt : t), '');
    if (last && newest < last) return 'stale';
    if (!record) {
      record = {
        trackingNumber: u.trackingNumber,
        carrier: u.carrier,
        service: u.service ?? '',
        references: { ...u.references },
        scans: [],
        estimatedDeliveryAt: null,
      };
      this.slice.shipments.push(record);
      this.index(record);
    }
    const known = new Set(record.scans.map((s) => `${s.occurredAt}|${s.code}`));
    const added = u.scans.filter((s) => {
      const key = `${s.occurredAt}|${s.code}`;
      return known.has(key) ? false : (known.add(key), true);
    });
    if (added.length) record.scans = [...record.scans, ...added].sort(byTime((s) => s.occurredAt));
    if (u.service) record.service = u.service;
    if (u.estimatedDeliveryAt) record.estimatedDeliveryAt = u.estimatedDeliveryAt;
    return 'applied';
  }
}
