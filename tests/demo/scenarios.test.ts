import { describe, expect, it } from 'vitest';
import { deriveOrderStatus, type StatusInputs } from '../../canonical/index.js';
import {
  generateDemo,
  statusInputsFor,
  type DemoScenario,
  type ErpOrder,
  type ErpPayment,
  type OmsOrder,
  type WmsShipment,
} from '../../demo/index.js';

const { data, scenarios } = generateDemo();

const omsOrders = new Map(data.oms.orders.map((o) => [o.id, o]));
const erpOrders = new Map(data.erp.orders.map((o) => [o.orderId, o]));
const payments = new Map(data.erp.payments.map((p) => [p.id, p]));
const nodeType = new Map(data.oms.nodes.map((n) => [n.id, n.type]));
const wmsFos = new Map(data.wms.fulfillmentOrders.map((f) => [f.id, f]));
const tracked = new Map(data.carrier.shipments.map((c) => [c.trackingNumber, c]));
const shipmentsOf = new Map<string, WmsShipment[]>();
for (const s of data.wms.shipments) shipmentsOf.set(s.orderId, [...(shipmentsOf.get(s.orderId) ?? []), s]);
const returnsOf = (id: string) => data.returns.returns.filter((r) => r.orderId === id);

interface View {
  id: string;
  oms: OmsOrder;
  erp: ErpOrder;
  payment: ErpPayment;
  inputs: StatusInputs;
  q: ReturnType<typeof deriveOrderStatus>['quantities'];
  shipments: WmsShipment[];
}
const view = (id: string): View => {
  const inputs = statusInputsFor(data, id);
  const erp = erpOrders.get(id)!;
  return {
    id,
    oms: omsOrders.get(id)!,
    erp,
    payment: payments.get(erp.paymentIds[erp.paymentIds.length - 1]!)!,
    inputs,
    q: deriveOrderStatus(inputs).quantities,
    shipments: shipmentsOf.get(id) ?? [],
  };
};
const each = (s: DemoScenario, check: (v: View) => void): void => {
  expect(scenarios[s].length, s).toBeGreaterThan(0);
  for (const id of scenarios[s]) check(view(id));
};
const net = (v: View): number => v.q.ordered - v.q.cancelled;
const foStatuses = (v: View): string[] => v.oms.fulfillmentOrderIds.map((id) => wmsFos.get(id)!.status);
const foNodeTypes = (v: View): string[] => v.oms.fulfillmentOrderIds.map((id) => nodeType.get(wmsFos.get(id)!.nodeId)!);

