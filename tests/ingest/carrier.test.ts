import { afterEach, describe, expect, it } from 'vitest';
import { carrierCodesFor, SHIPMENT_STATUSES, type ShipmentStatus } from '../../canonical/index.js';
import { after, harness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const SHIPMENT =
  'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Shipment { id status carrierStatusCode deliveredAt lastScanAt events { status occurredAt } } } }';
const shipment = async (h: Harness, id: string) =>
  (await h.query(SHIPMENT, { r: [{ __typename: 'Shipment', id }] })).body.data._entities[0];

interface Parcel {
  shipmentId: string;
  orderId: string;
  carrier: string;
  trackingNumber: string;
}
const scan = (p: Parcel, eventId: string, status: ShipmentStatus, minutes: number) => ({
  eventId,
  carrier: p.carrier,
  trackingNumber: p.trackingNumber,
  references: { shipmentId: p.shipmentId, orderId: p.orderId },
  service: 'Ground',
  scans: [
    { code: carrierCodesFor(p.carrier, status)[0]!, occurredAt: after(minutes), description: status, location: null },
  ],
});

/** A shipment the WMS handed over but the carrier has never scanned. */
function unscanned(h: Harness): Parcel {
  const orderId = h.scenarios['shipped-without-scan'][0]!;
  const { data } = h;
  const known = new Set(data.carrier.shipments.map((s) => s.references.shipmentId));
  // The carrier slice alone does not hold the WMS shipments: derive one from the order's id scheme.
  const shipmentId = `SHP-${orderId.slice(4)}-1`;
  expect(known.has(shipmentId)).toBe(false);
  return { shipmentId, orderId, carrier: 'FEDEX', trackingNumber: `7700${orderId.slice(4)}99` };
}

describe('carrier ingest', () => {
  it('should create the record of a shipment the carrier had none of, and turn UNKNOWN into the scanned status', async () => {
    h = await harness('carrier');
    const p = unscanned(h);
    expect((await shipment(h, p.shipmentId)).status).toBe('UNKNOWN');
    const r = await h.post(scan(p, 'trk-1', 'LABEL_CREATED', 10));
    expect(r.body.status).toBe('applied');
    expect(await shipment(h, p.shipmentId)).toMatchObject({ status: 'LABEL_CREATED', lastScanAt: after(10) });
    const t = await h.query('query ($n: String!) { tracking(trackingNumber: $n) { id trackingUrl } }', {
      n: p.trackingNumber,
    });
    expect(t.body.data.tracking).toEqual({ id: p.shipmentId, trackingUrl: expect.stringContaining(p.trackingNumber) });
  });

  it('should keep the newer status when an older scan arrives after a newer one', async () => {
    h = await harness('carrier');
    const p = unscanned(h);
    expect((await h.post(scan(p, 'trk-2', 'OUT_FOR_DELIVERY', 120))).body.status).toBe('applied');
    const older = await h.post(scan(p, 'trk-1', 'IN_TRANSIT', 60));
    expect(older.status).toBe(200);
    expect(older.body).toMatchObject({ status: 'stale', events: [], stale: ['carrier:trk-1'] });
    expect(await shipment(h, p.shipmentId)).toMatchObject({ status: 'OUT_FOR_DELIVERY', lastScanAt: after(120) });
    expect((await h.published()).map((e) => e.id)).toEqual(['carrier:trk-2']);
  });

  it('should take the status of the newest scan by time, whatever the order of scans in the webhook', async () => {
    h = await harness('carrier');
    const p = unscanned(h);
    const w = scan(p, 'trk-1', 'DELIVERED', 300);
    w.scans.push(
      { ...scan(p, 'x', 'IN_TRANSIT', 100).scans[0]! },
      { ...scan(p, 'x', 'OUT_FOR_DELIVERY', 200).scans[0]! },
    );
    expect((await h.post(w)).body.status).toBe('applied');
    const s = await shipment(h, p.shipmentId);
    expect(s).toMatchObject({ status: 'DELIVERED', deliveredAt: after(300) });
    expect(s.events.map((e: { status: string }) => e.status)).toEqual(['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED']);
    const [event] = await h.published();
    expect(event).toMatchObject({
      type: 'shipment.delivered',
      time: after(300),
      subject: p.orderId,
      data: { status: 'DELIVERED' },
    });
  });

  it("should apply scans of the second shipment of a split order even when older than the first shipment's", async () => {
    h = await harness('carrier');
    const orderId = h.scenarios['split-dc-store-shipped'][0]!;
    const parcels = h.data.carrier.shipments.filter((s) => s.references.orderId === orderId);
    expect(parcels.length).toBeGreaterThanOrEqual(2);
    const [first, second] = parcels.map((s) => ({
      ...s.references,
      carrier: s.carrier,
      trackingNumber: s.trackingNumber,
    }));
    expect((await h.post(scan(first!, 'trk-a', 'DELIVERED', 600))).body.status).toBe('applied');
    expect((await h.post(scan(second!, 'trk-b', 'OUT_FOR_DELIVERY', 500))).body.status).toBe('applied');
    expect((await shipment(h, first!.shipmentId)).status).toBe('DELIVERED');
    expect((await shipment(h, second!.shipmentId)).status).toBe('OUT_FOR_DELIVERY');
    expect((await h.published()).map((e) => e.type)).toEqual(['shipment.delivered', 'shipment.tracking_updated']);
  });

  it('should reach every ShipmentStatus but UNKNOWN through some carrier scan', async () => {
    h = await harness('carrier');
    const p = unscanned(h);
    const reachable = SHIPMENT_STATUSES.filter((s) => s !== 'UNKNOWN');
    for (const [i, status] of reachable.entries()) {
      expect((await h.post(scan(p, `trk-${i}`, status, 10 * (i + 1)))).body.status).toBe('applied');
      expect((await shipment(h, p.shipmentId)).status).toBe(status);
    }
  });

  it('should refuse a parcel whose tracking number belongs to another shipment with 409', async () => {
    h = await harness('carrier');
    const [a, b] = h.data.carrier.shipments;
    const w = scan(
      { ...a!.references, carrier: a!.carrier, trackingNumber: b!.trackingNumber },
      'trk-1',
      'IN_TRANSIT',
      10,
    );
    const r = await h.post(w);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/belong to different parcels/);
    expect(await h.published()).toEqual([]);
  });
});
