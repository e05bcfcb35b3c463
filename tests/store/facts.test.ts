import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../canonical/index.js';
import { applyEvent, emptyFacts, type OrderFacts } from '../../store/engine/facts.js';

const event = (type: string, data: Record<string, unknown>, source: CloudEvent['source'] = 'returns'): CloudEvent => ({
  specversion: '1.0',
  id: `${type}-${JSON.stringify(data)}`,
  source,
  type,
  subject: 'ORD-1',
  time: '2026-01-02T03:04:05Z',
  datacontenttype: 'application/json',
  data,
});

/**
 * The exception engine folds events whose ids come from the systems' webhooks. An id that names
 * one of Object.prototype's properties once made `facts.returns["__proto__"]` Object.prototype
 * itself, and the fold wrote `status` and `since` onto every object of the process (found by
 * `npm run fuzz`: prom-client then refused every label set, and the process exited).
 */
describe('exception facts from hostile ids', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'should ignore the id %j and never touch Object.prototype',
    (id) => {
      let f: OrderFacts = emptyFacts();
      for (const e of [
        event('return.requested', { returnId: id }),
        event('return.received', { returnId: id, lines: [{ quantity: 1 }] }),
        event('shipment.shipped', { shipmentId: id, lines: [{ quantity: 1 }] }, 'wms'),
        event('shipment.delivered', { shipmentId: id }, 'carrier'),
        event('fulfillment.picked', { fulfillmentOrderId: id }, 'wms'),
        event('ingest.refused', { source: id, reason: 'x' }, 'visibility'),
        event('ingest.corrected', { source: id }, 'visibility'),
      ])
        f = applyEvent(f, e);
      const probe: Record<string, unknown> = {};
      for (const name of ['status', 'since', 'receivedQuantity', 'shippedAt', 'deliveredAt', 'at', 'reason'])
        expect(probe[name]).toBeUndefined();
      expect(Object.getPrototypeOf(f.returns)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(f.refused)).toBe(Object.prototype);
      expect(Object.keys(f.returns)).toEqual([]);
      expect(Object.keys(f.shipments)).toEqual([]);
      expect(Object.keys(f.fulfillment)).toEqual([]);
    },
  );

  it('should still fold an ordinary id', () => {
    const f = applyEvent(emptyFacts(), event('return.requested', { returnId: 'RMA-1' }));
    expect(f.returns['RMA-1']).toEqual({ status: 'REQUESTED', since: '2026-01-02T03:04:05Z', receivedQuantity: 0 });
  });
});