describe('demo scenarios', () => {
  it('should leave pending orders unaccepted, unsourced and with a pending payment', () => {
    each('pending', (v) => {
      expect(v.erp.acceptedAt).toBeNull();
      expect(v.oms.fulfillmentOrderIds).toEqual([]);
      expect(v.payment).toMatchObject({ status: 'PENDING', authorizedAt: null });
    });
    const pending = new Set(scenarios.pending);
    expect(data.erp.orders.filter((o) => (o.acceptedAt === null) !== pending.has(o.orderId))).toEqual([]);
  });

  it('should hold held orders in the ERP while oms has allocated every unit', () => {
    each('held-accepted-in-oms', (v) => {
      const active = v.erp.holds.filter((h) => h.releasedAt === null);
      expect(active).toHaveLength(1);
      expect(['PAYMENT_REVIEW', 'CREDIT', 'FRAUD']).toContain(active[0]!.type);
      expect(v.q.allocated).toBe(net(v));
      expect(v.shipments).toEqual([]);
      expect(
        v.payment.status === 'AUTHORIZED' || (v.payment.status === 'FAILED' && active[0]!.type === 'PAYMENT_REVIEW'),
      ).toBe(true);
    });
    const failed = scenarios['held-accepted-in-oms'].filter((id) => view(id).payment.status === 'FAILED');
    expect(failed.length).toBeGreaterThan(0);
  });

  it('should backorder every unit of backordered orders and part of partially-allocated ones', () => {
    each('backordered', (v) => {
      expect(v.q.backordered).toBe(v.q.ordered);
      expect(v.q.allocated).toBe(0);
    });
    each('partially-allocated', (v) => {
      expect(v.q.backordered).toBeGreaterThan(0);
      expect(v.q.allocated).toBe(net(v) - v.q.backordered);
      expect(v.q.picked).toBe(0);
    });
  });

  it('should split partially shipped orders: one fulfillment order shipped, another not', () => {
    each('partially-shipped', (v) => {
      const statuses = foStatuses(v);
      expect(statuses.length).toBeGreaterThanOrEqual(2);
      expect(statuses[0]).toBe('SHIPPED');
      expect(statuses.slice(1).every((s) => s !== 'SHIPPED' && s !== 'CANCELLED')).toBe(true);
      expect(v.payment.status).toBe('PARTIALLY_PAID');
    });
  });

  it('should ship split orders from one DC and one store in two shipments', () => {
    each('split-dc-store-shipped', (v) => {
      expect(foNodeTypes(v)).toEqual(['DC', 'STORE']);
      expect(foStatuses(v)).toEqual(['SHIPPED', 'SHIPPED']);
      expect(new Set(v.shipments.map((s) => s.fulfillmentOrderId)).size).toBe(2);
    });
  });

  it('should ship drop-ship orders from a drop-ship partner node', () => {
    each('drop-ship', (v) => {
      const dropShipFos = v.oms.fulfillmentOrderIds.filter(
        (id) => nodeType.get(wmsFos.get(id)!.nodeId) === 'DROP_SHIP',
      );
      expect(dropShipFos.length).toBeGreaterThan(0);
      for (const id of dropShipFos) expect(v.shipments.some((s) => s.fulfillmentOrderId === id)).toBe(true);
    });
  });

  it('should leave the carrier without any record for shipped-without-scan orders', () => {
    each('shipped-without-scan', (v) => {
      expect(v.shipments.length).toBeGreaterThan(0);
      for (const s of v.shipments) expect(tracked.has(s.trackingNumber)).toBe(false);
      expect(v.inputs.shipments.map((s) => s.status)).toEqual(v.shipments.map(() => 'UNKNOWN'));
    });
  });

  it('should give shipped-label-only orders a label-created scan and nothing else', () => {
    each('shipped-label-only', (v) => {
      for (const s of v.shipments) expect(tracked.get(s.trackingNumber)!.scans).toHaveLength(1);
      expect(v.inputs.shipments.every((s) => s.status === 'LABEL_CREATED')).toBe(true);
    });
  });

  it('should keep in-transit parcels moving, with some exceptions and attempts', () => {
    const seen = new Set<string>();
    each('in-transit', (v) => {
      for (const s of v.inputs.shipments) {
        expect(['LABEL_CREATED', 'DELIVERED', 'UNKNOWN', 'CANCELLED']).not.toContain(s.status);
        seen.add(s.status);
      }
    });
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'IN_TRANSIT',
        'OUT_FOR_DELIVERY',
        'EXCEPTION',
        'DELIVERY_ATTEMPTED',
        'AVAILABLE_FOR_PICKUP',
      ]),
    );
  });

  it('should deliver some but not all shipments of partially-delivered orders', () => {
    each('partially-delivered', (v) => {
      const statuses = v.inputs.shipments.map((s) => s.status);
      expect(statuses).toContain('DELIVERED');
      expect(statuses.some((s) => s !== 'DELIVERED')).toBe(true);
    });
  });

  it('should keep rejected returns from counting and fully returned orders refunded when every return is', () => {
    each('return-rejected', (v) => {
      expect(returnsOf(v.id).map((r) => r.status)).toEqual(['REJECTED']);
      expect(v.q.returnInitiated).toBe(0);
    });
    each('return-initiated', (v) => {
      expect(['REQUESTED', 'APPROVED', 'IN_TRANSIT']).toContain(returnsOf(v.id)[0]!.status);
      expect(v.q.returned).toBe(0);
    });
    each('returned', (v) => {
      expect(v.q.returned).toBe(net(v));
      const refunded = returnsOf(v.id).every((r) => r.status === 'REFUNDED' || r.status === 'CLOSED');
      if (refunded) expect(v.payment.status).toBe('REFUNDED');
    });
  });

  it('should cancel every unit of cancelled orders and void the payment', () => {
    each('cancelled', (v) => {
      expect(v.q.cancelled).toBe(v.q.ordered);
      expect(v.payment.status).toBe('VOIDED');
      expect(v.erp.holds.every((h) => h.releasedAt !== null)).toBe(true);
      expect(foStatuses(v).every((s) => s === 'CANCELLED')).toBe(true);
    });
    each('partially-cancelled', (v) => {
      expect(v.q.cancelled).toBeGreaterThan(0);
      expect(v.q.cancelled).toBeLessThan(v.q.ordered);
      expect(v.q.shipped).toBe(net(v));
      expect(v.payment.status).toBe('PAID');
    });
  });

  it('should mark delivered orders paid and release some holds on ordinary orders', () => {
    each('delivered', (v) => {
      expect(v.payment.status).toBe('PAID');
      expect(v.erp.holds.every((h) => h.releasedAt !== null)).toBe(true);
    });
    const released = scenarios.delivered.filter((id) => erpOrders.get(id)!.holds.length > 0);
    expect(released.length).toBeGreaterThan(0);
  });
});
